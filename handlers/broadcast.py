"""Writing to a network's members (hosts) or to everyone (coordinators): write, preview with
who will get it by language, send through the outbox, then follow the reach."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import broadcasts, sms_cost
from bot.services.actors import Actor
from db.models import Channel, DeliveryStatus
from handlers.callbacks import BroadcastAction, HostCb
from handlers.filters import FreeText, Onboarded
from handlers.keyboards import button, markup
from handlers.replies import quote, show, stale
from handlers.states import BroadcastFlow


def _languages(t: Translator, counts: dict[str, int]) -> str:
    return " · ".join(f"{NATIVE_NAMES.get(loc, loc)} {t.number(n)}" for loc, n in counts.items())


def preview_keyboard(t: Translator, network_id: int) -> InlineKeyboardMarkup:
    return markup(
        [
            [
                button(
                    t.gettext("📣 Send"), HostCb(action=BroadcastAction.SEND, network_id=network_id)
                )
            ]
        ],
        [
            [
                button(
                    t.gettext("✏️ Change the text"),
                    HostCb(action=BroadcastAction.WRITE, network_id=network_id),
                )
            ]
        ],
        [[button(t.gettext("Cancel"), HostCb(action=BroadcastAction.DROP, network_id=network_id))]],
    )


def reach_keyboard(t: Translator, notice_id: int) -> InlineKeyboardMarkup:
    return markup(
        [[button(t.gettext("📊 Reach"), HostCb(action=BroadcastAction.REACH, notice_id=notice_id))]]
    )


def _network(network_id: int) -> int | None:
    return network_id or None  # 0 in callback data means "everyone"


async def write(
    query: CallbackQuery,
    callback_data: HostCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    audience = await broadcasts.audience(session, actor, _network(callback_data.network_id))
    await state.set_state(BroadcastFlow.text)
    await state.update_data(network_id=callback_data.network_id)
    await query.answer()
    where = (
        quote(audience.network.in_locale(t.locale))
        if audience.network
        else t.gettext("everyone in every network")
    )
    await bot.send_message(
        query.from_user.id,
        t.gettext(
            "Write the notice for {network}. Each member gets it with a heading in "
            "their own language; your words are sent as you write them. /cancel stops.",
            network=where,
        ),
    )


async def send(
    query: CallbackQuery,
    callback_data: HostCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    data = await state.get_data()
    text = data.get("text")
    if not text or int(data.get("network_id", -1)) != callback_data.network_id:
        await stale(query, t)  # a preview from an earlier draft
        return
    sent = await broadcasts.broadcast(
        session,
        actor,
        catalogs,
        text=text,
        network_id=_network(callback_data.network_id),
        machine=machine,
    )
    await state.clear()
    await query.answer()
    total = sum(sent.by_locale.values())
    await show(
        query,
        t.ngettext("Sent! {n} member will get it.", "Sent! {n} members will get it.", total),
        reach_keyboard(t, sent.notice_id),
    )


async def drop(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await query.answer()
    await show(query, t.gettext("OK, cancelled."))


async def reach(
    query: CallbackQuery, callback_data: HostCb, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    found = await broadcasts.reach(session, actor, callback_data.notice_id)
    by_sms = sms_cost.notice_sms_line(
        t, await sms_cost.notice_sms(session, callback_data.notice_id)
    )
    text = reach_text(t, found) + (f"\n{by_sms}" if by_sms else "")
    await query.answer()
    await show(query, text, reach_keyboard(t, callback_data.notice_id))


async def broadcast_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    data = await state.get_data()
    network_id = int(data.get("network_id", 0))
    text = broadcasts.clean_text(message.text or "")
    audience = await broadcasts.audience(session, actor, network_id or None)
    await state.update_data(text=text)
    await state.set_state(None)
    render = broadcasts.render_broadcast(catalogs, audience.network, text, t.locale)
    preview = render(t.locale, Channel.TELEGRAM).text
    lines = [
        "<b>" + t.gettext("Preview") + "</b>",
        "",
        preview,
        "",
        t.ngettext("It will reach {n} member:", "It will reach {n} members:", audience.total),
        _languages(t, audience.by_locale) or "–",
    ]
    if audience.digest_only:
        lines.append(
            t.ngettext(
                "({n} of them gets it in the weekly digest.)",
                "({n} of them get it in the weekly digest.)",
                audience.digest_only,
            )
        )
    by_sms = await sms_cost.preview_lines(
        session, actor, catalogs, settings, t, network_id or None, render
    )
    if by_sms:
        lines += ["", *by_sms]
    await message.answer("\n".join(lines), reply_markup=preview_keyboard(t, network_id))


STATUS_ICONS = {
    DeliveryStatus.SENT: "✅",
    DeliveryStatus.PENDING: "⏳",
    DeliveryStatus.FAILED: "⚠️",
    DeliveryStatus.UNREACHABLE: "🚫",
    DeliveryStatus.HELD: "🗞",
}


def reach_text(t: Translator, reach: broadcasts.Reach) -> str:
    labels = {
        DeliveryStatus.SENT: t.gettext("delivered"),
        DeliveryStatus.PENDING: t.gettext("waiting"),
        DeliveryStatus.FAILED: t.gettext("failed"),
        DeliveryStatus.UNREACHABLE: t.gettext("blocked the bot"),
        DeliveryStatus.HELD: t.gettext("in the digest"),
    }
    lines = ["<b>" + t.gettext("Reach") + "</b>"]
    totals = " · ".join(
        f"{STATUS_ICONS[s]} {labels[s]} {t.number(reach.total(s))}"
        for s in STATUS_ICONS
        if reach.total(s)
    )
    lines.append(totals or "–")
    for locale, counts in reach.by_locale.items():
        parts = " · ".join(f"{STATUS_ICONS[s]} {t.number(n)}" for s, n in counts.items() if n)
        lines.append(f"{NATIVE_NAMES.get(locale, locale)}: {parts}")
    return "\n".join(lines)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="broadcast")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(write, HostCb.filter(F.action == BroadcastAction.WRITE))
    router.callback_query.register(send, HostCb.filter(F.action == BroadcastAction.SEND))
    router.callback_query.register(drop, HostCb.filter(F.action == BroadcastAction.DROP))
    router.callback_query.register(reach, HostCb.filter(F.action == BroadcastAction.REACH))
    router.message.register(broadcast_text, BroadcastFlow.text, FreeText())
    return router
