"""Where the shipped resources are: rule sets, the package catalogue, translations, icons,
style sheets. They live in the repository's `resources/` folder, which the wheel installs as
the package `familydoc_resources` (pyproject.toml maps it), so an installed app, the frozen
build and a source checkout all find them through importlib.resources."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "familydoc_resources"
_SOURCE_TREE = Path(__file__).resolve().parent.parent / "resources"


def root() -> Path:
    """The resources folder as a real directory (Qt loaders need file paths).

    A source checkout (this package beside its repository's resources/ folder): that
    folder, so a second checkout (a work tree) run through PYTHONPATH uses its own files, not
    those of the checkout the editable install points at. An installed wheel or the frozen
    build: the `familydoc_resources` package."""
    if (_SOURCE_TREE / "rulesets").is_dir() and (_SOURCE_TREE / "translations").is_dir():
        return _SOURCE_TREE
    try:
        files = resources.files(PACKAGE)
    except ModuleNotFoundError:
        return _SOURCE_TREE
    path = Path(str(files))
    return path if path.is_dir() else _SOURCE_TREE


def path(*parts: str) -> Path:
    return root().joinpath(*parts)
