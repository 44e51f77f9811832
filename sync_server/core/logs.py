"""The server's log file (`familydoc-server serve --log-file F`).

What goes in: start and stop, each request's method, path (without the query string), status
and time, warnings and errors with their tracebacks. What never goes in: tokens (they travel
in the Authorization header, which is not logged), passwords, and record contents: the
engines hide SQL parameters (core/db.py), and a last filter masks anything shaped like an ID
number or a mobile number in a message.

One worker: a size-rotated file (10 MB, 5 kept). Several workers (PostgreSQL): several
processes cannot rotate one file safely, so each reopens the file when logrotate moves it
(WatchedFileHandler; docs/deploy.md has the logrotate snippet)."""
from __future__ import annotations

import copy
import logging
import re

MAX_BYTES = 10 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class Redact(logging.Filter):
    """Masks ID-number and mobile-number shapes; drops query strings from access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) \
                and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        message = record.getMessage()
        masked = _MOBILE.sub("***", _ID_NUMBER.sub("***", message))
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _MOBILE.sub("***", _ID_NUMBER.sub("***", text))
            record.exc_info = None
            record.msg = f"{record.msg}\n{record.exc_text}"
            record.exc_text = None
        return True


def _file_handler(log_file: str, workers: int) -> dict:
    if workers > 1:
        return {"class": "logging.handlers.WatchedFileHandler", "filename": log_file,
                "encoding": "utf-8", "formatter": "file", "filters": ["redact"]}
    return {"class": "logging.handlers.RotatingFileHandler", "filename": log_file,
            "maxBytes": MAX_BYTES, "backupCount": BACKUPS, "encoding": "utf-8",
            "formatter": "file", "filters": ["redact"]}


def uvicorn_config(log_file: str | None, workers: int = 1) -> dict:
    """uvicorn's own logging configuration, plus the file (applied in every worker)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if not log_file:
        return config
    config.setdefault("filters", {})["redact"] = {"()": Redact}
    config["formatters"]["file"] = {"format": FORMAT}
    config["handlers"]["file"] = _file_handler(log_file, workers)
    for name in ("uvicorn", "uvicorn.access"):
        config["loggers"][name]["handlers"] = [*config["loggers"][name]["handlers"], "file"]
    config["loggers"]["sync_server"] = {"handlers": ["file"], "level": "INFO",
                                        "propagate": False}
    return config
