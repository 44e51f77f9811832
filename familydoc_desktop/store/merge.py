"""Duplicate residents: the candidate list, the merge, and re-pointing records that arrive
for a merged resident later (design.md "Duplicate residents").

A merge is one transaction of ordinary captured edits, so it syncs like any edit: the dropped
resident becomes a tombstone with `merged_into` = the kept one (every read already hides
tombstones: lists, search, due lists, ledger, indicators), the kept resident's blanks are
filled from the dropped one, and every record of the dropped resident is re-pointed to the
kept one (`resident_id`, and `org_id` when the kept resident belongs to another clinic).
A record made for the dropped resident on a PC that had not heard of the merge reaches the
others later; `follow_merges` re-points it wherever the kept resident is held (it runs after
every pull, and the sync pushes what it changed in the same round).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, select

from familydoc_desktop.domain import duplicates as rules
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import (
    SYNCED_TABLES, Contract, Household, Resident, SyncState,
)
from familydoc_desktop.domain.sync_policy import PARENT_LINKS, RESIDENT_LINKS, merge_may_edit
from familydoc_desktop.store import audit
from familydoc_desktop.store.contracts import OPEN_STATUSES

CLASH_KEY = "id_clash_pairs"  # sync_state, written by sync/apply.py: {flagged id: holder id}
_CHUNK = 500


@dataclass
class Candidate:
    kind: str
    keep: Resident
    drop: Resident

    @property
    def reason(self) -> str:
        return rules.KIND_ZH[self.kind]


@dataclass
class MergeResult:
    keep_id: str
    drop_id: str
    filled: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # table -> rows re-pointed
    ended_contracts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Chinese: what the doctor still decides


def _person(r: Resident) -> rules.Person:
    return rules.Person(r.id, r.name, r.sex, r.birth_date, r.village_code, r.id_number,
                        r.created_at)


def _live(session: Session, resident_id: str) -> Resident:
    r = session.get(Resident, resident_id)
    if r is None or r.deleted:
        raise DomainError("resident_unknown", "找不到该居民（可能已被合并或删除）")
    return r


def clash_pairs(session: Session) -> dict[str, str]:
    state = session.get(SyncState, CLASH_KEY)
    try:
        found = json.loads(state.value) if state is not None and state.value else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# ---- candidates ------------------------------------------------------------------------------

def find_candidates(session: Session) -> list[Candidate]:
    """Every candidate pair, ID clashes first, each as (suggested keep, drop)."""
    out: list[Candidate] = []
    seen: set[frozenset] = set()

    def add(kind: str, a: Resident, b: Resident) -> None:
        key = frozenset((a.id, b.id))
        if key in seen or rules.merge_refusal(_person(a), _person(b)) is not None:
            return
        seen.add(key)
        if kind == rules.ID_CLASH:
            keep, drop = b, a  # a is the flagged copy, b holds the number
        else:
            kp, _dp = rules.suggest_keep(_person(a), _person(b))
            keep, drop = (a, b) if kp.id == a.id else (b, a)
        out.append(Candidate(kind, keep, drop))

    pairs = clash_pairs(session)
    if pairs:
        held = _residents(session, set(pairs) | set(pairs.values()))
        for flagged, holder in sorted(pairs.items()):
            a, b = held.get(flagged), held.get(holder)
            if a is not None and b is not None and not a.id_number and b.id_number:
                add(rules.ID_CLASH, a, b)
    rows = session.execute(text(
        "SELECT a.id, b.id FROM resident a JOIN resident b ON b.name = a.name"
        " AND b.birth_date = a.birth_date AND b.village_code = a.village_code AND b.id > a.id"
        " AND b.deleted = 0 WHERE a.deleted = 0 AND a.birth_date IS NOT NULL"
        " AND a.village_code IS NOT NULL AND (a.id_number IS NULL OR b.id_number IS NULL)"
        " ORDER BY a.name, a.id, b.id")).all()
    if rows:
        held = _residents(session, {i for row in rows for i in row})
        for a_id, b_id in rows:
            a, b = held[a_id], held[b_id]
            if rules.likely_same(_person(a), _person(b)):
                add(rules.SAME_PERSON, a, b)
    return out


def _residents(session: Session, ids: set[str]) -> dict[str, Resident]:
    found: dict[str, Resident] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), _CHUNK):
        for r in session.exec(select(Resident).where(
                Resident.id.in_(wanted[start:start + _CHUNK]),
                Resident.deleted == False)):  # noqa: E712
            found[r.id] = r
    return found


@dataclass(frozen=True)
class PersonRow:
    """One side of a candidate pair as the screen shows it (plain values, no ORM object)."""

    id: str
    name: str
    sex: str
    birth_date: date | None
    id_number: str | None
    needs_id_match: bool
    phone: str | None
    address: str | None
    village_code: str | None
    record_no: str | None
    registered_on: date | None
    contracts: int
    visits: int
    ledger_rows: int


@dataclass(frozen=True)
class PairRow:
    kind: str
    reason: str
    keep: PersonRow
    drop: PersonRow


def _row(session: Session, r: Resident) -> PersonRow:
    n = record_counts(session, r.id)
    return PersonRow(r.id, r.name, r.sex, r.birth_date, r.id_number, r.needs_id_match, r.phone,
                     r.address, r.village_code, r.record_no,
                     r.created_at.date() if r.created_at else None,
                     n["contract"], n["followup_visit"], n["ledger_assessment"])


def candidate_rows(session: Session, *, offset: int = 0, limit: int = 200
                   ) -> tuple[list[PairRow], int]:
    """A page of candidate pairs for the screen, and how many there are."""
    found = find_candidates(session)
    return [PairRow(c.kind, c.reason, _row(session, c.keep), _row(session, c.drop))
            for c in found[offset:offset + limit]], len(found)


def record_counts(session: Session, resident_id: str) -> dict[str, int]:
    """How many contracts, visits and ledger assessments a resident has (the screen shows
    them side by side so the doctor sees what the merge brings together)."""
    out = {}
    for table in ("contract", "followup_visit", "ledger_assessment"):
        out[table] = session.execute(text(
            f"SELECT count(*) FROM {table} WHERE resident_id = :r AND deleted = 0"),
            {"r": resident_id}).scalar_one()
    return out


# ---- the merge ---------------------------------------------------------------------------

def merge_residents(session: Session, keep_id: str, drop_id: str, *,
                    today: date | None = None, actor: str | None = None) -> MergeResult:
    """Merge `drop_id` into `keep_id`: irreversible, one transaction (the caller's session).
    Raises DomainError (Chinese) when the two cannot be the same person."""
    today = today or date.today()
    keep, drop = _live(session, keep_id), _live(session, drop_id)
    refusal = rules.merge_refusal(_person(keep), _person(drop))
    if refusal:
        raise DomainError("merge", refusal)
    fields = rules.FILLABLE
    fills = rules.filled_fields({f: getattr(keep, f) for f in fields},
                                {f: getattr(drop, f) for f in fields})
    result = MergeResult(keep.id, drop.id, filled=sorted(fills))
    ended = rules.contracts_to_end(_open_contracts(session, keep.id, today),
                                   _open_contracts(session, drop.id, today))
    from familydoc_desktop.store.sickbeds import open_sickbed_of
    if open_sickbed_of(session, keep.id) and open_sickbed_of(session, drop.id):
        # Not ended here: a discharge records an outcome only the doctor can give.
        result.warnings.append(rules.TWO_OPEN_SICKBEDS)

    # The dropped resident first, in its own flush: an ID number it gives up must leave the
    # unique index before the kept resident takes it.
    drop.merged_into = keep.id
    drop.deleted = True
    if "id_number" in fills:
        drop.id_number = None
    if "record_no" in fills:
        drop.record_no = None
    session.add(drop)
    session.flush()
    for name, value in fills.items():
        setattr(keep, name, value)
    if keep.id_number:
        keep.needs_id_match = False
    session.add(keep)
    session.flush()

    for contract_id in ended:
        c = session.get(Contract, contract_id)
        c.status = "terminated"
        c.terminated_on = rules.termination_day(today, c.start_date, c.end_date)
        c.termination_reason = "other"
        c.termination_note = rules.MERGE_TERMINATION_NOTE
        session.add(c)
    result.ended_contracts = ended
    result.moved, _ = _repoint(session, {drop.id: keep})
    _rehead(session, {drop.id: keep})
    session.flush()
    from familydoc_desktop.store import ledger  # ledger imports residents; keep it one-way
    ledger.evaluate_resident(session, keep.id, on=today)
    if actor:
        audit.log(session, actor, "merge", "resident", keep.id, org_id=keep.org_id)
        audit.log(session, actor, "merge", "resident", drop.id, org_id=drop.org_id)
    return result


def _open_contracts(session: Session, resident_id: str, today: date) -> list[rules.OpenContract]:
    return [rules.OpenContract(c.id, c.start_date, c.end_date) for c in session.exec(
        select(Contract).where(Contract.resident_id == resident_id,
                               Contract.deleted == False,  # noqa: E712
                               Contract.status.in_(OPEN_STATUSES),
                               Contract.end_date >= today))]


def _repoint(session: Session, moves: dict[str, Resident]
             ) -> tuple[dict[str, int], set[str]]:
    """Every live record of the residents in `moves` (dropped id -> kept resident) now
    belongs to the kept one, as captured edits; rows under those records (a contract's
    packages, a sickbed's rounds) follow a change of clinic."""
    moved: dict[str, int] = {}
    moved_org: dict[str, dict[str, str]] = {}  # table -> {record id: new clinic}
    touched: set[str] = set()
    ids = sorted(moves)
    for table, column in RESIDENT_LINKS.items():
        model = SYNCED_TABLES[table]
        col = getattr(model, column)
        for start in range(0, len(ids), _CHUNK):
            for row in session.exec(select(model).where(
                    col.in_(ids[start:start + _CHUNK]), model.deleted == False)):  # noqa: E712
                target = moves[getattr(row, column)]
                assert merge_may_edit(table, column)
                setattr(row, column, target.id)
                touched.add(target.id)
                if row.org_id != target.org_id:
                    row.org_id = target.org_id
                    moved_org.setdefault(table, {})[row.id] = target.org_id
                session.add(row)
                moved[table] = moved.get(table, 0) + 1
    for table, (parent, column) in PARENT_LINKS.items():
        parents = moved_org.get(parent)
        if not parents:
            continue
        model = SYNCED_TABLES[table]
        col, wanted = getattr(model, column), sorted(parents)
        for start in range(0, len(wanted), _CHUNK):
            for row in session.exec(select(model).where(
                    col.in_(wanted[start:start + _CHUNK]), model.deleted == False)):  # noqa: E712
                row.org_id = parents[getattr(row, column)]
                session.add(row)
                moved[table] = moved.get(table, 0) + 1
    return moved, touched


def _merged_among(session: Session, ids: set[str]) -> dict[str, str]:
    wanted, found = sorted(ids), {}
    for start in range(0, len(wanted), _CHUNK):
        found.update(session.execute(select(Resident.id, Resident.merged_into).where(
            Resident.id.in_(wanted[start:start + _CHUNK]),
            Resident.merged_into.is_not(None))).all())
    return found


def _rehead(session: Session, moves: dict[str, Resident]) -> None:
    """A household headed by a dropped resident is headed by the kept one when he lives in
    it, else by nobody (the doctor names a new head)."""
    ids = sorted(moves)
    for start in range(0, len(ids), _CHUNK):
        for hh in session.exec(select(Household).where(
                Household.head_id.in_(ids[start:start + _CHUNK]))):
            keep = moves[hh.head_id]
            hh.head_id = keep.id if keep.household_id == hh.id else None
            session.add(hh)


def follow_merges(session: Session, among: set[str] | None = None) -> int:
    """Re-point records that still name a merged resident (made on a PC that had not heard of
    the merge, or pulled before it) to where the merge chain ends, when this PC holds that
    resident; the township's PC holds both and re-points what a village PC cannot. `among`:
    only these residents can be concerned (those a pull's records named, and the merged ones
    it brought; sync/apply.py collects them), else every merged resident is looked at.
    Returns the number of rows changed (captured edits: they sync). The kept residents that
    received records are re-evaluated for the ledger."""
    if among is None:
        merged = dict(session.execute(text(
            "SELECT id, merged_into FROM resident WHERE merged_into IS NOT NULL")).all())
    else:
        merged = _merged_among(session, set(among))
    if not merged:
        return 0
    # Complete the chains (A into B, B into C) so each ends where the last merge put it.
    ends = set(merged.values()) - set(merged)
    while ends:
        more = _merged_among(session, ends)
        merged.update(more)
        ends = set(more.values()) - set(merged)
    targets = {rid: rules.final_target(merged, rid) for rid in merged}
    held = _residents(session, {t for t in targets.values() if t})
    moves = {rid: held[t] for rid, t in targets.items() if t in held}
    if not moves:
        return 0
    moved, touched = _repoint(session, moves)
    _rehead(session, moves)
    session.flush()
    if touched:
        # A visit re-pointed here colours the kept resident's ledger here (once: the PC that
        # re-points it; the others receive the rows already re-pointed).
        from familydoc_desktop.store import ledger
        for resident_id in sorted(touched):
            ledger.evaluate_resident(session, resident_id)
    return sum(moved.values())
