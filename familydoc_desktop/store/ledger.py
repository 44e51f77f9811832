"""Red-yellow-green ledger (红黄绿三色管理) over the local database.

Facts are read in bulk (one query per table, for one resident or all of them) and handed to
domain.ledger.evaluate. Assessments are append-only: a new row is written only when the
colour or its reasons change, so the history shows when and why a colour changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Mapping

from sqlalchemy import text
from sqlmodel import Session, select

from familydoc_desktop.domain import due as due_rules
from familydoc_desktop.domain.codes import (
    Colour, MentalClass, Population, VisitClass, VisitKind,
)
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.ledger import LedgerFacts, LedgerResult, evaluate, validate_ruleset
from familydoc_desktop.domain.wire_values import printable
from familydoc_desktop.domain.models import LedgerAssessment, Resident, new_id, utcnow
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store.residents import _chunks, person_facts, populations_of, require_resident
from familydoc_desktop.domain.population import derive_populations

# A corrected visit hides the row it supersedes. NOT IN builds the set once, from
# ix_followup_visit_supersedes_id: `> ''` (= not NULL for text) is a range the planner seeks,
# where IS NOT NULL made it scan the whole table.
NOT_SUPERSEDED = (" AND v.id NOT IN (SELECT supersedes_id FROM followup_visit"
                  " WHERE supersedes_id > '' AND deleted = 0)")
COLOUR_ORDER = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2}
RECENT_CLASSES = 4  # enough for any "n consecutive" rule a province is likely to set
CHRONIC = (VisitKind.HYPERTENSION, VisitKind.DIABETES)
CHRONIC_POP = {VisitKind.HYPERTENSION: Population.HYPERTENSION,
               VisitKind.DIABETES: Population.DIABETES}


@dataclass(frozen=True)
class LedgerRow:
    resident_id: str
    name: str
    sex: str
    age: int | None
    colour: str
    reasons: list[str]
    changed_on: date
    override: bool
    populations: list[str]


def ruleset_for(session: Session, ruleset: Mapping | str | None = None) -> dict:
    if isinstance(ruleset, Mapping):
        return dict(ruleset)
    if ruleset is None:
        from familydoc_desktop.store.settings import get_setting
        ruleset = get_setting(session, "ledger_ruleset") or "ledger_default"
    return load_ruleset(ruleset)


def _evaluator(ruleset: Mapping) -> Callable[[LedgerFacts], LedgerResult]:
    """evaluate() for one rule set, validated once and memoised on the (hashable) facts: most
    residents of a township share theirs (an 80-year-old with no visits), and evaluate()
    re-validates the rule set on every call."""
    validate_ruleset(ruleset)
    memo: dict[LedgerFacts, LedgerResult] = {}

    def run(facts: LedgerFacts) -> LedgerResult:
        result = memo.get(facts)
        if result is None:
            result = memo[facts] = evaluate(facts, ruleset)
        return result
    return run


# ---- set-based fact loading -----------------------------------------------------------------

def _in(column: str, ids: list[str] | None) -> tuple[str, dict]:
    if ids is None:
        return "", {}
    names = {f"i{n}": v for n, v in enumerate(ids)}
    return f" AND {column} IN ({', '.join(':' + k for k in names)})", names


def signed_on(session: Session, resident_ids: list[str] | None, on: date) -> dict[str, date]:
    """resident_id -> start date of the contract in force on `on` (terminated ones excluded)."""
    out: dict[str, date] = {}
    for chunk in _chunks(resident_ids):
        where, params = _in("resident_id", chunk)
        rows = session.execute(text(
            "SELECT resident_id, min(start_date) FROM contract WHERE deleted = 0"
            " AND status != 'terminated' AND start_date <= :on AND end_date >= :on"
            f"{where} GROUP BY resident_id"), {"on": on.isoformat(), **params}).all()
        out.update({r[0]: date.fromisoformat(str(r[1])) for r in rows})
    return out


def latest_assessments(session: Session, resident_ids: list[str] | None) -> dict[str, LedgerAssessment]:
    out: dict[str, LedgerAssessment] = {}
    for chunk in _chunks(resident_ids):
        where, params = _in("resident_id", chunk)
        # SQLite: with max(), the other columns come from the row holding the maximum.
        ids = [r[0] for r in session.execute(text(
            "SELECT id, max(assessed_on || id) FROM ledger_assessment WHERE deleted = 0"
            f"{where} GROUP BY resident_id"), params).all()]
        for sub in _chunks(ids):
            for a in session.exec(select(LedgerAssessment).where(LedgerAssessment.id.in_(sub))):
                out[a.resident_id] = a
    return out


def _visit_rows(session: Session, resident_ids: list[str] | None, on: date):
    """Current (not superseded, not deleted) visits up to `on`, oldest first per resident."""
    for chunk in _chunks(resident_ids):
        where, params = _in("v.resident_id", chunk)
        yield from session.execute(text(
            "SELECT v.resident_id, v.kind, v.visit_date, v.method, v.sbp, v.dbp,"
            " v.fasting_glucose, v.visit_class, v.adverse_reaction, v.new_complication,"
            " v.selfcare_total FROM followup_visit v WHERE v.deleted = 0 AND v.visit_date <= :on"
            f"{NOT_SUPERSEDED}{where} ORDER BY v.resident_id, v.visit_date, v.id"),
            {"on": on.isoformat(), **params}).all()


def _open_sickbeds(session: Session, resident_ids: list[str] | None, on: date) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(resident_ids):
        where, params = _in("resident_id", chunk)
        out.update(r[0] for r in session.execute(text(
            "SELECT resident_id FROM sickbed WHERE deleted = 0 AND admitted_on <= :on"
            f" AND (discharged_on IS NULL OR discharged_on > :on){where}"),
            {"on": on.isoformat(), **params}).all())
    return out


def load_facts(session: Session, resident_ids: list[str] | None, on: date,
               ruleset: Mapping | None = None) -> dict[str, tuple[LedgerFacts, date | None]]:
    """resident_id -> (LedgerFacts, signing date or None) for signed key-population residents
    (all of them when ids is None); one query per table."""
    ruleset = ruleset or {}
    colour_of = _evaluator(ruleset) if ruleset else None
    signed = signed_on(session, resident_ids, on)
    ids = list(signed) if resident_ids is None else [r for r in resident_ids if r in signed]
    if not ids:
        return {}
    pops = {rid: derive_populations(f, on) for rid, f in person_facts(
        session, None if resident_ids is None else ids, on).items() if rid in signed}
    ids = [rid for rid in ids if pops.get(rid)]
    if not ids:
        return {}
    chunk_ids = None if resident_ids is None else ids
    visits: dict[str, list] = {}
    for row in _visit_rows(session, chunk_ids, on):
        if row[0] in pops:
            visits.setdefault(row[0], []).append(row)
    sickbeds = _open_sickbeds(session, chunk_ids, on)
    result = {}
    for rid in ids:
        result[rid] = (_facts(pops[rid], visits.get(rid, []), rid in sickbeds, signed[rid], on,
                              ruleset, colour_of), signed[rid])
    return result


def _facts(pops, rows, open_sickbed: bool, anchor: date, on: date, ruleset,
           colour_of: Callable[[LedgerFacts], LedgerResult] | None) -> LedgerFacts:
    last_bp = last_glucose = selfcare = None
    classes: list[VisitClass] = []
    last_chronic = None
    mental_class = None
    last_by_kind: dict[str, tuple] = {}
    for r in rows:  # oldest first
        (_rid, kind, vdate, _method, sbp, dbp, glucose, vclass, _adv, _comp, sc) = r
        if sbp is not None and dbp is not None:
            last_bp = (sbp, dbp)
        if glucose is not None:
            last_glucose = glucose
        if sc is not None:
            selfcare = sc
        if kind == VisitKind.SEVERE_MENTAL and vclass is not None:
            mental_class = vclass
        if kind in CHRONIC:
            last_by_kind[kind] = r
            last_chronic = r
            if vclass in set(VisitClass):
                classes.append(VisitClass(vclass))
    facts = LedgerFacts(
        populations=frozenset(pops), last_bp=last_bp, last_glucose=last_glucose,
        recent_classes=tuple(classes[-RECENT_CLASSES:]),
        adverse_reaction=bool(last_chronic and (last_chronic[8] or last_chronic[7] == VisitClass.ADVERSE_REACTION)),
        new_complication=bool(last_chronic and (last_chronic[9] or last_chronic[7] == VisitClass.COMPLICATION)),
        selfcare_total=selfcare, open_sickbed=open_sickbed,
        # The latest severe-mental follow-up decides, while the resident is in that group.
        severe_mental_unstable=(Population.SEVERE_MENTAL in pops
                                and mental_class == MentalClass.UNSTABLE))
    if not any(CHRONIC_POP[k] in pops for k in CHRONIC):
        return facts
    # The interval follows the colour the clinical facts give without "overdue": otherwise
    # overdue -> yellow -> shorter interval -> still overdue, for ever.
    colour = colour_of(facts).colour if colour_of else None
    overdue = False
    for kind in CHRONIC:
        if CHRONIC_POP[kind] not in pops:
            continue
        last = last_by_kind.get(kind)
        vclass = VisitClass(last[7]) if last and last[7] in set(VisitClass) else None
        vdate = _as_date(last[2]) if last else None
        item = due_rules.chronic_followup_due("", kind, vdate, vclass, anchor, colour, on, ruleset)
        overdue = overdue or bool(item and item.overdue_days > 0)
    return replace(facts, followup_overdue=overdue)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def ledger_facts(session: Session, resident_id: str, on: date | None = None) -> LedgerFacts:
    """Facts for one resident; an unsigned or non-key-population resident gets populations
    only (and is not in the ledger)."""
    on = on or date.today()
    found = load_facts(session, [resident_id], on, ruleset_for(session))
    if resident_id in found:
        return found[resident_id][0]
    return LedgerFacts(populations=populations_of(session, [resident_id], on).get(resident_id, frozenset()))


# ---- writing assessments ------------------------------------------------------------------------

def _reasons_json(reasons) -> str:
    return json.dumps([{"code": r.code, "text": r.text} for r in reasons], ensure_ascii=False)


def _next_assessment(result: LedgerResult, prev, resident_id: str, org_id: str,
                     on: date) -> dict | None:
    """Fields of the assessment row to append, or None when nothing changed. `prev` is the
    current row (LedgerAssessment or a _Prev), or None. One rule for the ORM and bulk paths."""
    reasons = _reasons_json(result.reasons)
    if prev is not None and prev.computed_colour == result.colour and prev.reasons == reasons \
            and prev.ruleset_version == result.ruleset_version:
        return None  # nothing changed: no new row
    row = dict(org_id=org_id, resident_id=resident_id, assessed_on=on, colour=str(result.colour),
               computed_colour=str(result.colour), reasons=reasons,
               ruleset_version=result.ruleset_version, override=False, override_reason=None,
               author=None)
    if prev is not None and prev.override and prev.computed_colour == result.colour:
        # A doctor's override stands until the computed colour itself changes.
        row.update(colour=prev.colour, override=True, override_reason=prev.override_reason,
                   author=prev.author)
    return row


def _assess(session: Session, resident: Resident | str, org_id: str, facts: LedgerFacts,
            prev: LedgerAssessment | None, ruleset: dict, on: date) -> LedgerAssessment | None:
    fields = _next_assessment(evaluate(facts, ruleset), prev, resident, org_id, on)
    if fields is None:
        return None
    row = LedgerAssessment(**fields)
    session.add(row)
    return row


@dataclass(frozen=True)
class _Prev:
    """The current assessment's fields _next_assessment compares, read without the ORM."""
    colour: str
    computed_colour: str
    reasons: str
    ruleset_version: str
    override: bool
    override_reason: str | None
    author: str | None


