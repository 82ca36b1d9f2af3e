"""/mydata and /forget: the resident's right to see and to erase what we store."""

from __future__ import annotations

import json

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import NATIVE_NAMES, Catalogs, Translator
from bot.pages import caption, fits_telegram, join, text_pages
from bot.services import residents
from bot.services.actions import MenuItem, OpenMenu
from bot.services.actors import Actor
from bot.services.residents import ResidentRecord
from handlers import keyboards, onboarding
from handlers.callbacks import ForgetAction, ForgetCb
from handlers.commands import clear_chat_menu
from handlers.filters import Act, Onboarded
from handlers.replies import quote, show


def record_text(t: Translator, record: ResidentRecord) -> str:
    lines = [
        "<b>" + t.gettext("What we store about you") + "</b>",
        "",
        t.gettext("Telegram ID: {id}", id=record.telegram_id),
        t.gettext("First name: {name}", name=quote(record.first_name or "–")),
        t.gettext("Language: {language}", language=NATIVE_NAMES.get(record.locale or "", "–")),
        t.gettext("With us since: {date}", date=t.format_date(record.created_at)),
    ]
    if record.privacy_accepted_at:
        lines.append(
            t.gettext(
                "Privacy notice accepted: {date}", date=t.format_date(record.privacy_accepted_at)
            )
        )
    if record.is_coordinator:
        lines.append(t.gettext("Role: coordinator"))
    lines += ["", "<b>" + t.gettext("Your networks") + "</b>"]
    if not record.memberships:
        lines.append(t.gettext("None yet."))
    networks = []
    for m in record.memberships:
        role = t.gettext("host") if m.role == "host" else t.gettext("member")
        networks.append(
            t.gettext(
                "{network} ({role}), since {date}",
                network=quote(m.network_name),
                role=role,
                date=t.format_date(m.joined_at),
            )
        )
    rest = ["", "<b>" + t.gettext("Also kept, in full in the file below") + "</b>"]
    if record.phone:
        lines.append(t.gettext("Phone number: {number}", number=quote(record.phone)))
    shown = residents.kept_counts(t, record)
    rest += shown or [t.gettext("Nothing more yet.")]
    rest += [
        "",
        t.gettext("The file below holds the same, for your own records. /forget deletes it all."),
    ]
    return _fitted("\n".join(lines), networks, "\n".join(rest), t)


def _fitted(header: str, networks: list[str], footer: str, t: Translator) -> str:
    """The record with as many of the networks as fit one message; the rest are counted (the
    file below names them all)."""
    everything = join(header, networks, footer)
    if fits_telegram()(everything):
        return everything
    widest = t.ngettext("…and {n} more", "…and {n} more", len(networks))
    rows = list(text_pages(header, networks, widest + "\n" + footer, fits_telegram())[0].rows)
    while True:
        # Plural forms differ in length ("…i 5 więcej" vs "…i jeszcze 2"): the count of the
        # rows left out is checked in its own form, one row fewer until it fits.
        more = t.ngettext("…and {n} more", "…and {n} more", len(networks) - len(rows))
        text = join(header, [*rows, more], footer)
        if fits_telegram()(text) or not rows:
            return text
        rows.pop()


async def _send_record(
    message: Message, bot: Bot, chat_id: int, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    record = await residents.export(session, actor)
    await bot.send_message(chat_id, record_text(t, record), reply_markup=keyboards.back_to_menu(t))
    data = json.dumps(record.as_json(), ensure_ascii=False, indent=2).encode()
    await bot.send_document(
        chat_id,
        BufferedInputFile(data, filename="naboskap-mydata.json"),
        caption=caption(t.gettext("Everything Naboskap stores about you")),
    )


async def mydata_command(
    message: Message,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    await state.clear()
    await _send_record(message, bot, message.chat.id, session, actor, t)


async def mydata_button(
    query: CallbackQuery, bot: Bot, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _send_record(query.message, bot, query.from_user.id, session, actor, t)


def forget_text(t: Translator) -> str:
    return "\n\n".join(
        [
            "<b>" + t.gettext("Delete your data?") + "</b>",
            t.gettext(
                "This deletes everything we store about you: your name, language and phone "
                "number, your networks, your answers to events, the help you asked for and "
                "offered and the messages you wrote to neighbours. Where a neighbour already got "
                'a message from you, it will say "a neighbour" instead of your name. Hosts will '
                "no longer reach you. It cannot be undone."
            ),
        ]
    )


async def forget_command(message: Message, state: FSMContext, t: Translator) -> None:
    await state.clear()
    await message.answer(forget_text(t), reply_markup=keyboards.forget(t))


async def forget_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer()
    await show(query, forget_text(t), keyboards.forget(t))


async def forget_confirmed(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    await residents.forget(session, actor, catalogs)
    await state.clear()
    await query.answer()
    await clear_chat_menu(bot, query.from_user.id)
    await show(
        query,
        t.gettext(
            "Your data is deleted. Thank you for being a good neighbour. If you want to come "
            "back, just send /start."
        ),
    )


async def forget_cancelled(query: CallbackQuery, actor: Actor, t: Translator) -> None:
    await query.answer()
    await onboarding.show_menu(query, t, actor, intro=t.gettext("Good, nothing was deleted."))


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="privacy")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.message.register(mydata_command, Command("mydata"))
    router.callback_query.register(mydata_button, Act(OpenMenu, F.item == MenuItem.MYDATA))
    router.message.register(forget_command, Command("forget"))
    router.callback_query.register(forget_button, Act(OpenMenu, F.item == MenuItem.FORGET))
    router.callback_query.register(forget_confirmed, ForgetCb.filter(F.action == ForgetAction.YES))
    router.callback_query.register(forget_cancelled, ForgetCb.filter(F.action == ForgetAction.NO))
    return router
