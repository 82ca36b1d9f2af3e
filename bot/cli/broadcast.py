"""`naboskap broadcast`: a notice from the operator to one network's members or to everyone,
written to the outbox (a running bot or worker delivers it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from bot.cli.command import TEXT, Failure, run, settings, with_core

if TYPE_CHECKING:
    from bot.core import Core
    from bot.delivery.outbox import Enqueued


@click.command("broadcast")
@click.option("--network", "slug", type=TEXT, help="The network's slug.")
@click.option("--all", "to_all", is_flag=True, help="Everyone in any network.")
@click.argument("text", type=TEXT)
def broadcast_command(slug: str | None, to_all: bool, text: str) -> None:
    """Send TEXT to a network's members (or --all), through the outbox."""
    from bot.services import broadcasts, networks
    from bot.services.actors import Actor

    if bool(slug) == to_all:
        raise Failure("give either --network SLUG or --all")

    async def work(core: Core) -> Enqueued:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            network_id = (
                None if to_all else (await networks.find_by_slug(session, actor, slug or "")).id
            )
            return await broadcasts.broadcast(
                session, actor, core.catalogs, text=text, network_id=network_id
            )

    result = run(with_core(settings(), work))
    languages = ", ".join(f"{loc} {n}" for loc, n in sorted(result.by_locale.items()))
    total = sum(result.by_locale.values())
    click.echo(
        f"notice {result.notice_id} queued for {total} residents ({languages or 'nobody'}); "
        f"{result.held} held for the digest. `naboskap run` or `naboskap worker` delivers it."
    )
