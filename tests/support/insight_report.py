"""The monthly report's tests' town and how they read the page: November 2026 in two
networks with named residents (some by SMS, with phone numbers) and their own words in every
text a resident could write, and a parser that finds what a reader meets on the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

from sqlalchemy import select, update

from db.models import (
    Channel,
    DeliveryStatus,
    Event,
    HelpRequest,
    Poll,
    Resident,
    VolunteerCall,
)
from tests.support.insight_town import Town, oslo
from tests.support.log_guard import personal, personal_phone

NOVEMBER = date(2026, 11, 1)
# Residents' own names and words, which the report must never carry.
NAMES = (
    "Ingeborg",
    "Svanhild",
    "Torbjørn",
    "Solveig",
    "Gunnhild",
    "Oleksandra",
    "Mykola",
    "Halyna",
)
WORDS = {
    HelpRequest: ("description", "Bære ved opp trappa til Ingeborg"),
    Event: ("title", "Vaffelfest hos Svanhild"),
    Poll: ("question", "Skal Torbjørn male gjerdet?"),
    VolunteerCall: ("title", "Ryddedag med Solveig"),
}


@dataclass(frozen=True)
class Seeded:
    names: tuple[str, ...]
    phones: tuple[str, ...]
    words: tuple[str, ...]


async def seed_november(town: Town) -> Seeded:
    """Two networks, members on Telegram and by SMS in two languages, and a month of notices,
    help, an event, a poll and a shift in November 2026; every resident named, the SMS ones
    with a phone number, every text a resident could write made out of their names."""
    sentrum = await town.network("Sentrum")
    torstrand = await town.network("Torstrand")
    telegram = [await town.resident("nb", True, name=name) for name in NAMES[:5]]
    by_sms = [await town.resident("uk", False, name=name) for name in NAMES[5:]]
    await town.members(sentrum, telegram + by_sms)
    await town.day(sentrum, date(2026, 11, 3), joined=len(telegram + by_sms))
    await town.members(torstrand, telegram[:2])
    await town.day(torstrand, date(2026, 10, 12), joined=2)
    sent = [(DeliveryStatus.SENT, Channel.TELEGRAM, None)] * 6
    await town.notice(
        sentrum, oslo(date(2026, 11, 10)), [*sent, (DeliveryStatus.FAILED, Channel.SMS, None)]
    )
    for _ in range(5):
        await town.help_request(sentrum, oslo(date(2026, 11, 4)), matched_after=timedelta(hours=5))
    await town.event(sentrum, oslo(date(2026, 11, 20), 18), yes=7)
    await town.poll(sentrum, oslo(date(2026, 11, 15)), ballots=6)
    await town.shift(sentrum, oslo(date(2026, 11, 21), 10), hours=3, came=5)
    async with town.sessions() as session:
        for model, (column, text) in WORDS.items():
            await session.execute(update(model).values({column: text}))
        people = (await session.execute(select(Resident.first_name, Resident.phone))).all()
        await session.commit()
    seeded = Seeded(
        names=tuple(sorted({name for name, _ in people if name})),
        phones=tuple(phone for _, phone in people if phone),
        words=tuple(text for _, text in WORDS.values()),
    )
    # The log is checked for them too (tests/support/log_guard.py).
    personal(*seeded.names, *seeded.words)
    personal_phone(*seeded.phones)
    return seeded


class Page(HTMLParser):
    """What a reader meets on the page: its sections, pictures, tables and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root: dict[str, str] = {}
        self.sections: list[str] = []
        self.headings: dict[str, str] = {}
        self.images: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.resources: list[str] = []
        self.text: list[str] = []
        self._section = ""
        self._heading: list[str] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        for name in ("src", "href"):
            if name in found and not found[name].startswith(("data:", "#")):
                self.resources.append(found[name])
        if tag == "html":
            self.root = found
        elif tag == "section":
            self._section = found.get("id", "")
            self.sections.append(self._section)
        elif tag == "h2":
            self._heading = []
        elif tag == "img":
            self.images[self._section] = found["src"]
            self.text.append(found.get("alt", ""))
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag in ("link", "script", "iframe", "object"):
            self.resources.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings[self._section] = "".join(self._heading)
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._section, []).append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)
