"""Due-list rules (what each resident needs next), pure and per kind.

Intervals and windows come from resources/rulesets/visits_default.json (colour intervals
from the ledger rule set's `interval_days`); missing keys fall back to followup.DEFAULTS.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping

from familydoc_desktop.domain.codes import (
    VISIT_KIND_ZH, Colour, ContractStatus, MentalClass, VisitClass, VisitKind, VisitMethod,
    visit_class_label)
from familydoc_desktop.domain.checkup import CHECKUP_AGE, contract_year  # noqa: F401
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.followup import is_revisit_class, next_due, setting
from familydoc_desktop.domain.mental import next_mental_due

ELDERLY_80 = "elderly_80"
CHRONIC_FOLLOWUP = "chronic_followup"
REVISIT = "revisit"
SICKBED_ROUND = "sickbed_round"
CONTRACT_EXPIRING = "contract_expiring"
REFERRAL_FOLLOWUP = "referral_followup"
LONG_RX_REFILL = "long_rx_refill"
ANNUAL_FOLLOWUP = "annual_followup"
CHECKUP = "checkup"
KIND_ZH = {ELDERLY_80: "80岁以上老人年度访视", CHRONIC_FOLLOWUP: "慢病随访", REVISIT: "复诊随访",
           SICKBED_ROUND: "家庭病床查床", CONTRACT_EXPIRING: "签约即将到期",
           REFERRAL_FOLLOWUP: "下转患者随访", LONG_RX_REFILL: "长期处方续方",
           ANNUAL_FOLLOWUP: "签约居民年度随访", CHECKUP: "健康体检"}
FACE_TO_FACE = frozenset({VisitMethod.CLINIC, VisitMethod.HOME})  # phone does not count


@dataclass(frozen=True)
class DueItem:
    kind: str
    resident_id: str
    due_date: date
    overdue_days: int  # 0 when not yet overdue
    detail: str  # Chinese


def _item(kind: str, resident_id: str, due: date, on: date, detail: str) -> DueItem:
    return DueItem(kind, resident_id, due, max(0, (on - due).days), detail)


def elderly_visit_due(resident_id: str, birth_date: date | None, signed: bool,
                      visits_this_year: Iterable[tuple[date, VisitMethod]],
                      on: date) -> DueItem | None:
    """Signed 80+ resident without a face-to-face/home visit in on's calendar year
    (seed 001 item 22); due Dec 31 of that year."""
    if not signed or birth_date is None or birth_date > on or age_on(birth_date, on) < 80:
        return None
    if any(d.year == on.year and m in FACE_TO_FACE for d, m in visits_this_year):
        return None
    return _item(ELDERLY_80, resident_id, date(on.year, 12, 31), on,
                 f"{on.year}年尚未完成面对面或入户访视（电话随访不计）")


def chronic_followup_due(resident_id: str, kind: VisitKind, last_visit: date | None,
                         last_class: VisitClass | None, anchor: date, colour: Colour | None,
                         on: date, ruleset: Mapping | None = None,
                         horizon_days: int = 0) -> DueItem | None:
    """Next hypertension/diabetes follow-up (NBPHS-3 quarterly, or by ledger colour);
    the signing date (`anchor`) when never followed up. After an unsatisfactory visit the
    item is of kind `revisit` (2 weeks), so one resident/kind yields at most one item."""
    if kind not in (VisitKind.HYPERTENSION, VisitKind.DIABETES):
        raise DomainError("due_kind", f"慢病随访只适用于高血压和糖尿病，不适用于 {kind}")
    if last_visit is None:
        due, item_kind = anchor, CHRONIC_FOLLOWUP
    else:
        due = next_due(last_visit, last_class, colour, ruleset)
        item_kind = REVISIT if is_revisit_class(last_class, ruleset) else CHRONIC_FOLLOWUP
    if due > on + timedelta(days=horizon_days):
        return None
    what = VISIT_KIND_ZH[kind]
    if item_kind == REVISIT:
        detail = f"{what}：上次（{last_visit.isoformat()}）{visit_class_label(last_class)}，需复诊随访"
    elif last_visit is None:
        detail = f"{what}：签约后尚未随访"
    else:
        detail = f"{what}：上次随访 {last_visit.isoformat()}"
    return _item(item_kind, resident_id, due, on, detail)


def mental_followup_due(resident_id: str, last_visit: date | None,
                        last_class: MentalClass | None, anchor: date, on: date,
                        horizon_days: int = 0) -> DueItem | None:
    """Next severe mental disorder follow-up (NBPHS-3): 2 weeks after an unstable or basically
    stable visit (a revisit), 3 months after a stable one; the signing date when never seen."""
    what = VISIT_KIND_ZH[VisitKind.SEVERE_MENTAL]
    if last_visit is None:
        due, item_kind, detail = anchor, CHRONIC_FOLLOWUP, f"{what}：签约后尚未随访"
    elif last_class is None:  # a visit without a class: treat as needing the quarterly one
        due, item_kind = last_visit + timedelta(days=90), CHRONIC_FOLLOWUP
        detail = f"{what}：上次随访 {last_visit.isoformat()}"
    else:
        due = next_mental_due(last_visit, last_class)
        if last_class == MentalClass.STABLE:
            item_kind, detail = CHRONIC_FOLLOWUP, f"{what}：上次随访 {last_visit.isoformat()}"
        else:
            item_kind = REVISIT
            detail = f"{what}：上次（{last_visit.isoformat()}）{visit_class_label(last_class)}，需两周内随访"
    if due > on + timedelta(days=horizon_days):
        return None
    return _item(item_kind, resident_id, due, on, detail)


def revisit_due(resident_id: str, kind: VisitKind, last_visit: date | None,
                last_class: VisitClass | None, on: date, ruleset: Mapping | None = None,
                horizon_days: int = 0) -> DueItem | None:
    """Only the 2-week revisit after an unsatisfactory follow-up (NBPHS-3), else None."""
    if last_visit is None or not is_revisit_class(last_class, ruleset):
        return None
    due = last_visit + timedelta(days=setting(ruleset, "revisit_days"))
    if due > on + timedelta(days=horizon_days):
        return None
    return _item(REVISIT, resident_id, due, on,
                 f"{VISIT_KIND_ZH.get(kind, kind)}：上次（{last_visit.isoformat()}）"
                 f"{visit_class_label(last_class)}，需复诊随访")


def sickbed_round_due(resident_id: str, admitted: date, last_round: date | None, on: date,
                      round_interval_days: int = 7, horizon_days: int = 0) -> DueItem | None:
    """Open home sickbed: a round at least every `round_interval_days` (seed 001 item 24)."""
    base = last_round or admitted
    due = base + timedelta(days=round_interval_days)
    if due > on + timedelta(days=horizon_days):
        return None
    since = f"上次查床 {last_round.isoformat()}" if last_round else f"{admitted.isoformat()} 建床后尚未查床"
    return _item(SICKBED_ROUND, resident_id, due, on, f"家庭病床需查床（{since}）")


def contract_expiring_due(resident_id: str, end_date: date, status: ContractStatus, on: date,
                          window_days: int = 30) -> DueItem | None:
    """Active contract ending within `window_days` of `on`, both ends inclusive."""
    if status != ContractStatus.ACTIVE:
        return None
    left = (end_date - on).days
    if not 0 <= left <= window_days:
        return None
    return _item(CONTRACT_EXPIRING, resident_id, end_date, on,
                 f"签约将于 {end_date.isoformat()} 到期（剩余{left}天），请提醒续签")


def referral_followup_due(resident_id: str, referral_date: date, unit: str,
                          followed_up: bool, on: date, days: int = 14,
                          horizon_days: int = 0) -> DueItem | None:
    """A resident referred down to the clinic needs a follow-up within `days` of the referral
    (seed 001 item 15); none once a follow-up dated on or after the referral is recorded."""
    if followed_up:
        return None
    due = referral_date + timedelta(days=days)
    if referral_date > on + timedelta(days=horizon_days):
        return None
    return _item(REFERRAL_FOLLOWUP, resident_id, due, on,
                 f"{referral_date.isoformat()} 由{unit}下转，需随访")


def long_rx_refill_due(resident_id: str, end_date: date, drugs: str, on: date,
                       window_days: int = 7, grace_days: int = 30,
                       horizon_days: int = 0) -> DueItem | None:
    """The latest long prescription of a resident runs out on `end_date`: the refill shows
    `window_days` before it and stays `grace_days` after it (then the course has lapsed)."""
    if end_date - timedelta(days=window_days) > on + timedelta(days=horizon_days):
        return None
    if (on - end_date).days > grace_days:
        return None
    return _item(LONG_RX_REFILL, resident_id, end_date, on,
                 f"长期处方 {end_date.isoformat()} 用完，需续方（{drugs}）")


def annual_followup_due(resident_id: str, contract_start: date, contract_end: date,
                        followups: Iterable[date], on: date, window_days: int | None = 90,
                        horizon_days: int = 0) -> DueItem | None:
    """A signed resident without a follow-up (any kind but a check-up) in the current
    contract year (seed 002 §4.1: 每年至少开展一次随访); due on the last day of that contract
    year. Listed from `window_days` before that day (None: all the contract year), so the
    village's whole roll is not on the list from the first day."""
    if not contract_start <= on <= contract_end:
        return None
    first, last = contract_year(contract_start, contract_end, on)
    if any(first <= d <= on for d in followups):
        return None
    if window_days is not None and last - timedelta(days=window_days) > on + timedelta(
            days=horizon_days):
        return None
    return _item(ANNUAL_FOLLOWUP, resident_id, last, on,
                 f"本签约年度（{first.isoformat()} 至 {last.isoformat()}）尚未随访")


def checkup_due(resident_id: str, birth_date: date | None, contract_start: date | None,
                checkups: Iterable[date], on: date) -> DueItem | None:
    """A signed resident aged 65+ on `on` without a health check-up in on's calendar year
    (seed 000; seed 003 §2(一)3 for the one at signing). Signed this year: due on the
    signing day (the check-up at signing), otherwise by Dec 31."""
    if contract_start is None or birth_date is None or birth_date > on:
        return None
    if age_on(birth_date, on) < CHECKUP_AGE:
        return None
    if any(d.year == on.year and d <= on for d in checkups):
        return None
    if contract_start.year == on.year and contract_start <= on:
        return _item(CHECKUP, resident_id, contract_start, on,
                     f"{contract_start.isoformat()} 签约，尚未做签约健康体检")
    return _item(CHECKUP, resident_id, date(on.year, 12, 31), on,
                 f"{on.year}年尚未做年度健康体检（65岁及以上）")
