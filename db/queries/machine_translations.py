"""Machine translations: the cache of what the translator returned, by the hash of the source
text, and the daily counts of what it was asked to translate.

Both writes are upserts that a concurrent writer cannot make fail: two processes that
translated the same text at the same moment both insert, and the second insert is a no-op; two
that counted usage on the same day both add to the one row. SQLite (3.24+) and PostgreSQL share
the `ON CONFLICT` syntax; SQLAlchemy builds it per dialect."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import MachineTranslation, TranslationUsage

# Rows per INSERT: far below SQLite's limit of bound parameters (4 per row), and a statement
# that a busy database commits quickly.
_BATCH = 500


@dataclass(frozen=True)
class CachedText:
    source_hash: str
    target: str
    text: str


@dataclass(frozen=True)
class UsageRow:
    """What one translator translated into one language in a period."""

    translator: str
    target: str
    texts: int
    characters: int


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (the generic one does not)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


async def cached(
    session: AsyncSession, hashes: Collection[str], targets: Collection[str], since: datetime
) -> list[CachedText]:
    """The translations of these source texts into these languages made since `since`."""
    if not hashes or not targets:
        return []
    rows = await session.execute(
        select(
            MachineTranslation.source_hash, MachineTranslation.target, MachineTranslation.text
        ).where(
            MachineTranslation.source_hash.in_(hashes),
            MachineTranslation.target.in_(targets),
            MachineTranslation.created_at >= since,
        )
    )
    return [CachedText(source_hash, target, text) for source_hash, target, text in rows]


async def keep(session: AsyncSession, rows: Sequence[CachedText], now: datetime) -> None:
    """Keep these translations; one already kept (by another process, say) stays as it is."""
    insert = _insert(session)
    values = [
        {"source_hash": r.source_hash, "target": r.target, "text": r.text, "created_at": now}
        for r in rows
    ]
    for start in range(0, len(values), _BATCH):
        statement = insert(MachineTranslation).values(values[start : start + _BATCH])
        await session.execute(
            statement.on_conflict_do_nothing(
                index_elements=[MachineTranslation.source_hash, MachineTranslation.target]
            )
        )


async def add_usage(
    session: AsyncSession, day: date, translator: str, target: str, texts: int, characters: int
) -> None:
    """Add to the day's count for this translator and language."""
    insert = _insert(session)
    statement = insert(TranslationUsage).values(
        day=day, translator=translator, target=target, texts=texts, characters=characters
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                TranslationUsage.day,
                TranslationUsage.translator,
                TranslationUsage.target,
            ],
            set_={
                "texts": TranslationUsage.texts + statement.excluded.texts,
                "characters": TranslationUsage.characters + statement.excluded.characters,
            },
        )
    )


async def usage(session: AsyncSession, since: date) -> list[UsageRow]:
    """Texts and characters by translator and language, from `since` (a day) on."""
    rows = await session.execute(
        select(
            TranslationUsage.translator,
            TranslationUsage.target,
            func.sum(TranslationUsage.texts),
            func.sum(TranslationUsage.characters),
        )
        .where(TranslationUsage.day >= since)
        .group_by(TranslationUsage.translator, TranslationUsage.target)
        .order_by(TranslationUsage.translator, TranslationUsage.target)
    )
    return [
        UsageRow(translator, target, int(texts or 0), int(characters or 0))
        for translator, target, texts, characters in rows
    ]


async def expire(session: AsyncSession, before: datetime) -> int:
    """Delete the translations made before `before`; how many went."""
    result = await session.execute(
        delete(MachineTranslation).where(MachineTranslation.created_at < before)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


async def forget(session: AsyncSession, hashes: Iterable[str]) -> int:
    """Delete every translation of the source texts with these hashes; how many went."""
    wanted = list(dict.fromkeys(hashes))
    gone = 0
    for start in range(0, len(wanted), _BATCH):
        result = await session.execute(
            delete(MachineTranslation).where(
                MachineTranslation.source_hash.in_(wanted[start : start + _BATCH])
            )
        )
        gone += int(cast(CursorResult[Any], result).rowcount or 0)
    return gone
