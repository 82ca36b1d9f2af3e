"""A host's guided flow for an event: title, description, when (typed the Norwegian way or
picked from buttons), end, place, "no Norwegian needed", optional versions in other languages,
then a preview with who will get it by language. Hosts also change and cancel events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Catalogs, Translator
from bot.services import events, networks, sms_cost
from bot.services.actors import Actor
from bot.services.errors import InvalidInput, ServiceError
from bot.services.event_dates import DateProblem, DateQuestion, parse_time_of_day, parse_when
from bot.services.events import EventDraft, EventView
from db.models import EventStatus, NoticeKind, utcnow
from handlers.callbacks import HostEventCb
from handlers.filters import FreeText, Onboarded
from handlers.keyboards import button, markup, rows
from handlers.replies import refusal, refuse, show, stale
from handlers.states import EventFlow

DAYS_OFFERED = 8


def _skip(t: Translator) -> str:
    return t.gettext("(or /skip)")


def _problem_text(t: Translator, problem: DateProblem) -> str:
    return {
        DateProblem.EMPTY: t.gettext("Please write a date and time, like 3.12 18:00."),
        DateProblem.UNREADABLE: t.gettext(
            "I couldn't read that. Try like this: 3.12 18:00, torsdag 18 or i morgen 19.30."
        ),
        DateProblem.PAST: t.gettext("That time has already passed. When is it?"),
        DateProblem.TOO_FAR: t.gettext(
            "That is more than a year ahead. Please pick a nearer date."
        ),
        DateProblem.INVALID_DATE: t.gettext("That date doesn't exist. Please check it."),
        DateProblem.NO_TIME: t.gettext("What time does it start? For example 18:00."),
        DateProblem.AMBIGUOUS: t.gettext("Which one do you mean?"),
    }[problem]


def _day_buttons(t: Translator, today: date) -> list[list[Any]]:
    days = [today + timedelta(days=i) for i in range(DAYS_OFFERED)]
    noon = [datetime(d.year, d.month, d.day, 12, tzinfo=t.zone) for d in days]
    buttons = [
        button(t.format_day(n), HostEventCb(action="day", arg=d.isoformat()))
        for d, n in zip(days, noon, strict=True)
    ]
    return rows(buttons, 2)


async def _ask_when(target: Message, t: Translator) -> None:
    today = utcnow().astimezone(t.zone).date()
    await target.answer(
        t.gettext(
            "When does it start? Write it like 3.12 18:00, torsdag 18 or i morgen 19.30, "
            "or pick a day:"
        ),
        reply_markup=markup(_day_buttons(t, today)),
    )


def _draft(data: dict[str, Any]) -> EventDraft:
    return EventDraft(
        network_id=int(data["network_id"]),
        title=data.get("title", ""),
        starts_at=datetime.fromisoformat(data["starts"]),
        ends_at=datetime.fromisoformat(data["ends"]) if data.get("ends") else None,
        place=data.get("place", ""),
        description=data.get("description", ""),
        no_norwegian_needed=bool(data.get("nn")),
        locale=data.get("locale", "nb"),
        translations={k: (v[0], v[1]) for k, v in data.get("translations", {}).items()},
    )


def _preview_view(draft: EventDraft, network_name: str) -> EventView:
    return EventView(
        id=0,
        network_id=draft.network_id,
        network_name=network_name,
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


async def _preview(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    data = await state.get_data()
    draft = _draft(data)
    audience = await events.audience(session, actor, draft.network_id)
    view = _preview_view(draft, data.get("network_name", ""))
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
        [[button(t.gettext("✅ Publish"), HostEventCb(action="publish"))]],
        [[button(t.gettext("✏️ Start over"), HostEventCb(action="restart"))]],
        [[button(t.gettext("Cancel"), HostEventCb(action="drop"))]],
    )
    await state.set_state(None)
    await message.answer(text, reply_markup=keyboard)


def _translations_keyboard(t: Translator, data: dict[str, Any]) -> InlineKeyboardMarkup:
    done = set(data.get("translations", {})) | {data.get("locale")}
    offered = [
        button(NATIVE_NAMES[loc], HostEventCb(action="tr", arg=loc))
        for loc in SHIPPED_LOCALES
        if loc not in done
    ]
    go_on = [button(t.gettext("Continue to the preview ›"), HostEventCb(action="tr", arg="done"))]
    return markup(rows(offered, 3), [go_on])


async def _ask_translations(message: Message, t: Translator, data: dict[str, Any]) -> None:
    await message.answer(
        t.gettext(
            "Would you like to add the title and description in another language? Members who "
            "read that language get your version; the others get the original with a note."
        ),
        reply_markup=_translations_keyboard(t, data),
    )


# ---- the steps --------------------------------------------------------------------------------


async def host_event_action(
    query: CallbackQuery,
    callback_data: HostEventCb,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    settings: Settings,
) -> None:
    action, arg = callback_data.action, callback_data.arg
    message = query.message if isinstance(query.message, Message) else None
    try:
        if action == "new":
            await events.audience(session, actor, callback_data.network_id)  # hosts only
            name = await _network_name(session, actor, callback_data.network_id)
            await state.clear()
            await state.update_data(
                network_id=callback_data.network_id,
                network_name=name,
                locale=t.locale,
                translations={},
            )
            await state.set_state(EventFlow.title)
            await query.answer()
            await bot.send_message(
                query.from_user.id, t.gettext("What is the event called? /cancel stops.")
            )
            return
        data = await state.get_data()
        if action in ("edit", "field", "cancel", "confirm"):
            await _existing(
                query, action, callback_data, arg, bot, state, session, actor, t, catalogs
            )
            return
        if "network_id" not in data or message is None:
            await stale(query, t)
            return
        await query.answer()
        if action == "day":
            await state.update_data(day=date.fromisoformat(arg).isoformat())
            await state.set_state(EventFlow.time)
            await message.answer(_problem_text(t, DateProblem.NO_TIME))
        elif action == "pick":
            candidates = data.get("candidates", [])
            await _set_start(message, state, t, datetime.fromisoformat(candidates[int(arg)]))
        elif action == "nn":
            await state.update_data(nn=arg == "1")
            await _ask_translations(message, t, await state.get_data())
        elif action == "tr":
            if arg == "done":
                await _preview(message, state, session, actor, t, catalogs, settings)
            elif arg in SHIPPED_LOCALES:
                await state.update_data(tr_locale=arg)
                await state.set_state(EventFlow.translation_title)
                await message.answer(
                    t.gettext("The title in {language}:", language=NATIVE_NAMES[arg])
                )
        elif action == "publish":
            view, sent = await events.publish(session, actor, catalogs, _draft(data))
            await state.clear()
            total = sum(sent.by_locale.values())
            await show(
                query,
                t.ngettext(
                    "Published! {n} member will hear about it.",
                    "Published! {n} members will hear about it.",
                    total,
                )
                + "\n\n"
                + events.event_card(t, view),
            )
        elif action == "restart":
            await state.update_data(
                translations={}, title="", description="", place="", starts="", ends=""
            )
            await state.set_state(EventFlow.title)
            await message.answer(t.gettext("What is the event called? /cancel stops."))
        elif action == "drop":
            await state.clear()
            await show(query, t.gettext("OK, cancelled."))
    except (ValueError, IndexError, KeyError):
        await stale(query, t)
    except ServiceError as error:
        await refuse(query, t, error)


async def _network_name(session: AsyncSession, actor: Actor, network_id: int) -> str:
    return (await networks.get_network(session, actor, network_id)).name


async def _set_start(message: Message, state: FSMContext, t: Translator, start: datetime) -> None:
    await state.update_data(starts=start.isoformat(), candidates=[])
    await state.set_state(EventFlow.ends)
    when = t.gettext("{day} at {time}", day=t.format_day(start), time=t.format_time(start))
    await message.answer(
        t.gettext("Starts {when}. When does it end? For example 20:00", when=when) + " " + _skip(t)
    )


async def _read_when(message: Message, state: FSMContext, t: Translator, text: str) -> None:
    result = parse_when(text, utcnow(), t.zone)
    if isinstance(result, DateQuestion):
        if result.problem is DateProblem.AMBIGUOUS and result.candidates:
            await state.update_data(candidates=[c.isoformat() for c in result.candidates])
            options = [
                button(
                    t.gettext("{day} at {time}", day=t.format_day(c), time=t.format_time(c)),
                    HostEventCb(action="pick", arg=str(i)),
                )
                for i, c in enumerate(result.candidates)
            ]
            await message.answer(
                _problem_text(t, result.problem), reply_markup=markup(rows(options, 1))
            )
            return
        if result.problem is DateProblem.NO_TIME:
            parsed = parse_when(text + " 12:00", utcnow(), t.zone)
            if not isinstance(parsed, DateQuestion):
                await state.update_data(day=parsed.start.date().isoformat())
                await state.set_state(EventFlow.time)
        await message.answer(_problem_text(t, result.problem))
        return
    await _set_start(message, state, t, result.start)


async def on_title(message: Message, state: FSMContext, t: Translator) -> None:
    title = " ".join((message.text or "").split())
    if len(title) > events.TITLE_MAX:
        await message.answer(refusal(t, InvalidInput("title", "too_long", events.TITLE_MAX)))
        return
    await state.update_data(title=title)
    await state.set_state(EventFlow.description)
    await message.answer(
        t.gettext("Tell members a little about it: what, for whom, what to bring.") + " " + _skip(t)
    )


async def on_description(message: Message, state: FSMContext, t: Translator) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > events.DESCRIPTION_MAX:
        await message.answer(
            refusal(t, InvalidInput("description", "too_long", events.DESCRIPTION_MAX))
        )
        return
    await state.update_data(description=text)
    await state.set_state(EventFlow.when)
    await _ask_when(message, t)


async def on_when(message: Message, state: FSMContext, t: Translator) -> None:
    await _read_when(message, state, t, message.text or "")


async def on_time(message: Message, state: FSMContext, t: Translator) -> None:
    day = date.fromisoformat((await state.get_data()).get("day", utcnow().date().isoformat()))
    # Through the full parser, so "7" is still asked as morning or evening.
    await _read_when(message, state, t, f"{day.day}.{day.month}.{day.year} {message.text or ''}")


async def on_ends(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    start = datetime.fromisoformat(data["starts"])
    text = message.text or ""
    if not text.startswith("/skip"):
        clock = parse_time_of_day(text)
        if clock is None:
            await message.answer(
                t.gettext("Please write the time it ends, like 20:00.") + " " + _skip(t)
            )
            return
        local = start.astimezone(t.zone)
        end = local.replace(hour=clock[0], minute=clock[1])
        if end <= local:
            end += timedelta(days=1)  # ends after midnight
        await state.update_data(ends=end.isoformat())
    await state.set_state(EventFlow.place)
    await message.answer(t.gettext("Where is it?") + " " + _skip(t))


async def on_place(message: Message, state: FSMContext, t: Translator) -> None:
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    if len(text) > events.PLACE_MAX:
        await message.answer(refusal(t, InvalidInput("place", "too_long", events.PLACE_MAX)))
        return
    await state.update_data(place=text)
    await state.set_state(None)
    await message.answer(
        t.gettext("Can newcomers join without speaking Norwegian?"),
        reply_markup=markup(
            [
                [button(t.gettext("Yes, no Norwegian needed"), HostEventCb(action="nn", arg="1"))],
                [button(t.gettext("No"), HostEventCb(action="nn", arg="0"))],
            ]
        ),
    )


async def on_translation_title(message: Message, state: FSMContext, t: Translator) -> None:
    await state.update_data(tr_title=" ".join((message.text or "").split())[: events.TITLE_MAX])
    await state.set_state(EventFlow.translation_description)
    data = await state.get_data()
    await message.answer(
        t.gettext("The description in {language}:", language=NATIVE_NAMES[data["tr_locale"]])
        + " "
        + _skip(t)
    )


async def on_translation_description(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    text = "" if (message.text or "").startswith("/skip") else (message.text or "").strip()
    translations = dict(data.get("translations", {}))
    translations[data["tr_locale"]] = [data.get("tr_title", ""), text[: events.DESCRIPTION_MAX]]
    await state.update_data(translations=translations)
    await state.set_state(None)
    await _ask_translations(message, t, await state.get_data())


# ---- changing and cancelling a published event ------------------------------------------------

FIELDS = ("title", "description", "when", "place")


async def _existing(
    query: CallbackQuery,
    action: str,
    callback_data: HostEventCb,
    arg: str,
    bot: Bot,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    event_id = callback_data.event_id
    view = await events.get(session, actor, event_id)
    await events.audience(session, actor, view.network_id)  # hosts only
    if action == "edit":
        await query.answer()
        labels = {
            "title": t.gettext("Title"),
            "description": t.gettext("Description"),
            "when": t.gettext("Time"),
            "place": t.gettext("Place"),
        }
        options = [
            button(labels[f], HostEventCb(action="field", event_id=event_id, arg=f)) for f in FIELDS
        ]
        await show(
            query,
            t.gettext("What do you want to change? Those coming will be told."),
            markup(rows(options, 2)),
        )
    elif action == "field" and arg in FIELDS:
        await state.clear()
        await state.update_data(edit_event=event_id, edit_field=arg, network_id=view.network_id)
        await state.set_state(EventFlow.edit_value)
        await query.answer()
        prompts = {
            "title": t.gettext("The new title:"),
            "description": t.gettext("The new description:"),
            "when": t.gettext("The new time, like 3.12 18:00:"),
            "place": t.gettext("The new place:"),
        }
        await bot.send_message(query.from_user.id, prompts[arg] + " /cancel")
    elif action == "cancel":
        await query.answer()
        await show(
            query,
            t.gettext("Cancel this event? Those who said they are coming will be told."),
            markup(
                [
                    [
                        button(
                            t.gettext("❌ Yes, cancel the event"),
                            HostEventCb(action="confirm", event_id=event_id),
                        )
                    ]
                ]
            ),
        )
    elif action == "confirm":
        await events.cancel(session, actor, catalogs, event_id)
        await query.answer()
        await show(query, t.gettext("The event is cancelled, and those coming are told."))
    else:
        await stale(query, t)


async def on_edit_value(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    data = await state.get_data()
    field, event_id = data.get("edit_field"), int(data.get("edit_event", 0))
    try:
        view = await events.get(session, actor, event_id)
        draft = EventDraft(
            network_id=view.network_id,
            title=view.title,
            starts_at=view.starts_at,
            ends_at=view.ends_at,
            place=view.place,
            description=view.description,
            no_norwegian_needed=view.no_norwegian_needed,
            locale=view.locale,
            translations=view.translations,
        )
        text = (message.text or "").strip()
        if field == "when":
            result = parse_when(text, utcnow(), t.zone)
            if isinstance(result, DateQuestion):
                problem = (
                    DateProblem.UNREADABLE
                    if result.problem is DateProblem.AMBIGUOUS
                    else result.problem
                )
                await message.answer(_problem_text(t, problem))
                return
            length = (view.ends_at - view.starts_at) if view.ends_at else None
            draft = EventDraft(
                **{
                    **draft.__dict__,
                    "starts_at": result.start,
                    "ends_at": result.start + length if length else None,
                }
            )
        elif field in ("title", "description", "place"):
            draft = EventDraft(**{**draft.__dict__, field: text})
        updated = await events.update(session, actor, catalogs, event_id, draft)
    except ServiceError as error:
        await refuse(message, t, error)
        return
    await state.clear()
    await message.answer(
        t.gettext("Saved. Those coming are told.") + "\n\n" + events.event_card(t, updated)
    )


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="host_events")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(host_event_action, HostEventCb.filter())
    router.message.register(on_title, EventFlow.title, FreeText())
    router.message.register(on_description, EventFlow.description, Command("skip"))
    router.message.register(on_description, EventFlow.description, FreeText())
    router.message.register(on_when, EventFlow.when, FreeText())
    router.message.register(on_time, EventFlow.time, FreeText())
    router.message.register(on_ends, EventFlow.ends, Command("skip"))
    router.message.register(on_ends, EventFlow.ends, FreeText())
    router.message.register(on_place, EventFlow.place, Command("skip"))
    router.message.register(on_place, EventFlow.place, FreeText())
    router.message.register(on_translation_title, EventFlow.translation_title, FreeText())
    router.message.register(
        on_translation_description, EventFlow.translation_description, Command("skip")
    )
    router.message.register(
        on_translation_description, EventFlow.translation_description, FreeText()
    )
    router.message.register(on_edit_value, EventFlow.edit_value, FreeText())
    return router
