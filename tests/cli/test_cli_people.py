"""The operator's lists of people (residents, hosts, coordinators), the erasure of a resident on
their request by other means than the bot, and `stats` for scripts (issue 18, point 1).

Each list is read in all three forms (the table, `--json`, `--csv`) and parsed; numbers are
masked unless asked for; a municipality's worth of residents streams in batches; and the
operator's erasure is the resident's own /forget."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from db.models import (
    HelpCategory,
    HelpOffer,
    HelpRequest,
    MemberRole,
    Membership,
    Network,
    RequestStatus,
    Resident,
)
from tests.support.cli import in_database
from tests.support.log_guard import personal, personal_phone
from tests.support.settings import REDIS_URL

T = TypeVar("T")

OLENA_PHONE = "+4791234567"  # an SMS-only resident
KARI_PHONE = "+4798765432"  # a Telegram resident with a linked phone
JOINED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _refused(result: Result) -> str:
    """A refusal: a non-zero exit, no traceback, and one line on stderr naming the problem
    (`naboskap: …`), or click's own usage error for a command used wrongly."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    if lines and lines[-1].startswith("Error:") and result.exit_code == 2:
        return lines[-1]
    assert len(lines) == 1 and lines[0].startswith("naboskap: "), result.stderr
    return lines[0]


def _network_id(database_url: str, slug: str) -> int:
    async def work(session: AsyncSession) -> int:
        return int(await session.scalar(select(Network.id).where(Network.slug == slug)) or 0)

    return in_database(database_url, work)


