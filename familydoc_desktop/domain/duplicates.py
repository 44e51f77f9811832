"""Duplicate residents (疑似重复居民): which pairs are candidates, which values the merged
resident keeps, and which contract a merge ends. Pure rules; store/merge.py applies them.

Two kinds of candidate (domain.md "Duplicates"):
- `id_clash`: two PCs registered the same ID number offline. Sync keeps the number on the
  copy the server sequenced first and flags the later one `needs_id_match` on every PC
  (sync/apply.py), which records the pair. Suggested: keep the copy holding the number.
- `same_person`: same name, birth date and village, and at least one of the two has no ID
  number (two different ID numbers are two people). Suggested: keep the one with an ID
  number, else the one registered first.

The merge keeps the kept resident's values and fills only its blanks from the other
(`filled_fields`); identity must not contradict (`merge_refusal`). A resident has at most one
contract in force (domain.md "Contracts"): when both have one, the dropped resident's
overlapping contracts are ended, reason "other" with `MERGE_TERMINATION_NOTE`, so the kept
resident's own contract, fees and packages stand (`contracts_to_end`). Two open home
sickbeds both stay open with a warning: a discharge needs an outcome only the doctor gives.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

ID_CLASH = "id_clash"
SAME_PERSON = "same_person"
KIND_ZH = {ID_CLASH: "身份证号相同（两台电脑分别登记）",
           SAME_PERSON: "姓名、出生日期和村相同（至少一位无身份证号）"}

# Resident fields a merge may fill on the kept resident when its own value is blank.
FILLABLE: tuple[str, ...] = (
    "id_number", "birth_date", "phone", "address", "household_id", "relation_to_head",
    "village_code", "record_no", "insurance_type", "ethnicity", "died_on", "note",
)
MERGE_TERMINATION_NOTE = "重复建档合并：同一居民保留一份在约协议"
TWO_OPEN_SICKBEDS = "合并后该居民有两份在床的家庭病床，请撤掉重复的一份"


@dataclass(frozen=True)
class Person:
    """What the rules need of a resident."""

    id: str
    name: str
    sex: str
    birth_date: date | None
    village_code: str | None
    id_number: str | None
    created_at: Any = None  # comparable (datetime); only orders "registered first"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def likely_same(a: Person, b: Person) -> bool:
    """Same name, birth date and village, and not two different ID numbers."""
    if a.id == b.id or a.birth_date is None or not a.village_code:
        return False
    if a.id_number and b.id_number:
        return False
    return (a.name.strip(), a.birth_date, a.village_code) == (
        b.name.strip(), b.birth_date, b.village_code)


def suggest_keep(a: Person, b: Person) -> tuple[Person, Person]:
    """(keep, drop): the one with an ID number, else the one registered first, else by id."""
    if bool(a.id_number) != bool(b.id_number):
        return (a, b) if a.id_number else (b, a)
    ka, kb = (a.created_at is None, a.created_at, a.id), (b.created_at is None, b.created_at, b.id)
    return (a, b) if ka <= kb else (b, a)


def merge_refusal(keep: Person, drop: Person) -> str | None:
    """Why these two cannot be one person (Chinese), or None."""
    if keep.id == drop.id:
        return "不能把居民与自己合并"
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        return "两位居民的身份证号不同，不是同一人，不能合并"
    if keep.sex != drop.sex:
        return "两位居民的性别不同，不能合并"
    return None


def filled_fields(keep: dict[str, Any], drop: dict[str, Any]) -> dict[str, Any]:
    """The kept resident's blanks that the dropped resident can fill: {field: value}."""
    return {f: drop[f] for f in FILLABLE
            if _blank(keep.get(f)) and not _blank(drop.get(f))}


@dataclass(frozen=True)
class OpenContract:
    id: str
    start_date: date
    end_date: date


def contracts_to_end(keep_open: list[OpenContract], drop_open: list[OpenContract]
                     ) -> list[str]:
    """Ids of the dropped resident's open contracts that overlap one of the kept resident's:
    one contract in force at a time, and the kept resident's stands. With no open contract
    of its own, the kept resident takes the dropped one's as it is."""
    return [d.id for d in drop_open
            if any(d.start_date <= k.end_date and k.start_date <= d.end_date
                   for k in keep_open)]


def termination_day(today: date, start: date, end: date) -> date:
    """The day a merge ends a contract: today, within the contract's term."""
    return min(max(today, start), end)


def final_target(merged_into: dict[str, str], resident_id: str) -> str | None:
    """Where a chain of merges ends (A into B, B into C: C), or None for a resident that was
    not merged. A cycle (never made by merge_residents) ends nowhere."""
    seen = {resident_id}
    target = merged_into.get(resident_id)
    while target is not None and target in merged_into:
        if target in seen:
            return None
        seen.add(target)
        target = merged_into[target]
    return target
