"""Neighbour help in the bot: /offer, /ask, /requests, talking through the bot, and /reports
for hosts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Catalogs, Translator
from bot.services import help as helping
from bot.services import networks
from bot.services.actions import AcceptHelper, BlockMatch, OfferHelp, ReportMatch, WriteToMatch
from bot.services.actors import Actor
from bot.services.errors import ServiceError
from bot.services.help import SENSITIVE, RequestView, category_label
from db.models import HelpCategory, HelpFrequency, RequestStatus, utcnow
from handlers.callbacks import HelpCb
from handlers.filters import Act, FreeText, Onboarded
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, refuse, show, stale
from handlers.states import HelpFlow

CATEGORIES = list(HelpCategory)
FREQUENCIES = list(HelpFrequency)


def status_label(t: Translator, status: RequestStatus) -> str:
    return {
        RequestStatus.OPEN: t.gettext("open"),
        RequestStatus.MATCHED: t.gettext("matched"),
        RequestStatus.DONE: t.gettext("done"),
        RequestStatus.WITHDRAWN: t.gettext("withdrawn"),
        RequestStatus.EXPIRED: t.gettext("closed"),
        RequestStatus.HIDDEN: t.gettext("hidden by a host"),
    }[status]


def frequency_label(t: Translator, frequency: HelpFrequency) -> str:
    return {
        HelpFrequency.INSTANT: t.gettext("Tell me right away"),
        HelpFrequency.DAILY: t.gettext("Once a day"),
        HelpFrequency.WEEKLY: t.gettext("In the weekly digest"),
    }[frequency]


def request_line(t: Translator, view: RequestView) -> str:
    when = helping.when_label(t, view.needed_on)
    return (
        f"<b>{category_label(t, view.category)}</b> · {quote(view.network_name)}\n"
        f"{quote(view.description)}\n" + t.gettext("When: {when}", when=when)
    )


# ---- /offer -----------------------------------------------------------------------------------


async def _my_networks(session: AsyncSession, actor: Actor) -> list[networks.NetworkView]:
    return [v for v in await networks.list_networks(session, actor) if v.is_member]


async def _offer_screen(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    network_id: int,
) -> None:
    offers = (await helping.offers_of(session, actor)).get(network_id, set())
    settings = await helping.helper_settings(session, actor)
    view = await networks.get_network(session, actor, network_id)
    text = "\n".join(
        [
            "<b>"
            + t.gettext("What can you help with in {network}?", network=quote(view.name))
            + "</b>",
            t.gettext("Tap to choose. Neighbours who need that kind of help will find you."),
        ]
        + (["", "⏸ " + t.gettext("Your offers are paused.")] if settings.paused else [])
    )
    cats = [
        button(
            ("✓ " if c in offers else "") + category_label(t, c),
            HelpCb(action="cat", request_id=network_id, arg=i),
        )
        for i, c in enumerate(CATEGORIES)
    ]
    freq = [
        button(
            ("✓ " if settings.frequency is f else "") + frequency_label(t, f),
            HelpCb(action="freq", request_id=network_id, arg=i),
        )
        for i, f in enumerate(FREQUENCIES)
    ]
    pause = button(
        t.gettext("▶️ Resume my offers") if settings.paused else t.gettext("⏸ Pause my offers"),
        HelpCb(action="pause", request_id=network_id, arg=0 if settings.paused else 1),
    )
    await show(target, text, markup(rows(cats, 1), rows(freq, 1), [[pause]]))


async def offer_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    mine = await _my_networks(session, actor)
    if not mine:
        await message.answer(t.gettext("Join a network first: /networks"))
    elif len(mine) == 1:
        await _offer_screen(message, session, actor, t, mine[0].id)
    else:
        buttons = [button(v.name, HelpCb(action="onet", request_id=v.id)) for v in mine]
        await message.answer(t.gettext("In which network?"), reply_markup=markup(rows(buttons, 2)))


# ---- /ask -------------------------------------------------------------------------------------


async def ask_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    if not await _my_networks(session, actor):
        await message.answer(t.gettext("Join a network first: /networks"))
        return
    buttons = [
        button(category_label(t, c), HelpCb(action="acat", arg=i)) for i, c in enumerate(CATEGORIES)
    ]
    await message.answer(
        t.gettext("What do you need help with?"), reply_markup=markup(rows(buttons, 1))
    )


async def ask_description(message: Message, state: FSMContext, t: Translator) -> None:
    text = (message.text or "").strip()
    if len(text) > helping.DESCRIPTION_MAX:
        await message.answer(
            t.ngettext(
                "That's too long: at most {n} character, please.",
                "That's too long: at most {n} characters, please.",
                helping.DESCRIPTION_MAX,
            )
        )
        return
    await state.update_data(description=text)
    await state.set_state(None)
    today = utcnow().astimezone(t.zone).date()
    days = [
        button(
            t.format_day(datetime.combine(today + timedelta(days=i), time(12), tzinfo=t.zone)),
            HelpCb(action="aday", arg=i),
        )
        for i in range(7)
    ]
    flexible = [button(t.gettext("Flexible"), HelpCb(action="aday", arg=-1))]
    await message.answer(
        t.gettext("When do you need it?"), reply_markup=markup([flexible], rows(days, 2))
    )


async def _post(
    target: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
    network_id: int,
) -> None:
    data = await state.get_data()
    day = data.get("day")
    view, reached = await helping.ask(
        session,
        actor,
        catalogs,
        network_id=network_id,
        category=CATEGORIES[int(data["category"])],
        description=data.get("description", ""),
        needed_on=date.fromisoformat(day) if day else None,
        expiry=timedelta(days=settings.help_expiry_days),
    )
    await state.clear()
    text = t.ngettext(
        "Posted! {n} helper will hear about it. You'll get a message when someone can help.",
        "Posted! {n} helpers will hear about it. You'll get a message when someone can help.",
        reached,
    )
    await show(target, text + "\n\n" + request_line(t, view))


# ---- /requests ----------------------------------------------------------------------------------


async def requests_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    theirs = await helping.open_requests(session, actor)
    mine = [
        r
        for r in await helping.my_requests(session, actor)
        if r.status in (RequestStatus.OPEN, RequestStatus.MATCHED)
    ]
    if not theirs and not mine:
        await message.answer(
            t.gettext("No open requests right now. /ask asks for help, /offer offers it.")
        )
        return
    for view in theirs[:10]:
        keyboard = markup(
            [[button(t.gettext("🙋 I can help"), OfferHelp(view.id))]],
            [[button(t.gettext("⚠️ Report"), HelpCb(action="report", request_id=view.id))]],
        )
        note = ("\n\n<i>" + helping.safety_note(t) + "</i>") if view.category in SENSITIVE else ""
        await message.answer(request_line(t, view) + note, reply_markup=keyboard)
    for view in mine:
        await message.answer(_mine_text(t, view), reply_markup=_mine_keyboard(t, view))


def _mine_text(t: Translator, view: RequestView) -> str:
    text = (
        "<b>"
        + t.gettext("Your request ({status})", status=status_label(t, view.status))
        + "</b>\n"
        + request_line(t, view)
    )
    if view.helper_name:
        text += "\n" + t.gettext("Helper: {name}", name=quote(view.helper_name))
    return text


def _mine_keyboard(t: Translator, view: RequestView) -> InlineKeyboardMarkup:
    buttons = []
    if view.status is RequestStatus.MATCHED:
        buttons.append(button(t.gettext("💬 Write"), WriteToMatch(view.id)))
        buttons.append(button(t.gettext("⚠️ Report the helper"), ReportMatch(view.id)))
        buttons.append(button(t.gettext("⛔ Block"), BlockMatch(view.id)))
    buttons.append(
        button(t.gettext("✅ Done, thank you"), HelpCb(action="done", request_id=view.id))
    )
    buttons.append(button(t.gettext("Withdraw"), HelpCb(action="withdraw", request_id=view.id)))
    return markup(rows(buttons, 1))


# ---- buttons ------------------------------------------------------------------------------------


async def help_action(
    query: CallbackQuery,
    callback_data: HelpCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    action, rid, arg = callback_data.action, callback_data.request_id, callback_data.arg
    try:
        if action == "onet":
            await query.answer()
            await _offer_screen(query, session, actor, t, rid)
        elif action == "cat" and 0 <= arg < len(CATEGORIES):
            offers = (await helping.offers_of(session, actor)).get(rid, set())
            offers ^= {CATEGORIES[arg]}
            helper = await helping.helper_settings(session, actor)
            await helping.set_offer(session, actor, rid, offers, helper.frequency)
            await query.answer(t.gettext("Saved."))
            await _offer_screen(query, session, actor, t, rid)
        elif action == "freq" and 0 <= arg < len(FREQUENCIES):
            offers = (await helping.offers_of(session, actor)).get(rid, set())
            await helping.set_offer(session, actor, rid, offers, FREQUENCIES[arg])
            await query.answer(t.gettext("Saved."))
            await _offer_screen(query, session, actor, t, rid)
        elif action == "pause":
            await helping.set_paused(session, actor, bool(arg))
            await query.answer(t.gettext("Saved."))
            await _offer_screen(query, session, actor, t, rid)
        elif action == "acat" and 0 <= arg < len(CATEGORIES):
            await state.clear()
            await state.update_data(category=arg)
            await state.set_state(HelpFlow.description)
            await query.answer()
            intro = t.gettext(
                "Describe briefly what you need. Don't write your address or phone number; "
                "you'll talk through the bot."
            )
            if CATEGORIES[arg] in SENSITIVE:
                intro += "\n\n<i>" + helping.safety_note(t) + "</i>"
            await bot.send_message(query.from_user.id, intro + " /cancel")
        elif action == "aday" and -1 <= arg < 7:
            data = await state.get_data()
            if "description" not in data:
                await stale(query, t)
                return
            today = utcnow().astimezone(t.zone).date()
            await state.update_data(
                day=None if arg < 0 else (today + timedelta(days=arg)).isoformat()
            )
            mine = await _my_networks(session, actor)
            await query.answer()
            if len(mine) == 1:
                await _post(query, state, session, actor, t, catalogs, settings, mine[0].id)
            else:
                buttons = [button(v.name, HelpCb(action="anet", request_id=v.id)) for v in mine]
                await show(query, t.gettext("In which network?"), markup(rows(buttons, 2)))
        elif action == "anet":
            if "description" not in await state.get_data():
                await stale(query, t)
                return
            await query.answer()
            await _post(query, state, session, actor, t, catalogs, settings, rid)
        elif action in ("done", "withdraw"):
            view = await helping.close(session, actor, catalogs, rid, done=action == "done")
            await query.answer()
            await show(query, _mine_text(t, view))
        elif action == "report":
            await helping.report(session, actor, catalogs, rid)
            await query.answer(t.gettext("Thank you. The hosts will look at it."), show_alert=True)
        elif action == "hide":
            await helping.hide(session, actor, rid)
            await query.answer(t.gettext("Hidden."))
            await show(query, t.gettext("The request is hidden."))
        elif action == "suspend":
            await helping.suspend_requester(session, actor, rid)
            await query.answer(t.gettext("Suspended."))
            await show(query, t.gettext("The member can no longer ask or help in this network."))
        elif action == "stats":
            text = await stats_text(session, actor, t)
            await query.answer()
            await show(query, text)
        else:
            await stale(query, t)
    except ServiceError as error:
        await refuse(query, t, error)


async def offer_help(
    query: CallbackQuery,
    action: OfferHelp,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    view = await helping.offer_help(session, actor, catalogs, action.request_id)
    await query.answer(
        t.gettext("Thank you! {name} will hear that you can help.", name=view.requester_name)
    )


async def accept_helper(
    query: CallbackQuery,
    action: AcceptHelper,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    view = await helping.accept(session, actor, catalogs, action.request_id, action.helper_id)
    await query.answer()
    await show(
        query,
        t.gettext(
            "You chose {name}. Write here; your messages go through the bot.",
            name=quote(view.helper_name or ""),
        ),
        markup([[button(t.gettext("💬 Write"), WriteToMatch(action.request_id))]]),
    )


async def write_to_match(
    query: CallbackQuery, action: WriteToMatch, bot: Bot, state: FSMContext, t: Translator
) -> None:
    await state.clear()
    await state.update_data(relay=action.request_id)
    await state.set_state(HelpFlow.relay)
    await query.answer()
    await bot.send_message(
        query.from_user.id,
        t.gettext(
            "Write your message. Everything you send now goes to the other person, until /cancel."
        ),
    )


async def report_match(
    query: CallbackQuery,
    action: ReportMatch,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    await helping.report(session, actor, catalogs, action.request_id, about_resident=True)
    await query.answer(t.gettext("Thank you. The hosts will look at it."), show_alert=True)


async def block_match(
    query: CallbackQuery,
    action: BlockMatch,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await helping.block(session, actor, action.request_id)
    await state.clear()
    await query.answer(
        t.gettext("Blocked. You won't hear from each other here again."), show_alert=True
    )


async def relay_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    request_id = int((await state.get_data()).get("relay", 0))
    try:
        await helping.relay(session, actor, catalogs, request_id, message.text or "")
    except ServiceError as error:
        await state.clear()
        await refuse(message, t, error)
        return
    await message.answer(t.gettext("✓ Sent."))


# ---- hosts and coordinators -------------------------------------------------------------------


async def reports_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    try:
        found = await helping.reports(session, actor)
    except ServiceError as error:
        await refuse(message, t, error)
        return
    if not found:
        await message.answer(t.gettext("No open reports."))
        return
    for r in found:
        lines = ["<b>" + t.gettext("Report") + "</b>", quote(r.request_text)]
        if r.reason:
            lines.append(t.gettext("Reason: {reason}", reason=quote(r.reason)))
        if r.reported_name:
            lines.append(t.gettext("About: {name}", name=quote(r.reported_name)))
        keyboard = markup(
            [
                [
                    button(
                        t.gettext("🙈 Hide the request"),
                        HelpCb(action="hide", request_id=r.request_id or 0),
                    )
                ]
            ],
            [
                [
                    button(
                        t.gettext("⛔ Suspend who asked"),
                        HelpCb(action="suspend", request_id=r.request_id or 0),
                    )
                ]
            ],
        )
        await message.answer("\n".join(lines), reply_markup=keyboard)


async def stats_text(session: AsyncSession, actor: Actor, t: Translator) -> str:
    rows_ = await helping.stats(session, actor)
    names = {
        v.id: v.name for v in await networks.list_networks(session, actor, include_archived=True)
    }
    lines = ["<b>" + t.gettext("Neighbour help") + "</b>"]
    if not rows_:
        lines.append(t.gettext("No requests yet."))
    for row in rows_:
        lines += [
            "",
            f"<b>{quote(names.get(row.network_id, '?'))}</b> · "
            + t.ngettext("{n} active helper", "{n} active helpers", row.helpers_active),
        ]
        for category, counts in row.by_category.items():
            total = sum(counts.values())
            parts = ", ".join(f"{status_label(t, s)} {t.number(n)}" for s, n in counts.items())
            lines.append(f"{category_label(t, category)}: {t.number(total)} ({parts})")
    return "\n".join(lines)


async def stats_command(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await state.clear()
    try:
        text = await stats_text(session, actor, t)
    except ServiceError as error:
        await refuse(message, t, error)
        return
    await message.answer(text)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="help_requests")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(offer_command, Command("offer"))
    router.message.register(ask_command, Command("ask"))
    router.message.register(requests_command, Command("requests"))
    router.message.register(reports_command, Command("reports"))
    router.message.register(stats_command, Command("stats"))
    router.message.register(ask_description, HelpFlow.description, FreeText())
    router.message.register(relay_text, HelpFlow.relay, FreeText())
    router.callback_query.register(offer_help, Act(OfferHelp))
    router.callback_query.register(accept_helper, Act(AcceptHelper))
    router.callback_query.register(write_to_match, Act(WriteToMatch))
    router.callback_query.register(report_match, Act(ReportMatch))
    router.callback_query.register(block_match, Act(BlockMatch))
    router.callback_query.register(help_action, HelpCb.filter())
    return router
