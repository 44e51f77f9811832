"""Other services named in the seeds: two-way referral, long prescriptions, health points,
satisfaction surveys, health-information pushes, drug-shortage register."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, text
from sqlmodel import Session, select

from familydoc_desktop.domain import prescription as rx_rules
from familydoc_desktop.domain import referral as referral_rules
from familydoc_desktop.domain import services as svc_rules
from familydoc_desktop.domain.codes import ReferralStatus
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    DrugShortage, HealthPoints, HealthPush, LongPrescription, Referral, SatisfactionSurvey,
)
from familydoc_desktop.domain.public_health import is_basic_public_health
from familydoc_desktop.store.residents import require_resident



def _day(value, today: date | None, what: str) -> date:
    d = parse_date(value)
    if d > (today or date.today()):
        raise DomainError("date_future", f"{what}不能晚于今天")
    return d

def _rows(session: Session, model, resident_id: str, order):
    return list(session.exec(select(model).where(model.resident_id == resident_id,
                                                 model.deleted == False).order_by(order)))  # noqa: E712


# ---- 双向转诊 ---------------------------------------------------------------------------------

def receiving_units(session: Session) -> list[str]:
    """The receiving units kept for this PC's township (resources/lists/referral_units.json)."""
    import json

    from familydoc_desktop import resources
    from familydoc_desktop.domain.models import Organisation
    from familydoc_desktop.store import orgs

    clinic = orgs.home_clinic(session)
    parent = session.get(Organisation, clinic.parent_id) if clinic.parent_id else None
    township = parent.code if parent is not None else (clinic.code[:9] + "000")
    with resources.path("lists", "referral_units.json").open(encoding="utf-8") as fh:
        return referral_rules.units_for(json.load(fh), township)


def add_referral(session: Session, *, resident_id: str, direction: str, receiving_unit: str,
                 reason: str, urgent: bool = False, referral_date=None,
                 visit_id: str | None = None, today: date | None = None) -> Referral:
    """A referral sent on `referral_date` (default today)."""
    today = today or date.today()
    resident = require_resident(session, resident_id)
    row = Referral(org_id=resident.org_id, resident_id=resident.id,
                   direction=referral_rules.check_direction(direction),
                   referral_date=_day(referral_date if referral_date is not None else today,
                                      today, "转诊日期"),
                   receiving_unit=referral_rules.check_unit(receiving_unit),
                   reason=referral_rules.check_reason(reason), urgent=bool(urgent),
                   status=ReferralStatus.SENT, visit_id=visit_id)
    session.add(row)
    session.flush()
    return row


def require_referral(session: Session, referral_id: str) -> Referral:
    """By id, or by its last characters as `referral list` shows them (the first ones are
    a timestamp, shared by records made the same minute)."""
    key = (referral_id or "").strip()
    row = session.get(Referral, key) if key else None
    if row is None and len(key) >= 6:
        found = list(session.exec(select(Referral).where(Referral.id.endswith(key)).limit(2)))
        row = found[0] if len(found) == 1 else None
    if row is None or row.deleted:
        raise referral_rules.ReferralError("referral_unknown", f"找不到该转诊记录：{key}")
    return row


def set_referral_status(session: Session, referral_id: str, status: str, *, on=None,
                        today: date | None = None) -> Referral:
    """The next step of a referral's workflow, dated `on` (default today)."""
    today = today or date.today()
    row = require_referral(session, referral_id)
    day = parse_date(on if on is not None else today)
    last = max(d for d in (row.referral_date, row.received_on) if d is not None)
    referral_rules.check_step(row.status, status, last, day, today)
    setattr(row, referral_rules.STEP_COLUMN[status], day)
    row.status = status
    session.add(row)
    session.flush()
    return row


def referrals_for(session: Session, resident_id: str) -> list[Referral]:
    return _rows(session, Referral, resident_id, Referral.referral_date.desc())


def referral_list(session: Session, *, open_only: bool = False,
                  limit: int = 500) -> list[tuple[Referral, str]]:
    """Referrals with their resident's name, newest first."""
    from familydoc_desktop.domain.models import Resident

    q = (select(Referral, Resident.name).join(Resident, Resident.id == Referral.resident_id)
         .where(Referral.deleted == False))  # noqa: E712
    if open_only:
        q = q.where(Referral.status.in_((ReferralStatus.SENT, ReferralStatus.RECEIVED)))
    return list(session.exec(q.order_by(Referral.referral_date.desc(), Referral.id.desc())
                             .limit(limit)))


