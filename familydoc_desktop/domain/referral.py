"""Two-way referral (双向转诊, seed 001 items 14-15): up to a higher hospital or down to the
clinic, and its status workflow sent -> received -> completed, or returned, each step dated.

Pure rules: the store (store/services.py) checks a referral with them before it writes.
"""
from __future__ import annotations

from datetime import date

from familydoc_desktop.domain.codes import LABELS_ZH, ReferralDirection, ReferralStatus
from familydoc_desktop.domain.errors import DomainError


class ReferralError(DomainError):
    """A referral, or a step of its workflow, is not allowed."""


# This namespace's labels (one namespace per kind of code).
DIRECTION_ZH: dict[str, str] = LABELS_ZH[ReferralDirection]
STATUS_ZH: dict[str, str] = LABELS_ZH[ReferralStatus]
# Which step may follow which; completed and returned are final.
NEXT: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset({ReferralStatus.RECEIVED, ReferralStatus.RETURNED}),
    ReferralStatus.RECEIVED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.RETURNED}),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.RETURNED: frozenset(),
}
# The column that dates each step (the sent step is the referral date).
STEP_COLUMN: dict[str, str] = {
    ReferralStatus.SENT: "referral_date", ReferralStatus.RECEIVED: "received_on",
    ReferralStatus.COMPLETED: "completed_on", ReferralStatus.RETURNED: "returned_on",
}
MAX_UNIT = 100
MAX_REASON = 200


def check_direction(direction: str) -> ReferralDirection:
    if direction not in set(ReferralDirection):
        raise ReferralError("referral_direction", "转诊方向只能是上转（up）或下转（down）")
    return ReferralDirection(direction)


def check_unit(unit: str | None) -> str:
    text = (unit or "").strip()
    if not text:
        raise ReferralError("referral_unit", "请填写接收机构")
    if len(text) > MAX_UNIT:
        raise ReferralError("referral_unit", f"接收机构名称不能超过{MAX_UNIT}个字")
    return text


def check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReferralError("referral_reason", "请填写转诊原因")
    if len(text) > MAX_REASON:
        raise ReferralError("referral_reason", f"转诊原因不能超过{MAX_REASON}个字")
    return text


def check_step(current: str, new: str, last_step_on: date, on: date, today: date) -> None:
    """May a referral in `current` (its last step dated `last_step_on`) move to `new` on `on`?"""
    if new not in set(ReferralStatus) or new == ReferralStatus.SENT:
        raise ReferralError("referral_status",
                            "转诊状态只能改为：已接收（received）、已完成（completed）或已退回（returned）")
    if new not in NEXT.get(current, frozenset()):
        now, then = STATUS_ZH.get(current, current), STATUS_ZH[new]
        if current in (ReferralStatus.COMPLETED, ReferralStatus.RETURNED):
            why = f"该转诊已{now.removeprefix('已')}，不能再改为{then}"
        elif new == ReferralStatus.COMPLETED:
            why = "转诊须先由接收机构接收，才能完成"
        else:
            why = f"该转诊当前为{now}，不能改为{then}"
        raise ReferralError("referral_step", why)
    if on > today:
        raise ReferralError("date_future", f"{STATUS_ZH[new]}日期不能晚于今天")
    if on < last_step_on:
        raise ReferralError("referral_step_date",
                            f"{STATUS_ZH[new]}日期不能早于上一步的日期（{last_step_on.isoformat()}）")


def units_for(catalogue: dict, township_code: str | None) -> list[str]:
    """The receiving units kept for a township (by its 12-digit code), else the default list.
    A unit outside the list is still allowed (free text)."""
    townships = catalogue.get("townships", {})
    units = townships.get(township_code or "", None)
    if units is None:
        units = catalogue.get("default", [])
    return [str(u) for u in units]
