"""`naboskap digest`: preview this week's digest as one resident would get it, or make and
queue this week's digest for everyone now (the scheduler does the same every week)."""

from __future__ import annotations

import html
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import TELEGRAM_ID, Failure, run, settings, with_core

if TYPE_CHECKING:
    from bot.core import Core
    from bot.services.digest import Summary


def _plain(text: str) -> str:
    """Telegram HTML as a terminal shows it."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@click.group()
def digest() -> None:
    """The weekly digest: preview one resident's, or send this week's now."""


@digest.command("preview")
@click.option("--telegram-id", type=TELEGRAM_ID, help="The resident's Telegram user id.")
@click.option("--phone", help="The resident's phone number (SMS residents).")
def digest_preview(telegram_id: int | None, phone: str | None) -> None:
    """Print this week's digest as one resident would get it."""
    from bot.phone_numbers import normalise
    from bot.services.digest import Round, week_of
    from bot.sms_segments import count
    from db.queries import digests as dq

    if (telegram_id is None) == (phone is None):
        raise Failure("give either --telegram-id ID or --phone NUMBER")
    config = settings()
    number = None
    if phone is not None:
        number = normalise(phone, config.sms_default_region)
        if number is None:
            raise Failure("that is not a phone number")

    async def work(core: Core) -> Any:
        async with core.sessionmaker() as session:
            resident = await dq.resident_for_preview(session, telegram_id=telegram_id, phone=number)
        if resident is None:
            raise Failure("no resident with that Telegram id or phone number")
        return await Round(
            core.sessionmaker,
            core.catalogs,
            municipality=config.municipality,
            machine=core.machine_translation,
        ).preview(resident)

    preview = run(with_core(config, work))
    week = week_of(datetime.now(config.zone), config.zone)
    locale = preview.resident.locale or config.default_locale
    click.echo(f"Digest {week} · {locale} · {preview.channel.value}")
    click.echo("")
    if preview.rendered is None:
        click.echo("Nothing to tell this week: no digest would be sent.")
        return
    if preview.channel.value == "sms":
        click.echo(preview.rendered.text)
        size = count(preview.rendered.text)
        click.echo("")
        click.echo(
            f"({len(preview.rendered.text)} characters, {size.segments} SMS, {size.encoding})"
        )
        return
    click.echo(_plain(preview.rendered.text))
    for row in preview.rendered.buttons:
        click.echo("")
        click.echo("  ".join(f"[ {b.text} ]" for b in row))


@digest.command("send")
@click.option("--dry-run", is_flag=True, help="Make the digests and count them; send nothing.")
def digest_send(dry_run: bool) -> None:
    """Make and queue this week's digest for everyone who has not had it yet."""
    from bot.services.digest import Round, week_of
    from db.queries import digests as dq

    config = settings()
    week = week_of(datetime.now(config.zone), config.zone)

    async def work(core: Core) -> Summary:
        async with core.sessionmaker() as session:
            due = await dq.count_due(session, week)
        with click.progressbar(length=due, label=f"Digest {week}", file=sys.stderr) as bar:
            return await Round(
                core.sessionmaker,
                core.catalogs,
                municipality=config.municipality,
                machine=core.machine_translation,
            ).run(week, dry_run=dry_run, progress=bar.update)

    summary = run(with_core(config, work))
    verb = "would be sent" if dry_run else "sent"
    click.echo(
        f"Digest {week}: {summary.sent} {verb}, {summary.empty} skipped (nothing to tell), "
        f"{summary.already} sent before"
    )
    languages = ", ".join(f"{loc} {n}" for loc, n in sorted(summary.by_locale.items()))
    click.echo(f"By language: {languages or 'none'}")
    if not dry_run and summary.sent:
        click.echo("`naboskap run` or `naboskap worker` delivers them.")
