"""A sent notice's SMS: how many segments it took and what they cost, for the host's reach."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from db.models import DeliveryStatus
from db.queries import sms_cost as cq


@dataclass(frozen=True)
class NoticeSms:
    by_status: dict[DeliveryStatus, int]
    segments: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


async def notice_sms(session: AsyncSession, notice_id: int) -> NoticeSms:
    """A notice's SMS figures; the caller has checked that the actor may see its reach."""
    by_status, segments = await cq.notice_sms(session, notice_id)
    return NoticeSms(by_status, segments)


def notice_sms_line(t: Translator, found: NoticeSms) -> str | None:
    if not found.total:
        return None
    return t.ngettext(
        "By SMS: {sent} sent, {waiting} waiting, {failed} failed; {n} segment used",
        "By SMS: {sent} sent, {waiting} waiting, {failed} failed; {n} segments used",
        found.segments,
        sent=t.number(found.by_status.get(DeliveryStatus.SENT, 0)),
        waiting=t.number(found.by_status.get(DeliveryStatus.PENDING, 0)),
        failed=t.number(found.by_status.get(DeliveryStatus.FAILED, 0)),
    )
