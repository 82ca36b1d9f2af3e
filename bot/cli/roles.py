"""`naboskap host` and `naboskap coordinator`: list, appoint and remove a network's hosts, and
list, grant and withdraw the coordinator role, by Telegram id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from bot.cli.command import TELEGRAM_ID, run, settings, with_session
from bot.cli.listing import emit, format_of, output_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@click.group()
def host() -> None:
    """List, appoint and remove network hosts."""


@host.command("list")
@click.option("--network", "slug", default=None, help="Only this network's hosts.")
@output_options
def host_list(slug: str | None, as_json: bool, as_csv: bool) -> None:
    """The hosts of every live network (or of one), by network and name."""
    from bot.services import networks, residents
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    config = settings()

    async def work(session: AsyncSession) -> list[dict[str, object]]:
        actor = Actor.operator()
        network_id = (
            None if slug is None else (await networks.find_by_slug(session, actor, slug)).id
        )
        return [
            {
                "network": row.network_slug,
                "resident_id": row.resident_id,
                "telegram_id": row.telegram_id,
                "first_name": row.first_name,
                "language": row.locale,
                # A terminal's column needs only the local day; a file keeps the time, in UTC.
                "since": row.joined_at.astimezone(config.zone).date()
                if form == "table"
                else row.joined_at,
            }
            for row in await residents.hosts(session, actor, network_id)
        ]

    rows = run(with_session(config, work))
    fields = ("network", "resident_id", "telegram_id", "first_name", "language", "since")
    emit(rows, fields, form, empty="no hosts: `naboskap host add SLUG TELEGRAM_ID`")


def _host_command(make_host: bool) -> Callable[[str, int], None]:
    def command(slug: str, telegram_id: int) -> None:
        from bot.services import networks
        from bot.services.actors import Actor

        async def work(session: AsyncSession) -> bool:
            return await networks.set_host_by_telegram_id(
                session, Actor.operator(), slug, telegram_id, host=make_host
            )

        changed = run(with_session(settings(), work))
        if changed:
            verb = "is now a host of" if make_host else "is no longer a host of"
        else:
            # Said plainly: a removal that found no host (an unknown id, a plain member) is
            # not mistaken for one that worked.
            verb = "is already a host of" if make_host else "is not a host of"
        click.echo(f"{telegram_id} {verb} {slug}" + ("" if changed else " (no change)"))

    return command


host.command("add", help="Make TELEGRAM_ID a host of network SLUG (and a member).")(
    click.argument("slug")(click.argument("telegram_id", type=TELEGRAM_ID)(_host_command(True)))
)
host.command("remove", help="Make TELEGRAM_ID a plain member of SLUG again.")(
    click.argument("slug")(click.argument("telegram_id", type=TELEGRAM_ID)(_host_command(False)))
)


@click.group()
def coordinator() -> None:
    """List, grant and withdraw the coordinator role (COORDINATOR_IDS also grants it)."""


@coordinator.command("list")
@output_options
def coordinator_list(as_json: bool, as_csv: bool) -> None:
    """Everyone with the coordinator role: stored in the database (`coordinator add`), given
    by the COORDINATOR_IDS setting, or both; either is enough."""
    from bot.services import residents
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    config = settings()

    async def work(session: AsyncSession) -> list[dict[str, object]]:
        found = await residents.coordinators(session, Actor.operator(), config.coordinator_ids)
        rows: list[dict[str, object]] = [
            {
                "telegram_id": row.telegram_id,
                "resident_id": row.resident_id,
                "first_name": row.first_name,
                "language": row.locale,
                "in_database": row.is_coordinator,
                "in_setting": row.telegram_id in config.coordinator_ids,
            }
            for row in found
        ]
        # Someone named in COORDINATOR_IDS who never started the bot has no row, and still
        # holds the role from their first message on.
        known = {row.telegram_id for row in found}
        rows += [
            {"telegram_id": telegram_id, "in_database": False, "in_setting": True}
            for telegram_id in sorted(config.coordinator_ids - known)
        ]
        return sorted(rows, key=lambda row: (row["telegram_id"] is None, row["telegram_id"] or 0))

    rows = run(with_session(config, work))
    fields = ("telegram_id", "resident_id", "first_name", "language", "in_database", "in_setting")
    emit(rows, fields, form, empty="no coordinators: `naboskap coordinator add TELEGRAM_ID`")


def _coordinator_command(value: bool) -> Callable[[int], None]:
    def command(telegram_id: int) -> None:
        from bot.services import residents

        async def work(session: AsyncSession) -> bool:
            return await residents.make_coordinator(session, telegram_id, value)

        config = settings()
        if run(with_session(config, work)):
            click.echo(f"{telegram_id} {'is now' if value else 'is no longer'} a coordinator")
        else:
            state = "is already" if value else "is not"
            click.echo(f"{telegram_id} {state} a coordinator in the database (no change)")
        if not value and telegram_id in config.coordinator_ids:
            # The setting grants the role whatever the database says: say so, or the operator
            # believes the role gone.
            click.echo(f"{telegram_id} is still a coordinator through COORDINATOR_IDS")

    return command


coordinator.command("add", help="Make TELEGRAM_ID a coordinator.")(
    click.argument("telegram_id", type=TELEGRAM_ID)(_coordinator_command(True))
)
coordinator.command("remove", help="Withdraw the coordinator role from TELEGRAM_ID.")(
    click.argument("telegram_id", type=TELEGRAM_ID)(_coordinator_command(False))
)
