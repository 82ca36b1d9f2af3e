"""Notices by the step (week, month) they were created in: their deliveries sent, delivered and
failed. Deliveries waiting (pending) or held for the digest are not counted yet."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Channel, Delivery, DeliveryStatus, Network, Notice, NoticeKind, UTCDateTime
from db.queries.insight.local_days import local_midnight
from db.session import session_zone

# What the SMS gateway reports for a message the phone received.
DELIVERED_REPORT = "delivered"


@dataclass(frozen=True)
class NoticeCounts:
    sent: int  # handed to Telegram or the SMS gateway
    delivered: int  # sent on Telegram (it has the message), or an SMS reported delivered
    failed: int  # refused, or the resident cannot be reached


async def notice_steps(
    session: AsyncSession, steps: Sequence[tuple[date, date]], network_id: int | None = None
) -> list[NoticeCounts]:
    """Per step (local days from the first to the day after the last), the deliveries of the
    notices created in it. With a network, its notices only; notices to no network (digests,
    replies) count for all networks together.

    Not grouped by day in SQL like the other figures: a year's digests are a million notices
    with four million deliveries, and sorting each delivery into its day took seconds on
    SQLite. Each step is bounded by its local midnights in UTC instead, and how the steps
    are counted depends on the database (see `_one_query_per_step`)."""
    if not steps:
        return []
    zone = session_zone(session)
    edges = [local_midnight(first, zone) for first, _ in steps]
    edges.append(local_midnight(steps[-1][1], zone))
    if network_id is None:
        networks = list(await session.scalars(select(Network.id)))
        of_scope = or_(Notice.network_id.in_(networks), Notice.network_id.is_(None))
    else:
        of_scope = Notice.network_id == network_id
    # Every kind named (and every network above): the notices of a time range are then a
    # range of the flood guard's index (network, kind, created), not a read of every notice.
    where = [of_scope, Notice.kind.in_(list(NoticeKind))]
    sent = Delivery.status == DeliveryStatus.SENT
    delivered = sent & or_(
        Delivery.channel == Channel.TELEGRAM, Delivery.report == DELIVERED_REPORT
    )
    failed = Delivery.status.in_((DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE))
    counts = (
        func.count().filter(sent),
        func.count().filter(delivered),
        func.count().filter(failed),
    )
    joined = select(*counts).select_from(Notice).join(Delivery, Delivery.notice_id == Notice.id)
    found = [NoticeCounts(0, 0, 0) for _ in steps]
    if session.get_bind().dialect.name == "sqlite":
        return await _one_query_per_step(session, joined.where(*where), edges)
    step = case(
        *((Notice.created_at < edge, index) for index, edge in enumerate(edges[1:-1])),
        else_=len(steps) - 1,
    ).label("step")
    query = (
        joined.add_columns(step)
        .where(*where, Notice.created_at >= edges[0], Notice.created_at < edges[-1])
        .group_by(step)
    )
    for sent_n, delivered_n, failed_n, index in await session.execute(query):
        found[index] = NoticeCounts(int(sent_n), int(delivered_n), int(failed_n))
    return found


async def _one_query_per_step(
    session: AsyncSession, query: Select[int, int, int], edges: list[datetime]
) -> list[NoticeCounts]:
    """SQLite groups by sorting: grouping four million deliveries by step took seconds. One
    query per step adds its deliveries up as it reads them, with no sorting at all. (On
    PostgreSQL that would read the deliveries once per step: one query grouped by step, by
    hashing, is the quicker there.)"""
    query = query.where(
        Notice.created_at >= bindparam("start", type_=UTCDateTime),
        Notice.created_at < bindparam("end", type_=UTCDateTime),
    )
    found = []
    for start, end in itertools.pairwise(edges):
        row = (await session.execute(query, {"start": start, "end": end})).one()
        found.append(NoticeCounts(*(int(n or 0) for n in row)))
    return found
