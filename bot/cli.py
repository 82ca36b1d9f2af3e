"""`naboskap`: run the bot, manage the database, networks, hosts and coordinators."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, SettingsError, load_settings
from bot.delivery.outbox import Enqueued
from bot.i18n import SHIPPED_LOCALES
from bot.services import networks, residents
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, OptedOut, ServiceError
from db.models import JoinPolicy, NetworkKind

T = TypeVar("T")


class Failure(click.ClickException):
    """One line on stderr and a non-zero exit: no tracebacks for operators."""

    def show(self, file: Any = None) -> None:
        click.echo(f"naboskap: {self.message}", err=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise Failure(str(error)) from None


def _setup_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except ServiceError as error:
        raise Failure(_explain(error)) from None


def _explain(error: ServiceError) -> str:
    if isinstance(error, NotFound):
        return "not found (check the slug or id)"
    if isinstance(error, OptedOut):
        return "that number sent STOP; only their own START brings it back"
    if isinstance(error, InvalidInput):
        reasons = {
            "empty": "must not be empty",
            "too_long": f"is too long (at most {error.limit} characters)",
            "format": "has the wrong format",
            "taken": "is already taken",
        }
        return f"{error.field} {reasons.get(error.reason, error.reason)}"
    return type(error).__name__


async def _with_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from bot.core import SchemaBehind
    from db.migrate import schema_status
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(settings.database_url)
    try:
        status = await schema_status(engine)
        if not status.up_to_date:
            raise SchemaBehind("the database is not up to date: run `naboskap db upgrade` first")
        async with create_sessionmaker(engine)() as session:
            return await work(session)
    except SchemaBehind as error:
        raise Failure(str(error)) from None
    finally:
        await engine.dispose()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="naboskap")
def main() -> None:
    """Naboskap: neighbourhood networks in residents' pockets.

    Settings come from the environment and an optional .env file (see the README).
    """


# ---- running ---------------------------------------------------------------------------------


@main.command()
@click.option("--webhook", is_flag=True, help="Serve Telegram's webhook instead of long polling.")
def run(webhook: bool) -> None:
    """Run the bot (long polling by default)."""
    settings = _settings()
    try:
        # Checked before the heavy imports below, so a mistake is reported at once.
        settings.require_token()
        if webhook:
            settings.require_webhook()
    except SettingsError as error:
        raise Failure(str(error)) from None
    _setup_logging(settings)

    from bot.app import SchemaBehind, build_app
    from bot.runners import run_polling, run_webhook

    async def go() -> None:
        app = build_app(settings)
        try:
            await (run_webhook(app) if webhook else run_polling(app))
        finally:
            await app.close()

    try:
        _run(go())
    except (SettingsError, SchemaBehind) as error:
        raise Failure(str(error)) from None
    except KeyboardInterrupt:
        pass


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the playground's SQLite database here between runs (default: a fresh one).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option(
    "--rate-limit",
    type=click.IntRange(1, 1000),
    default=None,
    help="Answer 429 past N messages a second to one chat, as Telegram does (about 1).",
)
@click.option(
    "--rate-limit-total",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Answer 429 past N messages a second in all (Telegram: about 30).",
)
@click.option(
    "--quiet-hours",
    is_flag=True,
    help="Keep the default quiet hours (22-08) for personas; by default they have none.",
)
def playground(
    db_path: Path | None,
    host: str,
    port: int,
    rate_limit: int | None,
    rate_limit_total: int | None,
    quiet_hours: bool,
) -> None:
    """Try the real bot in a browser, with an embedded Telegram and no token."""
    import logging

    settings = _settings()
    _setup_logging(settings)
    # Alembic's INFO lines (plugins, each migration) would bury the address to open.
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from bot.fake_bot_api import RateLimit
    from bot.playground.server import Playground, PlaygroundOptions

    options = PlaygroundOptions(
        db=db_path,
        host=host,
        port=port,
        rate_limit=RateLimit(per_chat=rate_limit, total=rate_limit_total),
        quiet_hours=quiet_hours,
    )

    async def go() -> None:
        instance = Playground(options)
        try:
            url = await instance.start()
            if host not in ("127.0.0.1", "localhost", "::1"):
                click.echo(
                    f"naboskap: the playground listens on {host}: anyone who can reach it can "
                    "act as any persona",
                    err=True,
                )
            click.echo(f"Naboskap playground: open {url}  (Ctrl-C stops it)")
            await instance.wait()
        finally:
            await instance.stop()

    try:
        _run(go())
    except OSError as error:
        raise Failure(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    except (SettingsError, KeyboardInterrupt):
        pass


@main.command()
def worker() -> None:
    """Run only the outbox worker (the bot's `run` starts one too)."""
    settings = _settings()
    try:
        settings.require_token()
    except SettingsError as error:
        raise Failure(str(error)) from None
    _setup_logging(settings)

    from bot.app import SchemaBehind, build_app
    from bot.runners import run_worker

    async def go() -> None:
        app = build_app(settings)
        try:
            await run_worker(app)
        finally:
            await app.close()

    try:
        _run(go())
    except SchemaBehind as error:
        raise Failure(str(error)) from None


# ---- database --------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, upgrade and inspect the database."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create the database or bring it up to REVISION (default: the newest)."""
    from db.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url, revision)
    click.echo(f"database is at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Step the database back to REVISION (e.g. -1, or base)."""
    from db.migrate import downgrade

    downgrade(_settings().database_url, revision)
    click.echo(f"database is at {revision}")


@db.command("current")
def db_current() -> None:
    """Show the database's revision and the newest this code knows."""
    from db.migrate import schema_status
    from db.session import create_engine

    settings = _settings()

    async def go() -> None:
        engine = create_engine(settings.database_url)
        try:
            status = await schema_status(engine)
        finally:
            await engine.dispose()
        state = "up to date" if status.up_to_date else "behind: run `naboskap db upgrade`"
        click.echo(f"current: {status.current or '(empty)'}  head: {status.head}  {state}")

    _run(go())


# ---- networks --------------------------------------------------------------------------------

KINDS = click.Choice([k.value for k in NetworkKind])


@main.group()
def network() -> None:
    """Create, list, import, edit and archive networks."""


@network.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--kind", type=KINDS, default="area", show_default=True)
@click.option("--description", default="", help="Who it is for and where.")
@click.option("--invite-code", default=None, help="Make it invite-only with this code.")
def network_add(slug: str, name: str, kind: str, description: str, invite_code: str | None) -> None:
    """Create a network called NAME with the short id SLUG (used in join links)."""

    async def work(session: AsyncSession) -> networks.NetworkView:
        return await networks.create_network(
            session,
            Actor.operator(),
            name=name,
            slug=slug,
            kind=NetworkKind(kind),
            description=description,
            invite_code=invite_code,
        )

    view = _run(_with_session(_settings(), work))
    click.echo(f"created {view.slug}: {view.name} ({view.kind.value}, {view.join_policy.value})")


@network.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived networks.")
def network_list(include_archived: bool) -> None:
    """List networks with their member counts."""

    async def work(session: AsyncSession) -> list[networks.NetworkView]:
        return await networks.list_networks(session, Actor.operator(), include_archived=True)

    views = _run(_with_session(_settings(), work))
    shown = [v for v in views if include_archived or not v.archived]
    if not shown:
        click.echo("no networks yet: `naboskap network add` or `naboskap network import`")
    for v in shown:
        flags = [v.kind.value, v.join_policy.value] + (["archived"] if v.archived else [])
        code = f" code={v.invite_code}" if v.invite_code else ""
        click.echo(
            f"{v.slug:<20} {v.name:<28} {v.member_count:>6} members  {', '.join(flags)}{code}"
        )


@network.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only-new", is_flag=True, help="Add missing networks; leave existing ones alone.")
def network_import(file: Path, only_new: bool) -> None:
    """Create or update networks from a TOML FILE ([[network]] tables, keyed by slug)."""
    try:
        specs = networks.parse_network_file(file.read_text(encoding="utf-8"))
    except ValueError as error:
        raise Failure(f"{file}: {error}") from None

    async def work(session: AsyncSession) -> networks.ImportReport:
        return await networks.import_networks(session, Actor.operator(), specs, update=not only_new)

    report = _run(_with_session(_settings(), work))
    unchanged = len(specs) - len(report.created) - len(report.updated)
    click.echo(
        f"created {len(report.created)}, updated {len(report.updated)}, unchanged {unchanged}"
    )


@network.command("edit")
@click.argument("slug")
@click.option("--name", default=None)
@click.option("--description", default=None)
@click.option("--kind", type=KINDS, default=None)
@click.option("--invite-code", default=None, help="Make it invite-only with this code.")
@click.option("--open", "make_open", is_flag=True, help="Let anyone join (drops the code).")
def network_edit(
    slug: str,
    name: str | None,
    description: str | None,
    kind: str | None,
    invite_code: str | None,
    make_open: bool,
) -> None:
    """Change a network's name, description, kind or join policy."""

    async def work(session: AsyncSession) -> networks.NetworkView:
        actor = Actor.operator()
        view = await networks.find_by_slug(session, actor, slug)
        return await networks.edit_network(
            session,
            actor,
            view.id,
            name=name,
            description=description,
            kind=NetworkKind(kind) if kind else None,
            invite_code=invite_code,
            join_policy=JoinPolicy.OPEN if make_open else None,
        )

    view = _run(_with_session(_settings(), work))
    click.echo(f"updated {view.slug}: {view.name} ({view.kind.value}, {view.join_policy.value})")


def _archive_command(archived: bool) -> Callable[[str], None]:
    def command(slug: str) -> None:
        async def work(session: AsyncSession) -> networks.NetworkView:
            actor = Actor.operator()
            view = await networks.find_by_slug(session, actor, slug)
            return await networks.set_archived(session, actor, view.id, archived)

        view = _run(_with_session(_settings(), work))
        click.echo(f"{view.slug} is {'archived' if view.archived else 'open again'}")

    return command


network.command("archive", help="Archive a network: hidden, no new members, members kept.")(
    click.argument("slug")(_archive_command(True))
)
network.command("restore", help="Bring an archived network back.")(
    click.argument("slug")(_archive_command(False))
)


@main.command()
@click.option("--csv", "as_csv", is_flag=True, help="One row per network and language, as CSV.")
def reach(as_csv: bool) -> None:
    """Members per network by language, and how many have blocked the bot."""
    import csv

    from bot.services import sms_cost

    settings = _settings()
    costs = sms_cost.SmsCosts.from_settings(settings)

    async def work(
        session: AsyncSession,
    ) -> tuple[list[networks.ReachRow], sms_cost.Usage | None]:
        usage = await sms_cost.month_usage(session, costs) if costs.enabled else None
        return await networks.reach(session, Actor.operator()), usage

    rows, usage = _run(_with_session(settings, work))
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["network", "name", "language", "members", "unreachable_in_network"])
        for row in rows:
            for locale, count in row.by_locale.items() or {"": 0}.items():
                out.writerow([row.network.slug, row.network.name, locale, count, row.unreachable])
        return
    for row in rows:
        languages = ", ".join(f"{loc} {n}" for loc, n in row.by_locale.items()) or "-"
        blocked = f"  ({row.unreachable} blocked the bot)" if row.unreachable else ""
        click.echo(f"{row.network.slug:<22} {row.total:>6} members  {languages}{blocked}")
    if usage is not None:
        if usage.budget is None:
            click.echo(f"SMS this month: {usage.used} segments (no monthly budget)")
        else:
            reached = "  - budget reached, non-essential SMS wait" if usage.reached else ""
            click.echo(f"SMS this month: {usage.used} of {usage.budget} segments{reached}")


