"""Red-yellow-green ledger (红黄绿三色管理), seed 001 item 21.

No national thresholds exist, so the colour is computed from a rule-set dict
(resources/rulesets/ledger_default.json):
    {"version": "...", "red": [rule, ...], "yellow": [rule, ...],
     "interval_days": {"red": 14, "yellow": 30, "green": 90}}
A rule is {"when": <kind>, <params>, "code": optional, "text": optional Chinese reason,
"only_for": optional population or list — rule applies only to residents in one of them}.
Call validate_ruleset() when a rule set is loaded; unknown kinds fail there.
A doctor's manual override is stored elsewhere; this module only computes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from familydoc_desktop.domain.codes import Colour, Population, VisitClass, label, visit_class_label
from familydoc_desktop.domain.errors import RulesetError

FLAGS = ("adverse_reaction", "new_complication", "severe_mental_unstable", "open_sickbed",
         "followup_overdue")
FLAG_ZH = {
    "adverse_reaction": "药物不良反应",
    "new_complication": "新发并发症或原有并发症加重",
    "severe_mental_unstable": "严重精神障碍病情不稳定",
    "open_sickbed": "家庭病床在床",
    "followup_overdue": "随访逾期",
}
RULED_COLOURS = (Colour.RED, Colour.YELLOW)  # evaluated in this order; green is the rest


@dataclass(frozen=True)
class LedgerFacts:
    populations: frozenset[Population] = frozenset()
    last_bp: tuple[int, int] | None = None  # (sbp, dbp) at the last visit
    last_glucose: float | None = None  # fasting, mmol/L, at the last visit
    recent_classes: tuple[VisitClass, ...] = ()  # most recent last
    adverse_reaction: bool = False
    new_complication: bool = False
    selfcare_total: int | None = None
    severe_mental_unstable: bool = False
    open_sickbed: bool = False
    followup_overdue: bool = False


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class LedgerResult:
    colour: Colour
    reasons: tuple[Reason, ...]  # every matching rule of the winning colour
    ruleset_version: str
    other_reasons: tuple[Reason, ...] = ()  # matching rules of lower colours (yellow under red)


NO_REASON = Reason("none", "无异常指标")


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# kind -> (required params with checker, test(facts, rule), default text(rule))
_KINDS: dict[str, tuple[dict[str, Callable], Callable, Callable]] = {
    "bp_at_least": (
        {"sbp": _num, "dbp": _num},
        lambda f, r: f.last_bp is not None and (f.last_bp[0] >= r["sbp"] or f.last_bp[1] >= r["dbp"]),
        lambda r: f"血压≥{r['sbp']}/{r['dbp']} mmHg"),
    "glucose_outside": (
        {"high": _num, "low": _num},
        lambda f, r: f.last_glucose is not None and (
            f.last_glucose >= r["high"] or f.last_glucose <= r["low"]),
        lambda r: f"空腹血糖≥{r['high']}或≤{r['low']} mmol/L"),
    "glucose_at_least": (
        {"value": _num},
        lambda f, r: f.last_glucose is not None and f.last_glucose >= r["value"],
        lambda r: f"空腹血糖≥{r['value']} mmol/L"),
    "consecutive_class": (
        {"class": lambda v: v in set(VisitClass), "count": lambda v: isinstance(v, int) and v >= 1},
        lambda f, r: len(f.recent_classes) >= r["count"] and all(
            c == r["class"] for c in f.recent_classes[-r["count"]:]),
        lambda r: f"连续{r['count']}次随访{visit_class_label(r['class'])}"),
    "last_class": (
        {"class": lambda v: v in set(VisitClass)},
        lambda f, r: bool(f.recent_classes) and f.recent_classes[-1] == r["class"],
        lambda r: f"最近一次随访{visit_class_label(r['class'])}"),
    "flag": (
        {"flag": lambda v: v in FLAGS},
        lambda f, r: bool(getattr(f, r["flag"])),
        lambda r: FLAG_ZH[r["flag"]]),
    "selfcare_at_least": (
        {"score": _num},
        lambda f, r: f.selfcare_total is not None and f.selfcare_total >= r["score"],
        lambda r: f"生活自理能力评分≥{r['score']}"),
    "selfcare_between": (
        {"low": _num, "high": _num},
        lambda f, r: f.selfcare_total is not None and r["low"] <= f.selfcare_total <= r["high"],
        lambda r: f"生活自理能力评分{r['low']}–{r['high']}"),
    "population": (
        {"population": lambda v: v in set(Population)},
        lambda f, r: r["population"] in f.populations,
        lambda r: label(Population, r["population"])),
}
WHEN_KINDS = frozenset(_KINDS)


def _only_for(rule: Mapping) -> tuple[str, ...]:
    v = rule.get("only_for", ())
    return (v,) if isinstance(v, str) else tuple(v)


def validate_ruleset(ruleset: Mapping) -> None:
    """Raise RulesetError (Chinese message) for anything evaluate() could not handle."""
    if not isinstance(ruleset, Mapping):
        raise RulesetError("ruleset", "三色管理规则集格式错误")
    if not isinstance(ruleset.get("version"), str) or not ruleset["version"].strip():
        raise RulesetError("ruleset", "三色管理规则集缺少版本号")
    for colour in RULED_COLOURS:
        rules = ruleset.get(str(colour), [])
        if not isinstance(rules, list):
            raise RulesetError("ruleset", f"{label(Colour, colour)}规则应为列表")
        for i, rule in enumerate(rules, 1):
            where = f"{label(Colour, colour)}第{i}条规则"
            if not isinstance(rule, Mapping) or rule.get("when") not in _KINDS:
                when = rule.get("when") if isinstance(rule, Mapping) else rule
                raise RulesetError("ruleset", f"{where}：未知的条件类型 {when!r}")
            params, _, _ = _KINDS[rule["when"]]
            for name, ok in params.items():
                if name not in rule or not ok(rule[name]):
                    raise RulesetError("ruleset", f"{where}：参数 {name} 缺失或无效")
            if not all(p in set(Population) for p in _only_for(rule)):
                raise RulesetError("ruleset", f"{where}：only_for 中有未知人群")
    intervals = ruleset.get("interval_days")
    if intervals is not None:
        if not isinstance(intervals, Mapping) or any(
                not isinstance(intervals.get(str(c)), int) or intervals[str(c)] < 1
                for c in Colour):
            raise RulesetError("ruleset", "随访间隔天数应为红、黄、绿各一个正整数")


def rule_code(rule: Mapping) -> str:
    if rule.get("code"):
        return rule["code"]
    extra = rule.get("flag") or rule.get("population") or rule.get("class")
    return f"{rule['when']}:{extra}" if extra else rule["when"]


def rule_text(rule: Mapping) -> str:
    return rule.get("text") or _KINDS[rule["when"]][2](rule)


def _matches(rule: Mapping, facts: LedgerFacts) -> bool:
    only = _only_for(rule)
    if only and not facts.populations.intersection(only):
        return False
    return bool(_KINDS[rule["when"]][1](facts, rule))


def evaluate(facts: LedgerFacts, ruleset: Mapping) -> LedgerResult:
    """Highest colour with a matching rule wins; green with reason `none` if nothing matches."""
    validate_ruleset(ruleset)
    found: dict[Colour, tuple[Reason, ...]] = {
        colour: tuple(Reason(rule_code(r), rule_text(r))
                      for r in ruleset.get(str(colour), []) if _matches(r, facts))
        for colour in RULED_COLOURS}
    version = ruleset["version"]
    for i, colour in enumerate(RULED_COLOURS):
        if found[colour]:
            lower = tuple(r for c in RULED_COLOURS[i + 1:] for r in found[c])
            return LedgerResult(colour, found[colour], version, lower)
    return LedgerResult(Colour.GREEN, (NO_REASON,), version)


def interval_for(colour: Colour, ruleset: Mapping) -> int:
    """Follow-up interval in days for a colour (default red 14 / yellow 30 / green 90)."""
    defaults = {"red": 14, "yellow": 30, "green": 90}
    return (ruleset.get("interval_days") or defaults)[str(colour)]
