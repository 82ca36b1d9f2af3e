"""The identity cache: who a Telegram user is to us (`db.queries.residents.identity`), kept in
memory so that an update does not pay a database query to learn who is talking.

Correctness does not rest on the TTL but on invalidation that nobody has to remember:

- **Every write is seen where it happens.** Session events (`do_orm_execute` for INSERT, UPDATE
  and DELETE statements, `after_flush` for ORM objects) note which residents a write to the
  `residents` table touches, by Telegram id or resident id as the statement names them. A
  statement whose targets we cannot read (a subquery, an OR, raw SQL naming the table) drops
  every entry. Writes that change no column identify reads (`reachable`, `first_name`, ...)
  drop nothing. A new write path therefore invalidates without anyone adding a call; hooking
  one service function instead would be forgotten by the next person adding a query.
- **Only after commit.** Noted targets are dropped in `after_commit`; a rolled-back write drops
  nothing it need not (dropping is always safe). Entries are stored only from a read that
  opened its own transaction (so it saw everything committed before it, not an old snapshot or
  our own uncommitted rows), and only if no invalidation arrived while it ran (`_generation`):
  a read that raced a commit is not kept.
- **Every cache in this process** on the same database drops the entry (the CLI, the playground
  and tests build several cores in one process), and **other processes** do through Redis
  pub/sub when REDIS_URL is set (`_RedisLink`).

If Redis is briefly unreachable, this process cannot hear other processes' invalidations: it
stops caching (every update queries the database, as without the cache) until it has
resubscribed, and then starts from an empty cache, since it may have missed messages. A
publish that fails is retried while the process lives; until it gets through, other
processes may serve the old identity for at most the TTL. Without REDIS_URL, a write made by
another process (`naboskap coordinator ...` at the command line, `naboskap resident remove`)
reaches a running bot only when the entry expires: the TTL bounds that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, BindParameter, BooleanClauseList, Column, event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, ClauseElement, TextClause

from db.models import Resident
from db.queries import residents as q

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# The columns `q.identity` reads (and keys on): a change to any other column changes nothing here.
_TABLE_NAME: str = Resident.__tablename__
IDENTITY_COLUMNS = frozenset(
    {"id", "telegram_id", "locale", "is_coordinator", "privacy_accepted_at"}
)
_PENDING = "identity_cache.pending"
_MISSING = object()


@dataclass
class Invalidation:
    """Whose entries to drop: by Telegram id, by resident id, or everyone's."""

    telegram_ids: set[int]
    resident_ids: set[int]
    everyone: bool = False

    @classmethod
    def empty(cls) -> Invalidation:
        return cls(set(), set())

    def __bool__(self) -> bool:
        return self.everyone or bool(self.telegram_ids or self.resident_ids)

    def add(self, other: Invalidation) -> None:
        self.telegram_ids |= other.telegram_ids
        self.resident_ids |= other.resident_ids
        self.everyone = self.everyone or other.everyone

    def as_json(self) -> dict[str, Any]:
        return {
            "t": sorted(self.telegram_ids),
            "r": sorted(self.resident_ids),
            "all": self.everyone,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Invalidation:
        return cls(
            {int(i) for i in data.get("t", ())},
            {int(i) for i in data.get("r", ())},
            bool(data.get("all", False)),
        )


class IdentityCache:
    """Bounded (least recently used go first) and with a TTL as a safety net only."""

    def __init__(
        self,
        database_url: URL | str,
        redis_url: str | None = None,
        size: int = 10_000,
        ttl: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database_url = database_url
        self.size = size
        self.ttl = ttl
        self._monotonic = monotonic
        self._entries: OrderedDict[int, tuple[float, q.Identity | None]] = OrderedDict()
        self._telegram_of: dict[int, int] = {}  # resident id -> Telegram id, of cached entries
        # Bumped by every invalidation. A read is not stored if its resident was dropped (or
        # everyone was) after it began: the generation of each drop made while reads were in
        # flight is kept by key, so that a busy bot's writes for one resident do not stop
        # everyone else's reads from being stored (with one counter for all, at 30 residents
        # onboarding at once a third of the reads were thrown away).
        self._generation = 0
        self._reads = 0  # reads in flight
        self._dropped: dict[tuple[str, int], int] = {}  # ("t"|"r", id) -> generation
        self._everyone_dropped = 0
        self._redis = _RedisLink(self, redis_url) if redis_url else None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of its first read
        _register(self)

    def __contains__(self, telegram_id: int) -> bool:
        return telegram_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def active(self) -> bool:
        """False while we cannot hear other processes' invalidations (Redis down)."""
        return self._redis is None or self._redis.listening()

    async def identity(self, session: AsyncSession, telegram_id: int) -> q.Identity | None:
        """`q.identity`, from memory when we may trust it."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        if self._redis is not None:
            self._redis.start()
        if not self.active or session.info.get(_PENDING):
            # Not hearing invalidations, or this transaction changed residents itself (and
            # must see its own uncommitted rows): the database answers.
            return await q.identity(session, telegram_id)
        now = self._monotonic()
        entry = self._entries.get(telegram_id)
        if entry is not None and entry[0] > now:
            self._entries.move_to_end(telegram_id)
            return entry[1]
        # Only a read that opens its transaction sees everything committed before it (SQLite
        # keeps a transaction's first snapshot), and nothing uncommitted of ours.
        fresh = not session.in_transaction()
        generation = self._generation
        self._reads += 1
        try:
            found = await q.identity(session, telegram_id)
            if fresh and self.active and not self._dropped_since(generation, telegram_id, found):
                self._store(telegram_id, found, now + self.ttl)
        finally:
            self._reads -= 1
            if not self._reads:
                self._dropped.clear()  # no read began before any of these drops
        return found

    def _dropped_since(self, generation: int, telegram_id: int, found: q.Identity | None) -> bool:
        """Whether an invalidation that may concern this read came after it began. A write
        that gives a resident a Telegram id names that id, so a read that found no one is
        covered by its Telegram id; one that found a resident, by either id."""
        if self._generation == generation:
            return False
        if self._everyone_dropped > generation:
            return True
        if self._dropped.get(("t", telegram_id), -1) > generation:
            return True
        return found is not None and self._dropped.get(("r", found.id), -1) > generation

    def _store(self, telegram_id: int, found: q.Identity | None, expires: float) -> None:
        self._forget(telegram_id)
        self._entries[telegram_id] = (expires, found)
        if found is not None:
            self._telegram_of[found.id] = telegram_id
        while len(self._entries) > self.size:
            oldest, _ = next(iter(self._entries.items()))
            self._forget(oldest)

    def _forget(self, telegram_id: int) -> None:
        entry = self._entries.pop(telegram_id, None)
        if entry is not None and entry[1] is not None:
            self._telegram_of.pop(entry[1].id, None)

    def drop(self, invalidation: Invalidation) -> None:
        """Forget these residents here (not in other processes: see `publish`)."""
        self._generation += 1
        if self._reads:
            self._note_drop(invalidation)
        if invalidation.everyone:
            self._entries.clear()
            self._telegram_of.clear()
            return
        for telegram_id in invalidation.telegram_ids:
            self._forget(telegram_id)
        for resident_id in invalidation.resident_ids:
            telegram_id = self._telegram_of.get(resident_id)  # type: ignore[assignment]
            if telegram_id is not None:
                self._forget(telegram_id)

    def _note_drop(self, invalidation: Invalidation) -> None:
        generation = self._generation
        if invalidation.everyone or len(self._dropped) > self.size:
            # Bounded: past `size` keys, count it as everyone's (only costs a few stores).
            self._everyone_dropped = generation
            self._dropped.clear()
            return
        for telegram_id in invalidation.telegram_ids:
            self._dropped["t", telegram_id] = generation
        for resident_id in invalidation.resident_ids:
            self._dropped["r", resident_id] = generation

    def clear(self) -> None:
        self.drop(Invalidation(set(), set(), everyone=True))

    def drop_soon(self, invalidation: Invalidation) -> None:
        """`drop`, from whichever thread committed: a cache belongs to its event loop's thread
        (a test may run a CLI command in another thread against the same database)."""
        loop = self._loop
        if loop is not None and loop is not _running_loop() and not loop.is_closed():
            # Queued ahead of anything the committing thread hands back to that loop after.
            loop.call_soon_threadsafe(self.drop, invalidation)
        else:
            self.drop(invalidation)

    def publish(self, invalidation: Invalidation) -> None:
        """Tell the other processes (when REDIS_URL is set)."""
        if self._redis is not None:
            self._redis.publish(invalidation)

    def snapshot(self) -> dict[int, q.Identity | None]:
        """What is cached and unexpired, by Telegram id (for tests' checks)."""
        now = self._monotonic()
        return {key: found for key, (expires, found) in self._entries.items() if expires > now}

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.close()


# Every cache in this process, by database: a write through one core's session (a CLI command
# run in the bot's process, a test's second app) drops the entries of all of them.
_caches: dict[str, weakref.WeakSet[IdentityCache]] = {}


def _register(cache: IdentityCache) -> None:
    _caches.setdefault(_database_key(cache.database_url), weakref.WeakSet()).add(cache)


def _database_key(url: object) -> str:
    # The rendered URL without password: what distinguishes databases, stable per engine.
    render = getattr(url, "render_as_string", None)
    return render(hide_password=True) if render else str(url)


def _caches_of(session: Session) -> Iterable[IdentityCache]:
    bind = session.bind
    if bind is None:
        return ()
    return tuple(_caches.get(_database_key(bind.engine.url), ()))


# --- What a write touches -------------------------------------------------------------------


def _is_residents(table: object) -> bool:
    # Statements built from the model hold an annotated copy of the table, not the table.
    return bool(getattr(table, "name", None) == _TABLE_NAME)


def _column_name(key: object) -> str | None:
    if isinstance(key, str):
        return key
    return getattr(key, "key", None) or getattr(key, "name", None)


def _value(element: object, params: Mapping[str, Any]) -> Any:
    if isinstance(element, BindParameter):
        if element.key in params:
            return params[element.key]
        return element.effective_value
    return _MISSING


def _ids(value: Any) -> set[int] | None:
    if isinstance(value, int):
        return {value}
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, int) for v in value):
        return set(value)
    return None


def _pinned(where: ClauseElement | None, params: Mapping[str, Any]) -> Invalidation | None:
    """The residents a WHERE clause limits a statement to, or None when it does not say (an OR,
    a subquery, no clause at all): then every entry must go."""
    if where is None:
        return None
    if isinstance(where, BooleanClauseList) and where.operator is operators.and_:
        # Any one conjunct that pins the residents bounds the whole.
        for clause in where.clauses:
            pinned = _pinned(clause, params)
            if pinned is not None:
                return pinned
        return None
    if isinstance(where, BinaryExpression) and where.operator in (operators.eq, operators.in_op):
        column, other = where.left, where.right
        if not isinstance(column, Column) or not _is_residents(column.table):
            return None
        ids = _ids(_value(other, params))
        if ids is None:
            return None
        if column.key == "id":
            return Invalidation(set(), ids)
        if column.key == "telegram_id":
            return Invalidation(ids, set())
    return None


def _statement_targets(state: ORMExecuteState) -> Invalidation | None:
    """Whom an INSERT, UPDATE or DELETE run through a session touches (None: no one whose
    identity could change)."""
    statement = state.statement
    if isinstance(statement, TextClause):
        sql = statement.text.lower()
        if "residents" in sql and any(w in sql for w in ("insert", "update", "delete", "replace")):
            return Invalidation(set(), set(), everyone=True)
        return None
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    if not _is_residents(getattr(statement, "table", None)):
        return None
    params = state.parameters
    rows: list[Mapping[str, Any]] = [params] if isinstance(params, Mapping) else list(params or [])
    if state.is_insert:
        values = getattr(statement, "_values", None) or {}
        telegram_ids: set[int] = set()
        for key, element in values.items():
            if _column_name(key) == "telegram_id":
                found = _ids(_value(element, {}))
                if found is None:
                    return Invalidation(set(), set(), everyone=True)
                telegram_ids |= found
        for row in rows:
            value = row.get("telegram_id")
            if isinstance(value, int):
                telegram_ids.add(value)
        if getattr(statement, "_multi_values", None) or getattr(statement, "select", None):
            return Invalidation(set(), set(), everyone=True)
        # A resident without a Telegram id (an SMS resident) is not identified by anyone.
        return Invalidation(telegram_ids, set()) if telegram_ids else None
    if state.is_update:
        values = getattr(statement, "_values", None) or {}
        changed = {_column_name(k) for k in values} | {k for row in rows for k in row}
        if values and not (changed & IDENTITY_COLUMNS):
            return None  # e.g. reachable, first_name: identify reads none of these
        # A Telegram id given to a resident: whoever had it cached as unknown must go too.
        given: set[int] = set()
        for key, element in values.items():
            if _column_name(key) == "telegram_id":
                found = _ids(_value(element, rows[0] if len(rows) == 1 else {}))
                if found is None:
                    return Invalidation(set(), set(), everyone=True)
                given |= found
        for row in rows:
            if isinstance(row.get("telegram_id"), int):
                given.add(row["telegram_id"])
        if not values and rows:
            # A bulk UPDATE by primary key: one dict per row, with its id.
            ids = [row.get("id") for row in rows]
            if all(isinstance(i, int) for i in ids) and statement.whereclause is None:  # type: ignore[attr-defined]
                if not (changed - {"id"}) & IDENTITY_COLUMNS:
                    return None
                return Invalidation(given, {int(i) for i in ids if i is not None})
    else:
        given = set()
    pinned = _pinned(statement.whereclause, rows[0] if len(rows) == 1 else {})  # type: ignore[attr-defined]
    if pinned is None:
        return Invalidation(set(), set(), everyone=True)
    pinned.telegram_ids |= given
    return pinned


def _pending(session: Session) -> Invalidation:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = Invalidation.empty()
    return pending


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    targets = _statement_targets(state)
    if targets:
        _pending(state.session).add(targets)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _flush: UOWTransaction) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(row, Resident):
            continue
        if row in session.dirty:
            state = inspect(row)
            if not any(state.attrs[c].history.has_changes() for c in IDENTITY_COLUMNS):
                continue
            # Both the old and the new Telegram id, should a row have changed its own.
            old = state.attrs["telegram_id"].history.deleted or ()
            telegram_ids = {t for t in (*old, row.telegram_id) if isinstance(t, int)}
        else:
            telegram_ids = {row.telegram_id} if isinstance(row.telegram_id, int) else set()
        resident_ids = {row.id} if isinstance(row.id, int) else set()
        _pending(session).add(Invalidation(telegram_ids, resident_ids))


