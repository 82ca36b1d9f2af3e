"""`naboskap feed`: the calendar feeds (iCalendar URLs) a network follows — add, list, remove,
and sync one now. The scheduler syncs them by itself when due (`bot.services.feeds`)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click

from bot.cli.command import TEXT, Failure, run, settings, with_core, with_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core import Core
    from bot.services import feeds

_EVERY = re.compile(r"^(\d{1,4})\s*(m|min|h|d)$")
_UNITS = {"m": timedelta(minutes=1), "min": timedelta(minutes=1), "h": timedelta(hours=1)}
_UNITS["d"] = timedelta(days=1)


def parse_every(value: str) -> timedelta:
    match = _EVERY.match(value.strip().lower())
    if match is None:
        raise click.BadParameter("a number with m, h or d, such as 30m, 1h or 1d")
    return int(match[1]) * _UNITS[match[2]]


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def _line(view: feeds.FeedView, slug: str, now: datetime) -> str:
    every = int(view.every.total_seconds() // 60)
    state = view.status or "not yet synced"
    if view.status == "error":
        state = f"error: {view.error}"
    elif view.report:
        state += " (" + ", ".join(f"{k} {v}" for k, v in view.report.items()) + ")"
    return (
        f"{view.id:>4}  {slug:<20} every {every} min  checked {_ago(view.last_checked_at, now)}"
        f"  {state}\n      {view.url}"
    )


@click.group()
def feed() -> None:
    """Follow calendar feeds (iCalendar URLs) in a network."""


@feed.command("add")
@click.option("--network", "slug", required=True, type=TEXT, help="The network's slug.")
@click.option("--every", default="1h", show_default=True, help="How often: 30m, 1h, 1d.")
@click.argument("url", type=TEXT)
def feed_add(slug: str, every: str, url: str) -> None:
    """Follow URL in the network: its events are imported now and whenever it changes."""
    from bot.services import feeds, networks
    from bot.services.actors import Actor

    interval = parse_every(every)

    async def work(session: AsyncSession) -> feeds.FeedView:
        network = await networks.find_by_slug(session, Actor.operator(), slug)
        return await feeds.add_feed(session, Actor.operator(), network.id, url, interval)

    view = run(with_session(settings(), work))
    click.echo(f"following feed {view.id} in {slug}; the first sync is due now")


@feed.command("list")
@click.option("--network", "slug", default=None, type=TEXT, help="Only this network's feeds.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
def feed_list(slug: str | None, as_json: bool) -> None:
    """The feeds, with when each was last checked and what its last sync did."""
    from bot.services import feeds, networks
    from bot.services.actors import Actor

    async def work(session: AsyncSession) -> tuple[list[feeds.FeedView], dict[int, str], datetime]:
        actor = Actor.operator()
        network_id = None
        if slug is not None:
            network_id = (await networks.find_by_slug(session, actor, slug)).id
        slugs = {
            v.id: v.slug
            for v in await networks.list_networks(session, actor, include_archived=True)
        }
        from db.session import session_now

        return await feeds.list_feeds(session, actor, network_id), slugs, session_now(session)

    views, slugs, now = run(with_session(settings(), work))
    for view in views:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": view.id,
                        "network": slugs.get(view.network_id, ""),
                        "url": view.url,
                        "every_minutes": int(view.every.total_seconds() // 60),
                        "last_checked_at": _iso(view.last_checked_at),
                        "last_synced_at": _iso(view.last_synced_at),
                        "status": view.status,
                        "error": view.error,
                        "report": view.report,
                        "next_check_at": _iso(view.next_check_at),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(_line(view, slugs.get(view.network_id, "?"), now))
    if not views and not as_json:
        click.echo("no feeds yet: `naboskap feed add --network SLUG URL`")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@feed.command("remove")
@click.argument("feed_id", type=int)
def feed_remove(feed_id: int) -> None:
    """Stop following a feed (its events stay as they are)."""
    from bot.services import feeds
    from bot.services.actors import Actor

    async def work(session: AsyncSession) -> feeds.FeedView:
        return await feeds.remove_feed(session, Actor.operator(), feed_id)

    view = run(with_session(settings(), work))
    click.echo(f"no longer following feed {view.id} ({view.url})")


@feed.command("sync")
@click.argument("feed_id", type=int)
def feed_sync(feed_id: int) -> None:
    """Sync a feed now, whether or not it is due, and print what it did."""
    from bot.services import feeds

    async def work(core: Core) -> feeds.Synced | None:
        return await feeds.sync_one(
            core.sessionmaker,
            core.catalogs,
            feed_id,
            machine=core.machine_translation,
            force=True,
        )

    result = run(with_core(settings(), work))
    if result is None:
        raise Failure(f"no feed {feed_id} (see `naboskap feed list`)")
    if result.status == "error":
        raise Failure(f"feed {feed_id}: {result.error}")
    if result.status == "unchanged":
        click.echo(f"feed {feed_id}: unchanged since the last sync")
        return
    click.echo(f"feed {feed_id}: " + ", ".join(f"{k} {v}" for k, v in result.report.items()))
