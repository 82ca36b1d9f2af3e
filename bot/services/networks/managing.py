"""Coordinators create, rename, describe, re-kind, lock and archive networks."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.actors import Actor
from bot.services.errors import (
    InvalidInput,
)
from bot.services.networks.membership import get_network
from bot.services.networks.views import NetworkView, network_row
from db.models import JoinPolicy, Network, NetworkKind
from db.queries import networks as q
from db.session import session_now

NAME_MAX = 64


DESCRIPTION_MAX = 1000


SLUG_MAX = 32


SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


INVITE_CODE = re.compile(r"^[A-Za-z0-9]{4,16}$")


# No 0/O or 1/I/L: invite codes are read aloud and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def slugify(name: str) -> str:
    """A URL- and deep-link-safe slug: 'Østre Halsen' -> 'ostre-halsen'."""
    folded = unicodedata.normalize("NFKD", name.translate(FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:SLUG_MAX].strip("-") or "network"


def new_invite_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def clean_text(value: str, name: str, limit: int, allow_empty: bool = False) -> str:
    text = " ".join(value.split()) if name == "name" else value.strip()
    if not text and not allow_empty:
        raise InvalidInput(name, "empty")
    if len(text) > limit:
        raise InvalidInput(name, "too_long", limit)
    return text


def check_code(code: str) -> str:
    if not INVITE_CODE.match(code):
        raise InvalidInput("invite_code", "format")
    return code.upper()


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
    name = clean_text(name, "name", NAME_MAX)
    description = clean_text(description, "description", DESCRIPTION_MAX, allow_empty=True)
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
    code = check_code(invite_code) if invite_code else None
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
    network = (await network_row(session, actor, network_id)).network
    if name is not None:
        network.name = clean_text(name, "name", NAME_MAX)
    if description is not None:
        network.description = clean_text(description, "description", DESCRIPTION_MAX, True)
    if kind is not None:
        network.kind = kind
    if invite_code is not None:
        network.invite_code = check_code(invite_code)
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
    network = (await network_row(session, actor, network_id)).network
    network.archived_at = (network.archived_at or session_now(session)) if archived else None
    await session.commit()
    return await get_network(session, actor, network_id)
