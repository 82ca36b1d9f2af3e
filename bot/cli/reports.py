"""`naboskap reach` and `naboskap stats`: what the operator reads about the networks — who can be
reached in which language, the month's SMS use and machine translation, and neighbour help by
category."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from bot.cli.command import run, settings, with_session
from bot.cli.listing import emit, format_of, output_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.machine_translation.service import UsageRow
    from bot.services import help as helping
    from bot.services import networks, sms_cost
    from db.models import RequestStatus


@click.command()
@click.option("--csv", "as_csv", is_flag=True, help="One row per network and language, as CSV.")
def reach(as_csv: bool) -> None:
    """Members per network by language, and how many have blocked the bot; this month's SMS
    and machine translation (not in the CSV, whose columns stay as they are)."""
    import csv

    from bot.machine_translation import service as machine_translation
    from bot.services import networks, sms_cost
    from bot.services.actors import Actor
    from bot.services.networks.reach import UNCHOSEN
    from db.session import session_now

    config = settings()
    costs = sms_cost.SmsCosts.from_settings(config)

    async def work(
        session: AsyncSession,
    ) -> tuple[list[networks.ReachRow], sms_cost.Usage | None, list[UsageRow]]:
        usage = await sms_cost.month_usage(session, costs) if costs.enabled else None
        month = session_now(session).astimezone(config.zone).date().replace(day=1)
        translated = await machine_translation.usage(session, month)
        return await networks.reach(session, Actor.operator()), usage, translated

    rows, usage, translated = run(with_session(config, work))
    if as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(["network", "name", "language", "members", "unreachable_in_network"])
        for row in rows:
            for locale, count in row.by_locale.items() or {"": 0}.items():
                # Members who have not chosen a language (a host appointed before they started
                # the bot) have none: an empty cell, as the column would hold for no language.
                language = "" if locale == UNCHOSEN else locale
                out.writerow([row.network.slug, row.network.name, language, count, row.unreachable])
        return
    for row in rows:
        languages = (
            ", ".join(
                f"{'(not chosen)' if loc == UNCHOSEN else loc} {n}"
                for loc, n in row.by_locale.items()
            )
            or "-"
        )
        blocked = f"  ({row.unreachable} blocked the bot)" if row.unreachable else ""
        click.echo(f"{row.network.slug:<22} {row.total:>6} members  {languages}{blocked}")
    if usage is not None:
        if usage.budget is None:
            click.echo(f"SMS this month: {usage.used} segments (no monthly budget)")
        else:
            reached = "  - budget reached, non-essential SMS wait" if usage.reached else ""
            click.echo(f"SMS this month: {usage.used} of {usage.budget} segments{reached}")
    for line in translation_lines(config.machine_translation, translated):
        click.echo(line)


def translation_lines(configured: str, rows: list[UsageRow]) -> list[str]:
    """What each translator translated this month, in all and by language: the configured
    one even when it had nothing to do, another (one used earlier in the month) when it did.
    Nothing when machine translation is off and was not used."""
    from bot.machine_translation.registry import OFF

    names = [] if configured == OFF else [configured]
    for row in rows:
        if row.translator not in names:
            names.append(row.translator)
    lines = []
    for name in names:
        mine = [row for row in rows if row.translator == name]
        texts, characters = sum(r.texts for r in mine), sum(r.characters for r in mine)
        lines.append(
            f"Machine translation this month ({name}): {texts} {_texts(texts)}, "
            f"{characters} characters"
        )
        for row in mine:
            texts_word = _texts(row.texts)
            lines.append(
                f"  {row.target:<6} {row.texts:>6} {texts_word:<5} {row.characters:>9} characters"
            )
    return lines


def _texts(count: int) -> str:
    return "text" if count == 1 else "texts"


# The fields of `stats --csv`/`--json`, one row per network and category (docs/cli.md): the
# requests in each status, then the network's active helpers (the same on each of its rows).
STATS_FIELDS = (
    "network",
    "category",
    "requests",
    "open",
    "matched",
    "done",
    "withdrawn",
    "expired",
    "hidden",
    "helpers_active",
)


@click.command()
@output_options
def stats(as_json: bool, as_csv: bool) -> None:
    """Neighbour help per network: requests by category and status, and active helpers."""
    from bot.services import help as helping
    from bot.services import networks
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)

    async def work(session: AsyncSession) -> tuple[list[helping.HelpStats], dict[int, str]]:
        actor = Actor.operator()
        names = {v.id: v.slug for v in await networks.list_networks(session, actor, True)}
        return await helping.stats(session, actor), names

    rows, names = run(with_session(settings(), work))
    if form != "table":
        emit(stats_rows(rows, names), STATS_FIELDS, form)
        return
    if not rows:
        click.echo("no help requests yet")
    for row in rows:
        click.echo(f"{names.get(row.network_id, '?')}: {row.helpers_active} active helpers")
        for category, counts in row.by_category.items():
            parts = ", ".join(f"{status.value} {n}" for status, n in sorted(counts.items()))
            click.echo(f"  {category.value:<10} {sum(counts.values()):>5} ({parts})")


def stats_rows(rows: list[helping.HelpStats], names: dict[int, str]) -> list[dict[str, object]]:
    """One row per network and category, by network slug and category; a network with
    active helpers and no request yet has one row without a category, so that its helpers are
    counted too."""
    found: list[dict[str, object]] = []
    statuses = STATS_FIELDS[3:-1]
    for row in sorted(rows, key=lambda row: names.get(row.network_id, "")):
        network = names.get(row.network_id)
        by_category: list[tuple[str | None, Mapping[RequestStatus, int]]] = [
            (category.value, counts) for category, counts in row.by_category.items()
        ]
        for category, counts in sorted(by_category, key=lambda item: item[0] or "") or [(None, {})]:
            line: dict[str, object] = {
                "network": network,
                "category": category,
                "requests": sum(counts.values()),
                "helpers_active": row.helpers_active,
            }
            by_status = {status.value: n for status, n in counts.items()}
            line.update({status: by_status.get(status, 0) for status in statuses})
            found.append(line)
    return found
