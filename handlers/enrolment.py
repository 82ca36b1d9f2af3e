"""Enrolling a neighbour by SMS: a coordinator (from /coordinate) or a host (from their
network's card) types the number, picks the language and networks, and confirms that the
neighbour agreed. The service checks the role again at the end: callback data can be forged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Catalogs, Translator
from bot.services import enrolment, networks
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, OptedOut, ServiceError
from handlers import keyboards
from handlers.callbacks import EnrolCb
from handlers.filters import FreeText, Onboarded
from handlers.replies import quote, refuse, show, stale
from handlers.states import EnrolFlow

MAX_NETWORKS_SHOWN = 40  # toggles on one screen


def _sms_off(settings: Settings) -> bool:
    return settings.sms_gateway is None


async def start(
    query: CallbackQuery,
    callback_data: EnrolCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    if _sms_off(settings):
        await stale(query, t)
        return
    network_id = callback_data.network_id
    try:
        if network_id:
            await enrolment.enrollable_networks(session, actor, [network_id])
        else:
            actor.require_coordinator()
    except ServiceError as error:
        await refuse(query, t, error)
        return
    await state.set_state(EnrolFlow.phone)
    await state.set_data({"enrol_network": network_id})
    await query.answer()
    await show(
        query,
        t.gettext(
            "📱 Enrol a neighbour who has no Telegram: they get notices by SMS. Do this only "
            "if they agreed to it.\n\nWhat is their mobile number? /cancel stops."
        ),
    )


async def phone(message: Message, state: FSMContext, t: Translator, settings: Settings) -> None:
    try:
        number = enrolment.parse_phone(message.text or "", settings.sms_default_region)
    except InvalidInput:
        await message.answer(
            t.gettext(
                "That is not a mobile number I can use. Write it like 912 34 567 or "
                "+47 912 34 567, or send /cancel."
            )
        )
        return
    await state.set_state(EnrolFlow.choose)
    await state.update_data(enrol_phone=number, enrol_chosen=[])
    await message.answer(
        t.gettext("Which language should their SMS be in?"),
        reply_markup=keyboards.enrol_languages(),
    )


async def _choose_networks(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, chosen: set[int]
) -> None:
    views = (await networks.list_networks(session, actor))[:MAX_NETWORKS_SHOWN]
    await show(
        query,
        t.gettext("Which networks should they join? Tap to choose, then Next."),
        keyboards.enrol_networks(t, views, chosen),
    )


async def _confirm(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    data: dict[str, object],
) -> None:
    ids = _ids(data)
    names = [(await networks.get_network(session, actor, i)).name for i in ids]
    locale = str(data.get("enrol_language", ""))
    text = "\n".join(
        [
            "<b>" + t.gettext("Enrol by SMS") + "</b>",
            t.gettext("Number: {number}", number=quote(str(data.get("enrol_phone", "")))),
            t.gettext("Language: {language}", language=NATIVE_NAMES.get(locale, locale)),
            t.gettext("Networks: {names}", names=quote(", ".join(names))),
            "",
            t.gettext(
                "Did they agree to get SMS from Naboskap? They get a welcome SMS that says "
                "how to stop."
            ),
        ]
    )
    await show(query, text, keyboards.enrol_confirm(t))


def _ids(data: dict[str, object]) -> list[int]:
    fixed = data.get("enrol_network")
    if isinstance(fixed, int) and fixed:
        return [fixed]
    chosen = data.get("enrol_chosen")
    return [int(i) for i in chosen] if isinstance(chosen, list) else []


async def step(
    query: CallbackQuery,
    callback_data: EnrolCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    catalogs: Catalogs,
) -> None:
    data = await state.get_data()
    action = callback_data.action
    if "enrol_phone" not in data or _sms_off(settings):
        await stale(query, t)
        return
    try:
        if action == "lang" and callback_data.arg in SHIPPED_LOCALES:
            await state.update_data(enrol_language=callback_data.arg)
            data["enrol_language"] = callback_data.arg
            await query.answer()
            if _ids(data) and data.get("enrol_network"):
                await _confirm(query, session, actor, t, data)
            else:
                actor.require_coordinator()
                await _choose_networks(query, session, actor, t, set(_ids(data)))
        elif action == "net" and not data.get("enrol_network"):
            actor.require_coordinator()
            chosen = set(_ids(data)) ^ {callback_data.network_id}
            await state.update_data(enrol_chosen=sorted(chosen))
            await query.answer()
            await _choose_networks(query, session, actor, t, chosen)
        elif action == "next" and "enrol_language" in data:
            if not _ids(data):
                await query.answer(t.gettext("Choose at least one network."), show_alert=True)
                return
            await query.answer()
            await _confirm(query, session, actor, t, data)
        elif action == "agree" and "enrol_language" in data and _ids(data):
            done = await enrolment.enrol_by_sms(
                session,
                actor,
                catalogs,
                phone_raw=str(data["enrol_phone"]),
                region=settings.sms_default_region,
                locale=str(data["enrol_language"]),
                network_ids=_ids(data),
                municipality=settings.municipality,
                consent=True,  # the enroller has just confirmed it
            )
            await state.clear()
            await query.answer()
            names = quote(", ".join(done.networks))
            if done.created:
                text = t.gettext(
                    "✅ Enrolled in {networks}. They get a welcome SMS that says how to stop.",
                    networks=names,
                )
            elif done.added:
                text = t.gettext(
                    "✅ That number was already with us; it is now also in {networks}.",
                    networks=names,
                )
            else:
                text = t.gettext("That number is already in {networks}.", networks=names)
            await show(query, text)
        elif action == "drop":
            await state.clear()
            await query.answer()
            await show(query, t.gettext("Cancelled. Nothing was done."))
        else:
            await stale(query, t)
    except OptedOut:
        await state.clear()
        await query.answer()
        await show(
            query,
            t.gettext(
                "That number has stopped all SMS from Naboskap. Only they can start again, "
                "by sending START."
            ),
        )
    except ServiceError as error:
        await refuse(query, t, error)


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="enrolment")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(start, EnrolCb.filter(F.action == "start"))
    router.callback_query.register(step, EnrolCb.filter())
    router.message.register(phone, EnrolFlow.phone, FreeText())
    return router
