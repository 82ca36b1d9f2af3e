"""A poll's results: counts and shares per option for everyone who may see them, and for the
creator, the network's hosts and coordinators the split by language and by channel.

Small groups are never shown as they are: a language or channel with fewer ballots than
`MIN_GROUP_SIZE` reads "< 5" with no split of its own, and inside a larger group an option
chosen by fewer than that many reads "< 5" too, so a single Somali speaker's answer cannot be
picked out. The words written for "Other" are listed to the creator only, without names; a
poll that is not anonymous shows its creator the first names under each option."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from babel.numbers import format_percent
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator, native_digits
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.polls.views import PollView, load_views
from db.models import MemberRole, PollStatus
from db.queries import networks as nq
from db.queries import polls as q
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

DEFAULT_MIN_GROUP = 5


@dataclass(frozen=True)
class Group:
    """One language's or channel's share: None where the group is too small to show."""

    key: str
    ballots: int | None
    by_option: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class PollResults:
    view: PollView
    ballots: int
    counts: tuple[int, ...]  # per option, in order
    others: int  # ballots with words for "Other"
    min_group: int = DEFAULT_MIN_GROUP
    by_locale: tuple[Group, ...] = ()  # the creator, hosts and coordinators only
    by_channel: tuple[Group, ...] = ()
    other_texts: tuple[str, ...] = ()  # the creator only
    names: tuple[tuple[str, ...], ...] = ()  # per option: the creator of a named poll only
    detailed: bool = False

    def share(self, count: int) -> float:
        return count / self.ballots if self.ballots else 0.0


def _groups(
    ballots: dict[str, int],
    choices: dict[tuple[str, int], int],
    option_ids: list[int],
    minimum: int,
) -> tuple[Group, ...]:
    groups = []
    for key in sorted(ballots, key=lambda k: (-ballots[k], k)):
        n = ballots[key]
        if n < minimum:
            groups.append(Group(key, None))
            continue
        cells = []
        for option_id in option_ids:
            cell = choices.get((key, option_id), 0)
            cells.append(None if 0 < cell < minimum else cell)
        groups.append(Group(key, n, tuple(cells)))
    return tuple(groups)


async def compute(
    session: AsyncSession,
    view: PollView,
    *,
    detailed: bool = False,
    creator: bool = False,
    min_group: int = DEFAULT_MIN_GROUP,
) -> PollResults:
    """The results of `view`'s poll; `detailed` adds the split, `creator` the words for
    "Other" and (a named poll) who chose what."""
    tally = await q.tally(session, view.id)
    option_ids = [o.id for o in view.options]
    counts = tuple(tally.by_option.get(option_id, 0) for option_id in option_ids)
    results = PollResults(view, tally.ballots, counts, tally.others, min_group)
    if not detailed:
        return results
    by_locale = _groups(tally.ballots_by_locale, tally.by_locale, option_ids, min_group)
    by_channel = _groups(tally.ballots_by_channel, tally.by_channel, option_ids, min_group)
    others: tuple[str, ...] = ()
    names: tuple[tuple[str, ...], ...] = ()
    if creator:
        others = tuple(await q.other_texts(session, view.id))
        if not view.anonymous:
            found = await q.names_by_option(session, view.id)
            names = tuple(tuple(found.get(option_id, [])) for option_id in option_ids)
    return PollResults(
        view,
        tally.ballots,
        counts,
        tally.others,
        min_group,
        by_locale,
        by_channel,
        others,
        names,
        detailed=True,
    )


async def staff_of(session: AsyncSession, actor: Actor, view: PollView) -> bool:
    """Whether the actor sees the split: the creator, a coordinator, or a host of the poll's
    network."""
    if actor.is_coordinator:
        return True
    if actor.resident_id is None:
        return False
    if view.created_by == actor.resident_id:
        return True
    if view.network_id is None:
        return False
    membership = await nq.membership(session, actor.resident_id, view.network_id)
    return membership is not None and membership.role is MemberRole.HOST


async def get_for_staff(session: AsyncSession, actor: Actor, poll_id: int) -> PollView:
    """A poll its creator, a host of its network or a coordinator manages; else a refusal."""
    poll = await q.get(session, poll_id)
    if poll is None or poll.status is PollStatus.HIDDEN:
        raise NotFound()
    view = (await load_views(session, [poll], actor.resident_id))[0]
    if not await staff_of(session, actor, view):
        raise PermissionDenied("host")
    return view


async def for_actor(
    session: AsyncSession,
    actor: Actor,
    poll_id: int,
    *,
    min_group: int = DEFAULT_MIN_GROUP,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> PollResults:
    """The results as the actor may see them: staff at any time, with the split; a resident
    who answered once the poll has closed; anyone else is refused."""
    now = now or session_now(session)
    poll = await q.get(session, poll_id)
    if poll is None or poll.status is PollStatus.HIDDEN:
        raise NotFound()
    readers = [actor.locale] if actor.locale else []
    view = (await load_views(session, [poll], actor.resident_id, machine=machine, readers=readers))[
        0
    ]
    if await staff_of(session, actor, view):
        creator = actor.resident_id is not None and view.created_by == actor.resident_id
        return await compute(session, view, detailed=True, creator=creator, min_group=min_group)
    if not view.answered:
        raise NotFound()
    if view.is_open(now):
        raise InvalidInput("poll", "not_closed")
    return await compute(session, view, min_group=min_group)


def percent(t: Translator, share: float) -> str:
    text = format_percent(share, locale=t.locale, numbering_system="default")
    return native_digits(str(text), t.locale)


def _small(t: Translator, minimum: int) -> str:
    """ "< 5" (escaped: the results are HTML)."""
    return "&lt; " + t.number(minimum)


def option_labels(t: Translator, results: PollResults) -> list[str]:
    return list(results.view.texts_for(t.locale).options)


def results_text(t: Translator, results: PollResults) -> str:
    """The results as HTML: the counts everyone sees, then what the viewer's role adds."""
    view = results.view
    texts = view.texts_for(t.locale)
    closed = view.status is PollStatus.CLOSED
    head = t.gettext("📊 Results") if closed else t.gettext("📊 Results so far")
    lines = [f"{head}: <b>{html.escape(texts.question)}</b>"]
    lines.append(t.ngettext("{n} answer", "{n} answers", results.ballots))
    lines.append("")
    for label, count in zip(texts.options, results.counts, strict=True):
        lines.append(
            f"{html.escape(label)}: {t.number(count)} ({percent(t, results.share(count))})"
        )
    if view.allow_other:
        lines.append(
            t.gettext("Other: {count}", count=t.number(results.others))
            + f" ({percent(t, results.share(results.others))})"
        )
    if results.detailed:
        lines += _split_lines(t, results, texts.options)
    return "\n".join(lines)


