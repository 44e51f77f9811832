"""The indicator report tallied from plain rows: every rule that turns records into the counts
of domain/indicators.py, in one place, for both counters.

The desktop (store/report.py) reads the rows with SQL from its own tables; the sync server
(sync_server/services/indicators.py) reads the same row shapes from its `record` table. Both
feed `tally`, so the two reports agree by construction; what each side may get wrong is only
the reading of the rows, which tests/server/test_indicators.py compares.

Each table comes as an iterable of tuples of the shape below, NON-DELETED rows only. A reader
may leave out rows no rule can count (the `window` dates say which, per table), but it need
not: every date and status rule is applied here again. Dates may be `date` objects or ISO
strings ('YYYY-MM-DD'); numbers as stored.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Iterator, Mapping

from familydoc_desktop.domain import indicators as ind
from familydoc_desktop.domain.checkup import CHECKUP_AGE
from familydoc_desktop.domain.codes import Colour, Population, VisitKind
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.population import PopulationsOn
from familydoc_desktop.domain.report import Report, ReportRow, TOTAL_ZH, fees_to_yuan, sorted_groups

# How a report can be split: by the resident's place (the desktop's village code, the server's
# clinic), or by the team or doctor of the latest contract started by the report date.
PLACE_GROUPINGS = ("village", "clinic")
GROUPINGS = ("village", "clinic", "team", "doctor")
GROUPING_ZH = {"village": "村", "clinic": "卫生室", "team": "团队", "doctor": "医生"}
NO_GROUP_ZH = {"village": "（未填写村）", "clinic": "（未知卫生室）", "team": "（未签约）",
               "doctor": "（未签约）"}

# Row shapes (field names, in order), one per table.
SHAPES: dict[str, tuple[str, ...]] = {
    # place: village_code on the desktop, the holding clinic's code on the server
    "resident": ("id", "place", "birth_date", "died_on", "sex"),
    "diagnosis": ("resident_id", "condition", "start_date", "end_date"),
    "population_membership": ("resident_id", "membership", "start_date", "end_date"),
    "contract": ("id", "resident_id", "team_id", "doctor_id", "status", "start_date", "end_date",
                 "fee_public_health_fen", "fee_insurance_fen", "fee_personal_fen"),
    "contract_package": ("contract_id", "insurance_fen", "personal_fen"),
    "ledger_assessment": ("id", "resident_id", "colour", "assessed_on"),
    "followup_visit": ("id", "resident_id", "kind", "method", "visit_date", "sbp", "dbp",
                       "fasting_glucose"),
    # the supersedes_id of every non-deleted visit (all dates: a correction may be dated
    # otherwise than the visit it replaces); empty values are ignored
    "superseded": ("supersedes_id",),
    "sickbed": ("resident_id", "admitted_on", "discharged_on"),
    "referral": ("resident_id", "direction", "status", "referral_date", "completed_on"),
    "long_prescription": ("resident_id", "start_date", "end_date"),
    "drug_shortage": ("resident_id", "reported_on", "resolved_on"),
    "health_points": ("resident_id", "on_date", "points"),
    "satisfaction_survey": ("resident_id", "on_date", "score"),
    "health_push": ("resident_id", "on_date"),
}

_COLOURS = frozenset(Colour)
_CHRONIC = {VisitKind.HYPERTENSION.value: Population.HYPERTENSION,
            VisitKind.DIABETES.value: Population.DIABETES}
_VISIT_80_METHODS = ("clinic", "home")  # seed 001 item 22: face to face or at home
_CHECKUP = VisitKind.CHECKUP.value  # a visit row, but not a follow-up (domain/checkup.py)
_POP = {p: f"pop_{p}" for p in Population}  # count codes, made once, not once per resident
_POP_SIGNED = {p: f"pop_{p}_signed" for p in Population}


def _d(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _iso(value: Any) -> str | None:
    """A date as its ISO day text ('YYYY-MM-DD'), which orders as the dates do: compared as
    text, a township's rows need no date parsed per value (parsing cost most of the tally)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value[:10]
    return value.isoformat()[:10]


