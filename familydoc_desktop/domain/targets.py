"""Targets per indicator (签约服务目标) and what "below target" means. The numbers are not here:
they come from a regional rule set in resources/rulesets/targets_*.json (kind "targets"),
chosen per PC in Settings like the ledger and fee rule sets.

A target is either one value or milestones by year (seed 002 §1(二): coverage 45 % by 2023,
50 % by 2025, 60 % by 2027, 75 % by 2035). The target in force for a report dated in year Y
is the latest milestone of a year <= Y (a 2026 report is held to the 2025 milestone, 50 %);
before the first milestone, the first one (the nearest goal ahead).
"""
from __future__ import annotations

from datetime import date
from typing import Mapping

from familydoc_desktop.domain.indicators import BY_CODE


def target_for(ruleset: Mapping, code: str, on: date) -> float | None:
    """The target of indicator `code` for a report as of `on`, or None when it has none."""
    entry = (ruleset.get("targets") or {}).get(code)
    if entry is None or code not in BY_CODE:
        return None
    milestones = entry.get("milestones")
    if not milestones:
        value = entry.get("value")
        return None if value is None else float(value)
    ordered = sorted(milestones, key=lambda m: int(m["year"]))
    due = [m for m in ordered if int(m["year"]) <= on.year]
    return float((due[-1] if due else ordered[0])["value"])


def targets_on(ruleset: Mapping, on: date) -> dict[str, float]:
    """Every indicator's target in force on `on` (only those the rule set names)."""
    out = {}
    for code in (ruleset.get("targets") or {}):
        value = target_for(ruleset, code, on)
        if value is not None:
            out[code] = value
    return out


def below_target(value: float | int | None, target: float | None) -> bool:
    """Whether a rate misses its target; nothing counted ("—") is never "below"."""
    return value is not None and target is not None and float(value) < target
