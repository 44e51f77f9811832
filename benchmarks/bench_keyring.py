"""Benchmarks open encrypted databases, whose key lives in the OS credential store. A headless
benchmark machine has none: use the test suite's stand-in (tests/keyring_backend.py: the
database key in a throw-away folder), for this process and the ones it starts. Import this
module before anything touches keyring. On a PC with a real credential store nothing changes
unless FAMILYDOC_BENCH_TEST_KEYRING=1."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)


def _store_works() -> bool:
    import keyring
    from keyring.backends import fail, null

    return not isinstance(keyring.get_keyring(), (fail.Keyring, null.Keyring))


if os.environ.get("FAMILYDOC_BENCH_TEST_KEYRING") == "1" or "PYTHON_KEYRING_BACKEND" in os.environ \
        or not _store_works():
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.keyring_backend.TestKeyring")
    os.environ.setdefault("FAMILYDOC_TEST_KEYRING_DIR", tempfile.mkdtemp(prefix="bench-keyring-"))
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    import keyring
    from keyring.core import load_keyring

    keyring.set_keyring(load_keyring(os.environ["PYTHON_KEYRING_BACKEND"]))
