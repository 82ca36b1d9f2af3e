"""`naboskap i18n`: keep the translation catalogs in step with the code."""

from __future__ import annotations

import sys

import click

from bot.cli.command import settings


@click.group()
def i18n() -> None:
    """Maintain the translation catalogs."""


@i18n.command("update")
def i18n_update() -> None:
    """Extract messages from the code, update every catalog, and compile them as a check."""
    from bot.catalog_maintenance import update_catalogs

    problems = update_catalogs(settings().locales_dir)
    for line in problems[:40]:
        click.echo(line)
    if len(problems) > 40:
        click.echo(f"... and {len(problems) - 40} more")
    if problems:
        click.echo(f"{len(problems)} entries need a translator's attention", err=True)
        sys.exit(1)
    click.echo("all catalogs complete")
