"""Enrolling a neighbour by SMS: a coordinator (from /coordinate) or a host (from their
network's card) types the number, picks the language and networks, and confirms that the
neighbour agreed. The service checks the role again at the end: callback data can be forged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Catalogs, Translator
from bot.pages import pick
from bot.services import enrolment, networks
from bot.services.actors import Actor
from bot.services.networks import NetworkView
from handlers import keyboards, paging
from handlers.callbacks import EnrolAction, EnrolCb, ListKind, PageCb
from handlers.filters import FreeText, Onboarded
from handlers.replies import quote, show, stale
from handlers.states import EnrolFlow

NETWORKS_PER_PAGE = 20  # toggles a page: with ‹ › and Next far under Telegram's 100 buttons
NAMES_LINE = 1000  # characters of network names on the confirmation; the rest are counted


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
    if network_id:
        await enrolment.enrollable_networks(session, actor, [network_id])
    else:
        actor.require_coordinator()
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
    # Not a number: InvalidInput, answered with the conversation kept, so they type it again.
    number = enrolment.parse_phone(message.text or "", settings.sms_default_region)
    await state.set_state(EnrolFlow.choose)
    await state.update_data(enrol_phone=number, enrol_chosen=[])
    await message.answer(
        t.gettext("Which language should their SMS be in?"),
        reply_markup=keyboards.enrol_languages(),
    )


async def _choose_networks(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    chosen: set[int],
    number: int = 0,
) -> None:
    """The networks to choose from, a page of toggles at a time."""
    views = await networks.list_networks(session, actor)
    text, keyboard = networks_screen(t, views, chosen, number)
    await show(query, text, keyboard)


def networks_screen(
    t: Translator, views: list[NetworkView], chosen: set[int], number: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Page `number` of the networks as toggles, `NETWORKS_PER_PAGE` at a time."""
    page, _ = pick(paging.button_pages(len(views), NETWORKS_PER_PAGE), number)
    shown = views[page.first : page.first + len(page.rows)]
    text = t.gettext("Which networks should they join? Tap to choose, then Next.")
    if page.count > 1:
        text += "\n" + paging.footer(t, page)
    nav = paging.nav(t, ListKind.ENROL, 0, page)
    return text, keyboards.enrol_networks(t, shown, chosen, nav)


async def _confirm(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    data: dict[str, object],
) -> None:
    ids = _ids(data)
    names = [quote((await networks.get_network(session, actor, i)).name) for i in ids]
    locale = str(data.get("enrol_language", ""))
    text = "\n".join(
        [
            "<b>" + t.gettext("Enrol by SMS") + "</b>",
            t.gettext("Number: {number}", number=quote(str(data.get("enrol_phone", "")))),
            t.gettext("Language: {language}", language=NATIVE_NAMES.get(locale, locale)),
            t.gettext("Networks: {names}", names=paging.names_within(t, names, NAMES_LINE)),
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


async def _draft(
    query: CallbackQuery, state: FSMContext, t: Translator, settings: Settings
) -> dict[str, object] | None:
    """The enrolment being made, or None (and the press answered as stale) if there is none."""
    data = await state.get_data()
    if "enrol_phone" not in data or _sms_off(settings):
        await stale(query, t)
        return None
    return data


async def language(
    query: CallbackQuery,
    callback_data: EnrolCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    data = await _draft(query, state, t, settings)
    if data is None:
        return
    await state.update_data(enrol_language=callback_data.arg)
    data["enrol_language"] = callback_data.arg
    await query.answer()
    if _ids(data) and data.get("enrol_network"):
        await _confirm(query, session, actor, t, data)
    else:
        actor.require_coordinator()
        await _choose_networks(query, session, actor, t, set(_ids(data)))


async def toggle_network(
    query: CallbackQuery,
    callback_data: EnrolCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    data = await _draft(query, state, t, settings)
    if data is None:
        return
    if data.get("enrol_network"):  # a host's enrolment has its network already
        await stale(query, t)
        return
    actor.require_coordinator()
    chosen = set(_ids(data)) ^ {callback_data.network_id}
    await state.update_data(enrol_chosen=sorted(chosen))
    await query.answer()
    page = data.get("enrol_page")
    await _choose_networks(query, session, actor, t, chosen, page if isinstance(page, int) else 0)


async def networks_page(
    query: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    """Another page of networks to choose from (‹ Previous, More ›); a toggle keeps to it."""
    data = await _draft(query, state, t, settings)
    if data is None:
        return
    if data.get("enrol_network") or "enrol_language" not in data:
        await stale(query, t)
        return
    actor.require_coordinator()
    await state.update_data(enrol_page=callback_data.page)
    await query.answer()
    await _choose_networks(query, session, actor, t, set(_ids(data)), callback_data.page)


async def next_step(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
) -> None:
    data = await _draft(query, state, t, settings)
    if data is None:
        return
    if "enrol_language" not in data:
        await stale(query, t)
        return
    if not _ids(data):
        await query.answer(t.gettext("Choose at least one network."), show_alert=True)
        return
    await query.answer()
    await _confirm(query, session, actor, t, data)


async def agree(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    settings: Settings,
    catalogs: Catalogs,
) -> None:
    """They agreed: enrol them, or invite them if the number is someone's we know (the
    service checks the role again)."""
    data = await _draft(query, state, t, settings)
    if data is None:
        return
    if "enrol_language" not in data or not _ids(data):
        await stale(query, t)
        return
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
    # The same answer whoever the number belongs to: the enroller must not learn that.
    text = t.gettext(
        "✅ Thank you. The owner of that number hears from us about {networks}, unless they "
        "are already in it or asked us not to write. Someone already with us is invited and "
        "joins only if they want to. For their privacy we don't say which applies.",
        networks=paging.names_within(t, [quote(n) for n in done.networks], NAMES_LINE),
    )
    await show(query, text)


async def drop(query: CallbackQuery, state: FSMContext, t: Translator, settings: Settings) -> None:
    if await _draft(query, state, t, settings) is None:
        return
    await state.clear()
    await query.answer()
    await show(query, t.gettext("Cancelled. Nothing was done."))


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="enrolment")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(start, EnrolCb.filter(F.action == EnrolAction.START))
    router.callback_query.register(
        language,
        EnrolCb.filter((F.action == EnrolAction.LANGUAGE) & F.arg.in_(SHIPPED_LOCALES)),
    )
    router.callback_query.register(toggle_network, EnrolCb.filter(F.action == EnrolAction.NETWORK))
    router.callback_query.register(next_step, EnrolCb.filter(F.action == EnrolAction.NEXT))
    router.callback_query.register(networks_page, PageCb.filter(F.kind == ListKind.ENROL))
    router.callback_query.register(agree, EnrolCb.filter(F.action == EnrolAction.AGREE))
    router.callback_query.register(drop, EnrolCb.filter(F.action == EnrolAction.DROP))
    router.message.register(phone, EnrolFlow.phone, FreeText())
    return router
