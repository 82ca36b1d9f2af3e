"""Networks: listing, joining and leaving; coordinators' management of networks and hosts."""

from __future__ import annotations

import re
import secrets
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.actors import Actor
from bot.services.errors import (
    InvalidInput,
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    NotFound,
    PermissionDenied,
)
from db.models import JoinPolicy, MemberRole, Membership, Network, NetworkKind
from db.queries import networks as q
from db.queries import residents as rq
from db.session import session_now

NAME_MAX = 64
DESCRIPTION_MAX = 1000
SLUG_MAX = 32
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INVITE_CODE = re.compile(r"^[A-Za-z0-9]{4,16}$")
# No 0/O or 1/I/L: invite codes are read aloud and typed by hand.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


@dataclass(frozen=True)
class NetworkView:
    """A network as one resident sees it."""

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


def _view(row: q.NetworkRow, actor: Actor) -> NetworkView:
    n = row.network
    sees_code = actor.is_coordinator or row.my_role is MemberRole.HOST
    return NetworkView(
        id=n.id,
        slug=n.slug,
        name=n.name,
        description=n.description,
        kind=n.kind,
        join_policy=n.join_policy,
        member_count=row.member_count,
        my_role=row.my_role,
        archived=n.archived_at is not None,
        invite_code=n.invite_code if sees_code else None,
    )


def slugify(name: str) -> str:
    """A URL- and deep-link-safe slug: 'Østre Halsen' -> 'ostre-halsen'."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:SLUG_MAX].strip("-") or "network"


def new_invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def _clean_text(value: str, name: str, limit: int, allow_empty: bool = False) -> str:
    text = " ".join(value.split()) if name == "name" else value.strip()
    if not text and not allow_empty:
        raise InvalidInput(name, "empty")
    if len(text) > limit:
        raise InvalidInput(name, "too_long", limit)
    return text


def _check_code(code: str) -> str:
    if not INVITE_CODE.match(code):
        raise InvalidInput("invite_code", "format")
    return code.upper()


async def _row(session: AsyncSession, actor: Actor, network_id: int) -> q.NetworkRow:
    row = await q.one(session, network_id, actor.resident_id)
    if row is None:
        raise NotFound()
    return row


async def list_networks(
    session: AsyncSession, actor: Actor, include_archived: bool = False
) -> list[NetworkView]:
    """Live networks with member counts and the actor's role; coordinators may see archived."""
    if include_archived:
        actor.require_coordinator()
    rows = await q.listing(session, actor.resident_id, include_archived)
    return [_view(r, actor) for r in rows]


async def get_network(session: AsyncSession, actor: Actor, network_id: int) -> NetworkView:
    row = await _row(session, actor, network_id)
    if row.network.archived_at is not None and not actor.is_coordinator:
        raise NotFound()
    return _view(row, actor)


async def find_by_slug(session: AsyncSession, actor: Actor, slug: str) -> NetworkView:
    found = await lookup_slug(session, actor, slug)
    if found is None:
        raise NotFound()
    return found


async def lookup_slug(session: AsyncSession, actor: Actor, slug: str) -> NetworkView | None:
    """The network a join link names, or None if there is none (an archived one is hidden
    from all but coordinators)."""
    network = await q.by_slug(session, slug.lower())
    if network is None or (network.archived_at is not None and not actor.is_coordinator):
        return None
    return await get_network(session, actor, network.id)


@dataclass(frozen=True)
class JoinAttempt:
    """What came of trying to join: a membership, or the invite code it still needs."""

    joined: JoinResult | None
    code_needed: bool = False
    code_wrong: bool = False


async def attempt_join(
    session: AsyncSession, actor: Actor, network_id: int, invite_code: str | None = None
) -> JoinAttempt:
    """Like `join`, but a missing or wrong invite code is an answer, not a refusal: the bot
    then asks for the code instead of saying no."""
    try:
        return JoinAttempt(await join(session, actor, network_id, invite_code))
    except InviteCodeRequired:
        return JoinAttempt(None, code_needed=True)
    except InviteCodeWrong:
        return JoinAttempt(None, code_wrong=True)


async def join(
    session: AsyncSession, actor: Actor, network_id: int, invite_code: str | None = None
) -> JoinResult:
    """Make the acting resident a member. Invite-only networks need the right code."""
    resident_id = actor.require_resident()
    row = await _row(session, actor, network_id)
    network = row.network
    if network.archived_at is not None:
        raise NetworkArchived()
    if row.my_role is not None:
        return JoinResult(_view(row, actor), already_member=True)
    if network.join_policy is JoinPolicy.INVITE and not actor.is_coordinator:
        if not invite_code:
            raise InviteCodeRequired()
        if not network.invite_code or not secrets.compare_digest(
            invite_code.strip().upper(), network.invite_code.upper()
        ):
            raise InviteCodeWrong()
    try:
        await q.add_member(session, resident_id, network.id)
        await session.commit()
    except IntegrityError:
        # A double tap: the first one made them a member already.
        await session.rollback()
        return JoinResult(_view(await _row(session, actor, network_id), actor), already_member=True)
    joined = q.NetworkRow(network, row.member_count + 1, MemberRole.MEMBER)
    return JoinResult(_view(joined, actor), already_member=False)