@pytest.fixture
def people(cli, database_url: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Torstrand (Hilde hosts it, Olena and Kari are members) and Fjordgata (Kari): Olena takes
    part by SMS only; Kari by Telegram, with a linked phone, and is a coordinator; Hilde was
    appointed host before she ever started the bot (no language)."""
    personal("Olena", "Kari", "Hilde")
    personal_phone(OLENA_PHONE, KARI_PHONE)
    assert cli("network", "add", "torstrand", "Torstrand").exit_code == 0
    assert cli("network", "add", "fjordgata", "Fjordgata").exit_code == 0
    assert cli("host", "add", "torstrand", "5001").exit_code == 0
    torstrand, fjordgata = (
        _network_id(database_url, "torstrand"),
        _network_id(database_url, "fjordgata"),
    )

    async def work(session: AsyncSession) -> dict[str, int]:
        hilde = await session.scalar(select(Resident.id).where(Resident.telegram_id == 5001))
        await session.execute(
            Resident.__table__.update()
            .where(Resident.id == hilde)
            .values(first_name="Hilde", created_at=JOINED)
        )
        olena = (
            await session.execute(
                insert(Resident)
                .values(
                    phone=OLENA_PHONE,
                    first_name="Olena",
                    locale="uk",
                    is_coordinator=False,
                    reachable=True,
                    created_at=JOINED,
                )
                .returning(Resident.id)
            )
        ).scalar_one()
        kari = (
            await session.execute(
                insert(Resident)
                .values(
                    telegram_id=5002,
                    phone=KARI_PHONE,
                    first_name="Kari",
                    locale="nb",
                    is_coordinator=True,
                    reachable=True,
                    created_at=JOINED,
                )
                .returning(Resident.id)
            )
        ).scalar_one()
        await session.execute(
            insert(Membership),
            [
                {"resident_id": olena, "network_id": torstrand, "role": MemberRole.MEMBER},
                {"resident_id": kari, "network_id": torstrand, "role": MemberRole.MEMBER},
                {"resident_id": kari, "network_id": fjordgata, "role": MemberRole.MEMBER},
            ],
        )
        assert hilde is not None
        return {"hilde": int(hilde), "olena": int(olena), "kari": int(kari)}

    return in_database(database_url, work)


# resident list


def test_resident_list_as_json_masks_numbers_and_names_networks(cli, people):
    result = cli("resident", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["id"] for row in rows] == sorted(people.values())
    by_name = {row["first_name"]: row for row in rows}
    assert by_name["Olena"] == {
        "id": people["olena"],
        "first_name": "Olena",
        "language": "uk",
        "channel": "sms",
        "phone": None,
        "phone_masked": "…67",
        "coordinator": False,
        "networks": ["torstrand"],
        "joined_at": "2026-03-01T09:30:00+00:00",
    }
    assert by_name["Kari"]["channel"] == "telegram"
    assert by_name["Kari"]["coordinator"] is True
    assert by_name["Kari"]["networks"] == ["fjordgata", "torstrand"]
    assert by_name["Hilde"]["language"] is None and by_name["Hilde"]["phone_masked"] is None
    # No number anywhere unless asked for.
    assert OLENA_PHONE not in result.output and KARI_PHONE not in result.output
    assert "91234567" not in result.output


def test_resident_list_shows_whole_numbers_only_with_show_phone(cli, people):
    rows = json.loads(cli("resident", "list", "--json", "--show-phone").output)
    assert {row["first_name"]: row["phone"] for row in rows} == {
        "Hilde": None,
        "Olena": OLENA_PHONE,
        "Kari": KARI_PHONE,
    }
    assert all("phone_masked" in row for row in rows)
    table = cli("resident", "list").output
    assert OLENA_PHONE not in table and "…67" in table
    assert table.splitlines()[0].split() == [
        "id",
        "first_name",
        "language",
        "channel",
        "phone_masked",
        "coordinator",
        "networks",
        "joined_at",
    ]
    shown = cli("resident", "list", "--show-phone").output
    assert OLENA_PHONE in shown and "phone" in shown.splitlines()[0].split()


def test_resident_list_as_csv_and_table(cli, people):
    result = cli("resident", "list", "--csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "id,first_name,language,channel,phone,phone_masked,coordinator,networks,joined_at"
    )
    rows = {row["first_name"]: row for row in _csv(result.output)}
    assert rows["Kari"]["networks"] == "fjordgata torstrand"
    assert rows["Kari"]["coordinator"] == "true"
    assert rows["Olena"]["phone"] == "" and rows["Olena"]["phone_masked"] == "…67"
    assert rows["Hilde"]["language"] == ""
    assert rows["Olena"]["joined_at"] == "2026-03-01T09:30:00+00:00"

    table = cli("resident", "list").output.splitlines()
    assert len(table) == 4  # the header and three residents, no "more" line
    olena = next(line for line in table if "Olena" in line).split()
    assert olena[0] == str(people["olena"])
    assert olena[1:] == ["Olena", "uk", "sms", "…67", "no", "torstrand", "2026-03-01"]


def test_resident_list_filters_by_network_and_channel(cli, people):
    rows = json.loads(cli("resident", "list", "--network", "torstrand", "--json").output)
    assert {row["first_name"]: row["role"] for row in rows} == {
        "Hilde": "host",
        "Olena": "member",
        "Kari": "member",
    }
    only = _csv(cli("resident", "list", "--network", "fjordgata", "--csv").output)
    assert [(row["first_name"], row["role"]) for row in only] == [("Kari", "member")]
    assert "role" not in json.loads(cli("resident", "list", "--json").output)[0]

    sms = json.loads(cli("resident", "list", "--channel", "sms", "--json").output)
    assert [row["first_name"] for row in sms] == ["Olena"]
    telegram = _csv(
        cli("resident", "list", "--channel", "telegram", "--network", "torstrand", "--csv").output
    )
    assert sorted(row["first_name"] for row in telegram) == ["Hilde", "Kari"]

    nobody = cli("resident", "list", "--network", "fjordgata", "--channel", "sms")
    assert nobody.output == "no residents\n"
    assert (
        _csv(cli("resident", "list", "--channel", "sms", "--network", "fjordgata", "--csv").output)
        == []
    )


def test_resident_list_refuses_two_formats_and_an_unknown_network(cli, people):
    _refused(cli("resident", "list", "--json", "--csv"))
    line = _refused(cli("resident", "list", "--network", "nowhere"))
    assert "not found" in line
    _refused(cli("resident", "list", "--channel", "fax"))


def _crowd(database_url: str, count: int) -> int:
    """`count` residents of Torstrand written in two statements, as a municipality's import
    would: the network's id."""
    network = _network_id(database_url, "torstrand")

    async def work(session: AsyncSession) -> None:
        first = int(await session.scalar(select(func.coalesce(func.max(Resident.id), 0))) or 0)
        await session.execute(
            insert(Resident),
            [
                {
                    "telegram_id": 900_000 + i,
                    "first_name": f"Nabo{i}",
                    "locale": ("nb", "uk", "en")[i % 3],
                    "is_coordinator": False,
                    "reachable": True,
                    "created_at": JOINED + timedelta(minutes=i),
                }
                for i in range(count)
            ],
        )
        await session.execute(
            insert(Membership),
            [
                {"resident_id": first + 1 + i, "network_id": network, "role": MemberRole.MEMBER}
                for i in range(count)
            ],
        )

    in_database(database_url, work)
    return network


def test_a_municipality_of_residents_streams_in_batches(cli, database_url, monkeypatch):
    from db.queries import residents as rq

    cli("network", "add", "torstrand", "Torstrand")
    _crowd(database_url, 1_650)
    pages: list[tuple[int, int]] = []
    read = rq.listing_page

    async def counted(session: AsyncSession, **kwargs: Any) -> list[rq.Listed]:
        pages.append((kwargs["after_id"], kwargs["limit"]))
        return await read(session, **kwargs)

    monkeypatch.setattr(rq, "listing_page", counted)

    result = cli("resident", "list", "--csv")
    assert result.exit_code == 0, result.output
    rows = _csv(result.output)
    assert len(rows) == 1_650
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(set(ids))  # each once, by id
    assert all(row["networks"] == "torstrand" for row in rows)
    # Read a thousand at a time, each page after the last id of the one before.
    assert [limit for _, limit in pages] == [1000, 1000, 1000]
    assert [after for after, _ in pages] == [0, ids[999], ids[-1]]

    pages.clear()
    table = cli("resident", "list", "--network", "torstrand").output.splitlines()
    assert len(table) == 1 + 200 + 1
    assert table[-1] == "… and 1450 more: use --csv or --json for all of them"
    assert len(json.loads(cli("resident", "list", "--json").output)) == 1_650


# resident remove


def _counts(database_url: str, resident_id: int) -> tuple[int, int]:
    """(resident rows, membership rows) of this resident."""

    async def work(session: AsyncSession) -> tuple[int, int]:
        residents = await session.scalar(
            select(func.count()).select_from(Resident).where(Resident.id == resident_id)
        )
        memberships = await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.resident_id == resident_id)
        )
        return int(residents or 0), int(memberships or 0)

    return in_database(database_url, work)


