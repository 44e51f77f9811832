"""Rules of the smaller contracted services (seed 001 items 1, 6-7, 9, 12): the drug-shortage
register, health points, satisfaction surveys and health-information pushes.

Pure rules; the store (store/services.py) checks with them before it writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from familydoc_desktop.domain import indicators
from familydoc_desktop.domain.errors import DomainError, RulesetError


# The other services' kinds (their tables) as a resident's history names them.
SERVICE_KIND_ZH = {"long_prescription": "长期处方", "drug_shortage": "缺药登记",
                   "health_points": "健康积分", "satisfaction_survey": "满意度调查",
                   "health_push": "健康信息推送", "health_checkup": "健康体检"}


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


# ---- 健康积分 (seed 001 items 6-7) ---------------------------------------------------------

@dataclass(frozen=True)
class EarnRule:
    code: str
    name: str
    points: int  # the most one event earns
    per_year: int  # events a year that earn


def earn_rules(ruleset: Mapping) -> dict[str, EarnRule]:
    out = {}
    for code, rule in (ruleset.get("earn") or {}).items():
        try:
            out[code] = EarnRule(code, str(rule["name"]), int(rule["points"]),
                                 int(rule.get("per_year", 0)) or 10**6)
        except (KeyError, TypeError, ValueError):
            raise RulesetError("points_ruleset", f"健康积分规则“{code}”不完整") from None
    return out


def find_rule(rules: Mapping[str, EarnRule], reason: str | None) -> EarnRule:
    """The earning rule named by its code or its Chinese name."""
    key = (reason or "").strip()
    for rule in rules.values():
        if key in (rule.code, rule.name):
            return rule
    names = "、".join(f"{r.name}（{r.code}）" for r in rules.values())
    raise ServiceError("points_reason", f"积分只能按积分规则获得：{names}")


def _positive(points) -> int:  # noqa: ANN001
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ServiceError("points", "积分须为正整数")
    return points


def check_earn(rule: EarnRule, points, earned_this_year: int) -> int:  # noqa: ANN001
    """`earned_this_year`: events of this rule already counted in the calendar year."""
    points = _positive(points)
    if points > rule.points:
        raise ServiceError("points_rule", f"“{rule.name}”每次最多{rule.points}分，不能记{points}分")
    if earned_this_year >= rule.per_year:
        raise ServiceError("points_rule", f"“{rule.name}”每年最多计{rule.per_year}次，今年已满")
    return points


def check_redeem(points, balance: int) -> int:  # noqa: ANN001
    points = _positive(points)
    if points > balance:
        raise ServiceError("points_balance",
                           f"积分不足：现有{balance}分，不能兑换{points}分（积分不能为负）")
    return points


# ---- 满意度调查 (seed 001 item 9) ----------------------------------------------------------

SURVEY_METHODS = {"phone": "电话", "in_person": "面对面"}
MAX_QUESTIONS = 20


def check_scores(scores) -> tuple[list[int], int]:  # noqa: ANN001
    """Each question scored 1-5; returns the scores and the overall score (mean, half up)."""
    scores = list(scores or ())
    if not scores:
        raise ServiceError("score", "请至少填写一题的评分（1—5分）")
    if len(scores) > MAX_QUESTIONS:
        raise ServiceError("score", f"一份问卷最多{MAX_QUESTIONS}题")
    for n in scores:
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 5:
            raise ServiceError("score", f"满意度评分须为1—5分，当前为 {n}")
    return scores, int(sum(scores) / len(scores) + 0.5)


def check_method(method: str | None) -> str:
    if method not in SURVEY_METHODS:
        raise ServiceError("survey_method", "调查方式只能是电话（phone）或面对面（in_person）")
    return method


# ---- 健康信息推送 (seed 001 item 1: >= 12 a year per signed resident) --------------------

PUSH_CHANNELS = {"wechat": "微信", "sms": "短信", "print": "纸质资料", "in_person": "当面宣教"}
PUSHES_PER_YEAR = indicators.PUSHES_PER_YEAR
TOPIC_LIMIT = 200


def check_channel(channel: str | None) -> str:
    if channel not in PUSH_CHANNELS:
        names = "、".join(f"{zh}（{code}）" for code, zh in PUSH_CHANNELS.items())
        raise ServiceError("push_channel", f"推送方式只能是：{names}")
    return channel


def check_topic(topic: str | None) -> str:
    return required_text(topic, "推送主题", TOPIC_LIMIT)


def check_push_date(on: date, today: date) -> date:
    if on > today:
        raise ServiceError("date_future", "推送日期不能晚于今天")
    return on


def check_push_residents(found: list[tuple[str, str, str | None]], allowed_orgs: set[str],
                         wanted: int) -> None:
    """`found`: (resident id, name, org id) of the residents asked for; every one must belong
    to a clinic this PC records for, and at least one is needed."""
    if wanted == 0:
        raise ServiceError("push_residents", "请至少选择一位居民")
    outside = [name for _rid, name, org in found if org not in allowed_orgs]
    if outside:
        more = f"等{len(outside)}人" if len(outside) > 3 else ""
        raise ServiceError("push_scope", f"居民{'、'.join(outside[:3])}{more}不属于本卫生室，"
                                         "不能为其登记健康信息推送")


def pushes_short(count_this_year: int) -> int:
    """Pushes still owed this year (0 when the resident has had 12 or more)."""
    return max(0, PUSHES_PER_YEAR - count_this_year)
