"""`naboskap event`: publish one event, or a network's events from an iCalendar file, exactly as
a host does in the bot (the members get the notice through the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.command import TEXT, Failure, run, settings, with_core

if TYPE_CHECKING:
    from bot.core import Core
    from bot.delivery.outbox import Enqueued
    from bot.services import events


@click.group()
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
def event_import(file: Path, slug: str) -> None:
    """Create or update a network's events from an iCalendar FILE, keyed by UID."""
    from bot.services import events, networks
    from bot.services.actors import Actor
    from bot.services.calendar_files import CalendarError, read_events

    config = settings()
    try:
        # The command's own moment: a past event in the file is not imported.
        entries = read_events(file.read_bytes(), config.zone, now=datetime.now(UTC))
    except CalendarError as error:
        raise Failure(f"{file}: {error}") from None

    async def work(core: Core) -> events.CalendarImport:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            view = await networks.find_by_slug(session, actor, slug)
            return await events.import_calendar(
                session, actor, core.catalogs, view.id, entries, locale=config.default_locale
            )

    report = run(with_core(config, work))
    click.echo(
        f"created {len(report.created)}, updated {len(report.updated)}, "
        f"cancelled {len(report.cancelled)}, unchanged {report.unchanged}"
    )
