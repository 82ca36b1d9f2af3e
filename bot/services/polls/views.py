"""A poll as the services return it: the question and options in every language the creator
wrote (and machine-translated where that is set up), and, for one resident, what they chose.
Every module of the package builds these through `load_views`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import machine_texts
from bot.services.networks.views import NetworkName, network_names
from db.models import Poll, PollStatus
from db.queries import polls as q

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation


@dataclass(frozen=True)
class OptionView:
    id: int
    position: int  # 1-based: the number an SMS resident replies
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PollTexts:
    """The question and the options' texts in one reader's language; `machine` says they
    were machine-translated, `foreign` that the reader gets another language than theirs."""

    question: str
    options: tuple[str, ...]
    machine: bool
    foreign: bool


@dataclass(frozen=True)
class PollView:
    id: int
    network_id: int | None  # None: to everyone
    network_name: NetworkName | None
    question: str
    locale: str
    options: tuple[OptionView, ...]
    multiple: bool
    allow_other: bool
    anonymous: bool
    status: PollStatus
    closes_at: datetime
    closed_at: datetime | None
    created_by: int | None
    translations: Mapping[str, str] = field(default_factory=dict)  # the question, by locale
    # The question then the options, machine-translated, for readers without a human text.
    machine: machine_texts.ByLocale = field(default_factory=lambda: machine_texts.NONE)
    my_choices: frozenset[int] = frozenset()  # option ids
    my_other: str | None = None

    @property
    def answered(self) -> bool:
        return bool(self.my_choices) or self.my_other is not None

    def is_open(self, now: datetime) -> bool:
        return self.status is PollStatus.OPEN and self.closes_at > now

    def option(self, option_id: int) -> OptionView | None:
        return next((o for o in self.options if o.id == option_id), None)

    def source_texts(self) -> tuple[str, ...]:
        """What machine translation translates: the question, then each option."""
        return (self.question, *(o.text for o in self.options))

    def texts_for(self, locale: str) -> PollTexts:
        """The question and options in `locale`: the creator's words if they gave them (an
        option they left untranslated keeps its original), else the machine's, else the
        original."""
        if locale == self.locale:
            return PollTexts(self.question, tuple(o.text for o in self.options), False, False)
        if locale in self.translations:
            return PollTexts(
                self.translations[locale],
                tuple(o.translations.get(locale, o.text) for o in self.options),
                False,
                False,
            )
        found = self.machine.get(locale)
        if found is not None and len(found) == len(self.options) + 1:
            return PollTexts(found[0], tuple(found[1:]), True, False)
        return PollTexts(self.question, tuple(o.text for o in self.options), False, True)

    def network_in(self, locale: str | None) -> str:
        return self.network_name.in_locale(locale) if self.network_name is not None else ""


async def load_views(
    session: AsyncSession,
    polls: Sequence[Poll],
    resident_id: int | None = None,
    *,
    machine: MachineTranslation | None = None,
    readers: Sequence[str] = (),
) -> list[PollView]:
    """Views of `polls` (texts, options, the network's names, the resident's answer), with
    machine translations from the cache for `readers` (never asking the translator: these
    are read while showing a screen)."""
    ids = [p.id for p in polls]
    options = await q.options(session, ids)
    questions, option_texts = await q.texts(session, ids)
    names = await network_names(session, {p.network_id for p in polls if p.network_id})
    mine: dict[int, set[int]] = {}
    others: dict[int, str | None] = {}
    if resident_id is not None:
        mine = await q.choices_of(session, resident_id, ids)
        others = await q.others_of(session, resident_id, ids)
    views = []
    for poll in polls:
        view = PollView(
            id=poll.id,
            network_id=poll.network_id,
            network_name=names.get(poll.network_id) if poll.network_id else None,
            question=poll.question,
            locale=poll.locale,
            options=tuple(
                OptionView(o.id, o.position, o.text, option_texts.get(o.id, {}))
                for o in options.get(poll.id, [])
            ),
            multiple=poll.multiple,
            allow_other=poll.allow_other,
            anonymous=poll.anonymous,
            status=poll.status,
            closes_at=poll.closes_at,
            closed_at=poll.closed_at,
            created_by=poll.created_by,
            translations=questions.get(poll.id, {}),
            my_choices=frozenset(mine.get(poll.id, set())),
            my_other=others.get(poll.id),
        )
        if machine is not None and readers:
            found = await machine_texts.for_readers(
                machine,
                view.source_texts(),
                view.locale,
                readers,
                view.translations.keys(),
                cached_only=True,
            )
            view = _with_machine(view, found)
        views.append(view)
    return views


def _with_machine(view: PollView, found: machine_texts.ByLocale) -> PollView:
    return replace(view, machine=found) if found else view
