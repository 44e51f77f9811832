"""The township's indicator report (统计报表): every indicator of domain/indicators.py for a
period and a report date, in total and per village, team or doctor.

One pass per table with plain SQL (a few hundred thousand rows at township size), tallied in
Python per group; nothing is loaded twice. Events (visits, sickbeds, referrals, surveys) are
counted under the group of the resident they belong to.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import text
from sqlmodel import Session

from familydoc_desktop.domain import indicators as ind
from familydoc_desktop.domain.codes import Colour, Population, VisitKind
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.population import derive_populations
from familydoc_desktop.domain.report import (  # noqa: F401 - re-exported
    TOTAL_ZH, Report, ReportRow, fees_to_yuan, report_period, sorted_groups,
)
from familydoc_desktop.store import orgs
from familydoc_desktop.store.ledger import NOT_SUPERSEDED
from familydoc_desktop.store.residents import person_facts

GROUPINGS = ("village", "team", "doctor")
GROUPING_ZH = {"village": "村", "team": "团队", "doctor": "医生"}
NO_GROUP_ZH = {"village": "（未填写村）", "team": "（未签约）", "doctor": "（未签约）"}
_STEPS = 8


def _d(value) -> date | None:  # noqa: ANN001
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def township_report(session: Session, *, on: date | None = None, start: date | None = None,
                    end: date | None = None, by: str | None = None,
                    progress: Callable[[int, int], None] | None = None) -> Report:
    """Indicators as of `on` (default today) for the period [start, end] (default 1 January
    of on's year to on). `by` adds a row per village, team or doctor."""
    on, start, end = report_period(on, start, end)
    if by is not None and by not in GROUPINGS:
        raise DomainError("report_by", f"分组只能是：{'、'.join(GROUPING_ZH.values())}")
    step = (lambda n: progress(n, _STEPS)) if progress else (lambda n: None)
    p = {"on": on.isoformat(), "start": start.isoformat(), "end": end.isoformat()}
    q = lambda sql: session.execute(text(sql), p).all()  # noqa: E731

    # Residents, their groups and key populations.
    residents = {r[0]: (r[1], _d(r[2]), _d(r[3])) for r in q(
        "SELECT id, village_code, birth_date, died_on FROM resident WHERE deleted = 0")}
    on_file = {rid for rid, (_v, born, died) in residents.items()
               if (born is None or born <= on) and (died is None or died > on)}
    populations = {rid: derive_populations(f, on) for rid, f in
                   person_facts(session, None, on).items() if rid in on_file}
    step(1)
    # The contract in force on `on` (the latest started, if two overlap) and, for grouping by
    # team or doctor, the latest contract started by then.
    in_force: dict[str, tuple] = {}
    latest: dict[str, tuple] = {}
    for row in q("SELECT resident_id, team_id, doctor_id, status, start_date, end_date, id,"
                 " fee_public_health_fen, fee_insurance_fen, fee_personal_fen FROM contract"
                 " WHERE deleted = 0 AND start_date <= :on ORDER BY resident_id, start_date, id"):
        latest[row[0]] = row
        if row[3] != "terminated" and _d(row[5]) >= on:
            in_force[row[0]] = row
    packages = {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in q(
        "SELECT contract_id, sum(insurance_fen), sum(personal_fen) FROM contract_package"
        " WHERE deleted = 0 GROUP BY contract_id")}
    step(2)

    def key_of(rid: str) -> str | None:
        if by == "village":
            return residents[rid][0] if rid in residents else None
        c = latest.get(rid)
        return None if c is None else (c[1] if by == "team" else c[2])

    total = ReportRow(None, TOTAL_ZH)
    groups: dict[str | None, ReportRow] = {}

    def add(rid: str, code: str, n: int = 1) -> None:
        total.counts[code] += n
        if by is not None:
            k = key_of(rid)
            if k not in groups:
                groups[k] = ReportRow(k, "")
            groups[k].counts[code] += n

    for rid in on_file:
        add(rid, "on_file")
        signed = rid in in_force
        key_pop = bool(populations.get(rid))
        if signed:
            add(rid, "signed")
            c = in_force[rid]
            insurance, personal = packages.get(c[6], (0, 0))
            add(rid, "fee_public_health", int(c[7] or 0))
            add(rid, "fee_insurance", int(c[8] or 0) + insurance)
            add(rid, "fee_personal", int(c[9] or 0) + personal)
        if key_pop:
            add(rid, "key_population")
            if signed:
                add(rid, "key_population_signed")
            for pop in populations[rid]:
                add(rid, f"pop_{pop}")
                if signed:
                    add(rid, f"pop_{pop}_signed")
        born = residents[rid][1]
        if signed and born is not None and age_on(born, on) >= 80:
            add(rid, "aged_80_signed")
    step(3)

    # Renewal: terms that ended in the period (and by `on`), renewed by a later contract.
    for rid, renewed in q(
            "SELECT c.resident_id, max(EXISTS (SELECT 1 FROM contract n WHERE"
            " n.resident_id = c.resident_id AND n.deleted = 0 AND n.start_date > c.start_date))"
            " FROM contract c WHERE c.deleted = 0 AND c.status != 'terminated'"
            " AND c.end_date >= :start AND c.end_date <= :end AND c.end_date < :on"
            " GROUP BY c.resident_id"):
        if rid in on_file:
            add(rid, "renewal_due")
            if renewed:
                add(rid, "renewed")
    # Ledger: the latest colour of every signed key-population resident.
    for rid, colour, _ in q("SELECT resident_id, colour, max(assessed_on || id)"
                            " FROM ledger_assessment WHERE deleted = 0 AND assessed_on <= :on"
                            " GROUP BY resident_id"):
        if rid in in_force and populations.get(rid) and colour in set(Colour):
            add(rid, f"ledger_{colour}")
    step(4)
    # 80+ yearly visit in on's calendar year: a follow-up of any kind, face to face or at
    # home (seed 001 item 22, as the due list).
    p["year_first"], p["year_last"] = date(on.year, 1, 1).isoformat(), on.isoformat()
    for (rid,) in q("SELECT DISTINCT v.resident_id FROM followup_visit v"
                    " WHERE v.method IN ('clinic', 'home')"
                    " AND v.deleted = 0 AND v.visit_date >= :year_first"
                    f" AND v.visit_date <= :year_last{NOT_SUPERSEDED}"):
        born = residents.get(rid, (None, None, None))[1]
        if rid in in_force and born is not None and age_on(born, on) >= 80:
            add(rid, "aged_80_visited")
    step(5)
    _chronic_management(q, on_file, populations, residents, start, end, add)
    step(6)
    for rid, admitted, discharged in q(
            "SELECT resident_id, admitted_on, discharged_on FROM sickbed"
            " WHERE deleted = 0 AND admitted_on <= :on"):
        if rid not in residents:
            continue
        admitted, discharged = _d(admitted), _d(discharged)
        if discharged is None or discharged > on:
            add(rid, "sickbed_open")
        if start <= admitted <= end:
            add(rid, "sickbed_admitted")
        if discharged is not None and start <= discharged <= end:
            add(rid, "sickbed_discharged")
        add(rid, "sickbed_days", ind.bed_days(admitted, discharged, start, end))
    # Referrals sent in the period (a returned one was not taken: not counted) and those
    # completed in the period.
    for rid, direction, sent, completed in q(
            "SELECT resident_id, direction, referral_date, completed_on FROM referral"
            " WHERE deleted = 0 AND status != 'returned' AND ((referral_date >= :start"
            " AND referral_date <= :end) OR (completed_on >= :start AND completed_on <= :end))"):
        if rid not in residents or direction not in ("up", "down"):
            continue
        if start <= _d(sent) <= end:
            add(rid, f"referral_{direction}")
        if completed is not None and start <= _d(completed) <= end:
            add(rid, "referral_completed")
    # Long prescriptions whose supply ran on some day of the period.
    for (rid,) in q("SELECT resident_id FROM long_prescription WHERE deleted = 0"
                    " AND start_date <= :end AND end_date > :start"):
        if rid in residents:
            add(rid, "long_prescriptions")
    # Drug shortages still open at the end of the report date, counted where they are missing
    # (under the resident who asked, as every event).
    for (rid,) in q("SELECT resident_id FROM drug_shortage WHERE deleted = 0"
                    " AND reported_on <= :on AND (resolved_on IS NULL OR resolved_on > :on)"):
        if rid in residents:
            add(rid, "drug_shortages_open")
    for rid, points in q("SELECT resident_id, points FROM health_points WHERE deleted = 0"
                         " AND on_date >= :start AND on_date <= :end"):
        if rid in residents:
            add(rid, "points_earned" if points > 0 else "points_redeemed", abs(int(points)))
    for rid, score in q("SELECT resident_id, score FROM satisfaction_survey WHERE deleted = 0"
                        " AND on_date >= :start AND on_date <= :end"):
        if rid in residents:
            add(rid, "survey_count")
            if score is not None and score >= ind.SATISFIED_SCORE:
                add(rid, "survey_satisfied")
    step(7)

    rows = [total, *_labelled(session, by, groups)]
    for row in rows:  # fees are counted in fen; the report shows yuan
        fees_to_yuan(row)
    step(8)
    return Report(on=on, start=start, end=end, by=by, rows=rows)


def _chronic_management(q, on_file, populations, residents, start, end, add) -> None:  # noqa: ANN001
    """Managed / managed to standard / controlled, for hypertension and diabetes."""
    needed = ind.standard_followups(start, end)
    seen: dict[tuple[str, str], list] = {}
    for rid, kind, vdate, sbp, dbp, glucose in q(
            "SELECT v.resident_id, v.kind, v.visit_date, v.sbp, v.dbp, v.fasting_glucose"
            " FROM followup_visit v WHERE v.deleted = 0 AND v.kind IN ('hypertension', 'diabetes')"
            f" AND v.visit_date >= :start AND v.visit_date <= :end{NOT_SUPERSEDED}"
            " ORDER BY v.resident_id, v.visit_date, v.id"):
        entry = seen.setdefault((rid, kind), [0, None])
        entry[0] += 1
        entry[1] = (_d(vdate), sbp, dbp, glucose)  # the last one wins: rows come in date order
    group_of = {VisitKind.HYPERTENSION: Population.HYPERTENSION,
                VisitKind.DIABETES: Population.DIABETES}
    for (rid, kind), (count, (vdate, sbp, dbp, glucose)) in seen.items():
        if rid not in on_file or group_of[VisitKind(kind)] not in populations.get(rid, ()):
            continue
        add(rid, f"{kind}_managed")
        if count >= needed:
            add(rid, f"{kind}_standard")
        born = residents[rid][1]
        age = age_on(born, vdate) if born and born <= vdate else None
        if kind == VisitKind.HYPERTENSION:
            controlled = ind.hypertension_controlled(sbp, dbp, age)
        else:
            controlled = ind.diabetes_controlled(glucose)
        if controlled:
            add(rid, f"{kind}_controlled")


def _labelled(session: Session, by: str | None, groups: dict) -> list[ReportRow]:
    if by is None:
        return []
    if by == "village":
        names = {o.code: o.name.removesuffix("卫生室") for o in orgs.clinics_in_scope(session)}
    else:
        table = "team" if by == "team" else "staff"
        names = {r[0]: r[1] for r in session.execute(text(f"SELECT id, name FROM {table}")).all()}
    for key, row in groups.items():
        row.label = NO_GROUP_ZH[by] if key is None else names.get(key, key)
    return sorted_groups(groups.values())
