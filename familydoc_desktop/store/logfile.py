"""The app's log: `logs/familydoc.log` in the data directory, rotating (1 MB x 5), for the
GUI and the CLI alike. The windowed build has no console: this file is where a traceback
goes. No personal data or tokens reach it: `Redact` masks ID numbers, phone numbers,
bearer/API tokens and every run of Chinese characters (a name cannot be told apart from
other Chinese text, and log messages of ours are English)."""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

LOG_NAME = "familydoc.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+|token[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}"),
     r"\1<token>"),
    (re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])|(?<![0-9])[0-9]{15}(?![0-9])"), "<id>"),
    (re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"), "<phone>"),
    (re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+"), "<zh>"),
]


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


class Redact(logging.Formatter):
    """Formats as usual (traceback included), then masks personal data in the whole line."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(data_dir: Path, level: int = logging.INFO) -> Path:
    """Attach the rotating file handler to the root logger once per file; returns its path."""
    folder = Path(data_dir) / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler) \
                and Path(handler.baseFilename) == path.resolve():
            return path
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES,
                                                   backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(Redact(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path


def teardown(path: Path) -> None:
    """Detach and close the handler writing `path` (tests, a data directory switch)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler) \
                and Path(handler.baseFilename) == Path(path).resolve():
            root.removeHandler(handler)
            handler.close()
