"""Networks from a TOML file (`naboskap network import`), created or updated by slug."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.edge_input import clean_name, clean_text
from bot.services.actors import Actor
from bot.services.networks.managing import create_network, edit_network
from db.models import JoinPolicy, NetworkKind
from db.queries import networks as q


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
    description, invite_code), their text cleaned (TOML's escapes can spell a NUL). ValueError
    says what is wrong with the file."""
    try:
        data = tomllib.loads(text)
        return [
            NetworkSpec(
                slug=clean_text(str(item["slug"])),
                name=clean_name(str(item["name"])),
                kind=NetworkKind(item.get("kind", "area")),
                description=clean_text(str(item.get("description", ""))),
                invite_code=_optional(item.get("invite_code")),
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


def _optional(value: object) -> str | None:
    return None if value is None else clean_text(str(value))
