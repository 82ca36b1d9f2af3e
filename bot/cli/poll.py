"""`naboskap poll`: ask a network (or everyone) a question exactly as a coordinator does in the
bot (the residents get it through the outbox), list every poll, and show one poll's results
with the split by language and channel (groups under MIN_GROUP_SIZE shown as "<5").

Translations are given on the command line, one language at a time:
`--question-in uk "Чи ставити лавки?" --option-in uk "Так" --option-in uk "Ні"` (the options
of a language in the order of `--option`; one left out keeps its original words). Languages
not given get a machine translation where MACHINE_TRANSLATION is set up, else the original."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import TEXT, Failure, run, settings, with_core, with_session
from bot.cli.listing import format_of, output_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core import Core
    from bot.delivery.outbox import Enqueued
    from bot.services.polls import PollResults, PollView

POLL_ID = click.IntRange(1, 2**31 - 1)
# `poll list --json/--csv` and `poll results --json/--csv`: stable, documented in docs/cli.md.
LIST_FIELDS = (
    "id",
    "network",
    "status",
    "answers",
    "multiple",
    "other",
    "anonymous",
    "closes_at",
    "closed_at",
    "question",
)
TABLE_FIELDS = ("id", "network", "status", "answers", "closes_at", "question")
TABLE_TEXT = 60
RESULT_FIELDS = ("group", "key", "option", "answers", "share")


@click.group()
def poll() -> None:
    """Ask residents a question, list polls and see their results."""


def _closing(value: str, zone_name: str) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise Failure("--closes must look like 2026-12-03 18:00 (local time)") from None
    return naive.replace(tzinfo=ZoneInfo(zone_name))


def _translations(
    questions: tuple[tuple[str, str], ...], options: tuple[tuple[str, str], ...]
) -> dict[str, tuple[str, tuple[str, ...]]]:
    from bot.edge_input import clean_text
    from bot.i18n import SHIPPED_LOCALES

    found: dict[str, tuple[str, list[str]]] = {}
    for locale, text in questions:
        if locale not in SHIPPED_LOCALES:
            raise Failure(f"--question-in: {locale!r} is not a shipped language")
        found[locale] = (clean_text(text), [])
    for locale, text in options:
        if locale not in found:
            raise Failure(f"--option-in {locale}: give --question-in {locale} too")
        found[locale][1].append(clean_text(text))
    return {locale: (question, tuple(texts)) for locale, (question, texts) in found.items()}


@poll.command("add")
@click.option("--network", "slug", type=TEXT, default=None, help="The network's slug.")
@click.option("--everyone", is_flag=True, help="Ask every resident instead of one network.")
@click.option("--question", type=TEXT, required=True, help="At most 300 characters.")
@click.option("--option", "options", type=TEXT, multiple=True, required=True, help="2 to 6 times.")
@click.option("--multiple", is_flag=True, help="Residents may choose several options.")
@click.option("--other", is_flag=True, help='Add "Other: your words" as a last choice.')
@click.option("--named", is_flag=True, help="Not anonymous: the creator sees who chose what.")
@click.option("--closes", required=True, help='Local time: "YYYY-MM-DD HH:MM".')
@click.option(
    "--locale", default=None, help="The language it is written in (default: DEFAULT_LOCALE)."
)
@click.option(
    "--question-in",
    "questions_in",
    type=(str, TEXT),
    multiple=True,
    metavar="LOCALE TEXT",
    help="The question in another language.",
)
@click.option(
    "--option-in",
    "options_in",
    type=(str, TEXT),
    multiple=True,
    metavar="LOCALE TEXT",
    help="An option in that language, in --option order (repeat).",
)
def poll_add(
    slug: str | None,
    everyone: bool,
    question: str,
    options: tuple[str, ...],
    multiple: bool,
    other: bool,
    named: bool,
    closes: str,
    locale: str | None,
    questions_in: tuple[tuple[str, str], ...],
    options_in: tuple[tuple[str, str], ...],
) -> None:
    """Ask a network's members (or everyone) a question, as a coordinator does in the bot."""
    from bot.services import networks, polls
    from bot.services.actors import Actor

    if bool(slug) == everyone:
        raise click.UsageError("give one of --network SLUG and --everyone")
    config = settings()
    closes_at = _closing(closes, config.timezone)
    translations = _translations(questions_in, options_in)

    async def work(core: Core) -> tuple[PollView, Enqueued]:
        actor = Actor.operator()
        async with core.sessionmaker() as session:
            network_id = None
            if slug:
                network_id = (await networks.find_by_slug(session, actor, slug)).id
            draft = polls.PollDraft(
                network_id=network_id,
                question=question,
                options=options,
                closes_at=closes_at,
                multiple=multiple,
                allow_other=other,
                anonymous=not named,
                locale=locale or config.default_locale,
                translations=translations,
            )
            return await polls.publish(
                session, actor, core.catalogs, draft, machine=core.machine_translation
            )

    published, sent = run(with_core(config, work))
    click.echo(
        f"poll {published.id} published to {sum(sent.by_locale.values())} residents "
        f"({sent.held} held for the digest)"
    )


