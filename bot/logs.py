"""Logging set-up. Logs never carry personal data: we log ids of updates, never message text,
names or phone numbers; we keep chatty libraries that would log SQL parameters quiet, and a
filter on our handlers drops their records that carry data even when an operator turns them up
to DEBUG. The test suite runs every test at DEBUG through this filter and fails on any
resident's name, text or number in the log (tests/support/log_guard.py)."""

from __future__ import annotations

import logging
import re
import traceback

# These log query parameters (Telegram ids, names) at DEBUG; an operator turning on DEBUG for
# our own code must not turn them on too.
_QUIET = ("aiosqlite", "sqlalchemy.engine", "asyncpg")


# Below these levels a library's records carry personal data by design, whatever level an
# operator (or a logging config of their own) turns it to: aiosqlite's DEBUG lines are the
# repr of each call into sqlite3, SQL parameters included (a name, a text, a phone number);
# SQLAlchemy's DEBUG lines are the result rows. Its INFO lines are the SQL, whose parameters
# `hide_parameters` keeps out (db/session.py). Records from these at or above the level pass.
_DATA_BELOW = {"aiosqlite": logging.WARNING, "sqlalchemy.engine": logging.INFO}
# aiohttp's access log writes the request line and the Referer: an SMS gateway's request has
# the sender's number and the text in its query. Our servers run without an access log; this
# keeps queries out of one an operator turns on.
_ACCESS = "aiohttp.access"
_QUERY = re.compile(r"\?[^\s\"]*")


def _from(record: logging.LogRecord, name: str) -> bool:
    return record.name == name or record.name.startswith(name + ".")


class PersonalDataFilter(logging.Filter):
    """A handler's filter that drops the library records that carry personal data and cuts
    query strings out of access log lines. `configure_logging` puts it on every handler it
    makes; a handler added by other means should carry it too."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, level in _DATA_BELOW.items():
            if record.levelno < level and _from(record, name):
                return False
        if _from(record, _ACCESS):
            _without_queries(record)
        return True


def _without_queries(record: logging.LogRecord) -> None:
    # The access logger formats the line itself and passes its parts as `extra` attributes.
    record.msg = _QUERY.sub("?…", record.getMessage())
    record.args = None
    for key, value in list(vars(record).items()):
        if key.startswith("request_") or key == "first_request_line":
            if isinstance(value, str):
                setattr(record, key, _QUERY.sub("?…", value))
            elif isinstance(value, dict):
                setattr(record, key, {k: _QUERY.sub("?…", str(v)) for k, v in value.items()})


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
    logging.getLogger().setLevel(level.upper())
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler logs every run of every job at INFO: once a minute, forever.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLogger().level))
    # aiogram logs a line for every update it handles ("Update id=… is handled. Duration …"):
    # thousands an evening that say nothing an operator acts on. LOG_LEVEL=DEBUG shows them.
    root = logging.getLogger().level
    logging.getLogger("aiogram.event").setLevel(
        root if root <= logging.DEBUG else max(logging.WARNING, root)
    )


def failure(error: BaseException) -> str:
    """What to log of an exception: its type and where it happened, never its message or a
    traceback's locals. A database error quotes the SQL parameters (a rendered text, a phone
    number) and a parsing error the input, so `log.exception` would write them to the log."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    return f"{type(error).__name__} at {where}" if where else type(error).__name__