# ---- 长期处方 ---------------------------------------------------------------------------------

def _conditions_on(session: Session, resident_id: str, on: date) -> set[str]:
    from familydoc_desktop.domain.population import DiagnosisFact
    from familydoc_desktop.store.residents import diagnoses_for

    return {d.condition for d in diagnoses_for(session, resident_id)
            if DiagnosisFact(d.condition, d.start_date, d.end_date).active_on(on)}


def add_long_prescription(session: Session, *, resident_id: str, weeks, drugs,
                          start_date=None, doctor_id: str | None = None,
                          today: date | None = None) -> LongPrescription:
    """A 4-12 week prescription for a signed chronic patient; `drugs` are "NAME DOSE" texts."""
    from familydoc_desktop.store.contracts import active_contract

    today = today or date.today()
    resident = require_resident(session, resident_id)
    weeks = rx_rules.check_weeks(weeks)
    items = rx_rules.check_drugs(drugs)
    start = _day(start_date if start_date is not None else today, today, "处方日期")
    contract = active_contract(session, resident.id, start)
    rx_rules.check_patient(contract is not None, _conditions_on(session, resident.id, start))
    row = LongPrescription(org_id=resident.org_id, resident_id=resident.id, start_date=start,
                           weeks=weeks, drugs="；".join(d.text() for d in items),
                           doctor_id=doctor_id or contract.doctor_id,
                           end_date=rx_rules.refill_date(start, weeks))
    session.add(row)
    session.flush()
    return row


def long_prescriptions_for(session: Session, resident_id: str) -> list[LongPrescription]:
    return _rows(session, LongPrescription, resident_id, LongPrescription.start_date.desc())


def prescription_list(session: Session, *, active_on: date | None = None,
                      limit: int = 500) -> list[tuple[LongPrescription, str]]:
    """Long prescriptions with their resident's name, newest first; `active_on` keeps those
    whose supply runs on that day."""
    from familydoc_desktop.domain.models import Resident

    q = (select(LongPrescription, Resident.name)
         .join(Resident, Resident.id == LongPrescription.resident_id)
         .where(LongPrescription.deleted == False))  # noqa: E712
    if active_on is not None:
        q = q.where(LongPrescription.start_date <= active_on,
                    LongPrescription.end_date > active_on)
    return list(session.exec(q.order_by(LongPrescription.start_date.desc(),
                                        LongPrescription.id.desc()).limit(limit)))


# ---- 健康积分 ---------------------------------------------------------------------------------

def points_rules(session: Session) -> dict[str, svc_rules.EarnRule]:
    """The earning rules in force (setting `points_ruleset`, default points_default)."""
    from familydoc_desktop.rulesets import load_ruleset
    from familydoc_desktop.store.settings import get_setting

    return svc_rules.earn_rules(load_ruleset(get_setting(session, "points_ruleset")
                                             or "points_default"))


def points_balance(session: Session, resident_id: str) -> int:
    return int(session.exec(select(func.coalesce(func.sum(HealthPoints.points), 0)).where(
        HealthPoints.resident_id == resident_id, HealthPoints.deleted == False)).one())  # noqa: E712


def earn_points(session: Session, *, resident_id: str, points, reason: str, on_date=None,
                today: date | None = None) -> HealthPoints:
    """Points for taking part, under an earning rule (its code or name as `reason`)."""
    today = today or date.today()
    resident = require_resident(session, resident_id)
    rule = svc_rules.find_rule(points_rules(session), reason)
    day = _day(on_date if on_date is not None else today, today, "积分日期")
    used = int(session.exec(select(func.count()).select_from(HealthPoints).where(
        HealthPoints.resident_id == resident.id, HealthPoints.rule == rule.code,
        HealthPoints.deleted == False,  # noqa: E712
        HealthPoints.on_date >= date(day.year, 1, 1),
        HealthPoints.on_date <= date(day.year, 12, 31))).one())
    row = HealthPoints(org_id=resident.org_id, resident_id=resident.id, on_date=day,
                       points=svc_rules.check_earn(rule, points, used), reason=rule.name,
                       rule=rule.code)
    session.add(row)
    session.flush()
    return row


