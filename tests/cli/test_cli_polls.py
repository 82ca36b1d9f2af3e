"""`naboskap poll add / list / results`: the operator asks a network a question as a
coordinator does in the bot, lists polls for scripts, and reads results with the split by
language and channel, small groups shown as "<5"; mistakes are one line each."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    MemberRole,
    Membership,
    Network,
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    PollText,
    Resident,
)
from tests.support.cli import in_database

ADD = (
    "poll", "add", "--network", "torstrand", "--question", "Benker langs Torstrandgata?",
    "--option", "Ja", "--option", "Nei", "--closes", "2099-06-01 18:00",
)  # fmt: skip


def _members(database_url: str, locales: list[str]) -> list[int]:
    async def work(session: AsyncSession) -> list[int]:
        network = await session.scalar(select(Network).where(Network.slug == "torstrand"))
        assert network is not None
        ids = []
        for n, locale in enumerate(locales):
            resident = Resident(
                telegram_id=80_000 + n,
                locale=locale,
                first_name=f"R{n}",
                reachable=True,
                privacy_accepted_at=datetime.now(UTC),
            )
            session.add(resident)
            await session.flush()
            session.add(
                Membership(resident_id=resident.id, network_id=network.id, role=MemberRole.MEMBER)
            )
            ids.append(resident.id)
        return ids

    return in_database(database_url, work)


def _answer(database_url: str, poll_id: int, answers: list[tuple[int, str, int]]) -> None:
    """(resident, locale, option position) ballots, straight into the database."""

    async def work(session: AsyncSession) -> None:
        options = {
            o.position: o.id
            for o in await session.scalars(select(PollOption).where(PollOption.poll_id == poll_id))
        }
        for resident_id, locale, position in answers:
            session.add(
                PollBallot(
                    poll_id=poll_id, resident_id=resident_id, channel="telegram", locale=locale
                )
            )
            await session.flush()
            session.add(
                PollChoice(poll_id=poll_id, resident_id=resident_id, option_id=options[position])
            )

    in_database(database_url, work)


def test_add_with_translations_list_and_results(cli, database_url: str):  # type: ignore[no-untyped-def]
    assert cli("network", "add", "torstrand", "Torstrand").exit_code == 0
    ids = _members(database_url, ["nb"] * 6 + ["uk", "uk"])
    result = cli(
        *ADD, "--question-in", "uk", "Лавки?", "--option-in", "uk", "Так", "--option-in", "uk", "Ні"
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("poll 1 published to 8 residents")

    async def texts(session: AsyncSession) -> list[tuple[str, str]]:
        return [(t.locale, t.question) for t in await session.scalars(select(PollText))]

    assert in_database(database_url, texts) == [("uk", "Лавки?")]
    _answer(
        database_url,
        1,
        [(i, "nb", 1) for i in ids[:5]] + [(ids[5], "nb", 2), (ids[6], "uk", 2)],
    )

    listed = json.loads(cli("poll", "list", "--json").stdout)
    assert listed[0]["id"] == 1 and listed[0]["answers"] == 7
    assert listed[0]["network"] == "torstrand" and listed[0]["anonymous"] is True
    assert "Benker" in cli("poll", "list").stdout

    result = cli("poll", "results", "1", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["group"], r["option"], r["answers"]) for r in rows if r["group"] == "all"} == {
        ("all", "Ja", "5"),
        ("all", "Nei", "2"),
    }
    by_language = {(r["key"], r["option"]): r["answers"] for r in rows if r["group"] == "language"}
    assert by_language[("nb", "")] == "6"
    assert by_language[("nb", "Ja")] == "5"
    assert by_language[("nb", "Nei")] == "<5"  # one Norwegian's answer is not shown
    assert by_language[("uk", "")] == "<5"  # nor the two Ukrainians'
    assert ("uk", "Nei") not in by_language
    table = cli("poll", "results", "1").stdout
    assert "7 answers" in table


def test_everyone_named_multiple_and_mistakes_in_one_line(cli, database_url: str):  # type: ignore[no-untyped-def]
    cli("network", "add", "torstrand", "Torstrand")
    _members(database_url, ["nb", "so"])
    result = cli(
        "poll", "add", "--everyone", "--question", "Hva ønsker dere?", "--option", "Benker",
        "--option", "Lys", "--option", "Trær", "--multiple", "--other", "--named",
        "--closes", "2099-06-01 18:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    async def stored(session: AsyncSession) -> tuple[object, ...]:
        poll = await session.get(Poll, 1)
        assert poll is not None
        return poll.network_id, poll.multiple, poll.allow_other, poll.anonymous

    assert in_database(database_url, stored) == (None, True, True, False)
    for args, message in (
        (("--everyone",), "one of --network SLUG and --everyone"),
        (("--closes", "1.6.2099"), "--closes must look like"),
        (("--closes", "2001-06-01 18:00"), "the closing time (--closes) is in the past"),
        (("--option", "Kanskje", "--option", "Kanskje"), "the options is already taken"),
    ):
        result = cli(*ADD, *args)
        assert result.exit_code != 0
        assert message in result.output and len(result.output.strip().splitlines()) == 1
    one_option = cli(
        "poll", "add", "--network", "torstrand", "--question", "Ja?", "--option", "Ja",
        "--closes", "2099-06-01 18:00",
    )  # fmt: skip
    assert "the options are too few (2 to 6)" in one_option.output
    nowhere = cli(
        "poll", "add", "--network", "nowhere", "--question", "Ja?", "--option", "Ja",
        "--option", "Nei", "--closes", "2099-06-01 18:00",
    )  # fmt: skip
    assert "not found" in nowhere.output
    assert "not found" in cli("poll", "results", "99").output
    translation = cli(*ADD, "--option-in", "uk", "Так")
    assert "give --question-in uk too" in translation.output
