"""The indicator targets in force on this PC: the targets rule set chosen in Settings
(setting "targets_ruleset", default resources/rulesets/targets_default.json)."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session

from familydoc_desktop.domain import targets
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store.settings import get_setting

SETTING = "targets_ruleset"
DEFAULT = "targets_default"


def ruleset(session: Session) -> dict:
    return load_ruleset(get_setting(session, SETTING) or DEFAULT)


def targets_on(session: Session, on: date) -> dict[str, float]:
    """Indicator code -> target (a percentage) for a report as of `on`."""
    return targets.targets_on(ruleset(session), on)