@main.group()
def event() -> None:
    """Publish events from the command line or a calendar file."""


def _local_time(value: str, zone_name: str, option: str) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise Failure(f"{option} must look like 2026-12-03 18:00 (local time)") from None
    return naive.replace(tzinfo=ZoneInfo(zone_name))


@event.command("add")
@click.option("--network", "slug", required=True, help="The network's slug.")
@click.option("--title", required=True)
@click.option("--starts", required=True, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option("--ends", default=None, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option("--place", default="")
@click.option("--description", default="")
@click.option("--no-norwegian-needed", is_flag=True, help="Mark it as open to newcomers.")
def event_add(
    slug: str,
    title: str,
    starts: str,
    ends: str | None,
    place: str,
    description: str,
    no_norwegian_needed: bool,
) -> None:
    """Publish an event to a network's members, exactly as a host does in the bot."""
    from bot.i18n import Catalogs
    from bot.services import events

    settings = _settings()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)
    starts_at = _local_time(starts, settings.timezone, "--starts")
    ends_at = _local_time(ends, settings.timezone, "--ends") if ends else None

    async def work(session: AsyncSession) -> tuple[events.EventView, Enqueued]:
        actor = Actor.operator()
        view = await networks.find_by_slug(session, actor, slug)
        draft = events.EventDraft(
            network_id=view.id,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            description=description,
            no_norwegian_needed=no_norwegian_needed,
            locale=settings.default_locale,
        )
        return await events.publish(session, actor, catalogs, draft)

    published, sent = _run(_with_session(settings, work))
    click.echo(
        f"event {published.id} published to {sum(sent.by_locale.values())} members "
        f"({sent.held} held for the digest)"
    )


@event.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--network", "slug", required=True, help="The network's slug.")
def event_import(file: Path, slug: str) -> None:
    """Create or update a network's events from an iCalendar FILE, keyed by UID."""
    from bot.i18n import Catalogs
    from bot.services import events
    from bot.services.calendar_files import CalendarError, read_events

    settings = _settings()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)
    try:
        entries = read_events(file.read_bytes(), settings.zone, now=datetime.now(UTC))
    except CalendarError as error:
        raise Failure(f"{file}: {error}") from None

    async def work(session: AsyncSession) -> events.CalendarImport:
        actor = Actor.operator()
        view = await networks.find_by_slug(session, actor, slug)
        return await events.import_calendar(
            session, actor, catalogs, view.id, entries, locale=settings.default_locale
        )

    report = _run(_with_session(settings, work))
    click.echo(
        f"created {len(report.created)}, updated {len(report.updated)}, "
        f"cancelled {len(report.cancelled)}, unchanged {report.unchanged}"
    )


