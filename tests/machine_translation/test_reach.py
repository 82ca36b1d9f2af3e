"""`naboskap reach` reports this month's machine translation below the SMS line: in all and by
language, for the configured translator (and one used earlier in the month); nothing when it
is off and was not used. The CSV's columns stay as they are."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from db.queries import machine_translations as mq
from db.session import create_engine, create_sessionmaker


async def _count(database_url: str, *rows: tuple[date, str, str, int, int]) -> None:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        for day, translator, target, texts, characters in rows:
            await mq.add_usage(session, day, translator, target, texts, characters)
        await session.commit()
    await engine.dispose()


def test_reach_reports_the_month_of_machine_translation(
    cli, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    cli("network", "add", "torstrand", "Torstrand")
    assert "Machine translation" not in cli("reach").output  # off, and never used
    monkeypatch.setenv("MACHINE_TRANSLATION", "libretranslate")
    monkeypatch.setenv("LIBRETRANSLATE_URL", "http://127.0.0.1:9")  # never asked by reach
    assert cli("reach").output.splitlines()[-1] == (
        "Machine translation this month (libretranslate): 0 texts, 0 characters"
    )
    # This month in TIMEZONE (Europe/Oslo by default), as reach counts it.
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    last_month = today.replace(day=1) - timedelta(days=1)
    asyncio.run(
        _count(
            database_url,
            (today, "libretranslate", "uk", 10, 2000),
            (today.replace(day=1), "libretranslate", "uk", 2, 150),
            (today, "libretranslate", "fa_AF", 3, 450),
            (last_month, "libretranslate", "uk", 99, 9999),  # not this month
            (today.replace(day=1), "acme", "pl", 1, 40),  # the translator before a switch
        )
    )
    output = cli("reach").output.splitlines()
    assert output[-5:] == [
        "Machine translation this month (libretranslate): 15 texts, 2600 characters",
        "  fa_AF       3 texts       450 characters",
        "  uk         12 texts      2150 characters",
        "Machine translation this month (acme): 1 text, 40 characters",
        "  pl          1 text         40 characters",
    ]
    csv = cli("reach", "--csv").output.splitlines()
    assert csv == [
        "network,name,language,members,unreachable_in_network",
        "torstrand,Torstrand,,0,0",
    ]