@poll.command("list")
@output_options
def poll_list(as_json: bool, as_csv: bool) -> None:
    """Every poll, oldest first, with its number of answers."""
    from bot.cli.listing import emit_batches
    from bot.services import polls
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    config = settings()

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        if form == "table":
            text = " ".join(str(row["question"]).split())
            short = text if len(text) <= TABLE_TEXT else text[: TABLE_TEXT - 1] + "…"
            row = {
                **row,
                "question": short,
                "closes_at": row["closes_at"].strftime("%Y-%m-%d %H:%M"),
            }
        return row

    async def work(session: AsyncSession) -> int:
        async def batches() -> Any:
            async for batch in polls.operator_rows(session, Actor.operator()):
                yield [shape(row) for row in batch]

        fields = TABLE_FIELDS if form == "table" else LIST_FIELDS
        return await emit_batches(batches(), fields, form, empty="no polls")

    run(with_session(config, work))


def result_rows(results: PollResults, other_label: str = "Other") -> list[dict[str, Any]]:
    """The results as rows: every option for all answers, then each language's and channel's
    (a group under the minimum as one row, "<N", without its split)."""
    view = results.view
    labels = [o.text for o in view.options]
    rows: list[dict[str, Any]] = [
        {
            "group": "all",
            "key": "",
            "option": label,
            "answers": count,
            "share": round(results.share(count), 4),
        }
        for label, count in zip(labels, results.counts, strict=True)
    ]
    if view.allow_other:
        rows.append(
            {
                "group": "all",
                "key": "",
                "option": other_label,
                "answers": results.others,
                "share": round(results.share(results.others), 4),
            }
        )
    small = f"<{results.min_group}"
    for group_name, groups in (("language", results.by_locale), ("channel", results.by_channel)):
        for group in groups:
            if group.ballots is None:
                rows.append(
                    {
                        "group": group_name,
                        "key": group.key,
                        "option": "",
                        "answers": small,
                        "share": None,
                    }
                )
                continue
            rows.append(
                {
                    "group": group_name,
                    "key": group.key,
                    "option": "",
                    "answers": group.ballots,
                    "share": None,
                }
            )
            rows += [
                {
                    "group": group_name,
                    "key": group.key,
                    "option": label,
                    "answers": small if cell is None else cell,
                    "share": None,
                }
                for label, cell in zip(labels, group.by_option, strict=True)
            ]
    return rows


@poll.command("results")
@click.argument("poll_id", type=POLL_ID)
@output_options
def poll_results(poll_id: int, as_json: bool, as_csv: bool) -> None:
    """One poll's results: each option's answers and share, then the split by language and
    channel ("<5" where a group is smaller than MIN_GROUP_SIZE)."""
    from bot.cli.listing import emit
    from bot.services import polls
    from bot.services.actors import Actor

    form = format_of(as_json, as_csv)
    config = settings()

    async def work(session: AsyncSession) -> PollResults:
        return await polls.operator_results(
            session, Actor.operator(), poll_id, min_group=config.min_group_size
        )

    results = run(with_session(config, work))
    if form == "table":
        view = results.view
        click.echo(f"poll {view.id} ({view.status.value}): {view.question}")
        click.echo(f"{results.ballots} answers")
    emit(result_rows(results), RESULT_FIELDS, form)