@main.command("broadcast")
@click.option("--network", "slug", help="The network's slug.")
@click.option("--all", "to_all", is_flag=True, help="Everyone in any network.")
@click.argument("text")
def broadcast_command(slug: str | None, to_all: bool, text: str) -> None:
    """Send TEXT to a network's members (or --all), through the outbox."""
    from bot.i18n import Catalogs
    from bot.services import broadcasts

    if bool(slug) == to_all:
        raise Failure("give either --network SLUG or --all")
    settings = _settings()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)

    async def work(session: AsyncSession) -> Enqueued:
        actor = Actor.operator()
        network_id = (
            None if to_all else (await networks.find_by_slug(session, actor, slug or "")).id
        )
        return await broadcasts.broadcast(
            session, actor, catalogs, text=text, network_id=network_id
        )

    result = _run(_with_session(settings, work))
    languages = ", ".join(f"{loc} {n}" for loc, n in sorted(result.by_locale.items()))
    total = sum(result.by_locale.values())
    click.echo(
        f"notice {result.notice_id} queued for {total} residents ({languages or 'nobody'}); "
        f"{result.held} held for the digest. `naboskap run` or `naboskap worker` delivers it."
    )


@main.command()
def stats() -> None:
    """Neighbour help per network: requests by category and status, and active helpers."""
    from bot.services import help as helping

    async def work(session: AsyncSession) -> tuple[list[helping.HelpStats], dict[int, str]]:
        actor = Actor.operator()
        names = {v.id: v.slug for v in await networks.list_networks(session, actor, True)}
        return await helping.stats(session, actor), names

    rows, names = _run(_with_session(_settings(), work))
    if not rows:
        click.echo("no help requests yet")
    for row in rows:
        click.echo(f"{names.get(row.network_id, '?')}: {row.helpers_active} active helpers")
        for category, counts in row.by_category.items():
            parts = ", ".join(f"{status.value} {n}" for status, n in sorted(counts.items()))
            click.echo(f"  {category.value:<10} {sum(counts.values()):>5} ({parts})")


