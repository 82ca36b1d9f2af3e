"""Logging set-up. Logs never carry personal data: we log ids of updates, never message text,
names or phone numbers, and we keep chatty libraries that would log SQL parameters quiet."""

from __future__ import annotations

import logging
import traceback

# These log query parameters (Telegram ids, names) at DEBUG; an operator turning on DEBUG for
# our own code must not turn them on too.
_QUIET = ("aiosqlite", "sqlalchemy.engine", "asyncpg")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level.upper())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO: once a minute, forever.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))


def failure(error: BaseException) -> str:
    """What to log of an exception: its type and where it happened, never its message or a
    traceback's locals. A database error quotes the SQL parameters (a rendered text, a phone
    number) and a parsing error the input, so `log.exception` would write them to the log."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    return f"{type(error).__name__} at {where}" if where else type(error).__name__
