"""The monthly report to coordinators: turned on and off in /settings (coordinators only), due
at 08:00 on the 1st in Oslo's time for three days, sent once per coordinator and month, only to
those who turned it on, as an HTML file in their own language, by either Telegram sender."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.channels.telegram.http_sender import HttpTelegramSender
from bot.channels.telegram.sender import TelegramSender
from bot.delivery.messages import Rendered
from bot.delivery.outcomes import Sent
from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.services import preferences, residents
from bot.services.actors import Actor
from bot.services.insight.monthly import MonthlyReportJob, attachment_name, due_month
from db.models import Delivery, Notice, NoticeKind, Preferences, Resident
from handlers.callbacks import SettingsAction, SettingsCb
from tests.support.insight_report import Page
from tests.support.outbox import Clock, outbox_worker
from tests.support.settings import COORDINATOR_ID

OSLO = ZoneInfo("Europe/Oslo")
NOVEMBER = date(2026, 11, 1)
FIRST = datetime(2026, 12, 1, 8, 5, tzinfo=OSLO)  # five past eight on the 1st


def _local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("now", "month"),
    [
        (_local(2026, 12, 1, 7, 59), None),  # before eight
        (_local(2026, 12, 1, 8, 0), NOVEMBER),
        (_local(2026, 12, 3, 23, 59), NOVEMBER),  # caught up for three days
        (_local(2026, 12, 4, 8, 0), None),
        (_local(2026, 11, 30, 12, 0), None),
        (_local(2027, 1, 1, 8, 0), date(2026, 12, 1)),  # across the year
        (_local(2027, 4, 1, 8, 0), date(2027, 3, 1)),  # 08:00 in summer time is 06:00 UTC
        (_local(2027, 4, 1, 7, 30), None),
    ],
)
def test_the_report_is_due_from_eight_on_the_first_for_three_days(now, month):
    assert due_month(now, OSLO) == month


async def _actor(app, user: FakeUser) -> Actor:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


async def _flag(app, user: FakeUser) -> bool | None:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        row = await session.get(Preferences, (await _actor(app, user)).resident_id)
        return None if row is None else bool(row.monthly_report)


async def test_a_coordinator_turns_the_report_on_and_off_in_settings(app, resident):
    coordinator = await resident("Ada", "English", "en", user_id=COORDINATOR_ID)
    await coordinator.send("/settings")
    assert "📈 Monthly report: off." in coordinator.last.text
    assert "📈 Monthly report" in coordinator.last.button_texts
    await coordinator.press("📈 Monthly report")
    assert coordinator.last_answer is not None and coordinator.last_answer["text"] == "Saved."
    assert "📈 Monthly report: on." in coordinator.last.text
    assert "✓ 📈 Monthly report" in coordinator.last.button_texts
    assert await _flag(app, coordinator) is True
    # The rest of the settings stay as they were.
    async with app.sessionmaker() as session:
        prefs = await preferences.get(session, await _actor(app, coordinator))
    assert prefs.digest and prefs.monthly_report
    await coordinator.press("✓ 📈 Monthly report")
    assert "📈 Monthly report: off." in coordinator.last.text
    assert await _flag(app, coordinator) is False


async def test_a_resident_has_no_report_to_turn_on_and_a_forged_button_is_refused(app, resident):
    olena = await resident("Olena", "Українська", "uk")
    await olena.send("/settings")
    assert "📈" not in olena.last.text
    assert not any("📈" in label for label in olena.last.button_texts)
    await olena.press_data(SettingsCb(action=SettingsAction.REPORT, value=1).pack())
    t = app.catalogs.translator("uk")
    assert olena.last_answer is not None
    assert olena.last_answer["text"] == t.gettext("Only coordinators can do that.")
    assert await _flag(app, olena) is None  # nothing written


async def _reports_per_resident(app) -> dict[int, int]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await session.execute(
            select(Resident.telegram_id, func.count())
            .join(Delivery, Delivery.resident_id == Resident.id)
            .join(Notice, Notice.id == Delivery.notice_id)
            .where(Notice.kind == NoticeKind.MONTHLY_REPORT)
            .group_by(Resident.telegram_id)
        )
        return {int(telegram_id): int(n) for telegram_id, n in rows}


async def test_the_monthly_job_sends_once_to_coordinators_who_turned_it_on(app, resident):
    ada = await resident("Ada", "English", "en", user_id=COORDINATOR_ID)  # COORDINATOR_IDS
    oksana = await resident("Oksana", "Українська", "uk")  # a coordinator by her stored role
    bjorn = await resident("Bjørn")  # a coordinator who keeps the report off
    kari = await resident("Kari")  # not a coordinator, whatever her row says
    async with app.sessionmaker() as session:
        await session.execute(
            update(Resident)
            .where(Resident.telegram_id.in_([oksana.id, bjorn.id]))
            .values(is_coordinator=True)
        )
        await session.commit()
    await ada.send("/settings")
    await ada.press("📈 Monthly report")
    async with app.sessionmaker() as session:
        await preferences.update(session, await _actor(app, oksana), monthly_report=True)
        session.add(
            Preferences(
                resident_id=(await _actor(app, kari)).resident_id,
                notify_mode="instant",
                quiet_start=22 * 60,
                quiet_end=8 * 60,
                monthly_report=True,
            )
        )
        await session.commit()

    job = MonthlyReportJob(app.sessionmaker, app.catalogs, app.settings.coordinator_ids)
    assert await job(FIRST - timedelta(minutes=10)) is None  # 07:55: not yet
    assert await job(FIRST) == 2
    assert await job(FIRST + timedelta(hours=5)) == 0  # the catch-up finds nothing left
    assert await job(FIRST + timedelta(days=30)) is None  # 31 December: not due
    assert await _reports_per_resident(app) == {ada.id: 1, oksana.id: 1}

    before = {user.id: len(user.messages) for user in (bjorn, kari)}
    await outbox_worker(app, Clock(FIRST + timedelta(minutes=1))).drain()
    for user, lang, heading in (
        (ada, "en", "📈 Monthly report: November 2026"),
        (oksana, "uk", None),
    ):
        message = user.last
        assert message.document is not None
        assert message.document.file_name == "naboskap-2026-11.html"
        page = Page(message.document.content.decode("utf-8"))
        assert page.root["lang"] == lang and "key-figures" in page.sections
        assert "about" in page.sections
        if heading is not None:
            assert message.text.startswith(heading)
            assert "/settings" in message.text  # why it came, and where to stop it
    assert {user.id: len(user.messages) for user in (bjorn, kari)} == before
    # December's report comes on 1 January, once.
    assert await job(datetime(2027, 1, 1, 9, 0, tzinfo=OSLO)) == 2
    assert await _reports_per_resident(app) == {ada.id: 2, oksana.id: 2}


async def _report_file(name: str) -> tuple[str, bytes] | None:
    if name == attachment_name(NOVEMBER, "nb"):
        return "naboskap-2026-11.html", b'<!DOCTYPE html><html lang="nb"></html>'
    return None


async def test_both_senders_send_a_report_as_one_file_with_its_text(app, fake_api: FakeBotAPI):
    chat = 4545
    fake_api.chats[chat] = []
    short = Rendered("<b>📈 Månedsrapport</b> &lt; 5", attachment=attachment_name(NOVEMBER, "nb"))
    long = Rendered(
        "<b>📈</b> " + "Tall &amp; tekst " * 100, attachment=attachment_name(NOVEMBER, "nb")
    )
    outcomes = [await TelegramSender(app.bot, _report_file).send(chat, short)]
    async with aiohttp.ClientSession() as http:
        thin = HttpTelegramSender(http, fake_api.token, fake_api.base_url, attachments=_report_file)
        for message in (short, long):
            await fake_api.pace.sleep(1.1)  # one message a second to a chat
            outcomes.append(await thin.send(chat, message))
    await fake_api.pace.sleep(1.1)
    outcomes.append(await TelegramSender(app.bot, _report_file).send(chat, long))
    messages = fake_api.chats[chat]
    assert outcomes == [Sent(str(m.message_id)) for m in messages]
    assert all(m.document is not None for m in messages)
    assert all(m.document.file_name == "naboskap-2026-11.html" for m in messages)  # type: ignore[union-attr]
    assert messages[1].document.mime_type == "text/html"  # type: ignore[union-attr]
    # A short text is the file's caption; a long one is cut to fit, as plain text.
    assert [m.text for m in messages[:2]] == ["📈 Månedsrapport < 5"] * 2
    for m in messages[2:]:
        assert m.text.startswith("📈 Tall & tekst Tall") and m.text.endswith("…")
        assert len(m.text.encode("utf-16-le")) // 2 == 1024
