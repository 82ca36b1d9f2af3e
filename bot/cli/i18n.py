"""`naboskap i18n`: keep the translation catalogs in step with the code."""

from __future__ import annotations

import sys
from pathlib import Path

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


@i18n.command("review")
@click.argument("language")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="the sheet to write (CSV, opens in any spreadsheet)",
)
def i18n_review(language: str, out: Path) -> None:
    """Write LANGUAGE's catalog as a sheet for a native reviewer: the English, the current
    translation, where it is used and, for SMS, how long it may be."""
    from bot.catalog_review import ReviewError, write_sheet

    try:
        rows = write_sheet(settings().locales_dir, language, out)
    except (ReviewError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{rows} rows for {language} written to {out}")


@i18n.command("apply")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--reviewer",
    help="the native speaker who reviewed it: a sheet applied without a fault then marks the "
    "catalog as reviewed",
)
def i18n_apply(sheet: Path, reviewer: str | None) -> None:
    """Read a review sheet back into its catalog. A changed translation is checked (the
    English placeholders and HTML tags, the SMS length) before it is written; a row that
    fails is listed and left as it was."""
    from bot.catalog_maintenance import update_catalogs
    from bot.catalog_review import ReviewError, apply_sheet

    try:
        language, applied = apply_sheet(settings().locales_dir, sheet, reviewer)
    except ReviewError as error:
        raise click.ClickException(str(error)) from None
    for fault in applied.faults:
        click.echo(fault, err=True)
    if applied.changed:
        update_catalogs(settings().locales_dir)  # compiles, so the bot speaks the new words
    click.echo(
        f"{language}: {applied.changed} translations changed, {applied.unchanged} unchanged, "
        f"{len(applied.faults)} rows not applied"
        + ("; marked as reviewed" if applied.reviewed else "")
    )
    if applied.faults:
        sys.exit(1)


@i18n.command("status")
def i18n_status() -> None:
    """Which catalogs a native speaker has reviewed, as the README's table."""
    from bot.catalog_review import status_table

    click.echo(status_table(settings().locales_dir))
