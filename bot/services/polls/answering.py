"""The resident's side of polls: the open ones they may answer, their one ballot per poll
(changeable until it closes), and the closed ones they answered.

Who answers is always the actor: no action names a resident, so voting for someone else
cannot be expressed. A poll of a network the actor is not in is not found; an option of
another poll is not found either (forged callback data); a closed poll is refused."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound
from bot.services.polls.views import PollView, load_views
from db.models import Channel, Poll, PollBallot, PollStatus
from db.queries import networks as nq
from db.queries import polls as q
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

OTHER_MAX = 300


async def _answerable(session: AsyncSession, actor: Actor, poll_id: int) -> tuple[int, Poll]:
    """The resident and the poll, if it is one they may answer (open or not)."""
    resident_id = actor.require_resident()
    poll = await q.get(session, poll_id)
    if poll is None or poll.status is PollStatus.HIDDEN:
        raise NotFound()
    if poll.network_id is not None and (
        await nq.membership(session, resident_id, poll.network_id) is None
    ):
        raise NotFound()
    return resident_id, poll


def _require_open(poll: Poll, now: datetime) -> None:
    if poll.status is not PollStatus.OPEN or poll.closes_at <= now:
        raise InvalidInput("poll", "closed")


async def get(
    session: AsyncSession,
    actor: Actor,
    poll_id: int,
    *,
    machine: MachineTranslation | None = None,
) -> PollView:
    """A poll the actor may answer, with their own answer."""
    resident_id, poll = await _answerable(session, actor, poll_id)
    readers = [actor.locale] if actor.locale else []
    return (await load_views(session, [poll], resident_id, machine=machine, readers=readers))[0]


async def _ballot(
    session: AsyncSession,
    actor: Actor,
    poll: Poll,
    resident_id: int,
    channel: Channel,
    now: datetime,
) -> PollBallot:
    ballot = await q.ballot(session, poll.id, resident_id)
    if ballot is None:
        ballot = PollBallot(
            poll_id=poll.id,
            resident_id=resident_id,
            channel=str(channel),
            locale=actor.locale or poll.locale,
            answered_at=now,
        )
        session.add(ballot)
    else:
        ballot.channel, ballot.locale, ballot.answered_at = (
            str(channel),
            actor.locale or ballot.locale,
            now,
        )
    return ballot


async def _save(
    session: AsyncSession,
    actor: Actor,
    poll: Poll,
    resident_id: int,
    chosen: Collection[int],
    other: str | None,
    channel: Channel,
    now: datetime,
) -> None:
    """The ballot as `chosen` and `other` say; none at all when both are empty."""
    if not chosen and other is None:
        await q.delete_ballot(session, poll.id, resident_id)
        return
    ballot = await _ballot(session, actor, poll, resident_id, channel, now)
    ballot.other_text = other
    await session.flush()
    await q.set_choices(session, poll.id, resident_id, chosen)


async def vote(
    session: AsyncSession,
    actor: Actor,
    poll_id: int,
    option_id: int,
    channel: Channel = Channel.TELEGRAM,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> PollView:
    """A tap on an option: in a single-choice poll it replaces the answer; in a multiple-choice
    poll it adds the option, or takes it back if it was chosen. Commits."""
    now = now or session_now(session)
    resident_id, poll = await _answerable(session, actor, poll_id)
    readers = [actor.locale] if actor.locale else []
    view = (await load_views(session, [poll], resident_id, machine=machine, readers=readers))[0]
    if view.option(option_id) is None:
        raise NotFound()  # an option of another poll: forged
    _require_open(poll, now)
    other = view.my_other
    if poll.multiple:
        chosen = set(view.my_choices) ^ {option_id}
    else:
        chosen, other = {option_id}, None
    await _save(session, actor, poll, resident_id, chosen, other, channel, now)
    await session.commit()
    # The view as the ballot now stands, rather than the poll read back a second time: a town
    # answering at once pays for every query of every tap.
    return replace(view, my_choices=frozenset(chosen), my_other=other)


async def choose(
    session: AsyncSession,
    actor: Actor,
    poll_id: int,
    option_ids: Collection[int],
    channel: Channel = Channel.SMS,
    *,
    keep_other: bool = False,
    now: datetime | None = None,
) -> PollView:
    """The whole answer at once (an SMS "1 3"): these options and no others. More than one
    is refused in a single-choice poll. Commits."""
    now = now or session_now(session)
    resident_id, poll = await _answerable(session, actor, poll_id)
    view = await get(session, actor, poll_id)
    chosen = set(option_ids)
    if not chosen or any(view.option(option_id) is None for option_id in chosen):
        raise NotFound()
    _require_open(poll, now)
    if len(chosen) > 1 and not poll.multiple:
        raise InvalidInput("poll", "one_only")
    other = view.my_other if (poll.multiple or keep_other) else None
    await _save(session, actor, poll, resident_id, chosen, other, channel, now)
    await session.commit()
    return await get(session, actor, poll_id)


async def may_answer_other(
    session: AsyncSession, actor: Actor, poll_id: int, *, now: datetime | None = None
) -> PollView:
    """Refuses before the resident writes their words if "Other" cannot be answered."""
    now = now or session_now(session)
    _, poll = await _answerable(session, actor, poll_id)
    if not poll.allow_other:
        raise NotFound()
    _require_open(poll, now)
    return await get(session, actor, poll_id)


async def answer_other(
    session: AsyncSession,
    actor: Actor,
    poll_id: int,
    text: str,
    channel: Channel = Channel.TELEGRAM,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> PollView:
    """The resident's own words for "Other": in a single-choice poll they replace any chosen
    option; in a multiple-choice poll they come on top. Commits."""
    now = now or session_now(session)
    resident_id, poll = await _answerable(session, actor, poll_id)
    if not poll.allow_other:
        raise NotFound()
    _require_open(poll, now)
    words = " ".join(text.split())
    if not words:
        raise InvalidInput("other", "empty")
    if len(words) > OTHER_MAX:
        raise InvalidInput("other", "too_long", OTHER_MAX)
    view = await get(session, actor, poll_id)
    chosen = set(view.my_choices) if poll.multiple else set()
    await _save(session, actor, poll, resident_id, chosen, words, channel, now)
    await session.commit()
    return await get(session, actor, poll_id, machine=machine)


async def open_polls(
    session: AsyncSession,
    actor: Actor,
    offset: int = 0,
    limit: int = 5,
    *,
    machine: MachineTranslation | None = None,
) -> tuple[list[PollView], int]:
    """A page of the open polls the resident may answer, closing soonest first."""
    resident_id = actor.require_resident()
    polls, total = await q.open_for(session, resident_id, max(offset, 0), limit)
    readers = [actor.locale] if actor.locale else []
    return await load_views(session, polls, resident_id, machine=machine, readers=readers), total


async def closed_polls(
    session: AsyncSession,
    actor: Actor,
    offset: int = 0,
    limit: int = 5,
    *,
    machine: MachineTranslation | None = None,
) -> tuple[list[PollView], int]:
    """A page of the closed polls the resident answered or created, latest first."""
    resident_id = actor.require_resident()
    polls, total = await q.closed_answered(session, resident_id, max(offset, 0), limit)
    readers = [actor.locale] if actor.locale else []
    return await load_views(session, polls, resident_id, machine=machine, readers=readers), total