def _s(value: Any) -> str | None:
    """A date as its ISO text (for ordering the way SQL compares the stored text)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def window(on: date, start: date, end: date) -> dict[str, str]:
    """Bind parameters a reader may use to leave rows out (all ISO dates): `on`, `start`,
    `end`, `visits_from`, the first day a visit can count (the period's start or 1 January
    of the report year, for the 80+ visit, whichever is earlier), and `year_from`, 1 January
    of the report year (health pushes count in the calendar year)."""
    first = min(start, date(on.year, 1, 1))
    return {"on": on.isoformat(), "start": start.isoformat(), "end": end.isoformat(),
            "visits_from": first.isoformat(), "year_from": date(on.year, 1, 1).isoformat()}


@dataclass
class Rows:
    """The rows of one report, per table (see SHAPES); a missing table counts nothing."""
    resident: Iterable[tuple] = ()
    diagnosis: Iterable[tuple] = ()
    population_membership: Iterable[tuple] = ()
    contract: Iterable[tuple] = ()
    contract_package: Iterable[tuple] = ()
    ledger_assessment: Iterable[tuple] = ()
    followup_visit: Iterable[tuple] = ()
    superseded: Iterable[tuple] = ()
    sickbed: Iterable[tuple] = ()
    referral: Iterable[tuple] = ()
    long_prescription: Iterable[tuple] = ()
    drug_shortage: Iterable[tuple] = ()
    health_points: Iterable[tuple] = ()
    satisfaction_survey: Iterable[tuple] = ()
    health_push: Iterable[tuple] = ()
    labels: Mapping[str, str] = field(default_factory=dict)  # group key -> its name


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection inside (it is turned back on after only if it
    was on before: the PC's window collects on its own timer, ui/app.py). A township's report
    makes a few hundred thousand tuples, lists and dicts, none in a reference cycle, and each
    batch of them set off a collection walking every object alive, the rows read among them:
    about a quarter of the tally's CPU time (60k demo: 0.73 -> 0.49 s)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def tally(rows: Rows, *, on: date, start: date, end: date, by: str | None) -> Report:
    """The report (total first, then a row per group when `by` is given) from `rows`
    (without automatic garbage collection, gc_paused)."""
    with gc_paused():
        return _tally(rows, on=on, start=start, end=end, by=by)


def _tally(rows: Rows, *, on: date, start: date, end: date, by: str | None) -> Report:
    """The report (total first, then a row per group when `by` is given) from `rows`.
    `on`, `start`, `end` as report_period gives them; `by` one of GROUPINGS or None.
    Events (visits, sickbeds, referrals, surveys...) count under the group of their resident.

    Dates are compared as ISO text (s_on, s_start, s_end), parsed only where a rule needs
    a day count (ages, bed-days), each distinct birth date once (with its age on `on`);
    counts go straight to the resident's group (found once per resident); the residents on
    file are counted by kind (group, signed, populations, age band), not one by one; the
    total is the sum of the groups, as every count is in one group."""
    s_on, s_start, s_end = on.isoformat(), start.isoformat(), end.isoformat()
    # resident -> (place, birth date, ISO death date, age on `on` or None, sex)
    born_as: dict[Any, tuple[date | None, int | None]] = {}
    residents: dict[str, tuple] = {}
    on_md = (on.month, on.day)
    for rid, place, birth, died, sex in rows.resident:
        b = born_as.get(birth)
        if b is None:
            born = date.fromisoformat(birth[:10]) if birth.__class__ is str else _d(birth)
            # age_on(born, on), inline (a township has tens of thousands of birth dates)
            b = born_as[birth] = (born, None if born is None or born > on else
                                  on.year - born.year - (on_md < (born.month, born.day)))
        residents[rid] = (place, b[0], None if died is None else _iso(died), b[1], sex)
    pop_rule = PopulationsOn(rows.diagnosis, rows.population_membership, on)

    # Every contract by resident in start order; the one in force on `on` (the latest
    # started, if two overlap) and, for grouping by team or doctor, the latest started by then.
    contracts: dict[str, list[tuple]] = {}
    for c in rows.contract:  # (contract, ISO start, ISO end)
        got = contracts.get(c[1])
        begun, ends = c[5], c[6]
        term = (c, begun if begun.__class__ is str else _s(begun),
                ends if ends.__class__ is str else _s(ends))
        if got is None:
            contracts[c[1]] = [term]
        else:
            got.append(term)
    in_force: dict[str, tuple] = {}
    latest: dict[str, tuple] = {}
    due: dict[str, bool] = {}  # renewal: resident -> renewed
    for rid, terms in contracts.items():
        if len(terms) == 1:  # most residents have one contract: the loops below, unrolled
            c, begun, ends = terms[0]
            status = c[4]
            if begun is not None and begun <= s_on:
                latest[rid] = c
                if status != "terminated" and ends is not None and ends[:10] >= s_on:
                    in_force[rid] = c
            if (status is not None and status != "terminated" and ends is not None
                    and s_start <= ends <= s_end and ends < s_on):
                due[rid] = False  # no other contract renewed it
            continue
        terms.sort(key=lambda t: (t[1] or "", t[0][0]))
        for c, begun, ends in terms:
            if begun is None or begun > s_on:
                continue
            latest[rid] = c
            if c[4] != "terminated" and ends is not None and ends[:10] >= s_on:
                in_force[rid] = c
        # Renewal: terms that ended in the period (and before `on`), renewed by a contract
        # started after the term did.
        for c, begun, ends in terms:
            if (c[4] is None or c[4] == "terminated" or ends is None
                    or not (s_start <= ends <= s_end and ends < s_on)):
                continue
            renewed = begun is not None and any(
                (n_begun or "") > begun for n, n_begun, _e in terms if n is not c)
            due[rid] = due.get(rid, False) or renewed
    packages: dict[str, list[int]] = {}
    for contract_id, insurance, personal in rows.contract_package:
        p = packages.setdefault(contract_id, [0, 0])
        p[0] += int(insurance or 0)
        p[1] += int(personal or 0)

    def key_of(rid: str) -> str | None:
        if by in PLACE_GROUPINGS:
            return residents[rid][0] if rid in residents else None
        c = latest.get(rid)
        return None if c is None else (c[2] if by == "team" else c[3])

    groups: dict[str | None, ReportRow] = {}
    counts_by_resident: dict[str, dict[str, int]] = {}

    def counts_of(rid: str) -> dict[str, int]:
        """The counts of the resident's group (without `by`: the one group of everybody)."""
        if by is None:
            if None not in groups:
                groups[None] = ReportRow(None, "")
            return groups[None].counts
        got = counts_by_resident.get(rid)
        if got is None:
            k = key_of(rid)
            if k not in groups:
                groups[k] = ReportRow(k, "")
            got = counts_by_resident[rid] = groups[k].counts
        return got

    def add(rid: str, code: str, n: int = 1) -> None:
        counts_of(rid)[code] += n

    # The residents on file, counted by kind: (group, signed, populations, 80+, 65+) -> n.
    on_file: set[str] = set()
    populations: dict[str, frozenset] = {}  # residents on file in some key population
    kinds: dict[tuple, int] = {}
    dx, ms, of_age, pops_of = pop_rule.dx, pop_rule.ms, pop_rule.of_age, pop_rule.of
    fees_of: dict[str | None, list[int]] = {}  # group -> fees in fen of its signed residents
    team = by == "team"
    k = None  # the resident's group
    group_counts: dict[str | None, dict[str, int]] = {}
    place_grouped = by in PLACE_GROUPINGS
    for rid, (place, born, died, age, sex) in residents.items():
        if (born is not None and age is None) or (died is not None and died <= s_on):
            continue  # born after `on`, or died by then
        on_file.add(rid)
        if by is not None:
            if place_grouped:
                k = place
            else:
                c = latest.get(rid)
                k = None if c is None else (c[2] if team else c[3])
            counts = group_counts.get(k)
            if counts is None:
                groups[k] = ReportRow(k, "")
                counts = group_counts[k] = groups[k].counts
            counts_by_resident[rid] = counts
        pops = pops_of(rid, born, sex, age) if rid in dx or rid in ms else of_age(born, age)
        if pops:
            populations[rid] = pops
        c = in_force.get(rid)
        if c is not None:
            fees = fees_of.get(k)
            if fees is None:
                fees = fees_of[k] = [0, 0, 0]
            insurance, personal = packages.get(c[0], (0, 0))
            fees[0] += int(c[7] or 0)
            fees[1] += int(c[8] or 0) + insurance
            fees[2] += int(c[9] or 0) + personal
            kind = (k, True, pops, age is not None and age >= 80,
                    age is not None and age >= CHECKUP_AGE)
        else:
            kind = (k, False, pops, False, False)
        kinds[kind] = kinds.get(kind, 0) + 1
    if kinds and None not in groups and by is None:
        groups[None] = ReportRow(None, "")
    for k, (public_health, insurance, personal) in fees_of.items():
        counts = groups[k].counts
        counts["fee_public_health"] += public_health
        counts["fee_insurance"] += insurance
        counts["fee_personal"] += personal
    for (k, signed, pops, aged_80, aged_65), n in kinds.items():
        counts = groups[k].counts
        counts["on_file"] += n
        if signed:
            counts["signed"] += n
        if pops:
            counts["key_population"] += n
            if signed:
                counts["key_population_signed"] += n
            for pop in pops:
                counts[_POP[pop]] += n
                if signed:
                    counts[_POP_SIGNED[pop]] += n
        if aged_80:
            counts["aged_80_signed"] += n
        if aged_65:
            counts["aged_65_signed"] += n

    for rid, renewed in due.items():
        if rid in on_file:
            add(rid, "renewal_due")
            if renewed:
                add(rid, "renewed")

    # Ledger: the latest colour (by day, then id) of every signed key-population resident.
    colours: dict[str, tuple[str, str]] = {}
    for aid, rid, colour, assessed in rows.ledger_assessment:
        if assessed.__class__ is not str:
            assessed = _s(assessed)
            if assessed is None:
                continue
        if assessed > s_on:
            continue
        mark = assessed + aid
        got = colours.get(rid)
        if got is None or mark > got[0]:
            colours[rid] = (mark, colour)
    for rid, (_mark, colour) in colours.items():
        if rid in in_force and populations.get(rid) and colour in _COLOURS:
            add(rid, f"ledger_{colour}")

    _visits(rows, on, start, end, residents, on_file, populations, in_force, add)

    for rid, admitted, discharged in rows.sickbed:
        admitted, discharged = _d(admitted), _d(discharged)
        if rid not in residents or admitted is None or admitted > on:
            continue
        if discharged is None or discharged > on:
            add(rid, "sickbed_open")
        if start <= admitted <= end:
            add(rid, "sickbed_admitted")
        if discharged is not None and start <= discharged <= end:
            add(rid, "sickbed_discharged")
        add(rid, "sickbed_days", ind.bed_days(admitted, discharged, start, end))
    # Referrals sent in the period (a returned one was not taken: not counted) and those
    # completed in the period.
    for rid, direction, status, sent, completed in rows.referral:
        if (rid not in residents or direction not in ("up", "down") or status is None
                or status == "returned"):
            continue
        sent, completed = _iso(sent), _iso(completed)
        if sent is not None and s_start <= sent <= s_end:
            add(rid, f"referral_{direction}")
        if completed is not None and s_start <= completed <= s_end:
            add(rid, "referral_completed")
    # Long prescriptions whose supply ran on some day of the period.
    for rid, begun, ends in rows.long_prescription:
        begun, ends = _iso(begun), _iso(ends)
        if rid in residents and begun is not None and ends is not None \
                and begun <= s_end and ends > s_start:
            add(rid, "long_prescriptions")
    # Drug shortages still open at the end of the report date, counted where they are missing
    # (under the resident who asked, as every event).
    for rid, reported, resolved in rows.drug_shortage:
        reported, resolved = _iso(reported), _iso(resolved)
        if rid in residents and reported is not None and reported <= s_on \
                and (resolved is None or resolved > s_on):
            add(rid, "drug_shortages_open")
    for rid, day, points in rows.health_points:
        day = _iso(day)
        if rid in residents and day is not None and s_start <= day <= s_end \
                and points is not None:
            add(rid, "points_earned" if points > 0 else "points_redeemed", abs(int(points)))
    for rid, day, score in rows.satisfaction_survey:
        day = _iso(day)
        if rid in residents and day is not None and s_start <= day <= s_end:
            add(rid, "survey_count")
            if score is not None and score >= ind.SATISFIED_SCORE:
                add(rid, "survey_satisfied")

    # Health pushes in on's calendar year: signed residents with at least 12 (seed 001 item 1).
    year_first = date(on.year, 1, 1).isoformat()
    pushes: dict[str, int] = {}
    for rid, day in rows.health_push:
        day = _iso(day)
        if rid in in_force and day is not None and year_first <= day <= s_on:
            pushes[rid] = pushes.get(rid, 0) + 1
    for rid, n in pushes.items():
        if rid in on_file and n >= ind.PUSHES_PER_YEAR:
            add(rid, "health_push_12")

    total = ReportRow(None, TOTAL_ZH)
    for row in groups.values():
        for code, n in row.counts.items():
            total.counts[code] += n
    out = [total]
    if by is not None:
        for key, row in groups.items():
            row.label = NO_GROUP_ZH[by] if key is None else rows.labels.get(key, key)
        out += sorted_groups(groups.values())
    for row in out:  # fees are counted in fen; the report shows yuan
        fees_to_yuan(row)
    return Report(on=on, start=start, end=end, by=by, rows=out)


