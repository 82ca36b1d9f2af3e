"""A host's calls: the list of the calls in the networks they host, a call's management card
(signups per shift, message those signed up, cancel), and after a shift the checklist of who
came (tick, then confirm once: those who came are thanked and their hours count)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import volunteering
from bot.services.actors import Actor
from bot.services.volunteering import CallView, Checklist
from handlers import paging
from handlers.callbacks import ListKind, PageCb
from handlers.filters import FreeText
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show
from handlers.states import VolunteerFlow
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb
from handlers.volunteering.screens import HOSTED_LIST, PER_PAGE


def _row(t: Translator, view: CallView, number: int) -> str:
    status = "" if view.open else " · " + t.gettext("cancelled")
    taken = sum(s.taken for s in view.shifts)
    slots = sum(s.slots for s in view.shifts)
    return "\n".join(
        [
            "",
            f"<b>{t.number(number)}. {quote(view.title[:80])}</b>{status}",
            quote(view.network.in_locale(t.locale)[:40])
            + " · "
            + t.gettext(
                "{taken} of {slots} signed up", taken=t.number(taken), slots=t.number(slots)
            ),
        ]
    )


async def hosted_list(
    target: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    page: int = 0,
) -> None:
    views = await volunteering.hosted_calls(session, actor, now=clock.now())
    back = [button(t.gettext("« Volunteer calls"), VolunteerCb(action=VolunteerAction.LIST))]
    new = [button(t.gettext("➕ New call"), VolunteerCb(action=VolunteerAction.NEW))]
    if not views:
        await target.answer()
        await show(
            target, t.gettext("No calls in your networks this past month."), markup([new], [back])
        )
        return
    header = "<b>" + t.gettext("📋 Calls I host") + "</b>"
    lines = [_row(t, v, n) for n, v in enumerate(views, 1)]
    shown = paging.page_of(t, ListKind.CALLS, HOSTED_LIST, header, lines, page, max_rows=PER_PAGE)
    first = shown.page.first
    opens = [
        button(
            f"{t.number(first + n)}. {v.title[:40]}",
            VolunteerCb(action=VolunteerAction.MANAGE, call_id=v.id),
        )
        for n, v in enumerate(views[first : first + len(shown.page.rows)], 1)
    ]
    await paging.answer(target, t, shown)
    await show(target, shown.text, markup(rows(opens, 1), [shown.nav], [new], [back]))


async def hosted_button(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    await hosted_list(query, session, actor, t, clock, callback_data.arg)


async def hosted_more(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    await hosted_list(query, session, actor, t, clock, callback_data.page)


def _manage_keyboard(t: Translator, view: CallView, clock: Clock) -> InlineKeyboardMarkup:
    now = clock.now()
    tools = [
        button(
            t.gettext("👥 Who's coming"), VolunteerCb(action=VolunteerAction.WHO, call_id=view.id)
        ),
        button(
            t.gettext("✉️ Message those signed up"),
            VolunteerCb(action=VolunteerAction.MESSAGE, call_id=view.id),
        ),
    ]
    if view.open and view.upcoming(now):
        tools.append(
            button(
                t.gettext("❌ Cancel the call"),
                VolunteerCb(action=VolunteerAction.CANCEL, call_id=view.id),
            )
        )
    ended = [s for s in view.shifts if s.ends_at <= now and s.taken and view.open]
    attend = [
        button(
            ("✅ " if s.confirmed else "☑️ ")
            + t.gettext(
                "Who came: {when}", when=volunteering.shift_when(t, s.starts_at, s.ends_at)
            ),
            VolunteerCb(action=VolunteerAction.ATTEND, shift_id=s.id),
        )
        for s in ended
    ]
    back = [button(t.gettext("« Calls I host"), VolunteerCb(action=VolunteerAction.HOSTED))]
    return markup(rows(tools, 1), rows(attend, 1), [back])


async def manage(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    call = await volunteering.hosted_call(session, actor, callback_data.call_id)
    found = await volunteering.call_for_member(session, actor, call.id, now=clock.now())
    await query.answer()
    await show(query, volunteering.call_card(t, found), _manage_keyboard(t, found, clock))


async def ask_message(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    n = await volunteering.recipients_of(session, actor, callback_data.call_id)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if not n:
        await query.message.answer(t.gettext("Nobody has signed up yet."))
        return
    await state.set_state(VolunteerFlow.message)
    await state.update_data(call_id=callback_data.call_id)
    await query.message.answer(
        t.ngettext(
            "Write your message to the {n} person signed up. /cancel stops.",
            "Write your message to the {n} people signed up. /cancel stops.",
            n,
        )
    )


async def on_message(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
    machine: MachineTranslation | None = None,
) -> None:
    call_id = int((await state.get_data()).get("call_id", 0))
    sent = await volunteering.message_signed_up(
        session, actor, catalogs, call_id, message.text or "", now=clock.now(), machine=machine
    )
    await state.clear()
    n = sum(sent.by_locale.values()) if sent is not None else 0
    await message.answer(
        t.ngettext("Sent to {n} person signed up.", "Sent to {n} people signed up.", n)
    )


async def ask_cancel(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    n = await volunteering.recipients_of(session, actor, callback_data.call_id)
    await query.answer()
    text = t.ngettext(
        "Cancel this call? The {n} person signed up will be told.",
        "Cancel this call? The {n} people signed up will be told.",
        n,
    )
    keyboard = markup(
        [
            [
                button(
                    t.gettext("Yes, cancel it"),
                    VolunteerCb(action=VolunteerAction.CANCEL_YES, call_id=callback_data.call_id),
                )
            ],
            [
                button(
                    t.gettext("« Back"),
                    VolunteerCb(action=VolunteerAction.MANAGE, call_id=callback_data.call_id),
                )
            ],
        ]
    )
    await show(query, text, keyboard)


async def cancel(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    view = await volunteering.cancel(
        session, actor, catalogs, callback_data.call_id, now=clock.now()
    )
    await query.answer(t.gettext("The call is cancelled."))
    await show(query, volunteering.call_card(t, view), _manage_keyboard(t, view, clock))


def _checklist(t: Translator, found: Checklist) -> tuple[str, InlineKeyboardMarkup]:
    when = volunteering.shift_when(t, found.shift.starts_at, found.shift.ends_at)
    lines = [f"<b>{quote(found.title)}</b>", when, ""]
    confirmed = found.shift.confirmed
    if confirmed:
        came = sum(1 for a in found.attendees if a.came)
        lines.append(t.ngettext("Confirmed: {n} person came.", "Confirmed: {n} people came.", came))
    else:
        lines.append(t.gettext("Tick those who came, then confirm."))
    toggles = [
        button(
            ("✅ " if a.came else "⬜ ") + (a.name or t.gettext("A neighbour"))[:30],
            VolunteerCb(action=VolunteerAction.TOGGLE, shift_id=found.shift.id, arg=a.signup_id),
        )
        for a in found.attendees
    ]
    tools = []
    if not confirmed:
        tools.append(
            button(
                t.gettext("✔️ Confirm"),
                VolunteerCb(action=VolunteerAction.CONFIRM, shift_id=found.shift.id),
            )
        )
    back = [
        button(
            t.gettext("« Back"), VolunteerCb(action=VolunteerAction.MANAGE, call_id=found.call_id)
        )
    ]
    return "\n".join(lines), markup(
        rows(toggles if not confirmed else [], 2), [tools] if tools else [], [back]
    )


async def attendance(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    found = await volunteering.checklist(session, actor, callback_data.shift_id, now=clock.now())
    await query.answer()
    await show(query, *_checklist(t, found))


async def toggle(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    found = await volunteering.toggle(
        session, actor, callback_data.shift_id, callback_data.arg, now=clock.now()
    )
    await query.answer()
    await show(query, *_checklist(t, found))


async def confirm(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    found = await volunteering.confirm(
        session, actor, catalogs, callback_data.shift_id, now=clock.now()
    )
    await query.answer(t.gettext("Thank you! Those who came will get a thank-you."))
    await show(query, *_checklist(t, found))


def register(router: Router) -> None:
    def on(action: VolunteerAction) -> Any:
        return VolunteerCb.filter(F.action == action)

    router.callback_query.register(hosted_button, on(VolunteerAction.HOSTED))
    router.callback_query.register(
        hosted_more, PageCb.filter((F.kind == ListKind.CALLS) & (F.ref == HOSTED_LIST))
    )
    router.callback_query.register(manage, on(VolunteerAction.MANAGE))
    router.callback_query.register(ask_message, on(VolunteerAction.MESSAGE))
    router.callback_query.register(ask_cancel, on(VolunteerAction.CANCEL))
    router.callback_query.register(cancel, on(VolunteerAction.CANCEL_YES))
    router.callback_query.register(attendance, on(VolunteerAction.ATTEND))
    router.callback_query.register(toggle, on(VolunteerAction.TOGGLE))
    router.callback_query.register(confirm, on(VolunteerAction.CONFIRM))
    router.message.register(on_message, VolunteerFlow.message, FreeText())
