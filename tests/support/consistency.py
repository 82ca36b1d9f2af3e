"""Is the database still consistent? Foreign keys, and the states the services keep.

`inconsistencies(sessionmaker)` returns what is wrong, one line each (empty: nothing). The
fuzz tests call it after thousands of random updates; any test may. SQLite does not enforce
foreign keys unless told to, so they are checked with `PRAGMA foreign_key_check`; PostgreSQL
enforces them itself, so there only the state invariants are checked. Lines name table, rule
and row ids, never the text in them.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import SHIPPED_LOCALES
from bot.services.identity_cache import IdentityCache
from db.queries import residents as q

# Each rule: a query for the ids of the rows that break it.
RULES: dict[str, str] = {
    # Neighbour help: a match has its one helper, an open request none; closing is dated.
    "help_requests: matched without a helper": (
        "SELECT id FROM help_requests WHERE status = 'matched' AND helper_id IS NULL"
    ),
    "help_requests: open with a helper": (
        "SELECT id FROM help_requests WHERE status = 'open' AND helper_id IS NOT NULL"
    ),
    "help_requests: the requester is their own helper": (
        "SELECT id FROM help_requests WHERE helper_id = requester_id"
    ),
    "help_requests: closed without closed_at": (
        "SELECT id FROM help_requests "
        "WHERE status IN ('done', 'withdrawn', 'expired', 'hidden') AND closed_at IS NULL"
    ),
    "help_requests: open or matched with closed_at": (
        "SELECT id FROM help_requests WHERE status IN ('open', 'matched') AND closed_at IS NOT NULL"
    ),
    "help_requests: matched to someone who never offered": (
        "SELECT r.id FROM help_requests r WHERE r.status = 'matched' AND NOT EXISTS ("
        "SELECT 1 FROM help_responses s WHERE s.request_id = r.id AND s.helper_id = r.helper_id)"
    ),
    "help_responses: the requester offers to help themselves": (
        "SELECT s.request_id FROM help_responses s "
        "JOIN help_requests r ON r.id = s.request_id WHERE s.helper_id = r.requester_id"
    ),
    "blocks: a resident blocks themselves": (
        "SELECT blocker_id FROM blocks WHERE blocker_id = blocked_id"
    ),
    "reports: a resident reports themselves": (
        "SELECT id FROM reports WHERE reporter_id = reported_id"
    ),
    # Events: answers only to what residents could see; times in order.
    "rsvps: an answer to a draft": (
        "SELECT r.event_id FROM rsvps r JOIN events e ON e.id = r.event_id WHERE e.status = 'draft'"
    ),
    "events: ends before it starts": (
        "SELECT id FROM events WHERE ends_at IS NOT NULL AND ends_at < starts_at"
    ),
    "events: published without a title": (
        "SELECT id FROM events WHERE status = 'published' AND title = ''"
    ),
    # The outbox: a sent delivery is dated, attempts are counted up from nothing.
    "deliveries: sent without sent_at": (
        "SELECT id FROM deliveries WHERE status = 'sent' AND sent_at IS NULL"
    ),
    "deliveries: negative attempts": "SELECT id FROM deliveries WHERE attempts < 0",
    "deliveries: an SMS to a resident without a phone number": (
        "SELECT d.id FROM deliveries d JOIN residents r ON r.id = d.resident_id "
        "WHERE d.channel = 'sms' AND d.status = 'pending' AND r.phone IS NULL"
    ),
    "deliveries: a Telegram message to a resident without Telegram": (
        "SELECT d.id FROM deliveries d JOIN residents r ON r.id = d.resident_id "
        "WHERE d.channel = 'telegram' AND d.status = 'pending' AND r.telegram_id IS NULL"
    ),
    # Residents and their settings.
    "residents: neither Telegram nor a phone": (
        "SELECT id FROM residents WHERE telegram_id IS NULL AND phone IS NULL"
    ),
    "preferences: quiet hours outside the day": (
        "SELECT resident_id FROM preferences WHERE quiet_start < 0 OR quiet_start >= 1440 "
        "OR quiet_end < 0 OR quiet_end >= 1440"
    ),
    "phone_codes: negative attempts": "SELECT resident_id FROM phone_codes WHERE attempts < 0",
    # Ideas (issue 15): a merged idea points at another of its network; nothing else does.
    "ideas: merged into nothing, itself or another network": (
        "SELECT i.id FROM ideas i LEFT JOIN ideas t ON t.id = i.merged_into_id "
        "WHERE i.status = 'merged' AND i.merged_into_id IS NOT NULL "
        "AND (t.id = i.id OR t.network_id != i.network_id)"
    ),
    "ideas: pointing at another idea without being merged": (
        "SELECT id FROM ideas WHERE status != 'merged' AND merged_into_id IS NOT NULL"
    ),
    "idea_supports: support of a merged idea": (
        "SELECT s.idea_id FROM idea_supports s JOIN ideas i ON i.id = s.idea_id "
        "WHERE i.status = 'merged'"
    ),
    "ideas: longer than 500 characters": "SELECT id FROM ideas WHERE length(text) > 500",
}

# Columns that hold what residents typed: cleaned at the edge (`bot.edge_input`), so no NUL
# or other C0 control character but newline and tab gets this far.
TEXT_COLUMNS: dict[str, tuple[str, str]] = {
    "residents": ("id", "first_name"),
    "networks": ("id", "name"),
    "events": ("id", "title"),
    "event_texts": ("event_id", "title"),
    "help_requests": ("id", "description"),
    "notices": ("id", "body"),
    "reports": ("id", "reason"),
    "ideas": ("id", "text"),
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


async def inconsistencies(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    """Everything wrong with the database, one line per broken rule (empty: consistent)."""
    found: list[str] = []
    async with sessionmaker() as session:
        if session.bind.dialect.name == "sqlite":
            rows = (await session.execute(text("PRAGMA foreign_key_check"))).all()
            found += [f"{row[0]}: row {row[1]} points at a missing {row[2]}" for row in rows]
        for rule, query in RULES.items():
            ids = (await session.execute(text(query))).scalars().all()
            if ids:
                found.append(f"{rule}: {sorted(ids)[:10]}")
        for table, (key, column) in TEXT_COLUMNS.items():
            rows = (await session.execute(text(f"SELECT {key}, {column} FROM {table}"))).all()  # noqa: S608 - names from the table above
            bad = [row[0] for row in rows if row[1] is not None and _CONTROL.search(row[1])]
            if bad:
                found.append(f"{table}.{column}: control characters in {sorted(bad)[:10]}")
        locales = (await session.execute(text("SELECT id, locale FROM residents"))).all()
        bad = [row[0] for row in locales if row[1] is not None and row[1] not in SHIPPED_LOCALES]
        if bad:
            found.append(f"residents.locale: not a shipped locale in {bad[:10]}")
        conversations = (
            await session.execute(text("SELECT resident_id, options FROM sms_conversations"))
        ).all()
        bad = [row[0] for row in conversations if not _json_list(row[1])]
        if bad:
            found.append(f"sms_conversations.options: not a JSON list in {bad[:10]}")
    return found


def _json_list(value: str | None) -> bool:
    if value is None:
        return True
    try:
        return isinstance(json.loads(value), list)
    except ValueError:
        return False


async def stale_identities(
    cache: IdentityCache, sessionmaker: async_sessionmaker[AsyncSession]
) -> list[str]:
    """Entries of the identity cache that differ from what the database says now: after any
    sequence of updates, none may (`bot.services.identity_cache`). Lines name Telegram ids."""
    found: list[str] = []
    async with sessionmaker() as session:
        for telegram_id, cached in cache.snapshot().items():
            fresh = await q.identity(session, telegram_id)
            if fresh != cached:
                found.append(f"identity cache: stale entry for Telegram id {telegram_id}")
    return found