def _visits(rows: Rows, on, start, end, residents, on_file, populations, in_force, add) -> None:  # noqa: ANN001
    """The 80+ yearly visit, the yearly follow-up of the signed, the 65+ check-up, and
    hypertension/diabetes managed / to standard / controlled."""
    superseded = {s for (s,) in rows.superseded if s}
    s_on, s_start, s_end = on.isoformat(), start.isoformat(), end.isoformat()
    year_first = date(on.year, 1, 1).isoformat()
    visited_80: set[str] = set()
    followed_up: set[str] = set()  # a follow-up (not a check-up) in the period
    checked_up: set[str] = set()  # a check-up in the period
    # kind -> resident -> [count in the period, (ISO date, id) of the last, its readings]
    seen_by_kind: dict[str, dict[str, list]] = {kind: {} for kind in _CHRONIC}
    for vid, rid, kind, method, vdate, sbp, dbp, glucose in rows.followup_visit:
        vdate = vdate[:10] if vdate.__class__ is str else _iso(vdate)
        if vdate is None or vid in superseded:
            continue
        in_period = s_start <= vdate <= s_end
        if kind == _CHECKUP:
            if in_period:
                checked_up.add(rid)
            continue
        # 80+ yearly visit in on's calendar year: a follow-up of any kind, face to face or at
        # home (seed 001 item 22, as the due list).
        if method in _VISIT_80_METHODS and year_first <= vdate <= s_on:
            visited_80.add(rid)
        if in_period:
            followed_up.add(rid)
            seen = seen_by_kind.get(kind)
            if seen is not None:  # a chronic disease's follow-up
                entry = seen.get(rid)
                if entry is None:
                    seen[rid] = [1, (vdate, vid), (vdate, sbp, dbp, glucose)]
                else:
                    entry[0] += 1
                    if (vdate, vid) > entry[1]:  # the last one (by date, then id) wins
                        entry[1], entry[2] = (vdate, vid), (vdate, sbp, dbp, glucose)
    seen = {(rid, kind): entry for kind, by_rid in seen_by_kind.items()
            for rid, entry in by_rid.items()}
    for rid in visited_80:
        born = residents.get(rid, (None, None, None))[1]
        if rid in in_force and born is not None and age_on(born, on) >= 80:
            add(rid, "aged_80_visited")
    for rid in followed_up:
        if rid in in_force and rid in on_file:
            add(rid, "annual_followup_done")
    for rid in checked_up:
        born = residents.get(rid, (None, None, None))[1]
        if rid in in_force and rid in on_file and born is not None and born <= on \
                and age_on(born, on) >= CHECKUP_AGE:
            add(rid, "checkup_65_done")

    needed = ind.standard_followups(start, end)
    for (rid, kind), (count, _last, (vdate, sbp, dbp, glucose)) in seen.items():
        if rid not in on_file or _CHRONIC[kind] not in populations.get(rid, ()):
            continue
        add(rid, f"{kind}_managed")
        if count >= needed:
            add(rid, f"{kind}_standard")
        born, vdate = residents[rid][1], _d(vdate)
        age = age_on(born, vdate) if born and born <= vdate else None
        if kind == VisitKind.HYPERTENSION:
            controlled = ind.hypertension_controlled(sbp, dbp, age)
        else:
            controlled = ind.diabetes_controlled(glucose)
        if controlled:
            add(rid, f"{kind}_controlled")