def _latest_all(session: Session) -> dict[str, _Prev]:
    # SQLite: with max(), the bare columns come from the row holding the maximum.
    return {r[0]: _Prev(r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in session.execute(
        text("SELECT resident_id, colour, computed_colour, reasons, ruleset_version, override,"
             " override_reason, author, max(assessed_on || id) FROM ledger_assessment"
             " WHERE deleted = 0 GROUP BY resident_id")).all()}


def _capture_of(session: Session):  # noqa: ANN202
    """The device's ChangeCapture listening on this session (Database installs it on its
    session factory), or None: a session without capture writes no outbox entry."""
    from familydoc_desktop.store.changes import ChangeCapture
    if not session.info.get("capture", True):
        return None
    for listener in session.dispatch.before_flush:
        owner = getattr(listener, "__self__", None)
        if isinstance(owner, ChangeCapture):
            return owner
    return None


def evaluate_resident(session: Session, resident_id: str, on: date | None = None,
                      ruleset: Mapping | str | None = None) -> LedgerAssessment | None:
    """Re-evaluate one resident; returns the current assessment (new or unchanged), or None
    when the resident is not in the ledger (not signed, or in no key population)."""
    resident = require_resident(session, resident_id)
    on = on or date.today()
    rules = ruleset_for(session, ruleset)
    session.flush()
    found = load_facts(session, [resident.id], on, rules)
    if resident.id not in found:
        return None
    prev = latest_assessments(session, [resident.id]).get(resident.id)
    row = _assess(session, resident.id, resident.org_id, found[resident.id][0], prev, rules, on)
    session.flush()
    return row or prev


def computed_colour(session: Session, resident_id: str, on: date | None = None) -> Colour | None:
    """The colour the rules give now (an override standing on the same computed colour wins),
    without writing anything; None when the resident is not in the ledger."""
    on = on or date.today()
    rules = ruleset_for(session)
    found = load_facts(session, [resident_id], on, rules)
    if resident_id not in found:
        return None
    colour = evaluate(found[resident_id][0], rules).colour
    prev = latest_assessments(session, [resident_id]).get(resident_id)
    if prev is not None and prev.override and prev.computed_colour == colour:
        return Colour(prev.colour)
    return colour


def reevaluate_all(session: Session, on: date | None = None, progress: Callable[[int, int], None] | None = None,
                   ruleset: Mapping | str | None = None) -> int:
    """Re-evaluate every signed key-population resident; returns how many rows were written.

    Set-based: facts and current assessments are read in bulk, colours computed in Python
    (the same _next_assessment as evaluate_resident), and the new rows (append-only) inserted
    with one executemany together with their outbox entries and HLC stamps, as the ORM
    capture would write them (bulk.insert_with_outbox)."""
    from familydoc_desktop.store.bulk import bulk_insert, insert_with_outbox
    on = on or date.today()
    rules = ruleset_for(session, ruleset)
    colour_of = _evaluator(rules)
    session.flush()
    found = load_facts(session, None, on, rules)
    previous = _latest_all(session)
    orgs = dict(session.execute(text("SELECT id, org_id FROM resident WHERE deleted = 0")).all())
    now = utcnow()
    total, rows = len(found), []
    for n, (rid, (facts, _anchor)) in enumerate(found.items(), 1):
        if rid in orgs:
            fields = _next_assessment(colour_of(facts), previous.get(rid), rid, orgs[rid], on)
            if fields is not None:
                rows.append({**fields, "id": new_id(), "created_at": now, "updated_at": now,
                             "deleted": False, "server_seq": None})
        if progress and (n % 500 == 0 or n == total):
            progress(n, total)
    capture = _capture_of(session)
    if capture is not None:
        insert_with_outbox(session, capture, LedgerAssessment.__tablename__, rows)
    else:
        bulk_insert(session, LedgerAssessment.__tablename__, [{**r, "hlc": ""} for r in rows])
    session.flush()
    return len(rows)


def override_colour(session: Session, resident_id: str, colour, reason: str, author: str,
                    on: date | None = None) -> LedgerAssessment:
    if colour not in set(Colour):
        raise DomainError("colour", f"颜色只能是红、黄、绿，当前为 {colour}")
    if not (reason or "").strip():
        raise DomainError("override_reason", "调整颜色必须填写原因")
    if not (author or "").strip():
        raise DomainError("override_author", "调整颜色须记录调整人")
    resident = require_resident(session, resident_id)
    prev = latest_assessments(session, [resident.id]).get(resident.id)
    if prev is None:
        raise DomainError("not_in_ledger", "该居民不在三色管理台账中")
    row = LedgerAssessment(org_id=resident.org_id, resident_id=resident.id,
                           assessed_on=on or date.today(), colour=colour,
                           computed_colour=prev.computed_colour, reasons=prev.reasons,
                           ruleset_version=prev.ruleset_version, override=True,
                           override_reason=reason.strip(), author=author.strip())
    session.add(row)
    session.flush()
    return row


def current_colour(session: Session, resident_id: str) -> Colour | None:
    prev = latest_assessments(session, [resident_id]).get(resident_id)
    return Colour(prev.colour) if prev else None


def history(session: Session, resident_id: str) -> list[LedgerAssessment]:
    return list(session.exec(select(LedgerAssessment).where(
        LedgerAssessment.resident_id == resident_id, LedgerAssessment.deleted == False)  # noqa: E712
        .order_by(LedgerAssessment.assessed_on, LedgerAssessment.id)))


# ---- reading the ledger -------------------------------------------------------------------------

_CURRENT = (
    "SELECT la.resident_id, la.colour, la.reasons, la.override, la.assessed_on"
    " FROM ledger_assessment la JOIN (SELECT id, max(assessed_on || id) FROM ledger_assessment"
    " WHERE deleted = 0{as_of} GROUP BY resident_id) cur ON cur.id = la.id")
# `as_of`: the ledger as it stood on a past day (assessments recorded by then), as the
# township report reads it. Without it, the newest assessment whatever its date: a PC whose
# clock ran ahead must not hide the colours it recorded once the clock is put right.
_AS_OF = " AND assessed_on <= :as_of"
# Residents stay in the ledger while a contract is in force.
_SIGNED = ("EXISTS (SELECT 1 FROM contract c WHERE c.resident_id = r.id AND c.deleted = 0"
           " AND c.status != 'terminated' AND c.start_date <= :on AND c.end_date >= :on)")


def ledger_counts(session: Session, on: date | None = None, *,
                  village_code: str | None = None, as_of: date | None = None) -> dict[str, int]:
    on = on or date.today()
    counts = {str(c): 0 for c in Colour}
    params: dict = {"on": on.isoformat()}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    village = ""
    if village_code:
        village, params["village"] = " AND r.village_code = :village", village_code
    # Latest colour per resident from the covering index alone (bare columns of the max row).
    for colour, n in session.execute(text(
            "SELECT cur.colour, count(*) FROM (SELECT resident_id, colour,"
            " max(assessed_on || id) FROM ledger_assessment WHERE deleted = 0"
            f"{_AS_OF if as_of else ''} GROUP BY resident_id) cur"
            " JOIN resident r ON r.id = cur.resident_id"
            f" WHERE r.deleted = 0{village} AND {_SIGNED} GROUP BY cur.colour"), params).all():
        counts[colour] = n
    return counts


def _changed_on(session: Session, resident_ids: list[str],
                as_of: date | None = None) -> dict[str, date]:
    """Date the current colour began: the first row of the latest run of that colour."""
    out: dict[str, date] = {}
    # A long list (the whole ledger) reads every row once, in index order, instead of dozens
    # of IN-chunks; ix_ledger_resident_current covers the query either way.
    wanted = set(resident_ids) if len(resident_ids) > 2000 else None
    for chunk in [None] if wanted is not None else _chunks(resident_ids):
        query = select(LedgerAssessment.resident_id, LedgerAssessment.colour,
                       LedgerAssessment.assessed_on).where(
            LedgerAssessment.deleted == False)  # noqa: E712
        if chunk is not None:
            query = query.where(LedgerAssessment.resident_id.in_(chunk))
        if as_of is not None:
            query = query.where(LedgerAssessment.assessed_on <= as_of)
        rows = session.exec(query.order_by(LedgerAssessment.resident_id,
                                           LedgerAssessment.assessed_on,
                                           LedgerAssessment.id)).all()
        prev_colour: dict[str, str] = {}
        for rid, colour, on in rows:
            if wanted is not None and rid not in wanted:
                continue
            if prev_colour.get(rid) != colour:
                out[rid] = on
                prev_colour[rid] = colour
    return out


UNREADABLE_REASONS = "（原因记录无法读取）"


def reason_texts(stored: str | None) -> list[str]:
    """The reason texts of a stored `reasons` column, for showing: a value that is not the
    JSON list the ledger writes (pulled before the server checked it) reads as one
    "unreadable" reason instead of stopping the ledger, its export and every PC that pulls it."""
    try:
        parsed = json.loads(stored or "[]")
    except (ValueError, RecursionError):
        return [UNREADABLE_REASONS]
    if not isinstance(parsed, list):
        return [UNREADABLE_REASONS]
    out = []
    for item in parsed:
        text_ = item.get("text") if isinstance(item, dict) else None
        out.append(printable(text_) if isinstance(text_, str) else UNREADABLE_REASONS)
    return out


def ledger_rows(session: Session, *, colour=None, on: date | None = None, limit: int | None = None,
                offset: int = 0, village_code: str | None = None,
                as_of: date | None = None) -> list[LedgerRow]:
    """The ledger: red first, then yellow, then green; by name within a colour. `on` dates
    ages and contracts in force; `as_of` reads the colours recorded by that day."""
    on = on or date.today()
    current = _CURRENT.format(as_of=_AS_OF if as_of else "")
    sql = (f"SELECT r.id, r.name, r.sex, r.birth_date, cur.colour, cur.reasons, cur.override"
           f" FROM ({current}) cur JOIN resident r ON r.id = cur.resident_id"
           f" WHERE r.deleted = 0 AND {_SIGNED}")
    params: dict = {"on": on.isoformat()}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    if village_code:
        sql += " AND r.village_code = :village"
        params["village"] = village_code
    if colour is not None:
        if colour not in set(Colour):
            raise DomainError("colour", f"颜色只能是红、黄、绿，当前为 {colour}")
        sql += " AND cur.colour = :colour"
        params["colour"] = str(colour)
    sql += (" ORDER BY CASE cur.colour WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END,"
            " r.name, r.id")
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=offset)
    rows = session.execute(text(sql), params).all()
    ids = [r[0] for r in rows]
    changed = _changed_on(session, ids, as_of)
    pops = populations_of(session, ids, on)
    out = []
    for rid, name, sex, born, col, reasons, override in rows:
        born = _as_date(born) if born else None
        out.append(LedgerRow(
            resident_id=rid, name=printable(name or ""), sex=sex,
            age=age_on(born, on) if born and born <= on else None, colour=col,
            reasons=reason_texts(reasons),
            changed_on=changed.get(rid, on), override=bool(override),
            populations=sorted(str(p) for p in pops.get(rid, ()))))
    return out


__all__ = ["LedgerRow", "current_colour", "evaluate_resident", "history", "ledger_counts",
           "ledger_facts", "ledger_rows", "override_colour", "reevaluate_all"]
