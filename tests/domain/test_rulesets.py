import ast
import pathlib

import pytest

from familydoc_desktop.rulesets import list_rulesets, load_ruleset

DOMAIN = pathlib.Path(__file__).resolve().parents[2] / "familydoc_desktop" / "domain"


@pytest.mark.parametrize("kind, names", [
    ("ledger", ["ledger_default"]),
    ("visits", ["visits_default"]),
    ("fees", ["fees_jilin", "fees_yueyang"]),
    ("targets", ["targets_default", "targets_jilin"]),
    ("nothing", []),
])
def test_list_rulesets(kind, names):
    assert list_rulesets(kind) == names


@pytest.mark.parametrize("name", ["ledger_default", "visits_default", "points_default", "fees_jilin",
                                  "fees_yueyang", "fees_jilin.json", "targets_default",
                                  "targets_jilin"])
def test_load_ruleset_has_version(name):
    rs = load_ruleset(name)
    assert isinstance(rs, dict) and rs["version"]


@pytest.mark.parametrize("name, exc", [("no_such", FileNotFoundError),
                                       ("../pyproject", ValueError), ("", ValueError)])
def test_load_ruleset_errors(name, exc):
    with pytest.raises(exc):
        load_ruleset(name)


PURE_RULE_MODULES = ["errors", "idcard", "dates", "vitals", "selfcare", "followup", "population",
                     "ledger", "due", "contracts", "sickbed", "referral", "prescription",
                     "services"]


@pytest.mark.parametrize("path", [DOMAIN / f"{m}.py" for m in PURE_RULE_MODULES],
                         ids=lambda p: p.name)
def test_domain_modules_import_only_domain_and_stdlib(path):
    allowed_stdlib = {"__future__", "dataclasses", "datetime", "decimal", "enum", "math",
                      "numbers", "re", "typing", "unicodedata"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mods = [node.module or ""]
        else:
            continue
        for mod in mods:
            assert mod.startswith("familydoc_desktop.domain") or mod.split(".")[0] in \
                allowed_stdlib, f"{path.name} imports {mod}"
