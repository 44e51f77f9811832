"""Due list (待办): who needs what next, from domain.due rules over set-based queries.

One query per kind, never one per resident: this runs over a whole township (60,000
residents) when the app starts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import Session

from familydoc_desktop.domain import due as rules
from familydoc_desktop.domain.codes import (
    Colour, ContractStatus, MentalClass, VisitClass, VisitKind, VisitMethod,
)
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store.ledger import NOT_SUPERSEDED

# A health check-up is a visit row but not a follow-up (domain/checkup.py): it counts for
# none of the follow-up duties.
FOLLOWUPS_ONLY = " AND v.kind != 'checkup'"

KINDS = (rules.ELDERLY_80, rules.CHRONIC_FOLLOWUP, rules.REVISIT, rules.SICKBED_ROUND,
         rules.CONTRACT_EXPIRING, rules.REFERRAL_FOLLOWUP, rules.LONG_RX_REFILL,
         rules.ANNUAL_FOLLOWUP, rules.CHECKUP)
KIND_ZH = rules.KIND_ZH
_CHRONIC_CONDITIONS = {"hypertension": VisitKind.HYPERTENSION, "diabetes": VisitKind.DIABETES,
                       "severe_mental": VisitKind.SEVERE_MENTAL}


@dataclass(frozen=True)
class DueRow:
    kind: str
    resident_id: str
    name: str
    due_date: date
    overdue_days: int
    detail: str
    village_code: str | None


def _d(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def years_before(on: date, years: int) -> date:
    """The date `years` before `on`; Feb 29 falls back to Feb 28. Born on or before it means
    aged at least `years` on `on` (a Feb-29 birthday counts from Mar 1, as dates.age_on)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


# Signed on :on = a contract in force that day (terminated ones excluded). Correlated per
# resident r so a query reads only the contracts of the residents it already picked, from the
# covering index ix_contract_resident_signed (a GROUP BY over all contracts read them all).
_IN_FORCE = ("FROM contract c WHERE c.resident_id = r.id AND c.deleted = 0"
             " AND c.status != 'terminated' AND c.start_date <= :on AND c.end_date >= :on")
_SIGNED = f"EXISTS (SELECT 1 {_IN_FORCE})"
_SIGNED_START = f"(SELECT min(c.start_date) {_IN_FORCE})"
_VISIT_CLASSES = frozenset(VisitClass)
_MENTAL_CLASSES = frozenset(MentalClass)
_COLOURS = frozenset(Colour)


def _visits_ruleset(session: Session) -> dict:
    from familydoc_desktop.store.settings import get_setting
    return load_ruleset(get_setting(session, "visits_ruleset") or "visits_default")


def _ledger_ruleset(session: Session) -> dict:
    from familydoc_desktop.store.ledger import ruleset_for
    return ruleset_for(session)


def _elderly(session: Session, on: date) -> list[tuple]:
    cutoff = years_before(on, 80)
    people = session.execute(text(
        "SELECT r.id, r.name, r.village_code, r.birth_date FROM resident r"
        f" WHERE r.deleted = 0 AND r.died_on IS NULL AND r.birth_date <= :cutoff AND {_SIGNED}"),
        {"on": on.isoformat(), "cutoff": cutoff.isoformat()}).all()
    visits: dict[str, list] = {}
    # Any follow-up counts, whatever its form (seed 001 item 22: "每年开展1次面对面或上门随访"):
    # a hypertension visit at home is the 80+ visit too. elderly_visit_due checks the method.
    for rid, vdate, method in session.execute(text(
            "SELECT v.resident_id, v.visit_date, v.method FROM followup_visit v"
            " JOIN resident r ON r.id = v.resident_id"
            " WHERE r.birth_date <= :cutoff AND v.visit_date >= :first AND v.visit_date <= :on"
            f" AND v.deleted = 0{FOLLOWUPS_ONLY}{NOT_SUPERSEDED}"),
            {"first": date(on.year, 1, 1).isoformat(), "on": on.isoformat(),
             "cutoff": cutoff.isoformat()}).all():
        if method in set(VisitMethod):
            visits.setdefault(rid, []).append((_d(vdate), VisitMethod(method)))
    out = []
    for rid, name, village, born in people:
        item = rules.elderly_visit_due(rid, _d(born), True, visits.get(rid, ()), on)
        if item:
            out.append((item, name, village))
    return out