def test_remove_by_phone_erases_as_forget_does(cli, people, database_url):
    assert _counts(database_url, people["olena"]) == (1, 1)
    # The number as a resident at the desk would say it, read in SMS_DEFAULT_REGION.
    result = cli("resident", "remove", "--phone", "912 34 567", "--yes")
    assert result.exit_code == 0, result.output
    assert result.output == f"erased resident {people['olena']}, Olena, …67, sms\n"
    assert _counts(database_url, people["olena"]) == (0, 0)
    # The others are untouched.
    assert _counts(database_url, people["kari"]) == (1, 2)
    again = _refused(cli("resident", "remove", "--phone", OLENA_PHONE, "--yes"))
    assert again == "naboskap: no resident has that number"


def test_remove_by_id_erases_as_forget_does(cli, people, database_url):
    result = cli("resident", "remove", "--id", str(people["kari"]), "--yes")
    assert result.exit_code == 0, result.output
    assert "erased resident" in result.output and "Kari" in result.output
    assert _counts(database_url, people["kari"]) == (0, 0)
    names = [row["first_name"] for row in json.loads(cli("resident", "list", "--json").output)]
    assert sorted(names) == ["Hilde", "Olena"]


def test_remove_asks_first_and_no_changes_nothing(cli, people, database_url):
    runner = CliRunner()
    refused = runner.invoke(main, ["resident", "remove", "--id", str(people["olena"])], input="n\n")
    assert refused.exit_code != 0
    assert f"Erase resident {people['olena']}, Olena, …67, sms" in refused.output
    assert "Traceback" not in refused.output
    assert _counts(database_url, people["olena"]) == (1, 1)
    # No answer at all (a script without --yes) is no either.
    assert runner.invoke(main, ["resident", "remove", "--id", str(people["olena"])]).exit_code != 0
    assert _counts(database_url, people["olena"]) == (1, 1)

    agreed = runner.invoke(main, ["resident", "remove", "--id", str(people["olena"])], input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert _counts(database_url, people["olena"]) == (0, 0)


async def test_remove_leaves_no_trace_of_her_as_forget_does(
    database_url: str, fake_api, monkeypatch, tmp_path
):  # type: ignore[no-untyped-def]
    """Kari's full life (tests/support/full_life.py), then the operator's erasure instead of
    her /forget: the scan of every column of every table that /forget passes
    (tests/residents/test_forget_everything.py) finds her nowhere."""
    from tests.support import full_life as forget
    from tests.support.sms_phone import sms_network

    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", database_url)
    async for sms in sms_network(database_url, fake_api):
        life = await forget.live(sms, fake_api)
        assert await forget.traces(sms.app, life)
        # The command runs its own event loop, as from a shell: in a thread of its own here.
        result = await asyncio.to_thread(
            CliRunner().invoke, main, ["resident", "remove", "--phone", forget.KARI_PHONE, "--yes"]
        )
        assert result.exit_code == 0, result.output
        assert result.output.startswith("erased resident") and "telegram" in result.output
        assert await forget.traces(sms.app, life) == []


@pytest.mark.parametrize(
    "args",
    [
        ("--phone", "+4740000000"),  # nobody's
        ("--phone", "not a number"),
        ("--id", "9999"),
        ("--phone", OLENA_PHONE, "--id", "1"),  # both
        (),  # neither
        ("--id", "0"),
    ],
    ids=["unknown-phone", "bad-phone", "unknown-id", "both", "neither", "id-zero"],
)
def test_remove_refuses_in_one_line(cli, people, database_url, args: tuple[str, ...]):
    result = cli("resident", "remove", *args, "--yes")
    line = _refused(result)
    assert "Traceback" not in result.output
    if args and args[0] == "--phone" and len(args) == 2:
        assert line.startswith("naboskap: ")
        assert "4000" not in line  # the number typed is not repeated
    for resident_id in people.values():
        assert _counts(database_url, resident_id)[0] == 1


# host list, coordinator list


def test_host_list_in_three_forms(cli, people, database_url):
    assert cli("host", "add", "fjordgata", "5002").exit_code == 0
    rows = json.loads(cli("host", "list", "--json").output)
    assert [(row["network"], row["first_name"]) for row in rows] == [
        ("fjordgata", "Kari"),
        ("torstrand", "Hilde"),
    ]
    assert rows[1] == {
        "network": "torstrand",
        "resident_id": people["hilde"],
        "telegram_id": 5001,
        "first_name": "Hilde",
        "language": None,
        "since": rows[1]["since"],
    }
    assert datetime.fromisoformat(rows[1]["since"]).tzinfo is not None
    lines = cli("host", "list", "--csv").output.splitlines()
    assert lines[0] == "network,resident_id,telegram_id,first_name,language,since"
    assert lines[2].startswith(f"torstrand,{people['hilde']},5001,Hilde,,")
    only = _csv(cli("host", "list", "--network", "fjordgata", "--csv").output)
    assert [row["first_name"] for row in only] == ["Kari"]
    table = cli("host", "list").output.splitlines()
    assert table[0].split() == [
        "network",
        "resident_id",
        "telegram_id",
        "first_name",
        "language",
        "since",
    ]
    assert "Hilde" in table[2] and "–" in table[2]
    _refused(cli("host", "list", "--network", "nowhere"))


def test_host_remove_says_plainly_when_nothing_changed(cli, people, database_url):
    assert (
        "5002 is not a host of torstrand (no change)"
        in cli("host", "remove", "torstrand", "5002").output
    )
    before = json.loads(cli("resident", "list", "--json").output)
    assert "(no change)" in cli("host", "remove", "torstrand", "777777").output
    assert json.loads(cli("resident", "list", "--json").output) == before  # nobody was added
    assert (
        "5001 is no longer a host of torstrand" in cli("host", "remove", "torstrand", "5001").output
    )
    assert "no hosts" in cli("host", "list").output
    assert "not found" in _refused(cli("host", "remove", "nowhere", "5001"))


def test_coordinator_list_says_where_the_role_comes_from(cli, people, monkeypatch):
    monkeypatch.setenv("COORDINATOR_IDS", "5001,6006")
    rows = json.loads(cli("coordinator", "list", "--json").output)
    assert rows == [
        {
            "telegram_id": 5001,
            "resident_id": people["hilde"],
            "first_name": "Hilde",
            "language": None,
            "in_database": False,
            "in_setting": True,
        },
        {
            "telegram_id": 5002,
            "resident_id": people["kari"],
            "first_name": "Kari",
            "language": "nb",
            "in_database": True,
            "in_setting": False,
        },
        {  # named in the setting, never started the bot
            "telegram_id": 6006,
            "resident_id": None,
            "first_name": None,
            "language": None,
            "in_database": False,
            "in_setting": True,
        },
    ]
    lines = cli("coordinator", "list", "--csv").output.splitlines()
    assert lines[0] == "telegram_id,resident_id,first_name,language,in_database,in_setting"
    assert lines[3] == "6006,,,,false,true"
    table = cli("coordinator", "list").output.splitlines()
    assert table[0].split() == [
        "telegram_id",
        "resident_id",
        "first_name",
        "language",
        "in_database",
        "in_setting",
    ]
    assert table[2].split() == ["5002", str(people["kari"]), "Kari", "nb", "yes", "no"]


def test_coordinator_remove_says_plainly_when_nothing_changed(
    cli, people, database_url, monkeypatch
):
    monkeypatch.setenv("COORDINATOR_IDS", "5001")
    before = json.loads(cli("resident", "list", "--json").output)
    unknown = cli("coordinator", "remove", "777777")
    assert unknown.exit_code == 0
    assert "777777 is not a coordinator in the database (no change)" in unknown.output
    # Withdrawing the role from a stranger stores nothing about them.
    assert json.loads(cli("resident", "list", "--json").output) == before
    assert "is no longer a coordinator" in cli("coordinator", "remove", "5002").output
    assert "(no change)" in cli("coordinator", "remove", "5002").output
    from_setting = cli("coordinator", "remove", "5001").output
    assert "still a coordinator through COORDINATOR_IDS" in from_setting
    assert "already a coordinator" in (
        cli("coordinator", "add", "5002").output + cli("coordinator", "add", "5002").output
    )
    assert "no coordinators" not in cli("coordinator", "list").output
    monkeypatch.setenv("COORDINATOR_IDS", "")
    cli("coordinator", "remove", "5002")
    assert "no coordinators" in cli("coordinator", "list").output


# stats, reach


def _help(database_url: str, people: dict[str, int]) -> None:
    torstrand = _network_id(database_url, "torstrand")
    fjordgata = _network_id(database_url, "fjordgata")
    personal("Handle melk i dag")

    async def work(session: AsyncSession) -> None:
        def request(network: int, category: HelpCategory, status: RequestStatus) -> dict:
            return {
                "requester_id": people["olena"],
                "network_id": network,
                "category": category,
                "description": "Handle melk i dag",
                "status": status,
                "expires_at": JOINED + timedelta(days=7),
            }

        await session.execute(
            insert(HelpRequest),
            [
                request(torstrand, HelpCategory.ERRANDS, RequestStatus.OPEN),
                request(torstrand, HelpCategory.ERRANDS, RequestStatus.OPEN),
                request(torstrand, HelpCategory.ERRANDS, RequestStatus.DONE),
                request(torstrand, HelpCategory.LANGUAGE, RequestStatus.MATCHED),
            ],
        )
        await session.execute(
            insert(HelpOffer),
            [
                {
                    "resident_id": people["kari"],
                    "network_id": torstrand,
                    "category": HelpCategory.ERRANDS,
                },
                {
                    "resident_id": people["kari"],
                    "network_id": fjordgata,
                    "category": HelpCategory.LANGUAGE,
                },
            ],
        )

    in_database(database_url, work)


STATS_HEADER = "network,category,requests,open,matched,done,withdrawn,expired,hidden,helpers_active"


def test_stats_as_csv_and_json(cli, people, database_url):
    assert cli("stats", "--csv").output == STATS_HEADER + "\n"
    assert json.loads(cli("stats", "--json").output) == []
    _help(database_url, people)
    lines = cli("stats", "--csv").output.splitlines()
    assert lines == [
        STATS_HEADER,
        # A network with helpers and no request yet still counts its helpers.
        "fjordgata,,0,0,0,0,0,0,0,1",
        "torstrand,errands,3,2,0,1,0,0,0,1",
        "torstrand,language,1,0,1,0,0,0,0,1",
    ]
    rows = json.loads(cli("stats", "--json").output)
    assert rows[2] == {
        "network": "torstrand",
        "category": "language",
        "requests": 1,
        "open": 0,
        "matched": 1,
        "done": 0,
        "withdrawn": 0,
        "expired": 0,
        "hidden": 0,
        "helpers_active": 1,
    }
    assert rows[0]["category"] is None
    # The text for people is as it was.
    text = cli("stats").output
    assert "torstrand: 1 active helpers" in text and "errands" in text and "open 2" in text
    _refused(cli("stats", "--csv", "--json"))


def test_the_stats_columns_name_every_status():
    from bot.cli.reports import STATS_FIELDS

    assert list(STATS_FIELDS[3:-1]) == [status.value for status in RequestStatus]


def test_reach_names_a_language_not_chosen_yet(cli, people):
    # Hilde was made a host before she started the bot: she has no language yet.
    text = cli("reach").output
    assert "?" not in text
    assert "(not chosen) 1" in text
    lines = cli("reach", "--csv").output.splitlines()
    assert "torstrand,Torstrand,,1,0" in lines
    assert "torstrand,Torstrand,uk,1,0" in lines and "torstrand,Torstrand,nb,1,0" in lines


@pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (CI sets it)")
def test_remove_drops_a_half_finished_conversation_from_redis(
    cli, people, monkeypatch: pytest.MonkeyPatch
):
    import redis

    assert REDIS_URL is not None
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    client = redis.Redis.from_url(REDIS_URL)
    kept = "fsm:5001:5001:state"  # Hilde's, who stays
    try:
        client.set("fsm:5002:5002:state", "EventDraft:title")
        client.set("fsm:5002:5002:data", '{"title": "Kari sitt utkast"}')
        client.set(kept, "BroadcastFlow:text")
        result = cli("resident", "remove", "--id", str(people["kari"]), "--yes")
        assert result.exit_code == 0, result.output
        assert client.exists("fsm:5002:5002:state", "fsm:5002:5002:data") == 0
        assert client.get(kept) == b"BroadcastFlow:text"
    finally:
        client.delete(kept, "fsm:5002:5002:state", "fsm:5002:5002:data")
        client.close()
