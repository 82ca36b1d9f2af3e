"""`naboskap idea list`: every idea with its network, status and supporters, as a table for
people and as CSV or JSON for scripts; filtered by status and network; bad options as one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Idea, IdeaStatus, IdeaSupport, Network, Resident
from tests.support.cli import in_database

FIELDS = ["id", "network", "status", "supporters", "created", "forwarded", "text"]
WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _ideas(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    cli("network", "add", "torstrand", "Torstrand")
    cli("network", "add", "sentrum", "Sentrum")

    async def work(session: AsyncSession) -> None:
        nets = {n.slug: n.id for n in await session.scalars(select(Network))}
        people = [Resident(telegram_id=80_000 + n, locale="nb") for n in range(3)]
        session.add_all(people)
        await session.flush()
        rows = [
            (
                "torstrand",
                "Benker langs Torstrandgata, også ved «Tollboden»",
                IdeaStatus.PLANNED,
                3,
            ),
            ("torstrand", "Leksekafé, tirsdager", IdeaStatus.PROPOSED, 1),
            ("sentrum", "Flere sykkelstativ\nved stasjonen", IdeaStatus.PROPOSED, 0),
            ("sentrum", "Skjult", IdeaStatus.HIDDEN, 0),
        ]
        for slug, text, status, supporters in rows:
            idea = Idea(
                network_id=nets[slug], author_id=people[0].id, text=text, locale="nb",
                status=status, created_at=WHEN, updated_at=WHEN,
            )  # fmt: skip
            session.add(idea)
            await session.flush()
            for person in people[:supporters]:
                session.add(IdeaSupport(idea_id=idea.id, resident_id=person.id, channel="telegram"))

    in_database(database_url, work)


def test_ideas_as_csv_json_and_a_table(cli, database_url):
    _ideas(cli, database_url)
    result = cli("idea", "list", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == FIELDS
    assert [(r["network"], r["status"], r["supporters"]) for r in rows] == [
        ("torstrand", "planned", "3"),
        ("torstrand", "proposed", "1"),
        ("sentrum", "proposed", "0"),
        ("sentrum", "hidden", "0"),
    ]
    assert rows[2]["text"] == "Flere sykkelstativ\nved stasjonen"  # whole, quoted
    assert rows[0]["created"].startswith("2026-11-30T12:00") and rows[0]["forwarded"] == ""
    listed = json.loads(cli("idea", "list", "--json", "--status", "proposed").stdout)
    assert [i["text"] for i in listed] == [
        "Leksekafé, tirsdager",
        "Flere sykkelstativ\nved stasjonen",
    ]
    assert listed[0]["forwarded"] is None and listed[0]["supporters"] == 1
    table = cli("idea", "list", "--network", "sentrum").stdout.splitlines()
    assert table[0].split() == ["id", "network", "status", "supporters", "created", "text"]
    assert len(table) == 3 and "Flere sykkelstativ ved stasjonen" in table[1]


def test_nothing_to_list_and_bad_options(cli, database_url):
    _ideas(cli, database_url)
    assert cli("idea", "list", "--status", "done").stdout == "no ideas with status done\n"
    result = cli("idea", "list", "--network", "nowhere")
    assert result.exit_code != 0 and "there is no network 'nowhere'" in result.output
    result = cli("idea", "list", "--status", "maybe")
    assert result.exit_code != 0
    result = cli("idea", "list", "--csv", "--json")
    assert result.exit_code != 0 and "choose one of --json and --csv" in result.output
