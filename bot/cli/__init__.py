"""`naboskap`: run the bot, manage the database, networks, hosts and coordinators.

The root group lives here; each group or concern has a module of its own (`serve` for the
commands that talk to Telegram, `db`, `network`, `event`, `feed`, `broadcast`, `reports`,
`insight` (the monthly report), `roles`, `resident`, `digest`, `i18n`, `idea`, `poll`,
`volunteer`), and `command` holds what they share.
Every command builds what it needs through `bot.core.build_core` (`run`, `worker` and
`playground` through `bot.app.build_app`), and only those three import aiogram.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from bot.cli import (
    broadcast,
    db,
    digest,
    event,
    feed,
    i18n,
    idea,
    insight,
    network,
    poll,
    reports,
    resident,
    roles,
    serve,
    volunteer,
)

__all__ = ["main"]


class OperatorGroup(click.Group):
    """The root group: every error, a mistyped command or option included, is one line on
    stderr (`naboskap: …`) with a non-zero exit code; click's own usage errors are three
    lines (usage, a hint, the error), which a script's log or an operator skims past."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "naboskap"
            message = error.format_message().rstrip(".")
            click.echo(f"naboskap: {message} (see `{where} --help`)", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:  # `Failure`, and click's own (a file not found)
            click.echo(f"naboskap: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("naboskap: stopped; nothing more was done", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(
    name="naboskap",
    cls=OperatorGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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
main.add_command(insight.report)
main.add_command(event.event)
main.add_command(feed.feed)
main.add_command(idea.idea)
main.add_command(poll.poll)
main.add_command(volunteer.volunteer)
main.add_command(broadcast.broadcast_command)
main.add_command(roles.host)
main.add_command(roles.coordinator)
main.add_command(resident.resident)
main.add_command(digest.digest)
main.add_command(i18n.i18n)