# ---- roles -----------------------------------------------------------------------------------


@main.group()
def host() -> None:
    """Appoint and remove network hosts."""


def _host_command(make_host: bool) -> Callable[[str, int], None]:
    def command(slug: str, telegram_id: int) -> None:
        async def work(session: AsyncSession) -> bool:
            return await networks.set_host_by_telegram_id(
                session, Actor.operator(), slug, telegram_id, host=make_host
            )

        changed = _run(_with_session(_settings(), work))
        verb = "is now a host of" if make_host else "is no longer a host of"
        click.echo(f"{telegram_id} {verb} {slug}" + ("" if changed else " (no change)"))

    return command


host.command("add", help="Make TELEGRAM_ID a host of network SLUG (and a member).")(
    click.argument("slug")(click.argument("telegram_id", type=int)(_host_command(True)))
)
host.command("remove", help="Make TELEGRAM_ID a plain member of SLUG again.")(
    click.argument("slug")(click.argument("telegram_id", type=int)(_host_command(False)))
)


@main.group()
def coordinator() -> None:
    """Grant and withdraw the coordinator role (COORDINATOR_IDS also grants it)."""


def _coordinator_command(value: bool) -> Callable[[int], None]:
    def command(telegram_id: int) -> None:
        async def work(session: AsyncSession) -> None:
            await residents.make_coordinator(session, telegram_id, value)

        _run(_with_session(_settings(), work))
        click.echo(f"{telegram_id} {'is now' if value else 'is no longer'} a coordinator")

    return command


