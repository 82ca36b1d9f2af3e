"""`naboskap event`: publish one event, or a network's events from an iCalendar file, exactly as
a host does in the bot (the members get the notice through the outbox); list events, show one,
change or cancel it (those coming are told, as when a host does it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import TEXT, Failure, run, settings, with_core, with_session
from bot.cli.listing import format_of, output_options

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core import Core
    from bot.delivery.outbox import Enqueued
    from bot.services import events
    from bot.services.errors import InvalidInput

# An event's id as the database keeps it: a larger number names nothing, and PostgreSQL would
# refuse it with an error rather than find nothing.
EVENT_ID = click.IntRange(1, 2**31 - 1)

# `event list --json/--csv` and `event show --json`: stable, documented in docs/cli.md.
LIST_FIELDS = (
    "id",
    "network",
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "place",
    "status",
    "series_id",
    "coming",
    "maybe",
)
SHOW_FIELDS = (
    *LIST_FIELDS,
    "cant_come",
    "description",
    "locale",
    "languages",
    "no_norwegian_needed",
    "uid",
    "feed_id",
    "feed_url",
    "created_at",
    "updated_at",
)
# The table is for a terminal: the columns that tell events apart, the title last so that a
# long one does not push the others off the screen.
TABLE_FIELDS = ("id", "starts_at", "ends_at", "network", "status", "coming", "maybe", "title")


@click.group()
def event() -> None:
    """Publish, list, show, change and cancel events."""


def _local_time(value: str, zone_name: str, option: str) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise Failure(f"{option} must look like 2026-12-03 18:00 (local time)") from None
    return naive.replace(tzinfo=ZoneInfo(zone_name))


@event.command("add")
@click.option("--network", "slug", type=TEXT, required=True, help="The network's slug.")
@click.option("--title", type=TEXT, required=True)
@click.option("--starts", required=True, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option("--ends", default=None, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option("--place", type=TEXT, default="")
@click.option("--description", type=TEXT, default="")
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
    from bot.services import events, networks
    from bot.services.actors import Actor

    config = settings()
    starts_at = _local_time(starts, config.timezone, "--starts")
    ends_at = _local_time(ends, config.timezone, "--ends") if ends else None

    async def work(core: Core) -> tuple[events.EventView, Enqueued]:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            view = await networks.find_by_slug(session, actor, slug)
            draft = events.EventDraft(
                network_id=view.id,
                title=title,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                description=description,
                no_norwegian_needed=no_norwegian_needed,
                locale=config.default_locale,
            )
            return await events.publish(session, actor, core.catalogs, draft)

    published, sent = run(with_core(config, work))
    click.echo(
        f"event {published.id} published to {sum(sent.by_locale.values())} members "
        f"({sent.held} held for the digest)"
    )


@event.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--network", "slug", required=True, help="The network's slug.")
@click.option("--dry-run", is_flag=True, help="Show what the import would do; change nothing.")
def event_import(file: Path, slug: str, dry_run: bool) -> None:
    """Create or update a network's events from an iCalendar FILE, keyed by UID.

    Events that cannot be imported are listed with the reason, one per line; the rest are
    imported all the same."""
    from bot.services import events, networks
    from bot.services.actors import Actor
    from bot.services.calendar_files import CalendarError, read_calendar

    config = settings()
    try:
        # The command's own moment: a past event in the file is not imported.
        calendar = read_calendar(file.read_bytes(), config.zone, now=datetime.now(UTC))
    except CalendarError as error:
        raise Failure(f"{file}: {error}") from None

    async def work(core: Core) -> events.CalendarImport:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            view = await networks.find_by_slug(session, actor, slug)
            return await events.import_calendar(
                session,
                actor,
                core.catalogs,
                view.id,
                calendar,
                locale=config.default_locale,
                dry_run=dry_run,
            )

    report = run(with_core(config, work))
    for line in import_summary(report, encoding=calendar.encoding, horizon=calendar.horizon_days):
        click.echo(line)


def import_summary(report: events.CalendarImport, *, encoding: str, horizon: int) -> list[str]:
    """The lines `event import` prints: what it did (or would do), then each skipped event
    with its reason, in operator English."""
    from bot.services.calendar_files import SkipReason

    done = len(report.created) + len(report.updated) + len(report.cancelled) + report.unchanged
    past = (SkipReason.PAST, SkipReason.STARTED)
    lines: list[str] = []
    if not done and report.skipped and all(s.reason in past for s in report.skipped):
        n = len(report.skipped)
        lines.append(
            f"all {n} events are in the past; nothing to import"
            if n > 1
            else "the only event is in the past; nothing to import"
        )
        return lines
    if not done and not report.skipped:
        return ["the file has no events; nothing to import"]
    verbs = (
        ("would create", "would update", "would cancel")
        if report.dry_run
        else (
            "created",
            "updated",
            "cancelled",
        )
    )
    summary = (
        f"{verbs[0]} {len(report.created)}, {verbs[1]} {len(report.updated)}, "
        f"{verbs[2]} {len(report.cancelled)}, unchanged {report.unchanged}, "
        f"skipped {len(report.skipped)}"
    )
    if encoding not in ("UTF-8",):
        summary += f" (the file was read as {encoding})"
    if report.dry_run:
        summary = "dry run, nothing changed: " + summary
    lines.append(summary)
    for skipped in report.skipped:
        name = f'"{skipped.title}" ({skipped.where})' if skipped.title else skipped.where
        why = skipped.detail or skipped.reason.value
        if skipped.reason is SkipReason.BEYOND_HORIZON:
            why = f"{why} ({horizon} days from now)"
        lines.append(f"  skipped {name}: {why}")
    return lines


def _local_text(
    moment: datetime | None, zone: ZoneInfo, all_day: bool, *, end: bool = False
) -> str | None:
    """A time as an operator reads it: local, to the minute; an all-day event's days only (its
    `end` is the midnight after its last day, which is the day shown)."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    if all_day:
        return (local - timedelta(microseconds=1) if end else local).strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def _day(value: str, zone: ZoneInfo) -> datetime:
    """The start (local midnight) of a day given as YYYY-MM-DD."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Failure("--from must look like 2026-12-03 (a local date)") from None
    return datetime(day.year, day.month, day.day, tzinfo=zone)


@event.command("list")
@click.option("--network", "slug", type=TEXT, default=None, help="Only this network's events.")
@click.option(
    "--from",
    "from_day",
    default=None,
    metavar="DATE",
    help="Events not over by this local day, YYYY-MM-DD (default: today).",
)
@output_options
def event_list(slug: str | None, from_day: str | None, as_json: bool, as_csv: bool) -> None:
    """List events, published and cancelled, soonest first: those not over by today (or by
    --from). A table for people; --json or --csv (every event, every field) for scripts."""
    from bot.cli.listing import BATCH, emit_batches
    from bot.services import events, networks
    from bot.services.actors import Actor
    from bot.services.errors import NotFound

    form = format_of(as_json, as_csv)
    config = settings()
    zone = config.zone
    since = (
        _day(from_day, zone)
        if from_day is not None
        else _day(datetime.now(UTC).astimezone(zone).date().isoformat(), zone)
    )

    def shape(row: events.EventRow) -> dict[str, Any]:
        shaped = {name: getattr(row, name) for name in LIST_FIELDS}
        if form == "table":  # JSON and CSV keep UTC, as docs/cli.md promises scripts
            shaped["starts_at"] = _local_text(row.starts_at, zone, row.all_day)
            shaped["ends_at"] = _local_text(row.ends_at, zone, row.all_day, end=True)
        return shaped

    async def work(session: AsyncSession) -> int:
        actor = Actor.operator()
        network_id = None
        if slug is not None:
            try:
                network_id = (await networks.find_by_slug(session, actor, slug)).id
            except NotFound:
                raise Failure(f"there is no network {slug!r}") from None

        async def batches() -> AsyncIterator[list[dict[str, Any]]]:
            last = None
            while found := await events.page(
                session, actor, not_over_at=since, network_id=network_id, after=last, limit=BATCH
            ):
                yield [shape(row) for row in found]
                last = found[-1]

        empty = "no events" + (f" in {slug}" if slug else "") + f" from {since.date()} on"
        fields = TABLE_FIELDS if form == "table" else LIST_FIELDS
        return await emit_batches(batches(), fields, form, empty=empty)

    run(with_session(config, work))


async def _details(session: AsyncSession, event_id: int) -> events.EventDetails:
    from bot.services import events
    from bot.services.actors import Actor
    from bot.services.errors import NotFound

    try:
        return await events.details(session, Actor.operator(), event_id)
    except NotFound:
        raise Failure(f"there is no event {event_id}") from None


@event.command("show")
@click.argument("event_id", metavar="ID", type=EVENT_ID)
@click.option("--json", "as_json", is_flag=True, help="JSON, for scripts.")
def event_show(event_id: int, as_json: bool) -> None:
    """Show one event in full: its times, place, answers, languages and where it came from."""
    import json

    from bot.cli.listing import plain

    config = settings()
    found = run(with_session(config, lambda session: _details(session, event_id)))
    if as_json:
        shown = {name: plain(getattr(found, name)) for name in SHOW_FIELDS}
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    zone = config.zone
    series = f"a date of series {found.series_id}" if found.series_id is not None else "–"
    feed = f"{found.feed_id} ({found.feed_url})" if found.feed_id is not None else "–"
    also = ", ".join(found.languages) or "–"
    lines = [
        f"event {found.id}: {found.title}",
        f"  network:      {found.network}",
        f"  status:       {found.status.value}",
        f"  starts:       {_local_text(found.starts_at, zone, found.all_day)} ({zone.key})",
        f"  ends:         {_local_text(found.ends_at, zone, found.all_day, end=True) or '–'}",
        f"  all day:      {'yes' if found.all_day else 'no'}",
        f"  place:        {found.place or '–'}",
        f"  series:       {series}",
        f"  answers:      {found.coming} coming, {found.maybe} maybe, {found.cant_come} can't come",
        f"  written in:   {found.locale}; also in: {also}",
        f"  no Norwegian needed: {'yes' if found.no_norwegian_needed else 'no'}",
        f"  uid:          {found.uid}",
        f"  feed:         {feed}",
        f"  created:      {_local_text(found.created_at, zone, False)}",
        f"  updated:      {_local_text(found.updated_at, zone, False)}",
    ]
    if found.description:
        lines += ["  description:", *(f"    {line}" for line in found.description.splitlines())]
    for line in lines:
        click.echo(line)


def _told(count: int) -> str:
    if count == 0:
        return "nobody had said coming or maybe, so nobody was told"
    return f"{count} told (those who said coming or maybe)"


async def _open_event(session: AsyncSession, event_id: int, doing: str) -> events.EventView:
    """The event, if it can still be changed or cancelled (`doing` names which, for the
    refusal); the services would refuse a cancelled or past one in fewer words."""
    from bot.services import events
    from bot.services.actors import Actor
    from bot.services.errors import NotFound
    from db.models import EventStatus
    from db.session import session_now

    try:
        view = await events.get(session, Actor.operator(), event_id)
    except NotFound:
        raise Failure(f"there is no event {event_id}") from None
    if view.status is EventStatus.CANCELLED:
        if doing == "cancelled":
            raise Failure(f"event {event_id} is already cancelled; nobody was told again")
        raise Failure(f"event {event_id} is cancelled; it can no longer be {doing}")
    if not view.open_to_answers(session_now(session)):
        raise Failure(f"event {event_id} is over; it can no longer be {doing}")
    return view


@event.command("edit")
@click.argument("event_id", metavar="ID", type=EVENT_ID)
@click.option("--title", type=TEXT, default=None)
@click.option(
    "--starts",
    default=None,
    help='Local time: "YYYY-MM-DD HH:MM"; without --ends the event keeps its length.',
)
@click.option("--ends", default=None, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option("--place", type=TEXT, default=None)
@click.option("--description", type=TEXT, default=None)
def event_edit(
    event_id: int,
    title: str | None,
    starts: str | None,
    ends: str | None,
    place: str | None,
    description: str | None,
) -> None:
    """Change an event: only the fields given change. Those who said coming or maybe are told
    what it looks like now, as when a host changes it in the bot."""
    from dataclasses import replace

    from bot.services import events
    from bot.services.actors import Actor
    from bot.services.errors import InvalidInput

    if all(value is None for value in (title, starts, ends, place, description)):
        raise Failure("nothing to change: give --title, --starts, --ends, --place or --description")
    config = settings()
    starts_at = _local_time(starts, config.timezone, "--starts") if starts else None
    ends_at = _local_time(ends, config.timezone, "--ends") if ends else None

    async def work(core: Core) -> int:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            view = await _open_event(session, event_id, "changed")
            draft = view.draft()
            changed = replace(
                draft,
                title=draft.title if title is None else title,
                place=draft.place if place is None else place,
                description=draft.description if description is None else description,
            )
            if starts_at is not None or ends_at is not None:
                # Moved like a host moves it in the bot: the same length from the new start.
                length = view.ends_at - view.starts_at if view.ends_at is not None else None
                new_start = starts_at or view.starts_at
                new_end = ends_at or (
                    new_start + length if starts_at is not None and length else view.ends_at
                )
                # A clock time was given: the event is no longer shown as whole days.
                changed = replace(changed, starts_at=new_start, ends_at=new_end, all_day=False)
            if changed == draft:
                raise Failure(f"nothing to change: event {event_id} already reads so")
            told = await events.told_of_changes(session, actor, event_id)
            try:
                await events.update(session, actor, core.catalogs, event_id, changed)
            except InvalidInput as error:
                raise Failure(_time_refusal(error, event_id, moved=starts_at is not None)) from None
            return told

    told = run(with_core(config, work))
    click.echo(f"event {event_id} changed; {_told(told)}")


def _time_refusal(error: InvalidInput, event_id: int, *, moved: bool) -> str:
    """A draft refused for its times, in the options' words; another refusal as `run` would
    word it."""
    from bot.cli.command import explain

    if (error.field, error.reason) == ("starts_at", "past"):
        if moved:
            return "--starts is in the past"
        return f"event {event_id} has already started; only --starts can still change it"
    if (error.field, error.reason) == ("ends_at", "before_start"):
        return "--ends must be after the start"
    return explain(error)


@event.command("cancel")
@click.argument("event_id", metavar="ID", type=EVENT_ID)
@click.option(
    "--reason",
    type=TEXT,
    default=None,
    help="Shown to those told, as written (it is not translated).",
)
def event_cancel(event_id: int, reason: str | None) -> None:
    """Cancel an event that is not over; those who said coming or maybe are told, as when a
    host cancels it in the bot."""
    from bot.services import events
    from bot.services.actors import Actor

    config = settings()

    async def work(core: Core) -> int:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            await _open_event(session, event_id, "cancelled")
            told = await events.told_of_changes(session, actor, event_id)
            await events.cancel(session, actor, core.catalogs, event_id, reason=reason or "")
            return told

    told = run(with_core(config, work))
    click.echo(f"event {event_id} cancelled; {_told(told)}")
