"""Logging set-up. Logs never carry personal data: we log ids of updates, never message text,
names or phone numbers, and we keep chatty libraries that would log SQL parameters quiet."""

from __future__ import annotations

import logging

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
