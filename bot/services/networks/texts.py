"""A network's name and description in other languages, given by its hosts or a coordinator
(or the TOML import), as events have theirs: a newcomer reads "Батьки малюків", not
"Småbarnsforeldre".

The original name and description are written in Norwegian (`SOURCE_LOCALE`): networks are
made by the municipality's coordinators, and nothing records another language for them. A
version "in Norwegian" would only stand beside the original, so it is refused; every other
shipped language can have one. A reader whose language has none reads the original."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, NotFound, PermissionDenied
from bot.services.networks.managing import DESCRIPTION_MAX, NAME_MAX, clean_text
from bot.services.networks.views import SOURCE_LOCALE, NetworkView, network_row, view_of
from db.models import MemberRole
from db.queries import networks as q

# The languages a network's texts can be given in, in the order the bot offers them.
TRANSLATABLE: tuple[str, ...] = tuple(loc for loc in SHIPPED_LOCALES if loc != SOURCE_LOCALE)


@dataclass(frozen=True)
class NetworkTexts:
    """A network (as the actor sees it) with every version of its texts: locale -> (name,
    description). Its original is `network.original_name` / `original_description`."""

    network: NetworkView
    translations: dict[str, tuple[str, str]]


def check_locale(locale: str) -> str:
    """`locale` if a network's texts can be given in it, else InvalidInput("locale")."""
    if locale not in TRANSLATABLE:
        raise InvalidInput("locale", "format")
    return locale


def clean_translation(name: str, description: str) -> tuple[str, str]:
    """A version's name and description held to the original's rules: a name on one line, not
    empty, at most `NAME_MAX`; a description (may be empty) at most `DESCRIPTION_MAX`."""
    return (
        clean_text(name, "name", NAME_MAX),
        clean_text(description, "description", DESCRIPTION_MAX, allow_empty=True),
    )


async def _managed(session: AsyncSession, actor: Actor, network_id: int) -> q.NetworkRow:
    """The network if the actor may change its texts: a coordinator, or one of its hosts (an
    archived network is the coordinators' alone, as everywhere else)."""
    row = await network_row(session, actor, network_id)
    if actor.is_coordinator:
        return row
    actor.require_resident()
    if row.network.archived_at is not None:
        raise NotFound()
    if row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return row


async def _texts(session: AsyncSession, actor: Actor, row: q.NetworkRow) -> NetworkTexts:
    found = (await q.texts(session, [row.network.id])).get(row.network.id, {})
    ordered = {loc: found[loc] for loc in TRANSLATABLE if loc in found}
    return NetworkTexts(view_of(row, actor), ordered)


async def network_texts(session: AsyncSession, actor: Actor, network_id: int) -> NetworkTexts:
    """The network's texts in every language given (its hosts and coordinators)."""
    return await _texts(session, actor, await _managed(session, actor, network_id))


async def set_network_text(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    locale: str,
    *,
    name: str,
    description: str | None = None,
) -> NetworkTexts:
    """Give (or change) the network's name and description in `locale`. A description of
    None keeps the one already given in that language (none if there was none)."""
    check_locale(locale)
    await _managed(session, actor, network_id)
    if description is None:
        current = (await q.texts(session, [network_id])).get(network_id, {}).get(locale)
        description = current[1] if current else ""
    name, description = clean_translation(name, description)
    await q.set_text(session, network_id, locale, name, description)
    await session.commit()
    return await network_texts(session, actor, network_id)


async def remove_network_text(
    session: AsyncSession, actor: Actor, network_id: int, locale: str
) -> tuple[NetworkTexts, bool]:
    """Take away the network's texts in `locale` (its readers get the original again); the flag
    says whether there were any (a second tap on a stale button finds none)."""
    check_locale(locale)
    await _managed(session, actor, network_id)
    removed = await q.delete_text(session, network_id, locale)
    await session.commit()
    return await network_texts(session, actor, network_id), removed


async def text_locales(session: AsyncSession, actor: Actor) -> dict[int, list[str]]:
    """The languages each network has texts in (coordinators: the command line's list)."""
    actor.require_coordinator()
    return {
        network_id: [loc for loc in TRANSLATABLE if loc in versions]
        for network_id, versions in (await q.texts(session)).items()
    }
