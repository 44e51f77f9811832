"""What a sync could not do, kept for the doctor until they have seen it.

Two kinds of change are set aside by a sync round: edits of this PC the server refused
(`outbox.set_aside`, kept under sync_state.refused_changes) and rows the server sent that
this PC cannot hold (`store.set_aside`, the sync_set_aside table). Both stay stored; this
module lists them in Chinese (which record, whose, why) and remembers up to when the doctor
acknowledged them, so the app shows them, in amber, until then (issue 13: 29 refused
changes behind a status bar that said 同步完成).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlmodel import Session

from familydoc_desktop.domain.models import Resident
from familydoc_desktop.store import set_aside as store_set_aside
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, outbox

SEEN_KEY = "sync_outcome_seen_at"  # newest set-aside time the doctor has acknowledged
REFUSED = "refused"  # an edit of this PC the server refused: not uploaded
NOT_HELD = "not_held"  # a row from the server this PC could not store
DIRECTION_ZH = {REFUSED: "本机修改未上传", NOT_HELD: "服务器数据未能写入本机"}
TABLE_ZH = {
    "resident": "居民档案", "household": "家庭", "diagnosis": "诊断",
    "population_membership": "重点人群", "contract": "签约", "contract_package": "签约服务包",
    "service_package": "服务包", "followup_visit": "随访", "ledger_assessment": "三色台账",
    "sickbed": "家庭病床", "sickbed_round": "查床", "referral": "转诊",
    "long_prescription": "长期处方", "health_points": "健康积分",
    "satisfaction_survey": "满意度调查", "health_push": "健康信息推送",
    "drug_shortage": "缺药登记", "audit_log": "审计日志", "staff": "人员", "team": "团队",
    "team_member": "团队成员",
}


@dataclass(frozen=True)
class SetAsideChange:
    kind: str  # REFUSED | NOT_HELD
    table: str
    record_id: str
    whose: str  # the resident's name when the record belongs to one, else ""
    reason: str  # Chinese
    at: str  # ISO time it was set aside

    @property
    def direction_zh(self) -> str:
        return DIRECTION_ZH[self.kind]

    @property
    def record_zh(self) -> str:
        what = TABLE_ZH.get(self.table, self.table)
        return f"{what}（{self.whose}）" if self.whose else what


def _iso(value: datetime | str | None) -> str:
    """One comparable form of a stored time: UTC, with microseconds."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _whose(session: Session, table: str, values: dict, names: dict[str, str]) -> str:
    if table == "resident" and values.get("name"):
        return str(values["name"])
    rid = values.get("resident_id") or (values.get("id") if table == "resident" else None)
    if not isinstance(rid, str):
        return ""
    if rid not in names:
        r = session.get(Resident, rid)
        names[rid] = r.name if r is not None else ""
    return names[rid]


def set_aside_changes(db: Database) -> list[SetAsideChange]:
    """Every change the syncs set aside on this PC, newest first."""
    out: list[SetAsideChange] = []
    names: dict[str, str] = {}
    with db.session(capture=False) as s:
        for r in outbox.refused_changes(s):
            values = {"id": r.get("record_id"), **(r.get("changes") or {})}
            out.append(SetAsideChange(REFUSED, r.get("table", ""), str(r.get("record_id")),
                                      _whose(s, r.get("table", ""), values, names),
                                      str(r.get("reason") or ""), _iso(r.get("set_aside_at"))))
        for row in store_set_aside.list_set_aside(s):
            out.append(SetAsideChange(NOT_HELD, row.table, row.record_id,
                                      _whose(s, row.table, row.row, names), row.reason,
                                      _iso(row.set_aside_at)))
    out.sort(key=lambda c: c.at, reverse=True)
    return out


def unseen(db: Database) -> list[SetAsideChange]:
    """The set-aside changes the doctor has not acknowledged yet, newest first."""
    seen = apply.get_state(db, SEEN_KEY) or ""
    return [c for c in set_aside_changes(db) if c.at > seen]


def acknowledge(db: Database, changes: list[SetAsideChange] | None = None) -> None:
    """The doctor has seen these (default: all set aside so far); later ones show again."""
    changes = set_aside_changes(db) if changes is None else changes
    if changes:
        newest = max(c.at for c in changes)
        if newest > (apply.get_state(db, SEEN_KEY) or ""):
            apply.set_state(db, SEEN_KEY, newest)
