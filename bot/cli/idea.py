"""`naboskap idea list`: every idea residents proposed, with its network, status and supporters,
for the municipality's own records ("you said, we did"); as a table, or CSV/JSON for scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from bot.cli.command import TEXT, Failure, run, settings, with_session
from bot.cli.listing import format_of, output_options

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# `idea list --json/--csv`: stable, documented in docs/cli.md.
LIST_FIELDS = ("id", "network", "status", "supporters", "created", "forwarded", "text")
# The table for a terminal: the text last, cut, so that a long one does not push the rest off.
TABLE_FIELDS = ("id", "network", "status", "supporters", "created", "text")
TABLE_TEXT = 60
STATUSES = ("proposed", "considering", "planned", "done", "not_now", "merged", "hidden")


@click.group()
def idea() -> None:
    """Ideas residents proposed for their networks."""


@idea.command("list")
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    default=None,
    help="Only ideas with this status.",
)
@click.option("--network", "slug", type=TEXT, default=None, help="Only this network's ideas.")
@output_options
def idea_list(status: str | None, slug: str | None, as_json: bool, as_csv: bool) -> None:
    """List ideas, oldest first: a table for people; --json or --csv (every idea, every field,
    the whole text) for scripts."""
    from bot.cli.listing import emit_batches
    from bot.services import ideas
    from bot.services.actors import Actor
    from bot.services.errors import NotFound
    from db.models import IdeaStatus

    form = format_of(as_json, as_csv)
    config = settings()

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        if form == "table":
            text = " ".join(str(row["text"]).split())
            row = {**row, "text": text if len(text) <= TABLE_TEXT else text[: TABLE_TEXT - 1] + "…"}
            row["created"] = row["created"].strftime("%Y-%m-%d")
        return row

    async def work(session: AsyncSession) -> int:
        rows = ideas.operator_rows(
            session,
            Actor.operator(),
            status=IdeaStatus(status) if status else None,
            network_slug=slug,
        )

        async def batches() -> Any:
            try:
                async for batch in rows:
                    yield [shape(row) for row in batch]
            except NotFound:
                raise Failure(f"there is no network {slug!r}") from None

        empty = (
            "no ideas"
            + (f" in {slug}" if slug else "")
            + (f" with status {status}" if status else "")
        )
        fields = TABLE_FIELDS if form == "table" else LIST_FIELDS
        return await emit_batches(batches(), fields, form, empty=empty)

    run(with_session(config, work))
