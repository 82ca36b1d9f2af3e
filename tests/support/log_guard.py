"""Every test runs at DEBUG with a guard that fails it when a log record carries a resident's
data: a name, a text they sent or a phone number.

During each test (its fixtures' set-up and tear-down included) the root logger and the chatty
libraries' loggers are at DEBUG, and one handler formats every record in full — the message
with its arguments, the exception with its traceback, the stack — as the production handlers
would write it (after `bot.logs`' filter, which production installs on its handlers). What a
child process (`RealProcess`) writes on stderr is its log, and is read too. At the end of the
test, every personal value the test used is looked for in all of that; a hit fails the test,
naming the logger and the value.

The test helpers register the personal values themselves, so a test needs to do nothing:
`FakeUser` (its first name and username, every text it sends), `Phone` and Kannel's `inject`
(the number in every form a log could spell it, and the text). A test that plants a value of its
own (a secret in a broadcast, a name written straight to the database) calls `personal(...)`.
A test that must log personal data on purpose opts out with
`@pytest.mark.logs_personal_data("why")`; there are none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, quote_plus

import pytest

from bot.logs import PersonalDataFilter
from bot.sms_keywords import WORDS, fold

# The libraries that log at DEBUG what passed through them: SQL and its parameters, rows,
# requests and their answers, job arguments. Each is raised to DEBUG for the test, whatever a
# command under test (`configure_logging`) set it to, and put back afterwards.
NOISY = (
    "",
    "aiogram",
    "aiogram.event",
    "aiohttp",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.server",
    "aiohttp.web",
    "aiosqlite",
    "asyncpg",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "alembic",
    "asyncio",
    "apscheduler",
    "httpx",
    "redis",
    "naboskap",
)

# Why these rules, and not "every string the test used":
# - Texts and names shorter than 4 characters ("Per", "Ja", "1", "nb") are also ordinary words
#   and numbers in log lines (a logger name, an id, a level); looking for them would fail tests
#   for nothing. A name or text of 4 or more characters in a log line is the resident's.
# - Commands ("/start join-torstrand", "/events") are the bot's own vocabulary, not what a
#   resident wrote about themselves: a slug or an action may be logged.
# - A text that is exactly an SMS keyword ("START", "hjelp") is the bot's vocabulary too, and
#   "start" is in many a log line ("started leading", "started_at").
# - A value counts only where it stands alone: a text or name as whole words (the name
#   "Member" is not in the ORM's "Membership"), digits (a phone number, a code texted back)
#   not inside a longer number (123456 in the bot's id 123456789 is not the code texted).
# - A phone number is looked for in every form a log could spell it: E.164 with and without
#   the + (or with 00), the national 8 digits, and grouped with spaces as Norwegians write
#   it. Its masked form (`phone_numbers.masked`: the last two digits) is what logs may show.
MIN_LENGTH = 4
_KEYWORDS = {
    fold(word) for by_locale in WORDS.values() for words in by_locale.values() for word in words
}
_DIGITS = re.compile(r"\D")


def phone_forms(number: str) -> set[str]:
    """The spellings of a phone number that a log must not contain."""
    digits = _DIGITS.sub("", number)
    forms = {number.strip(), digits, "+" + digits}
    national = digits[2:] if digits.startswith("47") and len(digits) == 10 else digits
    if len(national) == 8:
        forms |= {
            national,
            "0047" + national,
            f"{national[:3]} {national[3:5]} {national[5:]}",
            " ".join(national[i : i + 2] for i in range(0, 8, 2)),
        }
    return {f for f in forms if len(_DIGITS.sub("", f)) >= 6}


class Output(Protocol):
    """A child process's output as `RealProcess` collects it."""

    @property
    def stderr(self) -> str: ...


