"""A host's or coordinator's new poll: what they fill in, the checks it passes, who may ask
whom, and publishing it — the poll, its texts and the notice to its audience in one
transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.i18n import SHIPPED_LOCALES, Catalogs
from bot.services import machine_texts
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.events import flood
from bot.services.networks.membership import list_networks
from bot.services.networks.views import NetworkName, NetworkView, network_name
from bot.services.polls.notices import render_poll
from bot.services.polls.views import OptionView, PollView
from db.models import MemberRole, NoticeKind, Poll, PollOption, PollStatus
from db.queries import networks as nq
from db.queries import outbox as oq
from db.queries import polls as q
from db.session import session_now

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

QUESTION_MAX = 300
OPTION_MAX = 100
OPTIONS_MIN = 2
OPTIONS_MAX = 6


@dataclass(frozen=True)
class PollDraft:
    """What the creator fills in. `network_id` None asks everyone (coordinators only);
    `translations` maps a locale to the question and the options in it (options may be
    fewer: an untranslated option keeps its original words)."""

    network_id: int | None
    question: str
    options: tuple[str, ...]
    closes_at: datetime
    multiple: bool = False
    allow_other: bool = False
    anonymous: bool = True
    locale: str = "nb"
    translations: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def _line(text: str) -> str:
    return " ".join(text.split())


def clean_question(text: str) -> str:
    question = _line(text)
    if not question:
        raise InvalidInput("question", "empty")
    if len(question) > QUESTION_MAX:
        raise InvalidInput("question", "too_long", QUESTION_MAX)
    return question


def clean_option(text: str) -> str:
    option = _line(text)
    if not option:
        raise InvalidInput("option", "empty")
    if len(option) > OPTION_MAX:
        raise InvalidInput("option", "too_long", OPTION_MAX)
    return option


def clean_draft(draft: PollDraft, now: datetime) -> PollDraft:
    """The draft with its texts trimmed, or `InvalidInput` naming what is wrong."""
    question = clean_question(draft.question)
    options = tuple(clean_option(o) for o in draft.options)
    if len(options) < OPTIONS_MIN:
        raise InvalidInput("options", "too_few", OPTIONS_MIN)
    if len(options) > OPTIONS_MAX:
        raise InvalidInput("options", "too_many", OPTIONS_MAX)
    if len({o.casefold() for o in options}) != len(options):
        raise InvalidInput("options", "taken")
    if draft.closes_at.tzinfo is None or draft.closes_at <= now:
        raise InvalidInput("closes_at", "past")
    if draft.locale not in SHIPPED_LOCALES:
        raise InvalidInput("locale", "format")
    translations: dict[str, tuple[str, tuple[str, ...]]] = {}
    for locale, (text, translated) in draft.translations.items():
        if locale not in SHIPPED_LOCALES or locale == draft.locale or not text.strip():
            continue
        if len(translated) > len(options):
            raise InvalidInput("options", "too_many", len(options))
        translations[locale] = (
            clean_question(text),
            tuple(clean_option(o) if o.strip() else "" for o in translated),
        )
    return replace(draft, question=question, options=options, translations=translations)


async def may_ask(session: AsyncSession, actor: Actor, network_id: int | None) -> None:
    """Refuses unless the actor may ask this audience: a coordinator anyone, a host the
    networks they host."""
    if network_id is None:
        actor.require_coordinator()
        return
    row = await nq.one(session, network_id, actor.resident_id)
    if row is None or row.network.archived_at is not None:
        raise NotFound()
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")


async def askable_networks(session: AsyncSession, actor: Actor) -> list[NetworkView]:
    """The networks the actor may ask: those they host, or every live one for a coordinator
    (who may also ask everyone)."""
    views = await list_networks(session, actor)
    return [v for v in views if actor.is_coordinator or v.my_role is MemberRole.HOST]


async def audience_size(session: AsyncSession, actor: Actor, network_id: int | None) -> int:
    """How many residents a poll to this audience would ask (the creator's preview)."""
    await may_ask(session, actor, network_id)
    return len(await audience(session, network_id))


async def audience(session: AsyncSession, network_id: int | None) -> list[oq.RecipientRow]:
    """Whom a poll asks: the network's members, or every resident who accepted the privacy
    notice."""
    if network_id is None:
        return await oq.all_accepted(session)
    return await oq.network_members(session, network_id)


async def publish(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    draft: PollDraft,
    *,
    now: datetime | None = None,
    machine: MachineTranslation | None = None,
) -> tuple[PollView, outbox.Enqueued]:
    """Store the poll and ask its audience (through the outbox), in one transaction; readers
    whose language the creator did not write get it machine-translated where that is set
    up. Commits."""
    now = now or session_now(session)
    await may_ask(session, actor, draft.network_id)
    draft = clean_draft(draft, now)
    recipients = await audience(session, draft.network_id)
    # Translated before anything is written: see bot.services.machine_texts.
    found = await machine_texts.for_readers(
        machine,
        (draft.question, *draft.options),
        draft.locale,
        machine_texts.reader_locales(recipients, catalogs.default_locale),
        draft.translations.keys(),
    )
    poll = Poll(
        network_id=draft.network_id,
        question=draft.question,
        locale=draft.locale,
        multiple=draft.multiple,
        allow_other=draft.allow_other,
        anonymous=draft.anonymous,
        status=PollStatus.OPEN,
        closes_at=draft.closes_at,
        created_by=actor.resident_id,
        created_at=now,
    )
    session.add(poll)
    await session.flush()
    rows = [
        PollOption(poll_id=poll.id, position=n, text=text)
        for n, text in enumerate(draft.options, 1)
    ]
    for row in rows:
        session.add(row)
    await session.flush()
    await q.add_texts(
        session,
        [
            {"poll_id": poll.id, "locale": locale, "question": question}
            for locale, (question, _) in draft.translations.items()
        ],
    )
    await q.add_option_texts(
        session,
        [
            {"option_id": rows[n].id, "locale": locale, "text": text}
            for locale, (_, texts) in draft.translations.items()
            for n, text in enumerate(texts)
            if text
        ],
    )
    name = await network_name(session, draft.network_id) if draft.network_id else None
    view = PollView(
        id=poll.id,
        network_id=draft.network_id,
        network_name=name if isinstance(name, NetworkName) else None,
        question=draft.question,
        locale=draft.locale,
        options=tuple(
            OptionView(
                row.id,
                row.position,
                row.text,
                {
                    locale: texts[n]
                    for locale, (_, texts) in draft.translations.items()
                    if n < len(texts) and texts[n]
                },
            )
            for n, row in enumerate(rows)
        ),
        multiple=draft.multiple,
        allow_other=draft.allow_other,
        anonymous=draft.anonymous,
        status=PollStatus.OPEN,
        closes_at=draft.closes_at,
        closed_at=None,
        created_by=actor.resident_id,
        translations={locale: question for locale, (question, _) in draft.translations.items()},
        machine=found,
    )
    # The flood guard, as for events and volunteer calls: past the network's daily number of
    # poll notices the poll waits for the weekly digest (which lists open polls anyway). A
    # coordinator's poll to everyone is the municipality's own, and not capped.
    hold = draft.network_id is not None and (
        await flood.told_today(session, draft.network_id, now, catalogs.zone, NoticeKind.POLL)
        >= flood.notices_per_day(session)
    )
    enqueued = await outbox.enqueue(
        session,
        kind=NoticeKind.POLL,
        hold=hold,
        recipients=recipients,
        render=render_poll(catalogs, view),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=draft.network_id,
        author_id=actor.resident_id,
        dedupe_key=f"poll:{poll.id}",
        now=now,
    )
    await session.commit()
    return view, enqueued