def redeem_points(session: Session, *, resident_id: str, points, for_what: str, on_date=None,
                  today: date | None = None) -> HealthPoints:
    """Points spent on a health service or tool; never more than the balance."""
    today = today or date.today()
    resident = require_resident(session, resident_id)
    spent = svc_rules.check_redeem(points, points_balance(session, resident.id))
    row = HealthPoints(org_id=resident.org_id, resident_id=resident.id,
                       on_date=_day(on_date if on_date is not None else today, today, "兑换日期"),
                       points=-spent,
                       reason="兑换：" + svc_rules.required_text(for_what, "兑换的服务或用品", 190))
    session.add(row)
    session.flush()
    return row


def points_for(session: Session, resident_id: str) -> list[HealthPoints]:
    return _rows(session, HealthPoints, resident_id, HealthPoints.on_date.desc())


def points_list(session: Session, *, limit: int = 500) -> list[tuple[HealthPoints, str]]:
    from familydoc_desktop.domain.models import Resident

    return list(session.exec(
        select(HealthPoints, Resident.name).join(Resident, Resident.id == HealthPoints.resident_id)
        .where(HealthPoints.deleted == False)  # noqa: E712
        .order_by(HealthPoints.on_date.desc(), HealthPoints.id.desc()).limit(limit)))


# ---- 满意度调查 -------------------------------------------------------------------------------

def add_satisfaction(session: Session, *, resident_id: str, scores, method: str = "in_person",
                     on_date=None, comments: str | None = None,
                     today: date | None = None) -> SatisfactionSurvey:
    """A signed resident's answers, each question scored 1-5, by phone or in person."""
    from familydoc_desktop.store.contracts import active_contract

    today = today or date.today()
    resident = require_resident(session, resident_id)
    answers, overall = svc_rules.check_scores(scores)
    method = svc_rules.check_method(method)
    day = _day(on_date if on_date is not None else today, today, "调查日期")
    if active_contract(session, resident.id, day) is None:
        raise svc_rules.ServiceError("survey_unsigned", "满意度调查面向签约居民：该居民当日没有有效的签约")
    row = SatisfactionSurvey(org_id=resident.org_id, resident_id=resident.id, on_date=day,
                             score=overall, method=method,
                             answers=",".join(str(n) for n in answers),
                             comments=svc_rules.optional_text(comments, "意见建议", 500))
    session.add(row)
    session.flush()
    return row


def surveys_for(session: Session, resident_id: str) -> list[SatisfactionSurvey]:
    return _rows(session, SatisfactionSurvey, resident_id, SatisfactionSurvey.on_date.desc())


@dataclass(frozen=True)
class SurveyRow:
    survey: SatisfactionSurvey
    name: str  # the resident's
    team: str  # the resident's team, as the report groups by team ("" if never signed)


# The resident's team as the report groups by team (domain/report_tally.py): the team of the
# latest contract started by the report date, whatever its status.
_SURVEY_TEAM = ("(SELECT t.name FROM contract c JOIN team t ON t.id = c.team_id"
                " WHERE c.resident_id = v.resident_id AND c.deleted = 0"
                " AND c.start_date <= :on ORDER BY c.start_date DESC, c.id DESC LIMIT 1)")


def survey_count(session: Session) -> int:
    return int(session.execute(text(
        "SELECT count(*) FROM satisfaction_survey WHERE deleted = 0")).scalar_one())


def survey_list(session: Session, *, offset: int = 0, limit: int = 200,
                on: date | None = None) -> list[SurveyRow]:
    """One page of surveys, newest first (partial index on on_date, id), with the resident and
    the resident's team on `on` (default today)."""
    rows = session.execute(text(
        "SELECT v.id, r.name, " + _SURVEY_TEAM + " FROM satisfaction_survey v"
        " INDEXED BY ix_satisfaction_survey_live_date"
        " LEFT JOIN resident r ON r.id = v.resident_id WHERE v.deleted = 0"
        " ORDER BY v.on_date DESC, v.id DESC LIMIT :limit OFFSET :offset"),
        {"limit": limit, "offset": offset, "on": (on or date.today()).isoformat()}).all()
    found = {v.id: v for v in session.exec(select(SatisfactionSurvey).where(
        SatisfactionSurvey.id.in_([r[0] for r in rows])))} if rows else {}
    return [SurveyRow(found[rid], name or "", team or "") for rid, name, team in rows
            if rid in found]


@dataclass(frozen=True)
class TeamSatisfaction:
    team: str
    surveys: int
    satisfied: int
    rate: float | None  # %, None when nothing was surveyed


