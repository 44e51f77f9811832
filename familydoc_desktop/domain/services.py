"""Rules of the smaller contracted services (seed 001 items 1, 6-7, 9, 12): the drug-shortage
register, health points, satisfaction surveys and health-information pushes.

Pure rules; the store (store/services.py) checks with them before it writes.
"""
from __future__ import annotations

from datetime import date

from familydoc_desktop.domain.errors import DomainError


class ServiceError(DomainError):
    """A service record that the rules refuse."""


def required_text(value: str | None, what: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise ServiceError("required", f"请填写{what}")
    if len(text) > limit:
        raise ServiceError("too_long", f"{what}不能超过{limit}个字")
    return text


def optional_text(value: str | None, what: str, limit: int) -> str | None:
    text = " ".join((value or "").split())
    if len(text) > limit:
        raise ServiceError("too_long", f"{what}不能超过{limit}个字")
    return text or None


# ---- 缺药登记 (seed 001 item 12) -----------------------------------------------------------

def check_resolution(reported_on: date, resolved_on: date | None, on: date, today: date) -> None:
    if resolved_on is not None:
        raise ServiceError("shortage_resolved", f"该缺药登记已于 {resolved_on.isoformat()} 解决")
    if on > today:
        raise ServiceError("date_future", "解决日期不能晚于今天")
    if on < reported_on:
        raise ServiceError("shortage_date",
                           f"解决日期不能早于登记日期（{reported_on.isoformat()}）")


def open_on(reported_on: date, resolved_on: date | None, on: date) -> bool:
    """Was the drug still missing at the end of day `on`?"""
    return reported_on <= on and (resolved_on is None or resolved_on > on)
