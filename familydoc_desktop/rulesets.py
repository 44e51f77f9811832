"""Load the versioned rule sets shipped in resources/rulesets/*.json (read-only)."""
from __future__ import annotations

import json
from familydoc_desktop import resources

RULESET_DIR = resources.path("rulesets")


def load_ruleset(name: str) -> dict:
    """Rule set by file stem, e.g. "ledger_default" or "fees_jilin"."""
    stem = name[:-5] if name.endswith(".json") else name
    if not stem or "/" in stem or "\\" in stem or stem.startswith("."):
        raise ValueError(f"规则集名称无效：{name}")
    path = RULESET_DIR / f"{stem}.json"
    if not path.is_file():
        raise FileNotFoundError(f"找不到规则集：{stem}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def list_rulesets(kind: str) -> list[str]:
    """Names of the shipped rule sets of a kind ("ledger", "visits", "fees"), sorted.

    A file belongs to `kind` when its "kind" field says so, or its name starts with "<kind>_".
    """
    names = []
    for path in sorted(RULESET_DIR.glob("*.json")):
        try:
            declared = json.loads(path.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError):
            continue
        if declared == kind or (declared is None and path.stem.startswith(f"{kind}_")):
            names.append(path.stem)
    return names
