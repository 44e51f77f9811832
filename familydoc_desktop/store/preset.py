"""Install-time presets: IT staff set the sync server's address (and a private CA bundle) for
a whole deployment in a `familydoc.ini`, written by the installer (`/SERVER=`, `/CABUNDLE=`)
or copied beside the program or into ProgramData. The app reads it when it opens a database and
fills in only what this PC has not set yet, so a doctor's own choice is never overwritten.

    [sync]
    server_url = https://wsy.example.cn
    ca_bundle = C:\\ProgramData\\FamilyDoc\\township-ca.pem

Where it is looked for, first found wins: the file named by $FAMILYDOC_INI; beside the program
(the installed folder when frozen); %PROGRAMDATA%\\FamilyDoc on Windows, /etc/familydoc
elsewhere."""
from __future__ import annotations

import configparser
import logging
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from familydoc_desktop.domain.wire_values import text_problem

INI_NAME = "familydoc.ini"
KEYS = ("server_url", "ca_bundle")
log = logging.getLogger(__name__)


def preset_locations() -> list[Path]:
    found: list[Path] = []
    if os.environ.get("FAMILYDOC_INI"):
        found.append(Path(os.environ["FAMILYDOC_INI"]))
    if getattr(sys, "frozen", False):
        found.append(Path(sys.executable).resolve().parent / INI_NAME)
    if os.name == "nt":
        found.append(Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "FamilyDoc"
                     / INI_NAME)
    else:
        found.append(Path("/etc/familydoc") / INI_NAME)
    return found


def _valid_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def read_preset(locations: list[Path] | None = None) -> tuple[dict[str, str], Path | None]:
    """The valid presets of the first readable familydoc.ini, and its path. A broken file or
    value is logged (no personal data can be in it) and skipped: a typo by IT must not stop
    a doctor's app from starting."""
    for path in preset_locations() if locations is None else locations:
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            # utf-8-sig: Notepad on older Windows writes a BOM.
            parser.read_string(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, configparser.Error) as exc:
            log.warning("preset file %s unreadable (%s): ignored", path, type(exc).__name__)
            continue
        values: dict[str, str] = {}
        section = parser["sync"] if parser.has_section("sync") else {}
        for key in KEYS:
            value = str(section.get(key, "")).strip()
            if not value:
                continue
            if text_problem(value) is not None or len(value) > 500 \
                    or (key == "server_url" and not _valid_url(value)):
                log.warning("preset %s in %s is not valid: ignored", key, path)
                continue
            values[key] = value.rstrip("/") if key == "server_url" else value
        return values, path
    return {}, None


def apply_preset(db, locations: list[Path] | None = None) -> dict[str, str]:  # noqa: ANN001
    """Fill in this PC's unset settings from the preset; returns what was set."""
    from familydoc_desktop.store.settings import get_setting, set_setting

    values, where = read_preset(locations)
    if not values:
        return {}
    applied: dict[str, str] = {}
    with db.session() as s:
        for key, value in values.items():
            if get_setting(s, key) is None:
                set_setting(s, key, value)
                applied[key] = value
    if applied:
        log.info("preset from %s applied: %s", where, ", ".join(sorted(applied)))
    return applied
