"""Server settings, read from the environment (or given directly, as tests do)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

ENV_URL = "FAMILYDOC_DATABASE_URL"
ENV_DATA_DIR = "FAMILYDOC_SERVER_DATA_DIR"
ENV_MAX_BODY = "FAMILYDOC_MAX_BODY_BYTES"


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
    # Failed logins per username: after `lockout_after` in a row, lock for
    # base * 2**(extra failures), capped.
    lockout_after: int = 5
    lockout_base_seconds: int = 30
    lockout_max_seconds: int = 3600
    gzip_minimum_bytes: int = 1000

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls()
        if os.environ.get(ENV_MAX_BODY):
            settings.max_body_bytes = int(os.environ[ENV_MAX_BODY])
        return settings
