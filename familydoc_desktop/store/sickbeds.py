"""Home sickbeds (家庭病床): admission (建床), rounds (查床), discharge (撤床).

An open sickbed puts the resident in red on the ledger, so admit and discharge re-evaluate it.
"""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from familydoc_desktop.domain import sickbed as rules
from familydoc_desktop.domain.codes import SickbedOutcome, SickbedType
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import SickbedError
from familydoc_desktop.domain.models import Sickbed, SickbedRound
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import ledger
from familydoc_desktop.store.residents import require_resident


def _limits(session: Session) -> tuple[int, int]:
    from familydoc_desktop.store.settings import get_setting
    r = load_ruleset(get_setting(session, "visits_ruleset") or "visits_default")
    return (r.get("sickbed_max_episode_days", rules.MAX_EPISODE_DAYS),
            r.get("sickbed_max_days_per_year", rules.MAX_DAYS_PER_YEAR))


def _not_future(d: date, today: date, what: str) -> None:
    if d > today:
        raise SickbedError("sickbed_date", f"{what}不能晚于今天")


def admit(session: Session, *, resident_id: str, admitted_on, bed_type, diagnosis: str,
          indication: str | None = None, applied_on=None, doctor_id: str | None = None,
          nurse_id: str | None = None, care_plan: str | None = None,
          today: date | None = None) -> Sickbed:
    resident = require_resident(session, resident_id)
    today = today or date.today()
    admitted = parse_date(admitted_on)
    applied = parse_date(applied_on) if applied_on else None
    if applied is not None and applied > admitted:
        raise SickbedError("sickbed_date", "申请日期不能晚于建床日期")
    if not (diagnosis or "").strip():
        raise SickbedError("sickbed_diagnosis", "建床须填写诊断")
    rules.validate_admission(
        admitted, SickbedType(bed_type) if bed_type in set(SickbedType) else None,
        diagnosis=diagnosis, doctor_id=doctor_id, today=today,
        open_episode=bool(open_sickbed_of(session, resident.id)))
    bed = Sickbed(org_id=resident.org_id, resident_id=resident.id, applied_on=applied,
                  indication=indication, admitted_on=admitted, bed_type=bed_type,
                  diagnosis=diagnosis.strip(), doctor_id=doctor_id, nurse_id=nurse_id,
                  care_plan=care_plan)
    session.add(bed)
    session.flush()
    ledger.evaluate_resident(session, resident.id, on=max(today, admitted))
    return bed


def _require(session: Session, sickbed_id: str) -> Sickbed:
    bed = session.get(Sickbed, sickbed_id)
    if bed is None or bed.deleted:
        raise SickbedError("sickbed_unknown", "找不到该家庭病床记录")
    return bed


def record_round(session: Session, sickbed_id: str, *, round_date, findings: str | None = None,
                 orders: str | None = None, by_staff: str | None = None,
                 today: date | None = None) -> SickbedRound:
    bed = _require(session, sickbed_id)
    day = parse_date(round_date)
    _not_future(day, today or date.today(), "查床日期")
    if day < bed.admitted_on:
        raise SickbedError("round_date", f"查床日期不能早于建床日期（{bed.admitted_on.isoformat()}）")
    if bed.discharged_on is not None and day > bed.discharged_on:
        raise SickbedError("round_date", f"查床日期不能晚于撤床日期（{bed.discharged_on.isoformat()}）")
    row = SickbedRound(org_id=bed.org_id, sickbed_id=bed.id, round_date=day, findings=findings,
                       orders=orders, by_staff=by_staff)
    session.add(row)
    session.flush()
    return row


def discharge(session: Session, sickbed_id: str, *, discharged_on, outcome,
              summary: str | None = None, today: date | None = None) -> tuple[Sickbed, list[str]]:
    """撤床; returns the sickbed and Chinese warnings (episode or yearly limit exceeded)."""
    bed = _require(session, sickbed_id)
    if bed.discharged_on is not None:
        raise SickbedError("sickbed_closed", "该家庭病床已撤床")
    today = today or date.today()
    day = parse_date(discharged_on)
    _not_future(day, today, "撤床日期")
    max_episode, max_year = _limits(session)
    warnings = rules.validate_discharge(
        bed.admitted_on, day, SickbedOutcome(outcome) if outcome in set(SickbedOutcome) else None,
        max_episode_days=max_episode)
    last_round = session.exec(select(SickbedRound.round_date).where(
        SickbedRound.sickbed_id == bed.id, SickbedRound.deleted == False)  # noqa: E712
        .order_by(SickbedRound.round_date.desc())).first()
    if last_round is not None and last_round > day:
        raise SickbedError("sickbed_date", f"撤床日期不能早于最后一次查床（{last_round.isoformat()}）")
    bed.discharged_on, bed.outcome, bed.summary = day, outcome, summary
    session.add(bed)
    session.flush()
    episodes = [(b.admitted_on, b.discharged_on) for b in sickbeds_for(session, bed.resident_id)]
    year_warning = rules.year_limit_warning(rules.days_in_year(episodes, day.year, today), max_year)
    if year_warning:
        warnings.append(year_warning)
    ledger.evaluate_resident(session, bed.resident_id, on=max(today, day))
    return bed, warnings


def open_sickbed_of(session: Session, resident_id: str) -> Sickbed | None:
    return session.exec(select(Sickbed).where(
        Sickbed.resident_id == resident_id, Sickbed.discharged_on == None,  # noqa: E711
        Sickbed.deleted == False)).first()  # noqa: E712


def open_sickbeds(session: Session) -> list[Sickbed]:
    return list(session.exec(select(Sickbed).where(
        Sickbed.discharged_on == None, Sickbed.deleted == False)  # noqa: E711,E712
        .order_by(Sickbed.admitted_on)))


def sickbeds_for(session: Session, resident_id: str) -> list[Sickbed]:
    return list(session.exec(select(Sickbed).where(
        Sickbed.resident_id == resident_id, Sickbed.deleted == False)  # noqa: E712
        .order_by(Sickbed.admitted_on.desc())))


def rounds_for(session: Session, sickbed_id: str) -> list[SickbedRound]:
    return list(session.exec(select(SickbedRound).where(
        SickbedRound.sickbed_id == sickbed_id, SickbedRound.deleted == False)  # noqa: E712
        .order_by(SickbedRound.round_date, SickbedRound.id)))