def _chronic(session: Session, on: date, horizon: int, vrules: dict, lrules: dict) -> list[tuple]:
    """Signed residents with an active hypertension, diabetes or severe mental disorder
    diagnosis: next follow-up."""
    # Driven from the (few) chronic diagnoses; start is NULL for the unsigned, dropped below.
    people = [p for p in session.execute(text(
        f"SELECT DISTINCT r.id, r.name, r.village_code, {_SIGNED_START}, d.condition"
        " FROM diagnosis d JOIN resident r ON r.id = d.resident_id"
        " WHERE r.deleted = 0 AND r.died_on IS NULL AND d.deleted = 0"
        " AND d.condition IN ('hypertension', 'diabetes', 'severe_mental') AND d.start_date <= :on"
        " AND (d.end_date IS NULL OR d.end_date >= :on)"), {"on": on.isoformat()}).all()
        if p[3] is not None]
    if not people:
        return []
    # Latest current visit per (resident, kind): SQLite takes bare columns from the max row.
    # `+v.kind` keeps the planner off ix_visit_kind_date (a range + temp B-tree sort) so it
    # walks ix_visit_resident_kind_date already in GROUP BY order: half the time at 60k.
    last = {(r[0], r[1]): (_d(r[2]), r[3]) for r in session.execute(text(
        "SELECT v.resident_id, v.kind, v.visit_date, v.visit_class,"
        " max(v.visit_date || v.id) FROM followup_visit v"
        " WHERE +v.kind IN ('hypertension', 'diabetes', 'severe_mental') AND v.deleted = 0"
        f" AND v.visit_date <= :on{NOT_SUPERSEDED} GROUP BY v.resident_id, v.kind"),
        {"on": on.isoformat()}).all()}
    colours = {r[0]: r[1] for r in session.execute(text(
        "SELECT resident_id, colour, max(assessed_on || id) FROM ledger_assessment"
        " WHERE deleted = 0 GROUP BY resident_id")).all()}
    ruleset = {**vrules, "interval_days": lrules.get("interval_days",
                                                     vrules.get("interval_days"))}
    ruleset = {k: v for k, v in ruleset.items() if v is not None}
    out = []
    for rid, name, village, start, condition in people:
        kind = _CHRONIC_CONDITIONS[condition]
        vdate, vclass = last.get((rid, str(kind)), (None, None))
        colour = colours.get(rid)
        if kind == VisitKind.SEVERE_MENTAL:
            item = rules.mental_followup_due(
                rid, vdate, MentalClass(vclass) if vclass in _MENTAL_CLASSES else None,
                _d(start), on, horizon)
            if item:
                out.append((item, name, village))
            continue
        item = rules.chronic_followup_due(
            rid, kind, vdate, VisitClass(vclass) if vclass in _VISIT_CLASSES else None,
            _d(start), Colour(colour) if colour in _COLOURS else None, on, ruleset, horizon)
        if item:
            out.append((item, name, village))
    return out


def _sickbeds(session: Session, on: date, horizon: int, vrules: dict) -> list[tuple]:
    interval = vrules.get("sickbed_round_days", 7)
    out = []
    for rid, name, village, admitted, last_round in session.execute(text(
            "SELECT r.id, r.name, r.village_code, b.admitted_on,"
            " (SELECT max(round_date) FROM sickbed_round sr WHERE sr.sickbed_id = b.id"
            "  AND sr.deleted = 0) FROM sickbed b JOIN resident r ON r.id = b.resident_id"
            " WHERE b.discharged_on IS NULL AND b.deleted = 0 AND r.deleted = 0"
            " AND b.admitted_on <= :on"), {"on": on.isoformat()}).all():
        item = rules.sickbed_round_due(rid, _d(admitted), _d(last_round), on, interval, horizon)
        if item:
            out.append((item, name, village))
    return out


def _expiring(session: Session, on: date, horizon: int, vrules: dict) -> list[tuple]:
    window = vrules.get("contract_expiry_window_days", 30) + horizon
    out = []
    for rid, name, village, end in session.execute(text(
            "SELECT r.id, r.name, r.village_code, c.end_date FROM contract c"
            " JOIN resident r ON r.id = c.resident_id WHERE c.status = 'active'"
            " AND c.deleted = 0 AND r.deleted = 0 AND r.died_on IS NULL"
            " AND c.end_date >= :on AND c.end_date <= :last"
            # Already renewed early: the renewal points back at this contract.
            " AND NOT EXISTS (SELECT 1 FROM contract n WHERE n.previous_id = c.id"
            " AND n.deleted = 0)"),
            {"on": on.isoformat(), "last": (on + timedelta(days=window)).isoformat()}).all():
        item = rules.contract_expiring_due(rid, _d(end), ContractStatus.ACTIVE, on, window)
        if item:
            out.append((item, name, village))
    return out


