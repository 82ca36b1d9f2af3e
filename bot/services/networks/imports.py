"""Networks from a TOML file (`naboskap network import`), created or updated by slug."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.edge_input import clean_name, clean_text
from bot.services.actors import Actor
from bot.services.errors import InvalidInput
from bot.services.networks.managing import create_network, edit_network
from bot.services.networks.texts import TRANSLATABLE, clean_translation
from db.models import JoinPolicy, NetworkKind
from db.queries import networks as q


@dataclass(frozen=True)
class NetworkSpec:
    """One network as written in an import file; `texts` its name and description in other
    languages (locale -> (name, description))."""

    slug: str
    name: str
    kind: NetworkKind = NetworkKind.AREA
    description: str = ""
    invite_code: str | None = None
    texts: Mapping[str, tuple[str, str]] = field(default_factory=dict)


class _SpecError(ValueError):
    """A mistake in one network's entry, already worded with its slug: passed on as it is."""


def parse_network_file(text: str) -> list[NetworkSpec]:
    """Networks from the TOML import format (`[[network]]` tables with slug, name, kind,
    description, invite_code, and `[network.texts.<locale>]` tables with a name and a
    description in another language), their text cleaned (TOML's escapes can spell a NUL).
    ValueError says what is wrong with the file, in one line."""
    try:
        data = tomllib.loads(text)
        specs = []
        for item in data.get("network", []):
            slug = clean_text(str(item["slug"]))
            specs.append(
                NetworkSpec(
                    slug=slug,
                    name=clean_name(str(item["name"])),
                    kind=NetworkKind(item.get("kind", "area")),
                    description=clean_text(str(item.get("description", ""))),
                    invite_code=_optional(item.get("invite_code")),
                    texts=_texts(slug, item.get("texts", {})),
                )
            )
        return specs
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"not valid TOML ({error})") from None
    except _SpecError as error:
        raise ValueError(str(error)) from None
    except KeyError as error:
        raise ValueError(f"a [[network]] lacks {error}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"not a network file ({error})") from None


def _texts(slug: str, table: Any) -> dict[str, tuple[str, str]]:
    """A network's `[network.texts.<locale>]` tables, each checked as the bot checks a host's
    version: a language Naboskap ships (not Norwegian, the original's), a name of at most
    64 characters, a description within the original's limit."""
    if not isinstance(table, dict):
        raise _SpecError(f'network "{slug}": texts must be tables like [network.texts.uk]')
    found: dict[str, tuple[str, str]] = {}
    for locale, version in table.items():
        where = f'network "{slug}", language "{locale}"'
        if locale not in TRANSLATABLE:
            raise _SpecError(
                f"{where}: not a language for network texts (one of {', '.join(TRANSLATABLE)})"
            )
        if not isinstance(version, dict) or "name" not in version:
            raise _SpecError(f"{where}: needs a name (and may have a description)")
        try:
            found[locale] = clean_translation(
                clean_name(str(version["name"])), clean_text(str(version.get("description", "")))
            )
        except InvalidInput as error:
            problem = "is empty" if error.reason == "empty" else f"is over {error.limit} characters"
            raise _SpecError(f"{where}: the {error.field} {problem}") from None
    return found


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
            view = await create_network(
                session,
                actor,
                name=spec.name,
                kind=spec.kind,
                description=spec.description,
                slug=spec.slug,
                invite_code=spec.invite_code,
            )
            await _set_texts(session, view.id, spec)
            created.append(spec.slug)
            continue
        if not update:
            continue
        texts_changed = await _set_texts(session, existing.id, spec)
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
        if before != after or texts_changed:
            updated.append(spec.slug)
    return ImportReport(created, updated)


async def _set_texts(session: AsyncSession, network_id: int, spec: NetworkSpec) -> bool:
    """Write the languages the file gives, committed; whether any differed. Languages the
    file does not give are left alone: a host may have added them in the bot, and a file
    that never knew of them is no reason to take them away."""
    if not spec.texts:
        return False
    current = (await q.texts(session, [network_id])).get(network_id, {})
    changed = {loc: version for loc, version in spec.texts.items() if current.get(loc) != version}
    for locale, (name, description) in changed.items():
        await q.set_text(session, network_id, locale, name, description)
    await session.commit()
    return bool(changed)


def _optional(value: object) -> str | None:
    return None if value is None else clean_text(str(value))
