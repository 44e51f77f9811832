"""Shared test set-up. Qt must be told to run headless before anything imports it."""
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never touch the developer's real keyring or data directory from a test. The test keyring
# keeps the database key (in a session folder outside every data directory, so the CLI
# subprocesses of a test find it too) and forgets tokens (tests/keyring_backend.py).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.TestKeyring")
os.environ.setdefault("FAMILYDOC_TEST_KEYRING_DIR", tempfile.mkdtemp(prefix="familydoc-keyring-"))
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in os.environ.get("PYTHONPATH", "").split(os.pathsep):  # subprocesses import it
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)

import pytest  # noqa: E402

# Slow mode (README "Tests"): `--slow` or FAMILYDOC_SLOW=1 runs the tests marked `slowmode`
# (skipped by default) and the sync property test with FAMILYDOC_SLOW_EXAMPLES (200) examples
# instead of its default handful. The test modules read the environment when imported, so the
# option sets it here, before collection.
SLOW_ENV = "FAMILYDOC_SLOW"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="slow mode: the slowmode tests and 200 property-test examples "
                          "(same as FAMILYDOC_SLOW=1)")


def slow_mode() -> bool:
    return os.environ.get(SLOW_ENV, "") not in ("", "0")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--slow"):
        os.environ[SLOW_ENV] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    if slow_mode():
        return
    skip = pytest.mark.skip(reason="slow mode only: run with --slow or FAMILYDOC_SLOW=1")
    for item in items:
        if "slowmode" in item.keywords:
            item.add_marker(skip)
