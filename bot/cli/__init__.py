"""`naboskap`: run the bot, manage the database, networks, hosts and coordinators.

The root group lives here; each group or concern has a module of its own (`serve` for the
commands that talk to Telegram, `db`, `network`, `event`, `feed`, `broadcast`, `reports`,
`roles`, `resident`, `digest`, `i18n`), and `command` holds what they share. Every command builds
what it needs through `bot.core.build_core` (`run`, `worker` and `playground` through
`bot.app.build_app`), and only those three import aiogram.
"""

from __future__ import annotations

import click

from bot.cli import (
    broadcast,
    db,
    digest,
    event,
    feed,
    i18n,
    network,
    reports,
    resident,
    roles,
    serve,
)

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="naboskap")
def main() -> None:
    """Naboskap: neighbourhood networks in residents' pockets.

    Settings come from the environment and an optional .env file (see the README).
    """


main.add_command(serve.run_command)
main.add_command(serve.playground)
main.add_command(serve.worker)
main.add_command(db.db)
main.add_command(network.network)
main.add_command(reports.reach)
main.add_command(reports.stats)
main.add_command(event.event)
main.add_command(feed.feed)
main.add_command(broadcast.broadcast_command)
main.add_command(roles.host)
main.add_command(roles.coordinator)
main.add_command(resident.resident)
main.add_command(digest.digest)
main.add_command(i18n.i18n)