async def leave(session: AsyncSession, actor: Actor, network_id: int) -> NetworkView:
    """Remove the acting resident from a network (a host stops being its host too)."""
    resident_id = actor.require_resident()
    membership = await q.membership(session, resident_id, network_id)
    if membership is None:
        row = await _row(session, actor, network_id)
        return _view(row, actor)
    await session.delete(membership)
    await session.commit()
    return _view(await _row(session, actor, network_id), actor)


async def create_network(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    kind: NetworkKind = NetworkKind.AREA,
    description: str = "",
    slug: str | None = None,
    invite_code: str | None = None,
    invite_only: bool = False,
) -> NetworkView:
    """Create a network (coordinators only). A slug is derived from the name when not given;
    an invite-only network without a code gets a generated one."""
    actor.require_coordinator()
    name = _clean_text(name, "name", NAME_MAX)
    description = _clean_text(description, "description", DESCRIPTION_MAX, allow_empty=True)
    if slug is not None:
        slug = slug.strip().lower()
        if not SLUG.match(slug) or len(slug) > SLUG_MAX:
            raise InvalidInput("slug", "format")
        if await q.by_slug(session, slug) is not None:
            raise InvalidInput("slug", "taken")
    else:
        base = slugify(name)
        taken = await q.slugs_like(session, base)
        slug, n = base, 2
        while slug in taken:
            suffix = f"-{n}"
            slug, n = base[: SLUG_MAX - len(suffix)] + suffix, n + 1
    code = _check_code(invite_code) if invite_code else None
    if invite_only and code is None:
        code = new_invite_code()
    network = Network(
        slug=slug,
        name=name,
        description=description,
        kind=kind,
        join_policy=JoinPolicy.INVITE if code else JoinPolicy.OPEN,
        invite_code=code,
    )
    session.add(network)
    await session.commit()
    return await get_network(session, actor, network.id)


async def edit_network(
    session: AsyncSession,
    actor: Actor,
    network_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    kind: NetworkKind | None = None,
    join_policy: JoinPolicy | None = None,
    invite_code: str | None = None,
) -> NetworkView:
    """Change a network (coordinators only). Switching to invite-only without a code
    generates one; a new code replaces the old one."""
    actor.require_coordinator()
    network = (await _row(session, actor, network_id)).network
    if name is not None:
        network.name = _clean_text(name, "name", NAME_MAX)
    if description is not None:
        network.description = _clean_text(description, "description", DESCRIPTION_MAX, True)
    if kind is not None:
        network.kind = kind
    if invite_code is not None:
        network.invite_code = _check_code(invite_code)
        network.join_policy = JoinPolicy.INVITE
    if join_policy is JoinPolicy.OPEN:
        network.join_policy, network.invite_code = JoinPolicy.OPEN, None
    elif join_policy is JoinPolicy.INVITE:
        network.join_policy = JoinPolicy.INVITE
        network.invite_code = network.invite_code or new_invite_code()
    await session.commit()
    return await get_network(session, actor, network_id)


async def set_archived(
    session: AsyncSession, actor: Actor, network_id: int, archived: bool
) -> NetworkView:
    """Archive a network (hidden, joins refused, members kept) or bring it back."""
    actor.require_coordinator()
    network = (await _row(session, actor, network_id)).network
    network.archived_at = (network.archived_at or session_now(session)) if archived else None
    await session.commit()
    return await get_network(session, actor, network_id)


async def set_host(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int, host: bool
) -> MemberView:
    """Appoint a network member as host, or make a host a plain member (coordinators only)."""
    actor.require_coordinator()
    membership = await q.membership(session, resident_id, network_id)
    resident = await rq.by_id(session, resident_id)
    if membership is None or resident is None:
        raise NotFound()
    membership.role = MemberRole.HOST if host else MemberRole.MEMBER
    await session.commit()
    return MemberView(resident.id, resident.first_name or "", resident.locale, host)


async def toggle_host(
    session: AsyncSession, actor: Actor, network_id: int, resident_id: int
) -> MemberView:
    """Make a member a host, or a host a member again (coordinators only)."""
    actor.require_coordinator()
    membership = await q.membership(session, resident_id, network_id)
    if membership is None:
        raise NotFound()
    return await set_host(
        session, actor, network_id, resident_id, host=membership.role is not MemberRole.HOST
    )