def satisfaction_by_team(session: Session, *, start: date, end: date) -> list[TeamSatisfaction]:
    """The satisfaction rate per team for surveys dated in [start, end], as the report by team
    for that period and report date `end` counts satisfaction_rate (team of the latest
    contract started by `end`; score >= SATISFIED_SCORE)."""
    from familydoc_desktop.domain import indicators as ind

    tally: dict[str, list[int]] = {}
    for team, score in session.execute(text(
            "SELECT " + _SURVEY_TEAM + ", v.score FROM satisfaction_survey v"
            " WHERE v.deleted = 0 AND v.on_date >= :start AND v.on_date <= :end"),
            {"start": start.isoformat(), "end": end.isoformat(), "on": end.isoformat()}).all():
        entry = tally.setdefault(team or "", [0, 0])
        entry[0] += 1
        entry[1] += score is not None and score >= ind.SATISFIED_SCORE
    return [TeamSatisfaction(team, n, ok, ind.rate(ok, n))
            for team, (n, ok) in sorted(tally.items())]


# ---- 健康信息推送 ------------------------------------------------------------------------------

def push_orgs(session: Session) -> set[str]:
    """The clinics this PC records pushes for: a township or county account's PC every clinic
    it holds, any other PC its own clinic."""
    from familydoc_desktop.domain.codes import OrgLevel
    from familydoc_desktop.domain.models import Organisation
    from familydoc_desktop.store import orgs
    from familydoc_desktop.store.settings import get_setting

    login_org = get_setting(session, "login_org_id")
    account = session.get(Organisation, login_org) if login_org else None
    if account is not None and account.level != OrgLevel.CLINIC:
        return {c.id for c in orgs.clinics_in_scope(session)}
    return {orgs.home_clinic(session).id}


def add_pushes(session: Session, *, resident_ids, topic: str, channel: str, on_date=None,
               today: date | None = None) -> list[HealthPush]:
    """One push (topic, channel, day) to each of `resident_ids`: one row per resident; a push
    to several residents at once shares a batch id. Every resident must be of a clinic this
    PC records for (push_orgs); nothing is written when one is refused. Returns the rows."""
    ids = _insert_pushes(session, resident_ids=resident_ids, topic=topic, channel=channel,
                         on_date=on_date, today=today)
    return list(session.exec(select(HealthPush).where(HealthPush.id.in_(ids))
                             .order_by(HealthPush.id)))


def push_to_group(session: Session, *, resident_ids, topic: str, channel: str, on_date=None,
                  today: date | None = None) -> int:
    """add_pushes for a large group (a village, a township's list): the same rules and rows,
    without reading them back; returns how many were written."""
    return len(_insert_pushes(session, resident_ids=resident_ids, topic=topic, channel=channel,
                              on_date=on_date, today=today))