@dataclass(frozen=True)
class LogFile:
    """A child process's stderr written to a file (`tests/support/workers.py`)."""

    path: Path

    @property
    def stderr(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


@dataclass
class Guard:
    """One test's personal values and what was logged while it ran."""

    values: set[str] = field(default_factory=set)
    records: list[tuple[str, str]] = field(default_factory=list)  # (logger, formatted text)
    children: list[Output] = field(default_factory=list)

    def add_text(self, text: str | None) -> None:
        if text is None:
            return
        text = text.strip()
        if len(text) >= MIN_LENGTH and not text.startswith("/") and fold(text) not in _KEYWORDS:
            # As it would stand in a URL's query too (a gateway's request line).
            self.values |= {text, quote(text), quote_plus(text)}
            # A multi-line text may be logged a line at a time.
            self.values.update(
                line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_LENGTH
            )

    def add_phone(self, number: str) -> None:
        self.values |= phone_forms(number)

    def leaks(self) -> list[tuple[str, str]]:
        """(where, value) for every personal value found in what was logged."""
        children = ((f"child process {i}", c.stderr) for i, c in enumerate(self.children))
        texts = [*self.records, *children]
        everything = "\n".join(text for _where, text in texts)
        found = []
        # A substring test over all of it first: most values are in none of it, and `in` is fast.
        for value in sorted(v for v in self.values if v in everything):
            hit = _found_in(value)
            found += [(where, value) for where, text in texts if hit(text)]
        return found


def _found_in(value: str) -> Callable[[str], bool]:
    if _DIGITS.sub("", value).isdigit() and not re.search(r"[^\d +]", value):
        alone = re.compile(rf"(?<!\d){re.escape(value)}(?!\d)")
    else:
        # A whole word or more: the name "Member" is not in the ORM's "Membership".
        before = r"(?<!\w)" if re.match(r"\w", value) else ""
        after = r"(?!\w)" if re.search(r"\w$", value) else ""
        alone = re.compile(before + re.escape(value) + after)
    return lambda text: alone.search(text) is not None


_current: ContextVar[Guard | None] = ContextVar("log_guard", default=None)


def _guard() -> Guard | None:
    return _current.get()


def personal(*values: str) -> None:
    """Register values a test planted itself (a secret text, a name written to the database)."""
    guard = _guard()
    if guard is not None:
        for value in values:
            guard.add_text(value)


def personal_phone(*numbers: str) -> None:
    guard = _guard()
    if guard is not None:
        for number in numbers:
            guard.add_phone(number)


def watch_child(process: Output) -> None:
    """Read a child process's stderr (its log) at the end of the test too."""
    guard = _guard()
    if guard is not None:
        guard.children.append(process)


class _Handler(logging.Handler):
    """Formats each record fully at once (its arguments may change later) and keeps the text."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(logging.DEBUG)
        self.guard = guard
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.addFilter(PersonalDataFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            text = f"{record.msg!r} {record.args!r} {record.exc_info!r}"
        self.guard.records.append((record.name, text))


def _levels() -> Iterator[tuple[logging.Logger, int]]:
    for name in NOISY:
        logger = logging.getLogger(name)
        yield logger, logger.level


def _patch_fake_bot_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every simulated user's name and every text they send are personal values."""
    from bot.fake_bot_api.chats import Chats

    register_user = Chats.register_user
    user_message = Chats.user_message

    def registering(
        self: Any, user_id: int, first_name: str, language_code: str | None, username: str | None
    ) -> dict[str, Any]:
        personal(first_name, *([username] if username else []))
        return register_user(self, user_id, first_name, language_code, username)

    def sending(self: Any, user_id: int, text: str) -> Any:
        personal(text)
        return user_message(self, user_id, text)

    monkeypatch.setattr(Chats, "register_user", registering)
    monkeypatch.setattr(Chats, "user_message", sending)


@pytest.fixture(scope="session", autouse=True)
def _fake_users_are_personal() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _patch_fake_bot_api(monkeypatch)
        yield


@pytest.fixture(autouse=True)
def log_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Guard]:
    """The guard of this test (autouse: every test has one)."""
    guard = Guard()
    # The processes a test starts (`naboskap run`, `worker`, the CLI in-process) log at DEBUG
    # too: they read LOG_LEVEL, and pass it through `configure_logging` as in production.
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    marker = request.node.get_closest_marker("logs_personal_data")
    saved = list(_levels())
    handler = _Handler(guard)
    root = logging.getLogger()
    root.addHandler(handler)
    for logger, _level in saved:
        logger.setLevel(logging.DEBUG)
    token = _current.set(guard)
    try:
        yield guard
    finally:
        _current.reset(token)
        root.removeHandler(handler)
        for logger, level in saved:
            logger.setLevel(level)
    if marker is None:
        leaks = guard.leaks()
        if leaks:
            lines = "\n".join(f"  {where}: {value!r}" for where, value in _unique(leaks))
            pytest.fail(f"personal data in the log at DEBUG:\n{lines}", pytrace=False)


def _unique(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(set(pairs))


def _filter_root_handlers() -> None:
    """Put production's filter on the handlers pytest attaches to the root logger for each
    phase (caplog's among them), as `configure_logging` does on its own: a test reading caplog
    reads what production would write, though the libraries now log at DEBUG."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())


# Inside pytest's logging wrappers (its handlers are in place), before the fixtures and the test.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _filter_root_handlers()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    _filter_root_handlers()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    _filter_root_handlers()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "logs_personal_data(reason): this test logs personal data on purpose (say why)",
    )
