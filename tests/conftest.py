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
