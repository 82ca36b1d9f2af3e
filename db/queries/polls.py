"""Polls: their options and texts per language, ballots and choices, and the counts results
are made of."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Membership, Notice, NoticeKind, Rendering, Resident
from db.models.polls import (
    Poll,
    PollBallot,
    PollChoice,
    PollOption,
    PollOptionText,
    PollStatus,
    PollText,
)


async def get(session: AsyncSession, poll_id: int) -> Poll | None:
    return await session.get(Poll, poll_id)


async def options(session: AsyncSession, poll_ids: Collection[int]) -> dict[int, list[PollOption]]:
    """Each poll's options in their order."""
    found: dict[int, list[PollOption]] = {poll_id: [] for poll_id in poll_ids}
    if not poll_ids:
        return found
    rows = await session.scalars(
        select(PollOption)
        .where(PollOption.poll_id.in_(poll_ids))
        .order_by(PollOption.poll_id, PollOption.position)
    )
    for row in rows:
        found.setdefault(row.poll_id, []).append(row)
    return found


async def texts(
    session: AsyncSession, poll_ids: Collection[int]
) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """The questions by poll and locale, and the options' texts by option and locale."""
    questions: dict[int, dict[str, str]] = {}
    answers: dict[int, dict[str, str]] = {}
    if not poll_ids:
        return questions, answers
    for row in await session.scalars(select(PollText).where(PollText.poll_id.in_(poll_ids))):
        questions.setdefault(row.poll_id, {})[row.locale] = row.question
    option_rows = await session.scalars(
        select(PollOptionText)
        .join(PollOption, PollOption.id == PollOptionText.option_id)
        .where(PollOption.poll_id.in_(poll_ids))
    )
    for option in option_rows:
        answers.setdefault(option.option_id, {})[option.locale] = option.text
    return questions, answers


async def add_texts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """The creator's translations of the question (`poll_id`, `locale`, `question`)."""
    for row in rows:
        session.add(PollText(**row))


async def add_option_texts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    for row in rows:
        session.add(PollOptionText(**row))


async def ballot(session: AsyncSession, poll_id: int, resident_id: int) -> PollBallot | None:
    return await session.get(PollBallot, (poll_id, resident_id))


async def choices_of(
    session: AsyncSession, resident_id: int, poll_ids: Collection[int]
) -> dict[int, set[int]]:
    """The options a resident chose, by poll."""
    found: dict[int, set[int]] = {}
    if not poll_ids:
        return found
    rows = await session.execute(
        select(PollChoice.poll_id, PollChoice.option_id).where(
            PollChoice.resident_id == resident_id, PollChoice.poll_id.in_(poll_ids)
        )
    )
    for poll_id, option_id in rows:
        found.setdefault(int(poll_id), set()).add(int(option_id))
    return found


async def others_of(
    session: AsyncSession, resident_id: int, poll_ids: Collection[int]
) -> dict[int, str | None]:
    """A resident's ballots among these polls: their words for "Other" (None without), by
    poll; a poll they did not answer is absent."""
    if not poll_ids:
        return {}
    rows = await session.execute(
        select(PollBallot.poll_id, PollBallot.other_text).where(
            PollBallot.resident_id == resident_id, PollBallot.poll_id.in_(poll_ids)
        )
    )
    return {int(poll_id): other for poll_id, other in rows}


async def set_choices(
    session: AsyncSession, poll_id: int, resident_id: int, option_ids: Collection[int]
) -> None:
    """Replace the resident's chosen options of a poll."""
    await session.execute(
        delete(PollChoice).where(
            PollChoice.poll_id == poll_id, PollChoice.resident_id == resident_id
        )
    )
    for option_id in sorted(option_ids):
        session.add(PollChoice(poll_id=poll_id, resident_id=resident_id, option_id=option_id))


async def delete_ballot(session: AsyncSession, poll_id: int, resident_id: int) -> None:
    """A ballot with nothing chosen any more (the last choice of a multiple-choice poll
    untapped, no words for "Other") is no answer: it goes, with its choices."""
    await session.execute(
        delete(PollChoice).where(
            PollChoice.poll_id == poll_id, PollChoice.resident_id == resident_id
        )
    )
    await session.execute(
        delete(PollBallot).where(
            PollBallot.poll_id == poll_id, PollBallot.resident_id == resident_id
        )
    )


