"""An idea as residents see it, and the words around it: its status, the network's name in
the reader's language, the idea's words machine-translated for a reader of another language.
Every other module of ideas shows ideas through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.errors import NotFound
from bot.services.machine_texts import NONE, ByLocale, for_readers
from bot.services.networks.views import NetworkName, network_name
from db.models import Idea, IdeaStatus
from db.queries import ideas as iq

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

TEXT_MAX = 500  # characters of an idea
REASON_MAX = 500  # characters of a host's reason with a status change
# The answers a host can give, in the order the buttons show them.
ANSWERS = (IdeaStatus.CONSIDERING, IdeaStatus.PLANNED, IdeaStatus.DONE, IdeaStatus.NOT_NOW)


def status_label(t: Translator, status: IdeaStatus) -> str:
    return {
        IdeaStatus.PROPOSED: t.gettext("💡 proposed"),
        IdeaStatus.CONSIDERING: t.gettext("🔎 under consideration"),
        IdeaStatus.PLANNED: t.gettext("📅 planned"),
        IdeaStatus.DONE: t.gettext("✅ done"),
        IdeaStatus.NOT_NOW: t.gettext("⏸ not now"),
        IdeaStatus.MERGED: t.gettext("🔗 merged with another idea"),
        IdeaStatus.HIDDEN: t.gettext("🙈 hidden by a host"),
    }[status]


@dataclass(frozen=True)
class IdeaView:
    id: int
    network_id: int
    network_name: str
    text: str
    status: IdeaStatus
    reason: str
    supporters: int
    supported: bool  # by the reader
    mine: bool  # the reader proposed it
    created_at: datetime
    forwarded: bool
    # The language the author wrote in, and the words machine-translated for reader locales.
    locale: str | None = None
    machine: ByLocale = field(default_factory=lambda: NONE)
    network_names: Mapping[str, str] = field(default_factory=dict)
    merged_into_id: int | None = None

    def text_in(self, locale: str) -> tuple[str, bool]:
        """The idea's words for a reader of `locale`, and whether they are machine-translated."""
        if locale in self.machine:
            return self.machine[locale][0], True
        return self.text, False

    def network_name_in(self, locale: str | None) -> str:
        return NetworkName(self.network_name, self.network_names).in_locale(locale)

    @property
    def open(self) -> bool:
        """Still taking support: not hidden, not merged away."""
        return self.status in iq.LISTED


async def get_idea(session: AsyncSession, idea_id: int) -> Idea:
    idea = await session.get(Idea, idea_id)
    if idea is None:
        raise NotFound()
    return idea


async def view_of(
    session: AsyncSession,
    idea: Idea,
    reader_id: int | None,
    *,
    supporters: int | None = None,
    supported: bool | None = None,
) -> IdeaView:
    network = await network_name(session, idea.network_id)
    if supporters is None:
        supporters = await iq.support_count(session, idea.id)
    if supported is None:
        supported = reader_id is not None and reader_id in await iq.supporter_ids(session, idea.id)
    return IdeaView(
        id=idea.id,
        network_id=idea.network_id,
        network_name=network.original,
        network_names=network.translations,
        text=idea.text,
        status=IdeaStatus(idea.status),
        reason=idea.reason,
        supporters=supporters,
        supported=supported,
        mine=reader_id is not None and idea.author_id == reader_id,
        created_at=idea.created_at,
        forwarded=idea.forwarded_at is not None,
        locale=idea.locale,
        merged_into_id=idea.merged_into_id,
    )


async def in_reader_language(
    views: list[IdeaView], machine: MachineTranslation | None, locale: str
) -> list[IdeaView]:
    """Ideas written in other languages machine-translated for a reader of `locale`, one batch
    per language they were written in (a page costs a request or two, none once cached); the
    reader's own ideas stay as written."""
    by_source: dict[str, list[int]] = {}
    for n, view in enumerate(views):
        if not view.mine and view.locale and view.locale != locale:
            by_source.setdefault(view.locale, []).append(n)
    result = list(views)
    for source, indexes in by_source.items():
        found = await for_readers(machine, [views[n].text for n in indexes], source, (locale,))
        if locale not in found:
            continue
        for n, text in zip(indexes, found[locale], strict=True):
            result[n] = replace(views[n], machine={locale: (text,)})
    return result
