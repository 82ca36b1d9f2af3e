"""A small town for the insight's tests, written into the database row by row with the times a
test chooses, so each figure can be checked against numbers counted by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import (
    Answer,
    CallStatus,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    EventSeries,
    EventStatus,
    HelpCategory,
    HelpRequest,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipDay,
    Network,
    NetworkKind,
    NetworkText,
    Notice,
    NoticeKind,
    Poll,
    PollBallot,
    PollStatus,
    Repeat,
    RequestStatus,
    Resident,
    Rsvp,
    SeriesRsvp,
    VolunteerCall,
    VolunteerShift,
    VolunteerSignup,
)

OSLO = ZoneInfo("Europe/Oslo")
# The town's "now": Tuesday 8 December 2026, 12:00 in Oslo (week 50).
NOW = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)


def oslo(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A local time in Oslo, as the UTC moment it is stored as."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=OSLO).astimezone(UTC)


class Town:
    """Rows written straight into the database, each with the time the test chose."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self._ids = itertools.count(1)

    async def _add(self, *rows: object) -> None:
        async with self.sessions() as session:
            session.add_all(rows)
            await session.commit()

    async def network(
        self, name: str, archived_at: datetime | None = None, texts: dict[str, str] | None = None
    ) -> int:
        n = next(self._ids)
        network = Network(
            slug=f"net-{n}",
            name=name,
            kind=NetworkKind.AREA,
            join_policy=JoinPolicy.OPEN,
            archived_at=archived_at,
            created_at=NOW - timedelta(days=400),
        )
        await self._add(network)
        for locale, text in (texts or {}).items():
            await self._add(NetworkText(network_id=network.id, locale=locale, name=text))
        return network.id

    async def resident(
        self, locale: str | None = "nb", telegram: bool = True, name: str = "Kari"
    ) -> int:
        n = next(self._ids)
        resident = Resident(
            telegram_id=5_000_000 + n if telegram else None,
            phone=None if telegram else f"+479{n:07d}",
            first_name=name,
            locale=locale,
            created_at=NOW - timedelta(days=400),
        )
        await self._add(resident)
        return resident.id

    async def residents(
        self, count: int, locale: str | None = "nb", telegram: bool = True
    ) -> list[int]:
        return [await self.resident(locale, telegram) for _ in range(count)]

    async def members(self, network_id: int, resident_ids: list[int], host: bool = False) -> None:
        role = MemberRole.HOST if host else MemberRole.MEMBER
        await self._add(
            *(
                Membership(resident_id=r, network_id=network_id, role=role, joined_at=NOW)
                for r in resident_ids
            )
        )

    async def day(self, network_id: int, day: date, joined: int = 0, left: int = 0) -> None:
        await self._add(MembershipDay(network_id=network_id, day=day, joined=joined, left=left))

    async def notice(
        self,
        network_id: int | None,
        created_at: datetime,
        deliveries: list[tuple[DeliveryStatus, Channel, str | None]],
    ) -> None:
        notice = Notice(
            kind=NoticeKind.BROADCAST if network_id else NoticeKind.DIGEST,
            network_id=network_id,
            created_at=created_at,
        )
        await self._add(notice)
        rows = []
        for status, channel, report in deliveries:
            resident_id = await self.resident(telegram=channel is Channel.TELEGRAM)
            rows.append(
                Delivery(
                    notice_id=notice.id,
                    resident_id=resident_id,
                    channel=channel,
                    locale="nb",
                    status=status,
                    report=report,
                )
            )
        await self._add(*rows)

    async def help_request(
        self,
        network_id: int,
        created_at: datetime,
        matched_after: timedelta | None = None,
        status: RequestStatus | None = None,
        helper: bool = False,
    ) -> None:
        requester = await self.resident()
        helper_id = await self.resident() if helper or matched_after is not None else None
        await self._add(
            HelpRequest(
                requester_id=requester,
                network_id=network_id,
                category=HelpCategory.ERRANDS,
                description="Handling",
                status=status or (RequestStatus.MATCHED if matched_after else RequestStatus.OPEN),
                helper_id=helper_id,
                created_at=created_at,
                expires_at=created_at + timedelta(days=14),
                matched_at=created_at + matched_after if matched_after is not None else None,
            )
        )

    async def event(
        self,
        network_id: int,
        starts_at: datetime,
        yes: int = 0,
        no: int = 0,
        status: EventStatus = EventStatus.PUBLISHED,
        series_id: int | None = None,
    ) -> int:
        n = next(self._ids)
        event = Event(
            network_id=network_id,
            uid=f"event-{n}@test",
            title="Kaffe",
            locale="nb",
            starts_at=starts_at,
            status=status,
            series_id=series_id,
        )
        await self._add(event)
        answers = [(Answer.YES, yes), (Answer.NO, no)]
        rows = [
            Rsvp(event_id=event.id, resident_id=await self.resident(), answer=answer)
            for answer, count in answers
            for _ in range(count)
        ]
        await self._add(*rows)
        return event.id

    async def series(self, network_id: int, first_start: datetime) -> int:
        n = next(self._ids)
        series = EventSeries(
            network_id=network_id, uid=f"series-{n}", repeat=Repeat.WEEKLY, first_start=first_start
        )
        await self._add(series)
        return series.id

    async def series_yes(self, series_id: int, resident_id: int) -> None:
        await self._add(SeriesRsvp(series_id=series_id, resident_id=resident_id, answer=Answer.YES))

    async def rsvp(self, event_id: int, resident_id: int, answer: Answer) -> None:
        await self._add(Rsvp(event_id=event_id, resident_id=resident_id, answer=answer))

    async def poll(
        self,
        network_id: int | None,
        created_at: datetime,
        ballots: int,
        status: PollStatus = PollStatus.CLOSED,
    ) -> None:
        poll = Poll(
            network_id=network_id,
            question="Benker?",
            locale="nb",
            status=status,
            closes_at=created_at + timedelta(days=3),
            created_at=created_at,
        )
        await self._add(poll)
        rows = [
            PollBallot(poll_id=poll.id, resident_id=r, channel="telegram", locale="nb")
            for r in await self.residents(ballots)
        ]
        await self._add(*rows)

    async def shift(
        self,
        network_id: int,
        starts_at: datetime,
        hours: float,
        came: int,
        absent: int = 0,
        confirmed: bool = True,
        call_status: CallStatus = CallStatus.OPEN,
    ) -> None:
        call = VolunteerCall(network_id=network_id, title="Dugnad", locale="nb", status=call_status)
        await self._add(call)
        shift = VolunteerShift(
            call_id=call.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            slots=came + absent + 5,
            confirmed_at=starts_at + timedelta(hours=hours + 1) if confirmed else None,
        )
        await self._add(shift)
        signups = [
            VolunteerSignup(shift_id=shift.id, resident_id=r, channel="telegram", attended=True)
            for r in await self.residents(came)
        ] + [
            VolunteerSignup(shift_id=shift.id, resident_id=r, channel="telegram", attended=False)
            for r in await self.residents(absent)
        ]
        await self._add(*signups)
