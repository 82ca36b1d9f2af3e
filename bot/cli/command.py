"""What every command shares: the settings read once, a core built from them and checked
against the database, and a failure told to the operator in one line.

Only click and the standard library are imported at the top, here and in every command module
but `serve`: `naboskap --help` loads no database driver, no services and no aiogram, and a
command loads only what it uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.config import Settings
    from bot.core import Core
    from bot.event_loop import EventLoopChoice
    from bot.services.errors import ServiceError

T = TypeVar("T")


class CleanText(click.ParamType[str]):
    """Text typed by the operator, cleaned like any text from outside (`bot.edge_input`):
    a shell can pass control characters as easily as a phone can."""

    name = "text"

    def __init__(self, *, is_name: bool = False) -> None:
        self.is_name = is_name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from bot.edge_input import clean_name, clean_text

        return clean_name(str(value)) if self.is_name else clean_text(str(value))


TEXT = CleanText()
NAME = CleanText(is_name=True)


class TelegramId(click.ParamType[int]):
    """A person's Telegram user id: a positive whole number of at most 52 bits (a larger one
    names nobody), refused in an operator's words before any query."""

    name = "telegram_id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if text.isdigit() and 0 < int(text) < 2**52:
            return int(text)
        self.fail(
            f"{value!r} is not a Telegram user id (a whole number such as 123456789)", param, ctx
        )


TELEGRAM_ID = TelegramId()


class Failure(click.ClickException):
    """One line on stderr and a non-zero exit: no tracebacks for operators."""

    def show(self, file: Any = None) -> None:
        click.echo(f"naboskap: {self.message}", err=True)


def settings() -> Settings:
    """The settings from the environment and .env, or a Failure naming what is wrong."""
    from bot.config import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        raise Failure(str(error)) from None


def setup_logging(settings: Settings) -> None:
    import logging

    from bot.logs import configure_logging

    configure_logging(settings.log_level)
    # Alembic names its plugins and its dialect at INFO whenever it reads the migrations (the
    # start-up schema check): noise around the one line that matters when something is down.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def run(coroutine: Coroutine[Any, Any, T], event_loop: EventLoopChoice | None = None) -> T:
    """Run a command's work; a refusal from a service, or a database or Redis out of reach,
    becomes a Failure. The long-running commands pass their EVENT_LOOP setting
    (`bot.event_loop`); the others run on asyncio's own loop."""
    import asyncio

    from bot.dependencies import DependencyDown
    from bot.services.errors import ServiceError

    try:
        if event_loop is None:
            return asyncio.run(coroutine)
        from bot.event_loop import EventLoopUnavailable
        from bot.event_loop import run as run_on

        try:
            return run_on(coroutine, event_loop)
        except EventLoopUnavailable as error:
            raise Failure(str(error)) from None
    except ServiceError as error:
        raise Failure(explain(error)) from None
    except DependencyDown as error:
        raise Failure(str(error)) from None


@contextlib.contextmanager
def reaching_database(url: str) -> Iterator[None]:
    """For work outside `run` that connects first thing (Alembic's upgrade): a database out
    of reach, or the missing directory of an SQLite file, becomes a one-line Failure."""
    from bot import dependencies

    try:
        with dependencies.reaching_database(url):
            yield
    except dependencies.DependencyDown as error:
        raise Failure(str(error)) from None


# What services call a value, as an operator reads it (InvalidInput.field).
_FIELDS = {
    "starts_at": "the start",
    "ends_at": "the end",
    "title": "the title",
    "description": "the description",
    "place": "the place",
    "slug": "the slug",
    "name": "the name",
    "invite_code": "the invite code",
    "locale": "the language",
    "phone": "the phone number",
    "quiet_hours": "the quiet hours",
    "url": "the feed address",
    "every": "how often (--every)",
    "text": "the text",
    "network": "the network",
    "event": "the event",
    "request": "the help request",
    "consent": "their consent",
    "reason": "the reason",
    "question": "the question",
    "option": "an option",
    "options": "the options",
    "closes_at": "the closing time (--closes)",
    "poll": "the poll",
}
_REASONS = {
    "empty": "must not be empty",
    "format": "has the wrong format",
    "taken": "is already taken",
    "missing": "is missing",
    "required": "is required",
    "past": "is in the past",
    "before_start": "must be after the start",
    "closed": "is over or cancelled",
    "not_http": "must be an http:// or https:// address",
    "credentials": "must not hold a user name or password",
    "out_of_range": "is out of range (15 minutes to 7 days)",
    "already_followed": "is already followed in this network",
    "too_few": "are too few (2 to 6)",
    "too_many": "are too many (2 to 6)",
}


def explain(error: ServiceError) -> str:
    """A service's refusal in words an operator knows: no field names, no exception names."""
    from bot.services.errors import (
        InvalidInput,
        InviteCodeRequired,
        InviteCodeWrong,
        NetworkArchived,
        NotFound,
        OptedOut,
        PermissionDenied,
    )

    if isinstance(error, NotFound):
        return "not found (check the slug or id)"
    if isinstance(error, OptedOut):
        return "that number sent STOP; only their own START brings it back"
    if isinstance(error, NetworkArchived):
        return "the network is archived (`naboskap network restore SLUG` brings it back)"
    if isinstance(error, InviteCodeRequired | InviteCodeWrong):
        return "the network is invite-only: a valid invite code is needed"
    if isinstance(error, PermissionDenied):
        return f"only a {error.needed} may do that"
    if isinstance(error, InvalidInput):
        what = _FIELDS.get(error.field, error.field.replace("_", " "))
        if error.reason == "too_long":
            return f"{what} is too long (at most {error.limit} characters)"
        return f"{what} {_REASONS.get(error.reason, 'is not accepted')}"
    return "refused: " + (type(error).__doc__ or "not allowed").strip().splitlines()[0].lower()


async def with_core(settings: Settings, work: Callable[[Core], Awaitable[T]]) -> T:
    """Build the core, refuse a database that is behind, do `work`, and close the core."""
    from bot.core import SchemaBehind, build_core

    core = build_core(settings)
    try:
        try:
            await core.check_schema()
        except SchemaBehind as error:
            raise Failure(str(error)) from None
        return await work(core)
    finally:
        await core.close()


async def with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """`with_core` for work done in one session."""

    async def in_session(core: Core) -> T:
        async with core.sessionmaker() as session:
            return await work(session)

    return await with_core(settings, in_session)