async def set_host_by_telegram_id(
    session: AsyncSession, actor: Actor, slug: str, telegram_id: int, host: bool = True
) -> bool:
    """The CLI's door: appoint someone by Telegram id, making them a member if needed (they
    may not have started the bot yet). Returns whether anything changed."""
    actor.require_coordinator()
    network = await q.by_slug(session, slug)
    if network is None:
        raise NotFound()
    resident = (
        await rq.get_or_create_by_telegram_id(session, telegram_id)
        if host
        else await rq.by_telegram_id(session, telegram_id)
    )
    if resident is None:
        return False
    membership = await q.membership(session, resident.id, network.id)
    role = MemberRole.HOST if host else MemberRole.MEMBER
    if membership is None:
        if not host:
            return False
        session.add(Membership(resident_id=resident.id, network_id=network.id, role=role))
    elif membership.role is role:
        return False
    else:
        membership.role = role
    await session.commit()
    return True


async def members(
    session: AsyncSession, actor: Actor, network_id: int, offset: int = 0, limit: int = 8
) -> MemberPage:
    """A page of members (first names only): for coordinators and the network's hosts."""
    row = await _row(session, actor, network_id)
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    page, total = await q.members(session, network_id, max(offset, 0), limit)
    return MemberPage(
        network=_view(row, actor),
        members=[
            MemberView(r.id, r.first_name or "", r.locale, role is MemberRole.HOST)
            for r, role in page
        ],
        total=total,
        offset=max(offset, 0),
    )


def _reach_rows(
    views: Iterable[NetworkView], counts: Iterable[tuple[int, str | None, bool, int]]
) -> list[ReachRow]:
    locales: dict[int, dict[str, int]] = defaultdict(dict)
    unreachable: dict[int, int] = defaultdict(int)
    for network_id, locale, reachable, count in counts:
        key = locale or "?"
        locales[network_id][key] = locales[network_id].get(key, 0) + count
        if not reachable:
            unreachable[network_id] += count

    def order(item: tuple[str, int]) -> tuple[int, str]:
        code = item[0]
        return (SHIPPED_LOCALES.index(code) if code in SHIPPED_LOCALES else 99, code)

    return [
        ReachRow(n, dict(sorted(locales[n.id].items(), key=order)), unreachable[n.id])
        for n in views
    ]


async def reach(session: AsyncSession, actor: Actor) -> list[ReachRow]:
    """Members per live network, by language, and how many cannot be reached (coordinators)."""
    actor.require_coordinator()
    return _reach_rows(await list_networks(session, actor), await q.reach(session))


async def network_reach(session: AsyncSession, actor: Actor, network_id: int) -> ReachRow:
    """One network's members by language and reachability: for its hosts and coordinators."""
    row = await _row(session, actor, network_id)
    if not actor.is_coordinator and row.my_role is not MemberRole.HOST:
        raise PermissionDenied("host")
    return _reach_rows([_view(row, actor)], await q.reach(session, network_id))[0]


@dataclass(frozen=True)
class NetworkSpec:
    """One network as written in an import file."""

    slug: str
    name: str
    kind: NetworkKind = NetworkKind.AREA
    description: str = ""
    invite_code: str | None = None


def parse_network_file(text: str) -> list[NetworkSpec]:
    """Networks from the TOML import format (`[[network]]` tables with slug, name, kind,
    description, invite_code). ValueError says what is wrong with the file."""
    try:
        data = tomllib.loads(text)
        return [
            NetworkSpec(
                slug=str(item["slug"]),
                name=str(item["name"]),
                kind=NetworkKind(item.get("kind", "area")),
                description=str(item.get("description", "")),
                invite_code=item.get("invite_code"),
            )
            for item in data.get("network", [])
        ]
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML ({error})") from None
    except KeyError as error:
        raise ValueError(f"a [[network]] lacks {error}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a network file ({error})") from None


@dataclass(frozen=True)
class ImportReport:
    created: list[str]
    updated: list[str]


async def import_networks(
    session: AsyncSession, actor: Actor, specs: Iterable[NetworkSpec], update: bool = True
) -> ImportReport:
    """Create or update networks by slug, so running the same import twice changes nothing.
    With `update=False` existing networks are left as they are (only missing ones are made)."""
    actor.require_coordinator()
    created: list[str] = []
    updated: list[str] = []
    for spec in specs:
        existing = await q.by_slug(session, spec.slug)
        if existing is None:
            await create_network(
                session,
                actor,
                name=spec.name,
                kind=spec.kind,
                description=spec.description,
                slug=spec.slug,
                invite_code=spec.invite_code,
            )
            created.append(spec.slug)
            continue
        if not update:
            continue
        before = (existing.name, existing.description, existing.kind, existing.invite_code)
        await edit_network(
            session,
            actor,
            existing.id,
            name=spec.name,
            description=spec.description,
            kind=spec.kind,
            invite_code=spec.invite_code,
            join_policy=None if spec.invite_code else JoinPolicy.OPEN,
        )
        after = (existing.name, existing.description, existing.kind, existing.invite_code)
        if before != after:
            updated.append(spec.slug)
    return ImportReport(created, updated)
