"""What the host is asked while writing an event, worded in one place: the "(or /skip)" hint,
the date parser's problems in words, the question "when?" with a button per day, and the offer
to add a version in another language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from aiogram.types import InlineKeyboardMarkup, Message

from bot.clock import Clock
from bot.i18n import NATIVE_NAMES, SHIPPED_LOCALES, Translator
from bot.services.event_dates import DateProblem
from handlers.callbacks import HostEventAction, HostEventCb
from handlers.keyboards import button, markup, rows

DAYS_OFFERED = 8
DONE = "done"  # the translation button's arg that goes on to the preview


def skip_hint(t: Translator) -> str:
    return t.gettext("(or /skip)")


def problem_text(t: Translator, problem: DateProblem) -> str:
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
        button(t.format_day(n), HostEventCb(action=HostEventAction.DAY, arg=d.isoformat()))
        for d, n in zip(days, noon, strict=True)
    ]
    return rows(buttons, 2)


async def ask_when(target: Message, t: Translator, clock: Clock) -> None:
    today = clock.now().astimezone(t.zone).date()
    await target.answer(
        t.gettext(
            "When does it start? Write it like 3.12 18:00, torsdag 18 or i morgen 19.30, "
            "or pick a day:"
        ),
        reply_markup=markup(_day_buttons(t, today)),
    )


def _translations_keyboard(t: Translator, data: dict[str, Any]) -> InlineKeyboardMarkup:
    done = set(data.get("translations", {})) | {data.get("locale")}
    offered = [
        button(NATIVE_NAMES[loc], HostEventCb(action=HostEventAction.TRANSLATION, arg=loc))
        for loc in SHIPPED_LOCALES
        if loc not in done
    ]
    go_on = [
        button(
            t.gettext("Continue to the preview ›"),
            HostEventCb(action=HostEventAction.TRANSLATION, arg=DONE),
        )
    ]
    return markup(rows(offered, 3), [go_on])


async def ask_translations(message: Message, t: Translator, data: dict[str, Any]) -> None:
    await message.answer(
        t.gettext(
            "Would you like to add the title and description in another language? Members who "
            "read that language get your version; the others get the original with a note."
        ),
        reply_markup=_translations_keyboard(t, data),
    )
