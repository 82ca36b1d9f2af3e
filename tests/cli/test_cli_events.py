"""`naboskap event list / show / edit / cancel`: the operator's view of every network's events,
and changes that tell those coming exactly as a host's changes in the bot do."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Answer,
    Delivery,
    Event,
    EventSeries,
    EventStatus,
    MemberRole,
    Membership,
    Network,
    Notice,
    NoticeKind,
    Rendering,
    Repeat,
    Resident,
    Rsvp,
    SeriesRsvp,
)
from tests.support.cli import in_database

T = TypeVar("T")

LIST_FIELDS = [
    "id",
    "network",
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "place",
    "status",
    "series_id",
    "coming",
    "maybe",
]


def add_event(cli, slug: str, title: str, starts: str, *extra: str) -> int:  # type: ignore[no-untyped-def]
    result = cli("event", "add", "--network", slug, "--title", title, "--starts", starts, *extra)
    assert result.exit_code == 0, result.output
    return int(result.output.split()[1])  # "event 3 published to …"


def coming(database_url: str, event_id: int, locale: str, answer: Answer = Answer.YES) -> int:
    """A resident in the event's network (on Telegram, in `locale`) who gave `answer`."""

    async def work(session: AsyncSession) -> int:
        event = await session.get(Event, event_id)
        assert event is not None
        count = len((await session.scalars(select(Resident.id))).all())
        resident = Resident(
            telegram_id=70_000 + count,
            locale=locale,
            first_name=f"R{count}",
            reachable=True,
            privacy_accepted_at=datetime.now(UTC),
        )
        session.add(resident)
        await session.flush()
        session.add(
            Membership(resident_id=resident.id, network_id=event.network_id, role=MemberRole.MEMBER)
        )
        session.add(Rsvp(event_id=event_id, resident_id=resident.id, answer=answer))
        return resident.id

    return in_database(database_url, work)


def notices_of(database_url: str, event_id: int, kind: NoticeKind) -> list[tuple[int, str, str]]:
    """(resident id, locale, text) of each delivery of the event's notices of `kind`."""

    async def work(session: AsyncSession) -> list[tuple[int, str, str]]:
        rows = await session.execute(
            select(Delivery.resident_id, Delivery.locale, Rendering.text)
            .join(Notice, Notice.id == Delivery.notice_id)
            .join(
                Rendering,
                (Rendering.notice_id == Delivery.notice_id)
                & (Rendering.locale == Delivery.locale)
                & (Rendering.channel == Delivery.channel),
            )
            .where(Notice.event_id == event_id, Notice.kind == kind)
        )
        return [(int(r[0]), r[1], r[2]) for r in rows]

    return in_database(database_url, work)