def _insert_pushes(session: Session, *, resident_ids, topic: str, channel: str, on_date,
                   today: date | None) -> list[str]:
    from familydoc_desktop.domain.models.base import new_id, utcnow

    today = today or date.today()
    topic = svc_rules.check_topic(topic)
    channel = svc_rules.check_channel(channel)
    day = svc_rules.check_push_date(parse_date(on_date if on_date is not None else today), today)
    wanted = list(dict.fromkeys(k for k in (resident_ids or ()) if k))
    found: dict[str, tuple[str, str, str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join(f":r{i}" for i in range(len(chunk)))
        for rid, name, org in session.execute(text(
                f"SELECT id, name, org_id FROM resident WHERE deleted = 0 AND id IN ({marks})"),
                {f"r{i}": k for i, k in enumerate(chunk)}).all():
            found[rid] = (rid, name, org)
    missing = [k for k in wanted if k not in found]
    if missing:
        raise svc_rules.ServiceError("resident_unknown", f"找不到该居民：{missing[0]}")
    svc_rules.check_push_residents(list(found.values()), push_orgs(session), len(wanted))
    batch = new_id() if len(wanted) > 1 else None
    now = utcnow()
    rows = [{"id": new_id(), "org_id": found[rid][2], "created_at": now, "updated_at": now,
             "deleted": False, "server_seq": None, "resident_id": rid, "on_date": day,
             "channel": channel, "topic": topic, "batch_id": batch} for rid in wanted]
    from familydoc_desktop.store.bulk import bulk_insert, insert_with_outbox
    from familydoc_desktop.store.ledger import _capture_of

    session.flush()
    capture = _capture_of(session)
    if capture is not None:  # set-based, with the outbox entries the ORM would write
        insert_with_outbox(session, capture, HealthPush.__tablename__, rows)
    else:
        bulk_insert(session, HealthPush.__tablename__, [{**r, "hlc": ""} for r in rows])
    session.flush()
    return [r["id"] for r in rows]


def pushes_for(session: Session, resident_id: str) -> list[HealthPush]:
    return _rows(session, HealthPush, resident_id, HealthPush.on_date.desc())


def _year_params(on: date) -> dict:
    return {"y1": date(on.year, 1, 1).isoformat(), "on": on.isoformat()}


def pushes_this_year(session: Session, resident_id: str, on: date | None = None) -> int:
    on = on or date.today()
    return int(session.execute(text(
        "SELECT count(*) FROM health_push INDEXED BY ix_health_push_live_resident"
        " WHERE resident_id = :rid AND deleted = 0 AND on_date >= :y1 AND on_date <= :on"),
        {"rid": resident_id, **_year_params(on)}).scalar_one())


@dataclass(frozen=True)
class PushDueRow:
    """A signed resident and the pushes he or she had this year."""

    id: str
    name: str
    village_code: str | None
    pushes: int
    short: int  # pushes still owed this year


_PUSH_COUNT = ("(SELECT count(*) FROM health_push p INDEXED BY ix_health_push_live_resident"
               " WHERE p.resident_id = r.id AND p.deleted = 0 AND p.on_date >= :y1"
               " AND p.on_date <= :on)")


def _push_where(session: Session, village_code: str | None, population, short_only: bool,
                on: date) -> tuple[str, dict]:
    from familydoc_desktop.store.search import ResidentFilter, _filter_clause

    where, params = _filter_clause(ResidentFilter(village_code=village_code or None,
                                                  population=population or None), on)
    # Signed as the report counts it: a contract in force on `on`.
    where = (" AND r.died_on IS NULL AND r.id IN (SELECT c.resident_id FROM contract c"
             " WHERE c.deleted = 0 AND c.status != 'terminated' AND c.start_date <= :on"
             f" AND c.end_date >= :on){where}")
    if short_only:
        where += f" AND {_PUSH_COUNT} < {svc_rules.PUSHES_PER_YEAR}"
    return where, {**params, **_year_params(on)}


def push_due_count(session: Session, *, village_code: str | None = None, population=None,
                   short_only: bool = True, on: date | None = None) -> int:
    """Signed residents (in the village / key population given) with fewer than 12 pushes in
    on's calendar year (every signed one if not `short_only`)."""
    where, params = _push_where(session, village_code, population, short_only,
                                on or date.today())
    return int(session.execute(text(f"SELECT count(*) FROM resident r WHERE r.deleted = 0{where}"),
                               params).scalar_one())


def push_due_list(session: Session, *, village_code: str | None = None, population=None,
                  short_only: bool = True, on: date | None = None, offset: int = 0,
                  limit: int = 200) -> list[PushDueRow]:
    """One page of those residents, the fewest pushes first, then by name."""
    where, params = _push_where(session, village_code, population, short_only,
                                on or date.today())
    rows = session.execute(text(
        f"SELECT r.id, r.name, r.village_code, {_PUSH_COUNT} AS n FROM resident r"
        f" WHERE r.deleted = 0{where} ORDER BY n, r.name, r.id LIMIT :limit OFFSET :offset"),
        {**params, "limit": limit, "offset": offset}).all()
    return [PushDueRow(rid, name, village, n, svc_rules.pushes_short(n))
            for rid, name, village, n in rows]


def push_due_ids(session: Session, *, village_code: str | None = None, population=None,
                 short_only: bool = True, on: date | None = None) -> list[str]:
    """Every resident of that list (a push to the whole group)."""
    where, params = _push_where(session, village_code, population, short_only,
                                on or date.today())
    return [r[0] for r in session.execute(text(
        f"SELECT r.id FROM resident r WHERE r.deleted = 0{where} ORDER BY r.name, r.id"),
        params).all()]


# ---- 缺药登记 ---------------------------------------------------------------------------------

def add_drug_shortage(session: Session, *, resident_id: str, drug_name: str,
                      specification: str | None = None, reported_on=None,
                      note: str | None = None, today: date | None = None) -> DrugShortage:
    """A resident asked for a drug the clinic lacks (seed 001 item 12)."""
    today = today or date.today()
    resident = require_resident(session, resident_id)
    row = DrugShortage(org_id=resident.org_id, resident_id=resident.id,
                       reported_on=_day(reported_on if reported_on is not None else today,
                                        today, "登记日期"),
                       drug_name=svc_rules.required_text(drug_name, "缺少的药品", 100),
                       specification=svc_rules.optional_text(specification, "规格", 100),
                       note=svc_rules.optional_text(note, "备注", 200))
    session.add(row)
    session.flush()
    return row


def require_shortage(session: Session, shortage_id: str) -> DrugShortage:
    """By id, or by its last characters as `shortage list` shows them."""
    key = (shortage_id or "").strip()
    row = session.get(DrugShortage, key) if key else None
    if row is None and len(key) >= 6:
        found = list(session.exec(select(DrugShortage).where(
            DrugShortage.id.endswith(key)).limit(2)))
        row = found[0] if len(found) == 1 else None
    if row is None or row.deleted:
        raise svc_rules.ServiceError("shortage_unknown", f"找不到该缺药登记：{key}")
    return row


def resolve_drug_shortage(session: Session, shortage_id: str, *, on=None,
                          resolution: str | None = None,
                          today: date | None = None) -> DrugShortage:
    today = today or date.today()
    row = require_shortage(session, shortage_id)
    day = parse_date(on if on is not None else today)
    svc_rules.check_resolution(row.reported_on, row.resolved_on, day, today)
    row.resolved_on = day
    row.resolution = svc_rules.optional_text(resolution, "解决办法", 200)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class ShortageRow:
    shortage: DrugShortage
    name: str  # the resident's
    clinic: str  # where the drug is missing


def shortage_list(session: Session, *, open_only: bool = False,
                  limit: int = 1000) -> list[ShortageRow]:
    """Drug shortages with the resident and the clinic (a township PC sees every clinic's),
    newest first."""
    from familydoc_desktop.domain.models import Organisation, Resident

    q = (select(DrugShortage, Resident.name, Organisation.name)
         .join(Resident, Resident.id == DrugShortage.resident_id, isouter=True)
         .join(Organisation, Organisation.id == DrugShortage.org_id, isouter=True)
         .where(DrugShortage.deleted == False))  # noqa: E712
    if open_only:
        q = q.where(DrugShortage.resolved_on == None)  # noqa: E711
    q = q.order_by(DrugShortage.reported_on.desc(), DrugShortage.id.desc()).limit(limit)
    return [ShortageRow(row, name or "", clinic or "") for row, name, clinic in session.exec(q)]


def shortages_for(session: Session, resident_id: str) -> list[DrugShortage]:
    return _rows(session, DrugShortage, resident_id, DrugShortage.reported_on.desc())


# ---- the resident's history -------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceEntry:
    """One service given to a resident, for the history tab and `resident show`."""

    on: date
    kind: str  # the table it comes from
    detail: str  # Chinese
    public_health: bool  # a basic public health service (基本公共卫生服务)


def history_for(session: Session, resident_id: str) -> list[ServiceEntry]:
    """Every other service given to the resident, newest first; `public_health` is the one
    rule of domain/public_health.py."""
    from familydoc_desktop.domain.dates import age_on

    me = require_resident(session, resident_id)

    def entry(on: date, kind: str, detail: str) -> ServiceEntry:
        age = age_on(me.birth_date, on) if me.birth_date and me.birth_date <= on else None
        return ServiceEntry(on, kind, detail, is_basic_public_health(kind, age=age))

    out = [entry(p.start_date, "long_prescription", f"{p.weeks}周，{p.end_date} 续方：{p.drugs}")
           for p in long_prescriptions_for(session, resident_id)]
    for p in points_for(session, resident_id):
        out.append(entry(p.on_date, "health_points", f"{p.points:+d}分：{p.reason}"))
    for v in surveys_for(session, resident_id):
        out.append(entry(v.on_date, "satisfaction_survey",
                         f"{svc_rules.SURVEY_METHODS.get(v.method or '', '')}调查"
                         f" {v.score}分（各题 {v.answers or v.score}）"))
    for p in pushes_for(session, resident_id):
        out.append(entry(p.on_date, "health_push",
                         f"{svc_rules.PUSH_CHANNELS.get(p.channel, p.channel)}：{p.topic}"))
    for d in shortages_for(session, resident_id):
        state = (f"{d.resolved_on} 已解决" + (f"（{d.resolution}）" if d.resolution else "")
                 if d.resolved_on else "未解决")
        out.append(entry(d.reported_on, "drug_shortage",
                         f"{d.drug_name}{' ' + d.specification if d.specification else ''}"
                         f"：{state}"))
    out.sort(key=lambda e: e.on, reverse=True)
    return out
