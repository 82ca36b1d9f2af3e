"""The draft's preview and what can follow it: the event as members will see it, who will get
it by language (and what it costs by SMS), then publishing it, starting over or dropping it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import events, networks, sms_cost
from bot.services.actors import Actor
from bot.services.events import EventDraft, EventView
from bot.services.networks import NetworkName
from db.models import EventStatus, NoticeKind
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.host_events.drafting import drafting, read_draft
from handlers.host_events.questions import DONE
from handlers.keyboards import button, markup
from handlers.replies import show, stale
from handlers.states import EventFlow


def _preview_view(draft: EventDraft, network: NetworkName) -> EventView:
    return EventView(
        id=0,
        network_id=draft.network_id,
        network_name=network.original,
        network_names=network.translations,
        title=draft.title,
        description=draft.description,
        place=draft.place,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        no_norwegian_needed=draft.no_norwegian_needed,
        locale=draft.locale,
        status=EventStatus.DRAFT,
        translations=draft.translations,
        counts={},
    )


async def show_preview(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    """ "Continue to the preview": the last look before publishing."""
    message = await drafting(query, state, t)
    if message is None:
        return
    data = await state.get_data()
    draft = read_draft(data)
    if draft is None:
        await stale(query, t)
        return
    await query.answer()
    audience = await events.audience(session, actor, draft.network_id)
    view = _preview_view(draft, await networks.network_name(session, draft.network_id))
    by_sms = await sms_cost.preview_lines(
        session,
        actor,
        catalogs,
        settings,
        t,
        draft.network_id,
        events.render_event(catalogs, view, NoticeKind.EVENT),
    )
    counts = " · ".join(
        f"{NATIVE_NAMES.get(loc, loc)} {t.number(n)}" for loc, n in audience.items()
    )
    versions = ", ".join(NATIVE_NAMES[loc] for loc in draft.translations) or "–"
    text = "\n".join(
        [
            "<b>" + t.gettext("Preview: this is what members will see") + "</b>",
            "",
            events.event_card(t, view),
            "",
            t.gettext("Also written in: {languages}", languages=versions),
            t.ngettext(
                "It will reach {n} member:", "It will reach {n} members:", sum(audience.values())
            ),
            counts or "–",
            *(["", *by_sms] if by_sms else []),
        ]
    )
    keyboard = markup(
        [[button(t.gettext("✅ Publish"), HostEventCb(action=HostEventAction.PUBLISH))]],
        [[button(t.gettext("✏️ Start over"), HostEventCb(action=HostEventAction.RESTART))]],
        [[button(t.gettext("Cancel"), HostEventCb(action=HostEventAction.DROP))]],
    )
    await state.set_state(None)
    await message.answer(text, reply_markup=keyboard)


async def publish(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    """The event goes out to the network's members."""
    if await drafting(query, state, t) is None:
        return
    draft = read_draft(await state.get_data())
    if draft is None:
        await stale(query, t)
        return
    await query.answer()
    view, sent = await events.publish(session, actor, catalogs, draft, machine=machine)
    await state.clear()
    total = sum(sent.by_locale.values())
    told = t.ngettext(
        "Published! {n} member will hear about it.",
        "Published! {n} members will hear about it.",
        total,
    )
    if sent.held_all and total:
        # The network's new-event notices for today are used up (bot.services.events.flood):
        # the host should not wonder why nobody answers yet.
        told += " " + t.gettext(
            "The network has had today's notices of new events, so this one comes in the "
            "summary of new events."
        )
    await show(query, told + "\n\n" + events.event_card(t, view))


async def restart(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    """Start over from the title, in the same network."""
    message = await drafting(query, state, t)
    if message is None:
        return
    await query.answer()
    await state.update_data(translations={}, title="", description="", place="", starts="", ends="")
    await state.set_state(EventFlow.title)
    await message.answer(t.gettext("What is the event called? /cancel stops."))


async def drop(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    if await drafting(query, state, t) is None:
        return
    await query.answer()
    await state.clear()
    await show(query, t.gettext("OK, cancelled."))


def register(router: Router) -> None:
    router.callback_query.register(
        show_preview,
        HostEventCb.filter((F.action == HostEventAction.TRANSLATION) & (F.arg == DONE)),
    )
    router.callback_query.register(publish, HostEventCb.filter(F.action == HostEventAction.PUBLISH))
    router.callback_query.register(restart, HostEventCb.filter(F.action == HostEventAction.RESTART))
    router.callback_query.register(drop, HostEventCb.filter(F.action == HostEventAction.DROP))