class Tally(NamedTuple):
    """What results are made of: ballots, and choices by option, language and channel."""

    ballots: int
    by_option: dict[int, int]
    ballots_by_locale: dict[str, int]
    ballots_by_channel: dict[str, int]
    # (locale or channel, option id) -> choices
    by_locale: dict[tuple[str, int], int]
    by_channel: dict[tuple[str, int], int]
    others: int  # ballots with words for "Other"


async def tally(session: AsyncSession, poll_id: int) -> Tally:
    ballots_by_locale: dict[str, int] = {}
    ballots_by_channel: dict[str, int] = {}
    total = others = 0
    rows = await session.execute(
        select(
            PollBallot.locale,
            PollBallot.channel,
            func.count(),
            func.count(PollBallot.other_text),
        )
        .where(PollBallot.poll_id == poll_id)
        .group_by(PollBallot.locale, PollBallot.channel)
    )
    for locale, channel, count, other in rows:
        total += int(count)
        others += int(other)
        ballots_by_locale[locale] = ballots_by_locale.get(locale, 0) + int(count)
        ballots_by_channel[channel] = ballots_by_channel.get(channel, 0) + int(count)
    by_option: dict[int, int] = {}
    by_locale: dict[tuple[str, int], int] = {}
    by_channel: dict[tuple[str, int], int] = {}
    choice_rows = await session.execute(
        select(PollBallot.locale, PollBallot.channel, PollChoice.option_id, func.count())
        .join(
            PollBallot,
            (PollBallot.poll_id == PollChoice.poll_id)
            & (PollBallot.resident_id == PollChoice.resident_id),
        )
        .where(PollChoice.poll_id == poll_id)
        .group_by(PollBallot.locale, PollBallot.channel, PollChoice.option_id)
    )
    for locale, channel, option_id, count in choice_rows:
        n, option = int(count), int(option_id)
        by_option[option] = by_option.get(option, 0) + n
        by_locale[(locale, option)] = by_locale.get((locale, option), 0) + n
        by_channel[(channel, option)] = by_channel.get((channel, option), 0) + n
    return Tally(
        total, by_option, ballots_by_locale, ballots_by_channel, by_locale, by_channel, others
    )


async def other_texts(session: AsyncSession, poll_id: int) -> list[str]:
    """The words residents wrote for "Other", oldest first (no names)."""
    rows = await session.scalars(
        select(PollBallot.other_text)
        .where(PollBallot.poll_id == poll_id, PollBallot.other_text.is_not(None))
        .order_by(PollBallot.answered_at)
    )
    return [text for text in rows if text]


async def names_by_option(session: AsyncSession, poll_id: int) -> dict[int, list[str]]:
    """First names of those who chose each option (a poll that is not anonymous)."""
    rows = await session.execute(
        select(PollChoice.option_id, Resident.first_name)
        .join(Resident, Resident.id == PollChoice.resident_id)
        .where(PollChoice.poll_id == poll_id)
        .order_by(Resident.first_name, Resident.id)
    )
    found: dict[int, list[str]] = {}
    for option_id, name in rows:
        found.setdefault(int(option_id), []).append(name or "?")
    return found


def _visible_to(resident_id: int) -> Any:
    """Polls a resident may answer: in one of their networks, or to everyone."""
    mine = select(Membership.network_id).where(Membership.resident_id == resident_id)
    return or_(Poll.network_id.is_(None), Poll.network_id.in_(mine))


async def open_for(
    session: AsyncSession, resident_id: int, offset: int, limit: int
) -> tuple[list[Poll], int]:
    """Open polls the resident may answer, closing soonest first, and their count."""
    where = (Poll.status == PollStatus.OPEN, _visible_to(resident_id))
    total = await session.scalar(select(func.count()).select_from(Poll).where(*where))
    rows = await session.scalars(
        select(Poll).where(*where).order_by(Poll.closes_at, Poll.id).offset(offset).limit(limit)
    )
    return list(rows), int(total or 0)