def _referred_down(session: Session, on: date, horizon: int, vrules: dict) -> list[tuple]:
    """Down-referrals not returned, without a follow-up since (any kind, any method)."""
    days = vrules.get("referral_down_followup_days", 14)
    out = []
    for rid, name, village, sent, unit, seen in session.execute(text(
            "SELECT r.id, r.name, r.village_code, f.referral_date, f.receiving_unit,"
            " EXISTS (SELECT 1 FROM followup_visit v WHERE v.resident_id = f.resident_id"
            f" AND v.deleted = 0 AND v.visit_date >= f.referral_date{FOLLOWUPS_ONLY}"
            f"{NOT_SUPERSEDED})"
            " FROM referral f JOIN resident r ON r.id = f.resident_id"
            " WHERE f.direction = 'down' AND f.deleted = 0 AND f.status != 'returned'"
            " AND r.deleted = 0 AND r.died_on IS NULL AND f.referral_date <= :last"),
            {"last": (on + timedelta(days=horizon)).isoformat()}).all():
        item = rules.referral_followup_due(rid, _d(sent), unit, bool(seen), on, days, horizon)
        if item:
            out.append((item, name, village))
    return out


def _refills(session: Session, on: date, horizon: int, vrules: dict) -> list[tuple]:
    """The latest long prescription of each resident, when its refill is near or late."""
    window = vrules.get("long_rx_refill_window_days", 7)
    grace = vrules.get("long_rx_refill_grace_days", 30)
    out = []
    # Only prescriptions ending in the window are read (ix_long_prescription_end); one that a
    # later prescription replaced is no longer due.
    for rid, name, village, end, drugs in session.execute(text(
            "SELECT r.id, r.name, r.village_code, p.end_date, p.drugs FROM long_prescription p"
            " JOIN resident r ON r.id = p.resident_id"
            " WHERE p.deleted = 0 AND r.deleted = 0 AND r.died_on IS NULL"
            " AND p.end_date >= :first AND p.end_date <= :last"
            " AND NOT EXISTS (SELECT 1 FROM long_prescription n WHERE n.resident_id ="
            " p.resident_id AND n.deleted = 0 AND n.id != p.id AND (n.start_date > p.start_date"
            " OR (n.start_date = p.start_date AND n.id > p.id)))"),
            {"first": (on - timedelta(days=grace)).isoformat(),
             "last": (on + timedelta(days=window + horizon)).isoformat()}).all():
        item = rules.long_rx_refill_due(rid, _d(end), drugs, on, window, grace, horizon)
        if item:
            out.append((item, name, village))
    return out


def _anniversary_days(on: date, days: int) -> list[str]:
    """'MM-DD' of every day from on+1 to on+days: a contract whose start has one of them as
    its month and day has its contract year end (the day before) by on+days-1. A Feb-29
    start has its anniversary on Mar 1 in a common year (domain/checkup.add_years)."""
    out = {(on + timedelta(days=k)).strftime("%m-%d") for k in range(1, days + 1)}
    if "03-01" in out:
        out.add("02-29")
    return sorted(out)


def _annual(session: Session, on: date, horizon: int, vrules: dict) -> list[tuple]:
    """Signed residents without a follow-up in the current year of their contract."""
    window = vrules.get("annual_followup_window_days", 90)
    params: dict = {"on": on.isoformat()}
    near_end = ""
    if window is not None:
        # Only contracts whose contract year ends within the window (+ horizon) can be
        # listed: picked in SQL by the start's month and day (a quarter of them), the
        # domain rule decides exactly. Reading all 40,000 contracts of a township took 2 s.
        days = window + horizon + 1
        mmdd = _anniversary_days(on, days)
        params.update({f"d{i}": d for i, d in enumerate(mmdd)})
        params["last"] = (on + timedelta(days=days)).isoformat()
        near_end = (" AND (strftime('%m-%d', c.start_date) IN ("
                    + ", ".join(f":d{i}" for i in range(len(mmdd))) + ")"
                    " OR c.end_date <= :last)")
    params["first"] = years_before(on, 1).isoformat()
    contracts: dict[str, tuple] = {}
    # The contract in force on `on` (of two, an overlap, the one started last) and the
    # resident's latest follow-up of the last year (a contract year is no longer), looked up
    # per picked contract on ix_visit_resident_kind_date.
    for rid, name, village, start, end, last in session.execute(text(
            "SELECT r.id, r.name, r.village_code, c.start_date, c.end_date,"
            " (SELECT max(v.visit_date) FROM followup_visit v WHERE v.resident_id = r.id"
            " AND v.visit_date >= :first AND v.visit_date <= :on AND v.deleted = 0"
            f"{FOLLOWUPS_ONLY}{NOT_SUPERSEDED}) FROM contract c"
            " JOIN resident r ON r.id = c.resident_id WHERE c.deleted = 0"
            " AND c.status != 'terminated' AND c.start_date <= :on AND c.end_date >= :on"
            f"{near_end} AND r.deleted = 0 AND r.died_on IS NULL ORDER BY c.start_date, c.id"),
            params).all():
        contracts[rid] = (name, village, _d(start), _d(end), _d(last))
    out = []
    for rid, (name, village, start, end, last) in contracts.items():
        seen = (last,) if last is not None else ()
        item = rules.annual_followup_due(rid, start, end, seen, on, window, horizon)
        if item:
            out.append((item, name, village))
    return out


