"""What the networks' services return: a network as the actor sees it, members, reach."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import (
    NotFound,
)
from bot.services.machine_texts import for_readers
from db.models import JoinPolicy, MemberRole, NetworkKind
from db.queries import networks as q

if TYPE_CHECKING:
    from bot.machine_translation.service import MachineTranslation

# The language a network's own name and description are written in (the municipality's).
SOURCE_LOCALE = "nb"


@dataclass(frozen=True)
class NetworkName:
    """A network's name as it was written (in Norwegian, `texts.SOURCE_LOCALE`) and as its
    hosts gave it in other languages: what a rendering for readers of many languages (a
    notice, a digest) needs to name the network to each in their own."""

    original: str
    translations: Mapping[str, str] = field(default_factory=dict)

    def in_locale(self, locale: str | None) -> str:
        """The name in `locale` if the hosts gave one, else the original."""
        return self.translations.get(locale or "") or self.original


@dataclass(frozen=True)
class NetworkView:
    """A network as one resident sees it: `name` and `description` in their language where the
    hosts gave them (else the original), `original_name` and `original_description` as
    written (what coordinators edit)."""

    id: int
    slug: str
    name: str
    description: str
    kind: NetworkKind
    join_policy: JoinPolicy
    member_count: int
    my_role: MemberRole | None
    archived: bool
    invite_code: str | None = None  # only filled in for coordinators and hosts
    original_name: str = ""
    original_description: str = ""
    # `description` is machine-translated for this reader (`in_reader_language`).
    machine_description: bool = False

    @property
    def is_member(self) -> bool:
        return self.my_role is not None

    @property
    def is_host(self) -> bool:
        return self.my_role is MemberRole.HOST


@dataclass(frozen=True)
class JoinResult:
    network: NetworkView
    already_member: bool


@dataclass(frozen=True)
class MemberView:
    resident_id: int
    first_name: str
    locale: str | None
    is_host: bool


@dataclass(frozen=True)
class MemberPage:
    network: NetworkView
    members: list[MemberView]
    total: int
    offset: int


@dataclass(frozen=True)
class ReachRow:
    """Members of one network, split by language and whether we can reach them."""

    network: NetworkView
    by_locale: dict[str, int] = field(default_factory=dict)
    unreachable: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_locale.values())


def view_of(row: q.NetworkRow, actor: Actor) -> NetworkView:
    n = row.network
    sees_code = actor.is_coordinator or row.my_role is MemberRole.HOST
    return NetworkView(
        id=n.id,
        slug=n.slug,
        name=row.local_name or n.name,
        # A host may give a name and skip the description: the original then still says
        # what the network is, and a reader can ask someone (or a machine) to read it.
        description=row.local_description or n.description,
        kind=n.kind,
        join_policy=n.join_policy,
        member_count=row.member_count,
        my_role=row.my_role,
        archived=n.archived_at is not None,
        invite_code=n.invite_code if sees_code else None,
        original_name=n.name,
        original_description=n.description,
    )


async def network_row(session: AsyncSession, actor: Actor, network_id: int) -> q.NetworkRow:
    """The network as the actor reads it (their role, its texts in their language)."""
    row = await q.one(session, network_id, actor.resident_id, actor.locale)
    if row is None:
        raise NotFound()
    return row


async def network_names(
    session: AsyncSession, network_ids: Collection[int] | None = None
) -> dict[int, NetworkName]:
    """Every language's name of these networks (None: of all), for renderings that serve
    readers of many languages: one query, whatever the number of networks."""
    return {
        network_id: NetworkName(original, translations)
        for network_id, (original, translations) in (await q.names(session, network_ids)).items()
    }


async def network_name(session: AsyncSession, network_id: int) -> NetworkName:
    """One network's name in every language ("" if there is no such network)."""
    return (await network_names(session, [network_id])).get(network_id, NetworkName(""))


async def in_reader_language(
    view: NetworkView, machine: MachineTranslation | None, locale: str
) -> NetworkView:
    """The view with its description machine-translated for a reader of `locale`, where its
    hosts gave none in that language (the name stays as given: names of places do not
    translate). Without a translator, or when it fails, the view as it was."""
    if (
        locale == SOURCE_LOCALE
        or not view.original_description
        or view.description != view.original_description
    ):
        return view
    found = await for_readers(machine, (view.original_description,), SOURCE_LOCALE, (locale,))
    if locale not in found:
        return view
    return replace(view, description=found[locale][0], machine_description=True)
