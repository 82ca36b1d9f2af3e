"""The files a notice can carry, as the Telegram senders' one `attachments` callable: a
rendering's attachment name goes to the resolver of its kind — `poll-chart:…` to a poll's
results chart (bot.services.polls.chart), `insight-report:…` to a monthly report
(bot.services.insight.monthly) — and comes back as a file name and its bytes, or None for a
name nobody knows (the text then goes alone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.i18n import Catalogs
from bot.services.insight.monthly import PREFIX as REPORT_PREFIX
from bot.services.insight.monthly import ReportFiles
from bot.services.polls.chart import PREFIX as CHART_PREFIX
from bot.services.polls.chart import ChartFiles

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from bot.machine_translation.service import MachineTranslation


class AttachmentFiles:
    """Every kind of attachment, each resolved (and kept) by its own resolver."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        machine: MachineTranslation | None = None,
        *,
        min_group: int = 5,
        municipality: str = "",
    ) -> None:
        self.charts = ChartFiles(sessionmaker, catalogs, machine)
        self.reports = ReportFiles(
            sessionmaker, catalogs, min_group=min_group, municipality=municipality
        )

    async def __call__(self, name: str) -> tuple[str, bytes] | None:
        kind = name.split(":", 1)[0]
        if kind == CHART_PREFIX:
            return await self.charts(name)
        if kind == REPORT_PREFIX:
            return await self.reports(name)
        return None