@event.listens_for(Session, "after_commit")
def _drop_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    caches = _caches_of(session)
    for cache in caches:
        cache.drop_soon(pending)
    # One publish per write: through the session's own core, else any core on this database.
    own = session.info.get("identity_cache")
    publisher = own if isinstance(own, IdentityCache) else next(iter(caches), None)
    if publisher is not None:
        publisher.publish(pending)


@event.listens_for(Session, "after_transaction_end")
def _forget_ended(session: Session, transaction: Any) -> None:
    # A rolled-back transaction's writes never happened: nothing of theirs to drop. (After a
    # commit, `after_commit` has taken them already.) Savepoints keep what their parent noted.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


# --- Other processes --------------------------------------------------------------------------


class _RedisLink:
    """Invalidations to and from the other processes on the same Redis, by pub/sub.

    A Redis channel is the same in every database number of a server, so the channel carries
    the number: tests and deployments on other numbers do not hear each other.
    """

    def __init__(self, cache: IdentityCache, url: str) -> None:
        self.cache = cache
        self.url = url
        self._redis: Redis | None = None
        self.origin = uuid.uuid4().hex  # our own messages are already applied
        self._listener: asyncio.Task[None] | None = None
        self._outbox: list[Invalidation] = []
        self._publisher: asyncio.Task[None] | None = None
        self._listening = False

    @property
    def redis(self) -> Redis:
        """The client, made at first use: a CLI command that writes nothing does not import
        redis for it."""
        if self._redis is None:
            from redis.asyncio import Redis

            # The health check pings a quiet subscription, so that a dead link is noticed
            # (and caching stops) within seconds rather than at the next message.
            self._redis = Redis.from_url(self.url, health_check_interval=10)
        return self._redis

    @property
    def channel(self) -> str:
        database = self.redis.connection_pool.connection_kwargs.get("db", 0)
        return f"naboskap:identity-invalidations:{database}"

    def listening(self) -> bool:
        return self._listening

    def start(self) -> None:
        """Listen, from the first read on: a process that only writes (a CLI command) never
        subscribes."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                # Anything published while we were not subscribed is lost to us: start empty.
                self.cache.clear()
                self._listening = True
                delay = 0.5
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                    if message is not None:
                        self._apply(message.get("data"))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self._listening:
                    log.warning("identity cache off: Redis unreachable (%s)", type(error).__name__)
                self._listening = False
                self.cache.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                self._listening = False
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _apply(self, data: Any) -> None:
        try:
            message = json.loads(data)
            if message.get("origin") == self.origin:
                return
            self.cache.drop(Invalidation.from_json(message))
        except (ValueError, TypeError, AttributeError):
            self.cache.clear()  # unreadable: drop everything rather than guess

    def publish(self, invalidation: Invalidation) -> None:
        self._outbox.append(invalidation)
        if self._publisher is None or self._publisher.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (a synchronous caller): sent with the next one, or at close
            self._publisher = loop.create_task(self._publish())

    async def _publish(self) -> None:
        delay = 0.2
        while self._outbox:
            batch, self._outbox = self._outbox, []
            merged = Invalidation.empty()
            for one in batch:
                merged.add(one)
            body = json.dumps({**merged.as_json(), "origin": self.origin})
            try:
                await self.redis.publish(self.channel, body)
                delay = 0.2
            except Exception as error:
                log.warning(
                    "identity invalidation not yet published: Redis unreachable (%s)",
                    type(error).__name__,
                )
                self._outbox[:0] = [merged]
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def close(self) -> None:
        if self._outbox and (self._publisher is None or self._publisher.done()):
            self._publisher = asyncio.get_running_loop().create_task(self._publish())
        if self._publisher is not None:
            # A command that wrote and is exiting: let its invalidation out, but not forever.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._publisher), timeout=5)
            self._publisher.cancel()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(BaseException):
                await self._listener
        if self._redis is not None:
            await self._redis.aclose()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def cache_of(session: AsyncSession) -> IdentityCache | None:
    """The cache of the core whose sessionmaker made this session, if any."""
    cache = session.info.get("identity_cache")
    return cache if isinstance(cache, IdentityCache) else None