async def closed_answered(
    session: AsyncSession, resident_id: int, offset: int, limit: int
) -> tuple[list[Poll], int]:
    """Closed polls the resident answered (or created), latest first."""
    answered = select(PollBallot.poll_id).where(PollBallot.resident_id == resident_id)
    where = (
        Poll.status == PollStatus.CLOSED,
        or_(Poll.id.in_(answered), Poll.created_by == resident_id),
    )
    total = await session.scalar(select(func.count()).select_from(Poll).where(*where))
    rows = await session.scalars(
        select(Poll)
        .where(*where)
        .order_by(Poll.closed_at.desc(), Poll.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total or 0)


async def open_in(
    session: AsyncSession, network_ids: Collection[int] | None, now: datetime, limit: int
) -> list[Poll]:
    """Open polls of these networks (None: of every network) and to everyone, closing
    soonest first (the digest)."""
    query = select(Poll).where(Poll.status == PollStatus.OPEN, Poll.closes_at > now)
    if network_ids is not None:
        query = query.where(or_(Poll.network_id.is_(None), Poll.network_id.in_(list(network_ids))))
    rows = await session.scalars(query.order_by(Poll.closes_at, Poll.id).limit(limit))
    return list(rows)


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[int]:
    """Open polls whose closing time has passed."""
    rows = await session.scalars(
        select(Poll.id)
        .where(Poll.status == PollStatus.OPEN, Poll.closes_at <= now)
        .order_by(Poll.closes_at, Poll.id)
        .limit(limit)
    )
    return list(rows)


async def mark_closed(session: AsyncSession, poll_id: int, now: datetime) -> bool:
    """Close an open poll; False if it was closed already (once only, even with two
    processes)."""
    result = await session.execute(
        update(Poll)
        .where(Poll.id == poll_id, Poll.status == PollStatus.OPEN)
        .values(status=PollStatus.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def answerer_ids(session: AsyncSession, poll_id: int) -> list[int]:
    rows = await session.scalars(
        select(PollBallot.resident_id).where(PollBallot.poll_id == poll_id)
    )
    return list(rows)


async def ballots_of(session: AsyncSession, resident_id: int) -> list[tuple[Poll, PollBallot]]:
    """A resident's ballots with their polls (/mydata)."""
    rows = await session.execute(
        select(Poll, PollBallot)
        .join(PollBallot, PollBallot.poll_id == Poll.id)
        .where(PollBallot.resident_id == resident_id)
        .order_by(PollBallot.answered_at)
    )
    return [(poll, ballot) for poll, ballot in rows]


async def ballot_count(session: AsyncSession, resident_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(PollBallot).where(PollBallot.resident_id == resident_id)
    )
    return int(found or 0)


async def listing(session: AsyncSession, after_id: int, limit: int) -> list[tuple[Poll, int]]:
    """Polls by id from `after_id` on, with their number of ballots (the CLI's list)."""
    answers = (
        select(func.count())
        .select_from(PollBallot)
        .where(PollBallot.poll_id == Poll.id)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Poll, answers).where(Poll.id > after_id).order_by(Poll.id).limit(limit)
    )
    return [(poll, int(count or 0)) for poll, count in rows]


async def old_closed(session: AsyncSession, before: datetime) -> int:
    """Delete polls closed (or withdrawn) before `before`: their options, texts, ballots and
    choices go by cascade. Open polls stay, whatever their age."""
    result = await session.execute(
        delete(Poll).where(Poll.status != PollStatus.OPEN, Poll.closed_at < before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def choice_texts_of(session: AsyncSession, resident_id: int) -> dict[int, list[str]]:
    """The options a resident chose, as written, by poll (/mydata)."""
    rows = await session.execute(
        select(PollChoice.poll_id, PollOption.text)
        .join(PollOption, PollOption.id == PollChoice.option_id)
        .where(PollChoice.resident_id == resident_id)
        .order_by(PollChoice.poll_id, PollOption.position)
    )
    found: dict[int, list[str]] = {}
    for poll_id, text in rows:
        found.setdefault(int(poll_id), []).append(text)
    return found


async def results_renderings_with(session: AsyncSession, text: str) -> list[Rendering]:
    """Renderings of poll results that quote `text` (a resident's words for "Other")."""
    rows = await session.scalars(
        select(Rendering)
        .join(Notice, Notice.id == Rendering.notice_id)
        .where(Notice.kind == NoticeKind.POLL_RESULTS, Rendering.text.contains(text))
    )
    return list(rows)
