"""Passwords (argon2id) and bearer tokens (random, stored only as their sha256)."""
from __future__ import annotations

import hashlib
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both answers take the same time. Made on
# first use (create_app warms it), not at import: every `familydoc-server` command imports
# this module and a hash costs about a quarter of a second.
_dummy: dict[PasswordHasher, str] = {}


def dummy_hash() -> str:
    if _hasher not in _dummy:
        _dummy[_hasher] = _hasher.hash("familydoc-dummy-password")
    return _dummy[_hasher]

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class VerifyGate:
    """At most `limit` password checks at once in this process. argon2id takes 64 MiB and
    most of a CPU for tens of milliseconds on purpose: unbounded, 60 parallel logins took a
    server from 145 MiB to 2.4 GiB. Entering never waits: a full gate answers at once (503)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._slots = threading.BoundedSemaphore(self.limit)

    def try_enter(self) -> bool:
        return self._slots.acquire(blocking=False)

    def leave(self) -> None:
        self._slots.release()
