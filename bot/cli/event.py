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
