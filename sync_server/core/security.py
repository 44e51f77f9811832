"""Passwords (argon2id) and bearer tokens (random, stored only as their sha256)."""
from __future__ import annotations

import hashlib
import secrets

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
