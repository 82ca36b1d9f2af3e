"""🧹 Volunteer calls as residents meet them: the open calls in their networks (paged), a call's
card with a sign-up or withdraw button per shift, who is coming, and signing up (the first
time asking whether others may see their first name) from the card or from a notice."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Catalogs, Translator
from bot.services import volunteering
from bot.services.actions import (
    MenuItem,
    OpenMenu,
    ShowName,
    SignUpNamed,
    SignUpShift,
    WithdrawShift,
)
from bot.services.actors import Actor
from bot.services.volunteering import CallView
from bot.services.volunteering.notices import sign_up_buttons
from handlers import paging
from handlers.callbacks import ListKind, PageCb
from handlers.filters import Act
from handlers.keyboards import button, markup, rows
from handlers.replies import quote, show
from handlers.volunteering.callbacks import VolunteerAction, VolunteerCb

PER_PAGE = 6  # calls a page at most; fewer when they are long
OPEN_LIST, HOSTED_LIST = 0, 1  # PageCb.ref of the two lists
WHO_LIST = 2  # who is coming: paged by `VolunteerCb.arg`, never by PageCb


def _call_row(t: Translator, view: CallView, number: int, clock: Clock) -> str:
    """A call in a few bounded lines: number, title, network, and its coming shifts."""
    lines = [
        "",
        f"<b>{t.number(number)}. {quote(view.title[:80])}</b> · "
        + quote(view.network.in_locale(t.locale)[:40]),
    ]
    if view.place:
        lines.append("📍 " + quote(view.place[:60]))
    upcoming = view.upcoming(clock.now())
    lines += [volunteering.shift_line(t, s) for s in upcoming[:4]]
    if len(upcoming) > 4:
        lines.append(t.ngettext("…and {n} more shift", "…and {n} more shifts", len(upcoming) - 4))
    return "\n".join(lines)


async def list_screen(
    session: AsyncSession, actor: Actor, t: Translator, clock: Clock, page: int = 0
) -> tuple[str, InlineKeyboardMarkup, paging.Shown | None]:
    views = await volunteering.open_calls(session, actor, now=clock.now())
    hosting = bool(await volunteering.networks_to_host(session, actor))
    tools = []
    if hosting:
        tools.append(button(t.gettext("➕ New call"), VolunteerCb(action=VolunteerAction.NEW)))
        tools.append(
            button(t.gettext("📋 Calls I host"), VolunteerCb(action=VolunteerAction.HOSTED))
        )
    back = [button(t.gettext("« Back"), OpenMenu(MenuItem.TAKE_PART))]
    if not views:
        text = "<b>" + t.gettext("🧹 Volunteer calls") + "</b>\n\n"
        text += t.gettext(
            "No open volunteer calls in your networks right now. When a host asks for hands, "
            "you'll hear about it."
        )
        return text, markup(rows(tools, 1), [back]), None
    header = "<b>" + t.gettext("🧹 Volunteer calls") + "</b>"
    lines = [_call_row(t, v, n, clock) for n, v in enumerate(views, 1)]
    shown = paging.page_of(t, ListKind.CALLS, OPEN_LIST, header, lines, page, max_rows=PER_PAGE)
    first = shown.page.first
    on_page = views[first : first + len(shown.page.rows)]
    opens = [
        button(
            f"{t.number(first + n)}. {v.title[:40]}",
            VolunteerCb(action=VolunteerAction.OPEN, call_id=v.id),
        )
        for n, v in enumerate(on_page, 1)
    ]
    keyboard = markup(rows(opens, 1), [shown.nav], rows(tools, 1), [back])
    return shown.text, keyboard, shown


async def _list(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
    page: int = 0,
) -> None:
    text, keyboard, shown = await list_screen(session, actor, t, clock, page)
    if isinstance(target, CallbackQuery):
        if shown is None:
            await target.answer()
        else:
            await paging.answer(target, t, shown)
    await show(target, text, keyboard)


async def dugnad_command(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    await state.clear()
    await _list(message, session, actor, t, clock)


async def menu_button(
    query: CallbackQuery, session: AsyncSession, actor: Actor, t: Translator, clock: Clock
) -> None:
    await _list(query, session, actor, t, clock)


async def list_button(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    await _list(query, session, actor, t, clock, callback_data.arg)


async def list_more(
    query: CallbackQuery,
    callback_data: PageCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    clock: Clock,
) -> None:
    await _list(query, session, actor, t, clock, callback_data.page)


def card_keyboard(
    catalogs: Catalogs, t: Translator, view: CallView, clock: Clock, hosting: bool
) -> InlineKeyboardMarkup:
    signups = [
        [button(b.text, b.action) for b in row]
        for row in sign_up_buttons(catalogs, t.locale, view, clock.now())
    ]
    extra = [
        button(
            t.gettext("👥 Who's coming"), VolunteerCb(action=VolunteerAction.WHO, call_id=view.id)
        )
    ]
    if hosting:
        extra.append(
            button(
                t.gettext("⚙️ Manage"), VolunteerCb(action=VolunteerAction.MANAGE, call_id=view.id)
            )
        )
    back = [button(t.gettext("« Volunteer calls"), VolunteerCb(action=VolunteerAction.LIST))]
    return markup(signups, rows(extra, 1), [back])


async def show_card(
    target: Message | CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
    call_id: int,
    note: str = "",
) -> None:
    view = await volunteering.call_for_member(session, actor, call_id, now=clock.now())
    hosting = await volunteering.may_manage(session, actor, view.network_id)
    text = volunteering.call_card(t, view, clock.now())
    mine = [s for s in view.upcoming(clock.now()) if s.mine]
    if mine:
        text += "\n\n" + t.ngettext(
            "✓ You're signed up for {n} shift.", "✓ You're signed up for {n} shifts.", len(mine)
        )
    if note:
        text = f"{note}\n\n{text}"
    await show(target, text, card_keyboard(catalogs, t, view, clock, hosting))


async def open_card(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    await show_card(query, session, actor, catalogs, t, clock, callback_data.call_id)
    await query.answer()


async def who(
    query: CallbackQuery,
    callback_data: VolunteerCb,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    coming = await volunteering.who_is_coming(session, actor, callback_data.call_id)
    header = "<b>" + t.gettext("👥 Who's coming") + "</b>"
    # A block per shift; a long one (many names) is split over pages by the pager, never cut.
    blocks = [
        "\n".join(
            (
                "",
                volunteering.shift_line(t, item.shift),
                "   " + quote(volunteering.coming_text(t, item)),
            )
        )
        for item in coming
    ]
    shown = paging.page_of(t, ListKind.CALLS, WHO_LIST, header, blocks, callback_data.arg)

    def to(page: int) -> VolunteerCb:
        return VolunteerCb(action=VolunteerAction.WHO, call_id=callback_data.call_id, arg=page)

    pages = []
    if shown.page.has_previous:
        pages.append(button(t.gettext("‹ Previous"), to(shown.page.number - 1)))
    if shown.page.has_next:
        pages.append(button(t.gettext("More ›"), to(shown.page.number + 1)))
    back = button(
        t.gettext("« Back"), VolunteerCb(action=VolunteerAction.OPEN, call_id=callback_data.call_id)
    )
    await paging.answer(query, t, shown)
    await show(query, shown.text, markup([pages], [[back]]))


def _name_question(t: Translator, shift_id: int) -> tuple[str, InlineKeyboardMarkup]:
    text = t.gettext(
        "May others who signed up see your first name? They will see who is coming. "
        "I'll remember your answer for next time."
    )
    keyboard = markup(
        [[button(t.gettext("Yes, show my first name"), SignUpNamed(shift_id, ShowName.YES))]],
        [[button(t.gettext("No, just count me"), SignUpNamed(shift_id, ShowName.NO))]],
    )
    return text, keyboard


async def _sign_up(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
    shift_id: int,
    show_name: bool | None,
) -> None:
    result = await volunteering.sign_up(
        session, actor, catalogs, shift_id, show_name=show_name, now=clock.now()
    )
    if result.outcome is volunteering.Outcome.ASK_NAME:
        await query.answer()
        text, keyboard = _name_question(t, shift_id)
        await show(query, text, keyboard)
        return
    when = volunteering.shift_when(t, result.shift.starts_at, result.shift.ends_at)
    if result.outcome is volunteering.Outcome.ALREADY:
        note = t.gettext("You're already signed up for {when}.", when=when)
    else:
        note = t.gettext("🙌 Thank you! You're signed up for {when}.", when=when)
    await query.answer(note)
    await show_card(query, session, actor, catalogs, t, clock, result.call.id, note)


async def sign_up(
    query: CallbackQuery,
    action: SignUpShift,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    await _sign_up(query, session, actor, catalogs, t, clock, action.shift_id, None)


async def sign_up_named(
    query: CallbackQuery,
    action: SignUpNamed,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    show_name = action.show is ShowName.YES
    await _sign_up(query, session, actor, catalogs, t, clock, action.shift_id, show_name)


async def withdraw(
    query: CallbackQuery,
    action: WithdrawShift,
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    t: Translator,
    clock: Clock,
) -> None:
    view = await volunteering.withdraw(session, actor, catalogs, action.shift_id, now=clock.now())
    note = t.gettext("You're no longer signed up for that shift. Thank you for letting us know.")
    await query.answer(note)
    await show_card(query, session, actor, catalogs, t, clock, view.id, note)


def register(router: Router) -> None:
    router.message.register(dugnad_command, Command("dugnad"))
    router.callback_query.register(menu_button, Act(OpenMenu, F.item == MenuItem.VOLUNTEER))
    router.callback_query.register(
        list_button, VolunteerCb.filter(F.action == VolunteerAction.LIST)
    )
    router.callback_query.register(
        list_more, PageCb.filter((F.kind == ListKind.CALLS) & (F.ref == OPEN_LIST))
    )
    router.callback_query.register(open_card, VolunteerCb.filter(F.action == VolunteerAction.OPEN))
    router.callback_query.register(who, VolunteerCb.filter(F.action == VolunteerAction.WHO))
    router.callback_query.register(sign_up, Act(SignUpShift))
    router.callback_query.register(sign_up_named, Act(SignUpNamed))
    router.callback_query.register(withdraw, Act(WithdrawShift))