coordinator.command("add", help="Make TELEGRAM_ID a coordinator.")(
    click.argument("telegram_id", type=int)(_coordinator_command(True))
)
coordinator.command("remove", help="Withdraw the coordinator role from TELEGRAM_ID.")(
    click.argument("telegram_id", type=int)(_coordinator_command(False))
)


# ---- residents -------------------------------------------------------------------------------


@main.group()
def resident() -> None:
    """Enrol residents who take part by SMS."""


@resident.command("add")
@click.option("--phone", required=True, help="Their mobile number (SMS_DEFAULT_REGION if no +).")
@click.option(
    "--language",
    "locale",
    required=True,
    type=click.Choice(list(SHIPPED_LOCALES)),
    help="The language of their SMS.",
)
@click.option("--network", "slugs", multiple=True, required=True, help="A network's slug.")
@click.option("--name", default=None, help="Their first name (optional).")
@click.option("--consent", is_flag=True, help="They agreed to get SMS from Naboskap.")
def resident_add(
    phone: str, locale: str, slugs: tuple[str, ...], name: str | None, consent: bool
) -> None:
    """Enrol an SMS-only resident who agreed to it; they get a welcome SMS."""
    from bot.i18n import Catalogs
    from bot.phone_numbers import masked
    from bot.services import enrolment

    if not consent:
        raise Failure("--consent is required: enrol only someone who agreed to get SMS")
    settings = _settings()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)

    async def work(session: AsyncSession) -> enrolment.Enrolled:
        actor = Actor.operator()
        ids = [(await networks.find_by_slug(session, actor, slug)).id for slug in slugs]
        return await enrolment.enrol_by_sms(
            session,
            actor,
            catalogs,
            phone_raw=phone,
            region=settings.sms_default_region,
            locale=locale,
            network_ids=ids,
            municipality=settings.municipality,
            first_name=name,
            consent=True,
        )

    done = _run(_with_session(settings, work))
    verb = "enrolled" if done.created else "already known; added to networks"
    click.echo(
        f"{masked(done.phone)} {verb}: {', '.join(done.networks)} "
        f"({done.added} new memberships, {locale})"
    )
    if done.created or done.added:
        click.echo("Welcome SMS queued. `naboskap run` or `naboskap worker` sends it.")


# ---- the weekly digest -----------------------------------------------------------------------


