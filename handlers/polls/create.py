"""➕ New poll, for hosts and coordinators: the network (or everyone, for a coordinator), the
question, the options one by one (2–6, then "Done"), one answer or several, "Other" or not,
when it closes (buttons, or typed the way event times are: "fredag 18", "3.12 18:00"), the
question and options in other languages if the creator likes, a preview, and publishing.

Every value is checked by the service as it is typed (a question too long is refused on the
spot, the conversation waiting for a better one), and again when the poll is published."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Catalogs, Translator
from bot.machine_translation.service import MachineTranslation
from bot.services import polls
from bot.services.actors import Actor
from bot.services.errors import PermissionDenied
from bot.services.event_dates import DateProblem, DateQuestion, parse_when
from bot.services.networks.views import NetworkName, network_name
from bot.services.polls.views import OptionView, PollView
from db.models import PollStatus
from handlers.callbacks import PollAction, PollCb, PollNewAction, PollNewCb
from handlers.filters import FreeText
from handlers.host_events.questions import problem_text
from handlers.keyboards import button, markup, rows
from handlers.replies import stale
from handlers.states import PollFlow

CLOSING_DAYS = (1, 3, 7)
EVERYONE = 0


def _cb(action: PollNewAction, ref: int = 0, arg: str = "") -> PollNewCb:
    return PollNewCb(action=action, ref=ref, arg=arg)


async def _drafting(query: CallbackQuery, state: FSMContext, t: Translator) -> Message | None:
    """The message of a step of a poll still being made; a button of a finished or abandoned
    one is answered as stale."""
    if "question" not in await state.get_data() or not isinstance(query.message, Message):
        await stale(query, t)
        return None
    await query.answer()
    return query.message


async def start(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    networks = await polls.askable_networks(session, actor)
    if not networks and not actor.is_coordinator:
        raise PermissionDenied("host")
    await query.answer()
    await state.clear()
    choices = [button(n.name, _cb(PollNewAction.NETWORK, n.id)) for n in networks]
    if actor.is_coordinator:
        choices.append(button(t.gettext("🌍 Everyone"), _cb(PollNewAction.NETWORK, EVERYONE)))
    if query.message is not None:
        await query.message.answer(
            t.gettext("📊 New poll. Who do you want to ask?"), reply_markup=markup(rows(choices, 1))
        )


async def choose_network(
    query: CallbackQuery,
    callback_data: PollNewCb,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
) -> None:
    network_id = callback_data.ref or None
    await polls.may_ask(session, actor, network_id)
    await query.answer()
    await state.set_data({"net": network_id, "options": [], "translations": {}})
    await state.set_state(PollFlow.question)
    if query.message is not None:
        await query.message.answer(
            t.ngettext(
                "Write the question (at most {n} character).",
                "Write the question (at most {n} characters).",
                polls.QUESTION_MAX,
            )
        )


async def _ask_option(message: Message, t: Translator, count: int) -> None:
    done = (
        markup([[button(t.gettext("✅ Done"), _cb(PollNewAction.DONE))]])
        if count >= polls.OPTIONS_MIN
        else None
    )
    await message.answer(
        t.gettext("Option {n} (at most 100 characters):", n=t.number(count + 1)), reply_markup=done
    )


async def on_question(message: Message, state: FSMContext, t: Translator) -> None:
    question = polls.clean_question(message.text or "")
    await state.update_data(question=question)
    await state.set_state(PollFlow.option)
    await _ask_option(message, t, 0)


async def on_option(message: Message, state: FSMContext, t: Translator) -> None:
    option = polls.clean_option(message.text or "")
    options = [*(await state.get_data()).get("options", []), option]
    await state.update_data(options=options)
    if len(options) >= polls.OPTIONS_MAX:
        await state.set_state(None)
        await _ask_kind(message, t)
        return
    await _ask_option(message, t, len(options))


async def _ask_kind(message: Message, t: Translator) -> None:
    await message.answer(
        t.gettext("Can residents choose one option or several?"),
        reply_markup=markup(
            [
                [button(t.gettext("One"), _cb(PollNewAction.KIND, 0))],
                [button(t.gettext("Several"), _cb(PollNewAction.KIND, 1))],
            ]
        ),
    )


async def options_done(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    if len((await state.get_data()).get("options", [])) < polls.OPTIONS_MIN:
        await _ask_option(message, t, len((await state.get_data()).get("options", [])))
        return
    await state.set_state(None)
    await _ask_kind(message, t)


async def choose_kind(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    await state.update_data(multiple=callback_data.ref == 1)
    await message.answer(
        t.gettext("Add “Other: your words” as a last choice?"),
        reply_markup=markup(
            [
                [button(t.gettext("Yes"), _cb(PollNewAction.OTHER, 1))],
                [button(t.gettext("No"), _cb(PollNewAction.OTHER, 0))],
            ]
        ),
    )


async def choose_other(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    await state.update_data(other=callback_data.ref == 1)
    await message.answer(
        t.gettext(
            "Should the answers be anonymous? That is recommended: people answer more freely, "
            "and no one, you included, sees who chose what."
        ),
        reply_markup=markup(
            [
                [button(t.gettext("🕶 Anonymous"), _cb(PollNewAction.NAMED, 0))],
                [button(t.gettext("👤 I see who chose what"), _cb(PollNewAction.NAMED, 1))],
            ]
        ),
    )


async def choose_named(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    await state.update_data(named=callback_data.ref == 1)
    await state.set_state(PollFlow.closes)
    days = [
        button(t.ngettext("In {n} day", "In {n} days", n), _cb(PollNewAction.CLOSES, n))
        for n in CLOSING_DAYS
    ]
    await message.answer(
        t.gettext("When does it close? Choose, or write a date and time like 3.12 18:00."),
        reply_markup=markup(rows(days, 3)),
    )


async def _set_closes(message: Message, state: FSMContext, t: Translator, closes: datetime) -> None:
    await state.update_data(closes=closes.isoformat(), candidates=[])
    await state.set_state(None)
    await _ask_translations(message, t, await state.get_data())


async def closes_in(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator, clock: Clock
) -> None:
    message = await _drafting(query, state, t)
    if message is None or callback_data.ref not in CLOSING_DAYS:
        return
    # At the end of that day: a poll that closes at 23:59 reads more naturally than at 14:37.
    day = (clock.now() + timedelta(days=callback_data.ref)).astimezone(t.zone)
    await _set_closes(message, state, t, day.replace(hour=23, minute=59, second=0, microsecond=0))


async def on_closes(message: Message, state: FSMContext, t: Translator, clock: Clock) -> None:
    result = parse_when(message.text or "", clock.now(), t.zone)
    if isinstance(result, DateQuestion):
        if result.problem is DateProblem.AMBIGUOUS and result.candidates:
            await state.update_data(candidates=[c.isoformat() for c in result.candidates])
            picks = [
                button(
                    t.gettext("{day} at {time}", day=t.format_day(c), time=t.format_time(c)),
                    _cb(PollNewAction.PICK, i),
                )
                for i, c in enumerate(result.candidates)
            ]
            await message.answer(
                problem_text(t, result.problem), reply_markup=markup(rows(picks, 1))
            )
            return
        if result.problem is DateProblem.NO_TIME:
            await message.answer(t.gettext("At what time does it close? For example 3.12 18:00."))
            return
        await message.answer(problem_text(t, result.problem))
        return
    await _set_closes(message, state, t, result.start)


async def pick_closes(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    candidates = (await state.get_data()).get("candidates") or []
    if callback_data.ref >= len(candidates):
        await stale(query, t)
        return
    await _set_closes(message, state, t, datetime.fromisoformat(candidates[callback_data.ref]))


def _translations_keyboard(t: Translator, data: dict[str, Any]) -> InlineKeyboardMarkup:
    done = set(data.get("translations", {})) | {t.locale}
    offered = [
        button(NATIVE_NAMES[loc], _cb(PollNewAction.LANGUAGE, arg=loc))
        for loc in SHIPPED_LOCALES
        if loc not in done
    ]
    go_on = [button(t.gettext("Continue to the preview ›"), _cb(PollNewAction.PREVIEW))]
    return markup(rows(offered, 3), [go_on])


async def _ask_translations(message: Message, t: Translator, data: dict[str, Any]) -> None:
    await message.answer(
        t.gettext(
            "Would you like to add the question and options in another language? Residents "
            "who read it get your words; the others get a machine translation where one is "
            "set up, else the original."
        ),
        reply_markup=_translations_keyboard(t, data),
    )


async def choose_language(
    query: CallbackQuery, callback_data: PollNewCb, state: FSMContext, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    if message is None:
        return
    await state.update_data(tr_locale=callback_data.arg, tr_options=[])
    await state.set_state(PollFlow.tr_question)
    await message.answer(
        t.gettext("The question in {language}:", language=NATIVE_NAMES[callback_data.arg])
    )


async def on_tr_question(message: Message, state: FSMContext, t: Translator) -> None:
    await state.update_data(tr_question=polls.clean_question(message.text or ""))
    await state.set_state(PollFlow.tr_option)
    await _ask_tr_option(message, state, t)


async def _ask_tr_option(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    index = len(data.get("tr_options", []))
    if index >= len(data.get("options", [])):
        translations = dict(data.get("translations", {}))
        translations[data["tr_locale"]] = [data["tr_question"], data.get("tr_options", [])]
        await state.update_data(translations=translations)
        await state.set_state(None)
        await _ask_translations(message, t, await state.get_data())
        return
    await message.answer(
        t.gettext(
            "“{option}” in {language}: (or /skip)",
            option=data["options"][index],
            language=NATIVE_NAMES[data["tr_locale"]],
        )
    )


async def on_tr_option(message: Message, state: FSMContext, t: Translator) -> None:
    text = message.text or ""
    option = "" if text.startswith("/skip") else polls.clean_option(text)
    data = await state.get_data()
    await state.update_data(tr_options=[*data.get("tr_options", []), option])
    await _ask_tr_option(message, state, t)


def _draft(data: dict[str, Any], locale: str) -> polls.PollDraft:
    return polls.PollDraft(
        network_id=data.get("net"),
        question=data["question"],
        options=tuple(data["options"]),
        closes_at=datetime.fromisoformat(data["closes"]),
        multiple=bool(data.get("multiple")),
        allow_other=bool(data.get("other")),
        anonymous=not data.get("named"),
        locale=locale,
        translations={
            loc: (q, tuple(opts)) for loc, (q, opts) in data.get("translations", {}).items()
        },
    )


def _preview_view(draft: polls.PollDraft, name: NetworkName | None) -> PollView:
    return PollView(
        id=0,
        network_id=draft.network_id,
        network_name=name,
        question=draft.question,
        locale=draft.locale,
        options=tuple(OptionView(n, n, text) for n, text in enumerate(draft.options, 1)),
        multiple=draft.multiple,
        allow_other=draft.allow_other,
        anonymous=draft.anonymous,
        status=PollStatus.OPEN,
        closes_at=draft.closes_at,
        closed_at=None,
        created_by=None,
    )


async def preview(
    query: CallbackQuery, state: FSMContext, session: AsyncSession, actor: Actor, t: Translator
) -> None:
    message = await _drafting(query, state, t)
    data = await state.get_data()
    if message is None or "closes" not in data:
        return
    draft = _draft(data, t.locale)
    count = await polls.audience_size(session, actor, draft.network_id)
    name = await network_name(session, draft.network_id) if draft.network_id else None
    view = _preview_view(draft, name)
    options = "\n".join(f"{o.position}. {o.text}" for o in view.options)
    if draft.allow_other:
        options += "\n" + t.gettext("✏️ Other: your words")
    languages = ", ".join(NATIVE_NAMES[loc] for loc in data.get("translations", {}))
    lines = [
        t.gettext("<b>Preview</b>"),
        "",
        polls.poll_card(t, view),
        "",
        options,
        "",
        t.ngettext("{n} resident will be asked.", "{n} residents will be asked.", count),
    ]
    if languages:
        lines.append(t.gettext("Also written in: {languages}", languages=languages))
    await message.answer(
        "\n".join(lines),
        reply_markup=markup(
            [[button(t.gettext("✅ Publish"), _cb(PollNewAction.PUBLISH))]],
            [[button(t.gettext("❌ Discard"), _cb(PollNewAction.DISCARD))]],
        ),
    )


async def publish(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    t: Translator,
    catalogs: Catalogs,
    machine: MachineTranslation | None = None,
) -> None:
    message = await _drafting(query, state, t)
    data = await state.get_data()
    if message is None or "closes" not in data:
        return
    view, enqueued = await polls.publish(
        session, actor, catalogs, _draft(data, t.locale), machine=machine
    )
    await state.clear()
    told = sum(enqueued.by_locale.values())
    await message.answer(
        t.ngettext(
            "Published! {n} resident will be asked.",
            "Published! {n} residents will be asked.",
            told,
        ),
        reply_markup=markup(
            [
                [
                    button(
                        t.gettext("📊 Open the poll"),
                        PollCb(action=PollAction.CARD, poll_id=view.id),
                    )
                ]
            ]
        ),
    )


async def discard(query: CallbackQuery, state: FSMContext, t: Translator) -> None:
    message = await _drafting(query, state, t)
    await state.clear()
    if message is not None:
        await message.answer(t.gettext("The poll is discarded."))


def register(router: Router) -> None:
    router.callback_query.register(start, PollCb.filter(F.action == PollAction.NEW))
    router.callback_query.register(
        choose_network, PollNewCb.filter(F.action == PollNewAction.NETWORK)
    )
    router.message.register(on_question, PollFlow.question, FreeText())
    router.message.register(on_option, PollFlow.option, FreeText())
    router.callback_query.register(options_done, PollNewCb.filter(F.action == PollNewAction.DONE))
    router.callback_query.register(choose_kind, PollNewCb.filter(F.action == PollNewAction.KIND))
    router.callback_query.register(choose_other, PollNewCb.filter(F.action == PollNewAction.OTHER))
    router.callback_query.register(choose_named, PollNewCb.filter(F.action == PollNewAction.NAMED))
    router.callback_query.register(closes_in, PollNewCb.filter(F.action == PollNewAction.CLOSES))
    router.message.register(on_closes, PollFlow.closes, FreeText())
    router.callback_query.register(pick_closes, PollNewCb.filter(F.action == PollNewAction.PICK))
    # A locale outside the shipped ones (a made-up button) ends at the fallback.
    router.callback_query.register(
        choose_language,
        PollNewCb.filter((F.action == PollNewAction.LANGUAGE) & F.arg.in_(SHIPPED_LOCALES)),
    )
    router.message.register(on_tr_question, PollFlow.tr_question, FreeText())
    router.message.register(on_tr_option, PollFlow.tr_option, Command("skip"))
    router.message.register(on_tr_option, PollFlow.tr_option, FreeText())
    router.callback_query.register(preview, PollNewCb.filter(F.action == PollNewAction.PREVIEW))
    router.callback_query.register(publish, PollNewCb.filter(F.action == PollNewAction.PUBLISH))
    router.callback_query.register(discard, PollNewCb.filter(F.action == PollNewAction.DISCARD))
