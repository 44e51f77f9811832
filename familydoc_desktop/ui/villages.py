"""Village names for codes: a village clinic's statistical code is its village's code."""
from __future__ import annotations

from familydoc_desktop.store import orgs


def villages(session) -> list[tuple[str, str]]:  # noqa: ANN001
    """(12-digit code, village name) of every clinic in scope, by code."""
    return [(o.code, o.name.removesuffix("卫生室")) for o in orgs.clinics_in_scope(session)
            if o.code != orgs.PLACEHOLDER_CODE]