async def _with_sessionmaker(
    settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    """Like _with_session, for work that commits in several transactions of its own."""
    from db.session import create_engine, create_sessionmaker

    engine = create_engine(settings.database_url)
    try:

        async def check(session: AsyncSession) -> None:
            return None

        await _with_session(settings, check)
        return await work(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def _plain(text: str) -> str:
    """Telegram HTML as a terminal shows it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@main.group()
def digest() -> None:
    """The weekly digest: preview one resident's, or send this week's now."""


@digest.command("preview")
@click.option("--telegram-id", type=int, help="The resident's Telegram user id.")
@click.option("--phone", help="The resident's phone number (SMS residents).")
def digest_preview(telegram_id: int | None, phone: str | None) -> None:
    """Print this week's digest as one resident would get it."""
    from bot.i18n import Catalogs
    from bot.phone_numbers import normalise
    from bot.services.digest import Round, week_of
    from bot.sms_segments import count
    from db.queries import digests as dq

    if (telegram_id is None) == (phone is None):
        raise Failure("give either --telegram-id ID or --phone NUMBER")
    settings = _settings()
    number = None
    if phone is not None:
        number = normalise(phone, settings.sms_default_region)
        if number is None:
            raise Failure("that is not a phone number")
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
        async with sessionmaker() as session:
            resident = await dq.resident_for_preview(session, telegram_id=telegram_id, phone=number)
        if resident is None:
            raise Failure("no resident with that Telegram id or phone number")
        return await Round(sessionmaker, catalogs, municipality=settings.municipality).preview(
            resident
        )

    preview = _run(_with_sessionmaker(settings, work))
    week = week_of(datetime.now(settings.zone), settings.zone)
    locale = preview.resident.locale or settings.default_locale
    click.echo(f"Digest {week} · {locale} · {preview.channel.value}")
    click.echo("")
    if preview.rendered is None:
        click.echo("Nothing to tell this week: no digest would be sent.")
        return
    if preview.channel.value == "sms":
        click.echo(preview.rendered.text)
        size = count(preview.rendered.text)
        click.echo("")
        click.echo(
            f"({len(preview.rendered.text)} characters, {size.segments} SMS, {size.encoding})"
        )
        return
    click.echo(_plain(preview.rendered.text))
    for row in preview.rendered.buttons:
        click.echo("")
        click.echo("  ".join(f"[ {b.text} ]" for b in row))


@digest.command("send")
@click.option("--dry-run", is_flag=True, help="Make the digests and count them; send nothing.")
def digest_send(dry_run: bool) -> None:
    """Make and queue this week's digest for everyone who has not had it yet."""
    from bot.i18n import Catalogs
    from bot.services.digest import Round, Summary, week_of
    from db.queries import digests as dq

    settings = _settings()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale, settings.zone)
    week = week_of(datetime.now(settings.zone), settings.zone)

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Summary:
        async with sessionmaker() as session:
            due = await dq.count_due(session, week)
        with click.progressbar(length=due, label=f"Digest {week}", file=sys.stderr) as bar:
            return await Round(sessionmaker, catalogs, municipality=settings.municipality).run(
                week, dry_run=dry_run, progress=bar.update
            )

    summary = _run(_with_sessionmaker(settings, work))
    verb = "would be sent" if dry_run else "sent"
    click.echo(
        f"Digest {week}: {summary.sent} {verb}, {summary.empty} skipped (nothing to tell), "
        f"{summary.already} sent before"
    )
    languages = ", ".join(f"{loc} {n}" for loc, n in sorted(summary.by_locale.items()))
    click.echo(f"By language: {languages or 'none'}")
    if not dry_run and summary.sent:
        click.echo("`naboskap run` or `naboskap worker` delivers them.")


# ---- translations ----------------------------------------------------------------------------


@main.group()
def i18n() -> None:
    """Maintain the translation catalogs."""


@i18n.command("update")
def i18n_update() -> None:
    """Extract messages from the code, update every catalog, and compile them as a check."""
    from bot.catalog_maintenance import update_catalogs

    settings = _settings()
    problems = update_catalogs(settings.locales_dir)
    for line in problems[:40]:
        click.echo(line)
    if len(problems) > 40:
        click.echo(f"... and {len(problems) - 40} more")
    if problems:
        click.echo(f"{len(problems)} entries need a translator's attention", err=True)
        sys.exit(1)
    click.echo("all catalogs complete")


if __name__ == "__main__":  # pragma: no cover
    main()
