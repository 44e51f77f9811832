"""Server settings, read from the environment (or given directly, as tests do)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

ENV_URL = "FAMILYDOC_DATABASE_URL"
ENV_DATA_DIR = "FAMILYDOC_SERVER_DATA_DIR"
ENV_MAX_BODY = "FAMILYDOC_MAX_BODY_BYTES"
ENV_LOGIN_CONCURRENCY = "FAMILYDOC_LOGIN_CONCURRENCY"


def default_login_concurrency() -> int:
    """Password checks (argon2id, 64 MiB each) at once in one server process: one per CPU."""
    return max(1, os.cpu_count() or 1)


def data_dir() -> Path:
    return Path(os.environ.get(ENV_DATA_DIR) or user_data_dir("FamilyDocServer", appauthor=False))


def default_database_url() -> str:
    """$FAMILYDOC_DATABASE_URL, else a SQLite file server.db in the server's data directory."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'server.db'}"


@dataclass
class Settings:
    database_url: str = field(default_factory=default_database_url)
    max_body_bytes: int = 8 * 1024 * 1024
    token_ttl_days: int = 30
    # Failed logins per (username, source address): after `lockout_after` in a row, that
    # pair is locked for base * 2**(extra failures), capped. A stranger elsewhere cannot lock
    # a doctor out. Per source address over every username (a spray of made-up usernames):
    # the same after `client_lockout_after`. A quiet day forgets the failures.
    lockout_after: int = 5
    client_lockout_after: int = 30
    lockout_base_seconds: int = 30
    lockout_max_seconds: int = 3600
    lockout_forget_seconds: int = 86_400
    # Beyond `login_concurrency` password checks at once, a login is answered 503 at once,
    # with Retry-After: `login_busy_retry_after` seconds (never an unbounded queue).
    login_concurrency: int = field(default_factory=default_login_concurrency)
    login_busy_retry_after: int = 2
    gzip_minimum_bytes: int = 1000

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls()
        if os.environ.get(ENV_MAX_BODY):
            settings.max_body_bytes = int(os.environ[ENV_MAX_BODY])
        if os.environ.get(ENV_LOGIN_CONCURRENCY):
            settings.login_concurrency = max(1, int(os.environ[ENV_LOGIN_CONCURRENCY]))
        return settings