def shown(cli, event_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = cli("event", "show", str(event_id), "--json")
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


@pytest.fixture
def two_networks(cli, database_url: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Torstrand with a dugnad in May and a café in June (cancelled), Sentrum with a walk."""
    cli("network", "add", "torstrand", "Torstrand")
    cli("network", "add", "sentrum", "Sentrum")
    ids = {
        "cafe": add_event(cli, "torstrand", "Språkkafé", "2099-06-04 18:00"),
        "dugnad": add_event(
            cli,
            "torstrand",
            "Dugnad",
            "2099-05-02 11:00",
            "--ends",
            "2099-05-02 14:00",
            "--place",
            "Torget",
        ),
        "walk": add_event(cli, "sentrum", "Kveldstur", "2099-05-20 19:00"),
    }
    coming(database_url, ids["dugnad"], "nb")
    coming(database_url, ids["dugnad"], "uk", Answer.MAYBE)
    assert cli("event", "cancel", str(ids["cafe"])).exit_code == 0
    return ids


def test_list_as_json_csv_and_table(cli, two_networks: dict[str, int]):
    as_json = cli("event", "list", "--json")
    assert as_json.exit_code == 0, as_json.output
    rows = json.loads(as_json.stdout)
    assert [row["title"] for row in rows] == ["Dugnad", "Kveldstur", "Språkkafé"]  # soonest first
    assert all(list(row) == LIST_FIELDS for row in rows)
    dugnad, walk, cafe = rows
    assert dugnad == {
        "id": two_networks["dugnad"],
        "network": "torstrand",
        "title": "Dugnad",
        "starts_at": "2099-05-02T09:00:00+00:00",  # 11:00 in Oslo, told in UTC
        "ends_at": "2099-05-02T12:00:00+00:00",
        "all_day": False,
        "place": "Torget",
        "status": "published",
        "series_id": None,
        "coming": 1,
        "maybe": 1,
    }
    assert walk["network"] == "sentrum" and walk["ends_at"] is None and walk["coming"] == 0
    assert cafe["status"] == "cancelled"

    as_csv = cli("event", "list", "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    reader = csv.DictReader(io.StringIO(as_csv.stdout))
    assert reader.fieldnames == LIST_FIELDS
    lines = list(reader)
    assert [line["id"] for line in lines] == [str(row["id"]) for row in rows]
    assert lines[0]["place"] == "Torget" and lines[0]["coming"] == "1"
    assert lines[1]["ends_at"] == "" and lines[2]["status"] == "cancelled"

    table = cli("event", "list").stdout.splitlines()
    assert table[0].split() == [
        "id",
        "starts_at",
        "ends_at",
        "network",
        "status",
        "coming",
        "maybe",
        "title",
    ]
    assert "2099-05-02 11:00" in table[1] and "Dugnad" in table[1]  # local time for people
    assert "cancelled" in table[3] and len(table) == 4


def test_list_by_network_and_from_a_day(cli, two_networks: dict[str, int]):
    only = json.loads(cli("event", "list", "--network", "sentrum", "--json").stdout)
    assert [row["title"] for row in only] == ["Kveldstur"]
    later = json.loads(cli("event", "list", "--from", "2099-05-03", "--json").stdout)
    assert [row["title"] for row in later] == ["Kveldstur", "Språkkafé"]
    both = cli("event", "list", "--network", "torstrand", "--from", "2099-05-03", "--csv").stdout
    assert [line["title"] for line in csv.DictReader(io.StringIO(both))] == ["Språkkafé"]
    # An event still running on the day is listed: the dugnad ends at 14:00 on 2 May.
    on_the_day = json.loads(cli("event", "list", "--from", "2099-05-02", "--json").stdout)
    assert on_the_day[0]["title"] == "Dugnad"
    nothing = cli("event", "list", "--from", "2100-01-01")
    assert nothing.exit_code == 0 and "no events from 2100-01-01 on" in nothing.stdout
    assert cli("event", "list", "--from", "2100-01-01", "--json").stdout.strip() == "[]"


def test_a_long_list_is_read_in_batches_and_streamed_whole(
    cli, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    """1 200 events over six start times: the pages split inside a run of events that start
    together, so the order must hold by id too; every row comes out, none twice."""
    from db.queries import events as q

    cli("network", "add", "torstrand", "Torstrand")
    first = datetime(2099, 3, 1, 17, 0, tzinfo=UTC)

    async def insert_events(session: AsyncSession) -> None:
        network_id = await session.scalar(select(Network.id).where(Network.slug == "torstrand"))
        rows = [
            {
                "network_id": network_id,
                "uid": f"bulk-{n}@test",
                "title": f"Event {n}",
                "description": "",
                "place": "",
                "locale": "nb",
                # Inserted in an order that is not the start order.
                "starts_at": first + timedelta(days=(n * 5) % 6),
                "ends_at": None,
                "no_norwegian_needed": False,
                "all_day": False,
                "status": EventStatus.PUBLISHED,
                "created_at": first,
                "updated_at": first,
            }
            for n in range(1200)
        ]
        await session.execute(insert(Event), rows)

    in_database(database_url, insert_events)
    pages: list[int] = []
    listing_page = q.listing_page

    async def counted(*args: Any, **kwargs: Any) -> list[q.ListedEvent]:
        found = await listing_page(*args, **kwargs)
        pages.append(len(found))
        return found

    monkeypatch.setattr(q, "listing_page", counted)

    as_csv = cli("event", "list", "--from", "2099-01-01", "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert pages == [1000, 200, 0]  # a batch at a time, never the whole list
    lines = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(lines) == 1200
    keys = [(line["starts_at"], int(line["id"])) for line in lines]
    assert keys == sorted(keys) and len(set(keys)) == 1200

    rows = json.loads(cli("event", "list", "--from", "2099-01-01", "--json").stdout)
    assert len(rows) == 1200 and len({row["id"] for row in rows}) == 1200

    table = cli("event", "list", "--from", "2099-01-01").stdout.splitlines()
    assert len(table) == 1 + 200 + 1
    assert table[-1] == "… and 1000 more: use --csv or --json for all of them"


def test_show_one_event_in_full(cli, two_networks: dict[str, int]):
    event_id = two_networks["dugnad"]
    text = cli("event", "show", str(event_id)).stdout
    assert text.startswith(f"event {event_id}: Dugnad")
    assert "2099-05-02 11:00 (Europe/Oslo)" in text
    assert "1 coming, 1 maybe, 0 can't come" in text and "Torget" in text
    found = shown(cli, event_id)
    assert list(found)[: len(LIST_FIELDS)] == LIST_FIELDS
    assert found["coming"] == 1 and found["maybe"] == 1 and found["cant_come"] == 0
    assert found["locale"] == "nb" and found["languages"] == []
    assert found["uid"].endswith("@naboskap") and found["feed_id"] is None
    assert shown(cli, two_networks["cafe"])["status"] == "cancelled"


def test_an_all_day_date_of_a_series(cli, database_url: str):  # type: ignore[no-untyped-def]
    """A calendar's all-day event that is a date of a series: its series in `series_id`, its
    days (not midnights) in the table and in `show`, and those coming to every date counted."""
    cli("network", "add", "torstrand", "Torstrand")
    add_event(cli, "torstrand", "Enkel", "2099-05-01 12:00")
    midnight = datetime(2099, 5, 5, 22, 0, tzinfo=UTC)  # 6 May in Oslo

    async def series_date(session: AsyncSession) -> tuple[int, int]:
        network_id = await session.scalar(select(Network.id).where(Network.slug == "torstrand"))
        series = EventSeries(
            network_id=network_id,
            uid="marked@test",
            repeat=Repeat.YEARLY,
            first_start=midnight,
            all_day=True,
        )
        session.add(series)
        await session.flush()
        event = Event(
            network_id=network_id,
            uid="marked@test/1",
            title="Marked",
            locale="nb",
            starts_at=midnight,
            ends_at=midnight + timedelta(days=2),  # 6 and 7 May
            all_day=True,
            series_id=series.id,
            status=EventStatus.PUBLISHED,
            created_at=midnight,
            updated_at=midnight,
        )
        session.add(event)
        await session.flush()
        return event.id, series.id

    event_id, series_id = in_database(database_url, series_date)
    every_time = coming(database_url, event_id, "nb")

    async def coming_every_time(session: AsyncSession) -> None:
        await session.execute(Rsvp.__table__.delete())
        session.add(SeriesRsvp(series_id=series_id, resident_id=every_time, answer=Answer.YES))

    in_database(database_url, coming_every_time)
    rows = json.loads(cli("event", "list", "--from", "2099-01-01", "--json").stdout)
    assert [(row["title"], row["series_id"]) for row in rows] == [
        ("Enkel", None),
        ("Marked", series_id),
    ]
    assert rows[1]["all_day"] is True and rows[1]["coming"] == 1
    table = cli("event", "list", "--from", "2099-01-01").stdout.splitlines()
    assert table[2].split()[:3] == [str(event_id), "2099-05-06", "2099-05-07"]
    text = cli("event", "show", str(event_id)).stdout
    assert "2099-05-06 (Europe/Oslo)" in text and f"a date of series {series_id}" in text


def test_edit_changes_only_what_is_given_and_tells_those_coming(
    cli, database_url: str, two_networks: dict[str, int]
):
    event_id = two_networks["dugnad"]
    olena = coming(database_url, event_id, "uk")
    before = shown(cli, event_id)
    result = cli("event", "edit", str(event_id), "--place", "Biblioteket")
    assert result.exit_code == 0, result.output
    # The fixture's two (coming, maybe) and Olena.
    assert (
        result.stdout.strip()
        == f"event {event_id} changed; 3 told (those who said coming or maybe)"
    )
    after = shown(cli, event_id)
    assert after["place"] == "Biblioteket"
    unchanged = ("title", "starts_at", "ends_at", "description", "status", "coming", "maybe")
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    told = {
        resident: text
        for resident, _, text in notices_of(database_url, event_id, NoticeKind.EVENT_CHANGED)
    }
    assert len(told) == 3 and "Biblioteket" in told[olena]

    # A new start without an end keeps the event's length (as a host's change in the bot).
    assert cli("event", "edit", str(event_id), "--starts", "2099-05-09 10:00").exit_code == 0
    moved = shown(cli, event_id)
    assert moved["starts_at"] == "2099-05-09T08:00:00+00:00"
    assert moved["ends_at"] == "2099-05-09T11:00:00+00:00"
    assert moved["place"] == "Biblioteket" and moved["title"] == "Dugnad"


@pytest.mark.parametrize("with_reason", [True, False])
def test_cancel_tells_those_coming_with_the_reason_in_their_language(
    cli, database_url: str, with_reason: bool
):
    from bot.catalog_maintenance import PROJECT
    from bot.i18n import Catalogs

    cli("network", "add", "torstrand", "Torstrand")
    event_id = add_event(cli, "torstrand", "Dugnad", "2099-05-02 11:00")
    olena = coming(database_url, event_id, "uk")
    args = ["--reason", "Storm  over\x07 Larvik"] if with_reason else []
    result = cli("event", "cancel", str(event_id), *args)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip()
        == f"event {event_id} cancelled; 1 told (those who said coming or maybe)"
    )
    [(resident, locale, text)] = notices_of(database_url, event_id, NoticeKind.EVENT_CANCELLED)
    assert (resident, locale) == (olena, "uk")
    catalogs = Catalogs(PROJECT / "locales", "nb")
    ukrainian = catalogs.translator("uk").gettext("Reason: {reason}", reason="Storm over Larvik")
    assert ukrainian.startswith("Причина")  # the label is the resident's language
    assert (ukrainian in text) is with_reason
    assert "Причина" not in text or with_reason
    assert shown(cli, event_id)["status"] == "cancelled"


def test_refusals_for_a_cancelled_or_past_event(cli, database_url: str, two_networks):  # type: ignore[no-untyped-def]
    cafe = str(two_networks["cafe"])
    again = cli("event", "cancel", cafe)
    assert again.exit_code == 1 and "already cancelled" in again.stderr
    changed = cli("event", "edit", cafe, "--title", "Ny kafé")
    assert changed.exit_code == 1 and "cancelled; it can no longer be changed" in changed.stderr

    async def past_event(session: AsyncSession) -> int:
        network_id = await session.scalar(select(Network.id).where(Network.slug == "torstrand"))
        moment = datetime(2020, 1, 1, 10, 0, tzinfo=UTC)
        event = Event(
            network_id=network_id,
            uid="past@test",
            title="Gammel",
            locale="nb",
            starts_at=moment,
            status=EventStatus.PUBLISHED,
            created_at=moment,
            updated_at=moment,
        )
        session.add(event)
        await session.flush()
        return event.id

    old = str(in_database(database_url, past_event))
    for args in (("edit", old, "--title", "Ny"), ("cancel", old)):
        result = cli("event", *args)
        assert result.exit_code == 1 and "is over; it can no longer be" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("show", "999"), "there is no event 999"),
        (("edit", "999", "--title", "X"), "there is no event 999"),
        (("cancel", "999"), "there is no event 999"),
        (("edit", "{dugnad}"), "nothing to change"),
        (("edit", "{dugnad}", "--title", "Dugnad"), "nothing to change"),
        (("edit", "{dugnad}", "--starts", "i morgen"), "--starts must look like"),
        (("edit", "{dugnad}", "--starts", "2001-01-01 10:00"), "--starts is in the past"),
        (("edit", "{dugnad}", "--ends", "2099-05-01 10:00"), "--ends must be after the start"),
        (("list", "--from", "2099-13-01"), "--from must look like 2026-12-03"),
        (("list", "--network", "nowhere"), "there is no network 'nowhere'"),
        (("cancel", "{dugnad}", "--reason", "x" * 301), "reason is too long"),
    ],
)
def test_bad_input_is_one_line_on_stderr(cli, two_networks, args: tuple[str, ...], said: str):  # type: ignore[no-untyped-def]
    result = cli("event", *(arg.format(**two_networks) for arg in args))
    assert result.exit_code != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("naboskap: "), result.stderr
    assert said in lines[0]
    assert "Traceback" not in result.output and result.stdout == ""