def _group_line(
    t: Translator, name: str, group: Group, labels: tuple[str, ...], minimum: int
) -> str:
    if group.ballots is None:
        return f"• {html.escape(name)}: {_small(t, minimum)}"
    cells = ", ".join(
        f"{html.escape(label)} {_small(t, minimum) if cell is None else t.number(cell)}"
        for label, cell in zip(labels, group.by_option, strict=True)
    )
    return f"• {html.escape(name)} ({t.number(group.ballots)}): {cells}"


def _split_lines(t: Translator, results: PollResults, labels: tuple[str, ...]) -> list[str]:
    minimum = results.min_group
    lines = ["", t.gettext("By language (groups under {n} are not shown):", n=t.number(minimum))]
    for group in results.by_locale:
        lines.append(_group_line(t, t.language_name(group.key), group, labels, minimum))
    lines += ["", t.gettext("By channel:")]
    for group in results.by_channel:
        name = "Telegram" if group.key == "telegram" else t.gettext("SMS")
        lines.append(_group_line(t, name, group, labels, minimum))
    if results.other_texts:
        lines += ["", t.gettext("In their own words:")]
        lines += [f"• {html.escape(text)}" for text in results.other_texts]
    if results.names:
        lines += ["", t.gettext("Who chose what:")]
        for label, names in zip(labels, results.names, strict=True):
            if names:
                lines.append(f"• {html.escape(label)}: {html.escape(', '.join(names))}")
    return lines
