"""Showing screens and refusals: the few ways a handler answers."""

from __future__ import annotations

import html

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.services import rate_limits
from bot.services.errors import (
    CodeRejected,
    InvalidInput,
    InviteCodeRequired,
    InviteCodeWrong,
    NetworkArchived,
    NotFound,
    NotOnboarded,
    OptedOut,
    PermissionDenied,
    RateLimited,
    ServiceError,
)
from bot.services.volunteering.views import shift_refusal


def quote(value: str) -> str:
    """Escape text that came from people (names, descriptions) for Telegram's HTML mode."""
    return html.escape(value, quote=False)


async def show(
    target: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a command with a new message, or a button press by editing its message in place
    (falling back to a new message when the old one cannot be edited)."""
    if isinstance(target, Message):
        await target.answer(text, reply_markup=markup)
        return
    message = target.message
    if isinstance(message, Message) and message.text is not None:
        try:
            await message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                return
    if target.bot is not None:
        await target.bot.send_message(target.from_user.id, text, reply_markup=markup)


def stale_text(t: Translator) -> str:
    return t.gettext("This button no longer works. Send /start for a fresh menu.")


async def stale(query: CallbackQuery, t: Translator) -> None:
    """Answer a button whose moment has passed (or whose data was made up)."""
    await query.answer(stale_text(t), show_alert=True)


def refusal(t: Translator, error: ServiceError) -> str:
    """A short, translated sentence for a refused request."""
    if isinstance(error, PermissionDenied):
        if error.needed == "coordinator":
            return t.gettext("Only coordinators can do that.")
        return t.gettext("Only the hosts of this network can do that.")
    if isinstance(error, NotOnboarded):
        return t.gettext("Let's finish setting up first: send /start.")
    if isinstance(error, NetworkArchived):
        if not error.joining:
            return t.gettext("That network is closed.")
        return t.gettext("That network has closed and takes no new members.")
    if isinstance(error, InviteCodeRequired):
        return t.gettext("This network is open by invitation. You need an invite code.")
    if isinstance(error, InviteCodeWrong):
        return t.gettext("That code doesn't match. Check it and try again, or send /cancel.")
    if isinstance(error, OptedOut):
        if error.own:
            return t.gettext(
                "That number has stopped all SMS from Naboskap. Send START from that phone "
                "first, then try again."
            )
        return t.gettext(
            "That number has stopped all SMS from Naboskap. Only they can start again, "
            "by sending START."
        )
    if isinstance(error, RateLimited) and error.what == "phone_code":
        return t.gettext("Too many codes in a short time. Please try again in an hour.")
    if isinstance(error, RateLimited):
        return rate_limits.refusal_text(t, error)
    if isinstance(error, CodeRejected):
        if error.reason == "wrong":
            return t.ngettext(
                "That code is not right. {n} try left.",
                "That code is not right. {n} tries left.",
                error.left,
            )
        return t.gettext("That code can no longer be used. Open /settings to get a new one.")
    if isinstance(error, InvalidInput) and error.field == "phone":
        if error.reason == "missing":
            return t.gettext("Add and confirm a phone number first.")
        if error.reason == "taken":
            return t.gettext(
                "That number is already used by someone else here. Try another, or /cancel."
            )
        return t.gettext(
            "That is not a mobile number I can use. Write it like 912 34 567 or "
            "+47 912 34 567, or send /cancel."
        )
    if isinstance(error, InvalidInput):
        if error.reason == "empty":
            return t.gettext("Please write something.")
        if error.reason == "too_long":
            return t.ngettext(
                "That's too long: at most {n} character, please.",
                "That's too long: at most {n} characters, please.",
                error.limit,
            )
        if error.field in ("poll", "options", "closes_at"):
            return poll_refusal(t, error)
        if error.reason == "closed" and error.field == "request":
            return t.gettext("This help request is closed.")
        if error.field in ("shift", "call"):
            return shift_refusal(t, error.reason)
        if error.reason == "closed" and error.field == "idea":
            return t.gettext("This idea is no longer open: it was merged or hidden.")
        if error.reason == "closed":
            return t.gettext("This event is over or cancelled.")
        if error.reason == "taken":
            return t.gettext("That is already taken. Please choose another.")
        return t.gettext("That doesn't look right. Please check it and try again.")
    if isinstance(error, NotFound):
        return t.gettext("I couldn't find that. It may have been removed.")
    return t.gettext("Sorry, I can't do that.")


def poll_refusal(t: Translator, error: InvalidInput) -> str:
    """A poll's refusals (bot.services.polls), also worded so by SMS."""
    if error.reason == "closed":
        return t.gettext("This poll is closed.")
    if error.reason == "not_closed":
        return t.gettext("The results are shown when the poll closes.")
    if error.reason == "one_only":
        return t.gettext("This poll takes one answer only.")
    if error.reason == "too_few":
        return t.gettext("A poll needs at least two options.")
    if error.reason == "too_many":
        return t.gettext("A poll can have at most six options.")
    if error.reason == "taken":
        return t.gettext("Two options are the same. Please make them different.")
    if error.field == "closes_at":
        return t.gettext("The closing time must be in the future.")
    return t.gettext("That doesn't look right. Please check it and try again.")


async def refuse(target: Message | CallbackQuery, t: Translator, error: ServiceError) -> None:
    """Tell the user why not: an alert for a button, a message for text."""
    text = refusal(t, error)
    if isinstance(target, CallbackQuery):
        try:
            await target.answer(text, show_alert=True)
        except TelegramBadRequest:
            # The button was answered already (the refusal came after a first step): say it
            # in the chat instead.
            if target.bot is not None:
                await target.bot.send_message(target.from_user.id, text)
    else:
        await target.answer(text)
