"""Drawing from the proportions: weighted picks, by-age probabilities, year arithmetic,
and the column template of every synced table (row dicts start from it)."""
from __future__ import annotations

import random
from datetime import date
from typing import Any

from familydoc_desktop.domain.models import SYNCED_MODELS


def _templates() -> dict[str, dict[str, Any]]:
    """Every column of every synced table with its model default (None when required)."""
    out = {}
    for model in SYNCED_MODELS:
        row = {}
        for name, field in model.model_fields.items():
            row[name] = None if field.is_required() or field.default_factory else field.default
        out[model.__tablename__] = row
    return out


_CUMULATIVE: dict[int, tuple[tuple, list[float]]] = {}


def _pick(rng: random.Random, weighted) -> Any:  # noqa: ANN001
    """One value of a ((value, weight), ...) tuple; cumulative weights cached per tuple."""
    entry = _CUMULATIVE.get(id(weighted))
    if entry is None or entry[0] is not weighted:
        values, weights = zip(*weighted)
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        entry = _CUMULATIVE[id(weighted)] = (weighted, (values, cum))
    values, cum = entry[1]
    return rng.choices(values, cum_weights=cum)[0]


def _by_age(table, age: int) -> float:  # noqa: ANN001
    p = 0.0
    for start, prob in table:
        if age >= start:
            p = prob
    return p


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # Feb 29
        return date(d.year + years, 3, 1)
