"""Plausible ranges for measured values (domain.md): reject outside, warn near the edges."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import Literal

from familydoc_desktop.domain.errors import VitalsError


@dataclass(frozen=True)
class VitalRange:
    low: Decimal
    high: Decimal
    label: str
    unit: str


def _r(low, high, label, unit) -> VitalRange:
    return VitalRange(Decimal(str(low)), Decimal(str(high)), label, unit)


# field -> plausible range (domain.md "Plausible ranges")
RANGES: dict[str, VitalRange] = {
    "sbp": _r(60, 280, "收缩压", "mmHg"),
    "dbp": _r(30, 180, "舒张压", "mmHg"),
    "fasting_glucose": _r("1.0", 35, "空腹血糖", "mmol/L"),
    "heart_rate": _r(30, 220, "心率", "次/分"),
    "weight": _r(2, 250, "体重", "kg"),
    "height": _r(40, 230, "身高", "cm"),
}
WARN_FRACTION = Decimal("0.05")  # within 5 % of the range width of an edge -> warning


@dataclass(frozen=True)
class VitalIssue:
    field: str
    level: Literal["error", "warning"]
    message: str


def _num(v) -> Decimal | None:
    if isinstance(v, bool) or not isinstance(v, (Real, Decimal)):
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    d = Decimal(str(v))
    return d if d.is_finite() else None


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f") if d == d.to_integral_value() else str(d)


def _check_one(field: str, value) -> VitalIssue | None:
    rng = RANGES[field]
    d = _num(value)
    if d is None:
        return VitalIssue(field, "error", f"{rng.label}不是有效数字")
    shown = f"{rng.label} {_fmt(d)} {rng.unit}"
    bounds = f"{_fmt(rng.low)}–{_fmt(rng.high)}"
    if d < rng.low or d > rng.high:
        return VitalIssue(field, "error", f"{shown} 超出合理范围（{bounds}），请核实")
    margin = (rng.high - rng.low) * WARN_FRACTION
    if d <= rng.low + margin:
        return VitalIssue(field, "warning", f"{shown} 接近合理范围下限（{bounds}），请核实")
    if d >= rng.high - margin:
        return VitalIssue(field, "warning", f"{shown} 接近合理范围上限（{bounds}），请核实")
    return None


def check_vitals(*, sbp=None, dbp=None, fasting_glucose=None, heart_rate=None,
                 weight=None, height=None) -> list[VitalIssue]:
    """All issues, errors and warnings, in field order. None means 'not measured'."""
    values = {"sbp": sbp, "dbp": dbp, "fasting_glucose": fasting_glucose,
              "heart_rate": heart_rate, "weight": weight, "height": height}
    issues = [i for f, v in values.items() if v is not None and (i := _check_one(f, v))]
    s, d = _num(sbp), _num(dbp)
    if s is not None and d is not None and d >= s:
        issues.append(VitalIssue("dbp", "error", "舒张压应低于收缩压，请核实"))
    return issues


def require_valid_vitals(**values) -> list[VitalIssue]:
    """Raise VitalsError (messages joined) if any error; otherwise return the warnings."""
    issues = check_vitals(**values)
    errors = [i for i in issues if i.level == "error"]
    if errors:
        raise VitalsError("vitals", "；".join(i.message for i in errors), tuple(errors))
    return issues


def bmi(weight, height_cm) -> float:
    """Body-mass index kg/m², rounded to 1 decimal."""
    w, h = _num(weight), _num(height_cm)
    if w is None or h is None or w <= 0 or h <= 0:
        raise VitalsError("bmi", "计算BMI需要有效的体重和身高")
    return round(float(w) / (float(h) / 100) ** 2, 1)