def _checkups(session: Session, on: date) -> list[tuple]:
    """Signed residents aged 65+ without a health check-up this calendar year."""
    cutoff = years_before(on, rules.CHECKUP_AGE)
    # The signing date (NULL: not signed) in one correlated subquery, and this year's check-up
    # looked up per resident on ix_visit_resident_kind_date.
    people = session.execute(text(
        f"SELECT r.id, r.name, r.village_code, r.birth_date, {_SIGNED_START} FROM resident r"
        " WHERE r.deleted = 0 AND r.died_on IS NULL AND r.birth_date <= :cutoff"
        " AND NOT EXISTS (SELECT 1 FROM followup_visit v WHERE v.resident_id = r.id"
        " AND v.kind = 'checkup' AND v.visit_date >= :first AND v.visit_date <= :on"
        f" AND v.deleted = 0{NOT_SUPERSEDED})"),
        {"on": on.isoformat(), "cutoff": cutoff.isoformat(),
         "first": date(on.year, 1, 1).isoformat()}).all()
    out = []
    for rid, name, village, born, start in people:
        if start is None:
            continue
        item = rules.checkup_due(rid, _d(born), _d(start), (), on)
        if item:
            out.append((item, name, village))
    return out


def due_list(session: Session, on: date, *, kinds=None, horizon_days: int = 0) -> list[DueRow]:
    """Everything due by `on` (+ horizon_days), most overdue first, then by name."""
    wanted = set(kinds or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        from familydoc_desktop.domain.errors import DomainError
        raise DomainError("due_kind", f"未知的待办类型：{', '.join(sorted(unknown))}")
    vrules = _visits_ruleset(session)
    found: list[tuple] = []
    if rules.ELDERLY_80 in wanted:
        found += _elderly(session, on)
    if wanted & {rules.CHRONIC_FOLLOWUP, rules.REVISIT}:
        found += [f for f in _chronic(session, on, horizon_days, vrules, _ledger_ruleset(session))
                  if f[0].kind in wanted]
    if rules.SICKBED_ROUND in wanted:
        found += _sickbeds(session, on, horizon_days, vrules)
    if rules.CONTRACT_EXPIRING in wanted:
        found += _expiring(session, on, horizon_days, vrules)
    if rules.REFERRAL_FOLLOWUP in wanted:
        found += _referred_down(session, on, horizon_days, vrules)
    if rules.LONG_RX_REFILL in wanted:
        found += _refills(session, on, horizon_days, vrules)
    if rules.ANNUAL_FOLLOWUP in wanted:
        found += _annual(session, on, horizon_days, vrules)
    if rules.CHECKUP in wanted:
        found += _checkups(session, on)
    rows = [DueRow(i.kind, i.resident_id, name, i.due_date, i.overdue_days, i.detail, village)
            for i, name, village in found]
    rows.sort(key=lambda r: (r.due_date, r.name, r.kind))
    return rows


def elderly_visit_progress(session: Session, year: int, on: date | None = None) -> tuple[int, int]:
    """(done, total): signed residents aged 80+ on `on` (default Dec 31 of `year`, or today in
    the current year) and how many had a follow-up of any kind at the clinic or at home in
    `year` (seed 001 item 22, as the due list)."""
    today = date.today()
    on = on or (today if year == today.year else date(year, 12, 31))
    cutoff = years_before(on, 80)
    total, done = session.execute(text(
        f"SELECT count(*), sum(EXISTS (SELECT 1 FROM followup_visit v WHERE v.resident_id = r.id"
        " AND v.method IN ('clinic', 'home') AND v.deleted = 0"
        " AND v.visit_date >= :first AND v.visit_date <= :last"
        f"{FOLLOWUPS_ONLY}{NOT_SUPERSEDED})) FROM resident r"
        f" WHERE r.deleted = 0 AND r.died_on IS NULL AND r.birth_date <= :cutoff AND {_SIGNED}"),
        {"on": on.isoformat(), "cutoff": cutoff.isoformat(),
         "first": date(year, 1, 1).isoformat(), "last": date(year, 12, 31).isoformat()}).one()
    return int(done or 0), int(total or 0)
