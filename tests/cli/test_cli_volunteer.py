"""`naboskap volunteer report --month` and `volunteer list`: the month's volunteering per
network (calls, shifts, signups, people who came, hours) as a table, CSV or JSON, never a
name; bad options as one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CallStatus,
    Network,
    Resident,
    VolunteerCall,
    VolunteerShift,
    VolunteerSignup,
)
from tests.support.cli import in_database

REPORT = ["month", "network", "calls", "shifts", "signups", "came", "hours"]
JUNE = datetime(2026, 6, 13, 8, 0, tzinfo=UTC)  # Saturday 13 June, 10:00 in Oslo


def _calls(cli, database_url: str) -> None:  # type: ignore[no-untyped-def]
    cli("network", "add", "torstrand", "Torstrand")
    cli("network", "add", "sentrum", "Sentrum")

    async def work(session: AsyncSession) -> None:
        nets = {n.slug: n.id for n in await session.scalars(select(Network))}
        people = [
            Resident(telegram_id=90_000 + n, first_name=f"Ola{n}", locale="nb") for n in range(4)
        ]
        session.add_all(people)
        await session.flush()

        async def call(slug: str, title: str, status: CallStatus, shifts: list[tuple]) -> None:  # type: ignore[type-arg]
            made = VolunteerCall(
                network_id=nets[slug], title=title, locale="nb", status=status, created_at=JUNE
            )
            session.add(made)
            await session.flush()
            for start, hours, came, signed in shifts:
                shift = VolunteerShift(
                    call_id=made.id, starts_at=start, ends_at=start + timedelta(hours=hours),
                    slots=5, confirmed_at=start + timedelta(days=1),
                )  # fmt: skip
                session.add(shift)
                await session.flush()
                for n, person in enumerate(people[:signed]):
                    session.add(
                        VolunteerSignup(
                            shift_id=shift.id, resident_id=person.id, channel="telegram",
                            attended=n < came,
                        )
                    )  # fmt: skip

        await call(
            "torstrand",
            "Rydd parken",
            CallStatus.OPEN,
            [(JUNE, 3, 2, 3), (JUNE + timedelta(days=1), 2, 1, 1)],
        )
        await call("sentrum", "Mal benkene", CallStatus.OPEN, [(JUNE, 4, 4, 4)])
        await call("sentrum", "Avlyst", CallStatus.CANCELLED, [(JUNE, 4, 0, 2)])
        await call("torstrand", "Juli", CallStatus.OPEN, [(JUNE + timedelta(days=30), 3, 2, 2)])

    in_database(database_url, work)


def test_the_month_per_network_as_csv_json_and_a_table(cli, database_url):
    _calls(cli, database_url)
    result = cli("volunteer", "report", "--month", "2026-06", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == REPORT
    assert [tuple(r.values()) for r in rows] == [
        ("2026-06", "Sentrum", "1", "1", "4", "4", "16.0"),
        ("2026-06", "Torstrand", "1", "2", "4", "3", "8.0"),
    ]
    assert "Ola" not in result.stdout  # aggregates only
    as_json = json.loads(cli("volunteer", "report", "--month", "2026-06", "--json").stdout)
    assert as_json[1]["hours"] == 8.0 and as_json[1]["came"] == 3
    table = cli("volunteer", "report", "--month", "2026-06").stdout
    assert "Torstrand" in table and "16.0" in table
    july = cli("volunteer", "report", "--month", "2026-07", "--json")
    assert json.loads(july.stdout)[0]["hours"] == 6.0
    empty = cli("volunteer", "report", "--month", "2025-01")
    assert empty.exit_code == 0 and "no volunteer shifts in 2025-01" in empty.output


def test_the_calls_list(cli, database_url):
    _calls(cli, database_url)
    result = cli("volunteer", "list", "--days", "3650", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["title"] for r in rows][:3] == ["Rydd parken", "Mal benkene", "Avlyst"] or {
        r["title"] for r in rows
    } == {"Rydd parken", "Mal benkene", "Avlyst", "Juli"}
    first = next(r for r in rows if r["title"] == "Rydd parken")
    assert (first["shifts"], first["slots"], first["signups"], first["network"]) == (
        2, 10, 4, "torstrand",
    )  # fmt: skip
    assert cli("volunteer", "list").exit_code == 0  # nothing lately: says so


def test_bad_months_are_one_line(cli, database_url):
    for bad in ("2026-13", "juni", "2026-6-1", "1999-01"):
        result = cli("volunteer", "report", "--month", bad)
        assert result.exit_code != 0
        assert result.output.strip() == "naboskap: --month must look like 2026-06"
    missing = cli("volunteer", "report")
    assert missing.exit_code != 0 and len(missing.output.strip().splitlines()) == 1
