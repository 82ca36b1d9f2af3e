"""`naboskap host` and `naboskap coordinator`: appoint and remove a network's hosts, and grant
and withdraw the coordinator role, by Telegram id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from bot.cli.command import TELEGRAM_ID, run, settings, with_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@click.group()
def host() -> None:
    """Appoint and remove network hosts."""


def _host_command(make_host: bool) -> Callable[[str, int], None]:
    def command(slug: str, telegram_id: int) -> None:
        from bot.services import networks
        from bot.services.actors import Actor

        async def work(session: AsyncSession) -> bool:
            return await networks.set_host_by_telegram_id(
                session, Actor.operator(), slug, telegram_id, host=make_host
            )

        changed = run(with_session(settings(), work))
        verb = "is now a host of" if make_host else "is no longer a host of"
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
    """Grant and withdraw the coordinator role (COORDINATOR_IDS also grants it)."""


def _coordinator_command(value: bool) -> Callable[[int], None]:
    def command(telegram_id: int) -> None:
        from bot.services import residents

        async def work(session: AsyncSession) -> None:
            await residents.make_coordinator(session, telegram_id, value)

        run(with_session(settings(), work))
        click.echo(f"{telegram_id} {'is now' if value else 'is no longer'} a coordinator")

    return command


coordinator.command("add", help="Make TELEGRAM_ID a coordinator.")(
    click.argument("telegram_id", type=TELEGRAM_ID)(_coordinator_command(True))
)
coordinator.command("remove", help="Withdraw the coordinator role from TELEGRAM_ID.")(
    click.argument("telegram_id", type=TELEGRAM_ID)(_coordinator_command(False))
)
