"""How a poll reads: the card a resident sees in their language with an option button each
(✅ on what they chose), and the notice that asks the poll's audience. By SMS the buttons
become numbered choices ("Reply 1 Yes, 2 No"), and a multiple-choice poll says that several
numbers may be sent at once."""

from __future__ import annotations

import html

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator
from bot.services.actions import PollOther, PollPlace, PollVote
from bot.services.machine_texts import machine_note
from bot.services.polls.views import PollView
from db.models import Channel

CHOSEN = "✅ "


def headline(t: Translator, view: PollView) -> str:
    if view.network_id is None:
        return t.gettext("📊 A poll for everyone")
    return t.gettext("📊 Poll in {network}", network=html.escape(view.network_in(t.locale)))


def how_to_answer(t: Translator, view: PollView, channel: Channel = Channel.TELEGRAM) -> str:
    if view.multiple and channel is Channel.SMS:
        return t.gettext("Choose one or more: reply with their numbers, e.g. 1 3.")
    if view.multiple:
        return t.gettext("Choose all that apply. Tap again to undo.")
    return t.gettext("Choose one. You can change your answer until it closes.")


def poll_card(t: Translator, view: PollView, channel: Channel = Channel.TELEGRAM) -> str:
    """The poll as a resident reads it (HTML), without its buttons."""
    texts = view.texts_for(t.locale)
    lines = [headline(t, view), "", f"<b>{html.escape(texts.question)}</b>"]
    lines.append(how_to_answer(t, view, channel))
    lines.append(
        "⏳ " + t.gettext("Closes {when}.", when=t.format_datetime(view.closes_at, "short"))
    )
    if not view.anonymous:
        lines.append(t.gettext("Not anonymous: the creator sees who chose what."))
    if view.my_other:
        lines += ["", t.gettext("Your words: {text}", text=html.escape(view.my_other))]
    if texts.machine:
        lines += ["", "<i>" + machine_note(t, view.locale) + "</i>"]
    elif texts.foreign:
        language = t.language_name(view.locale)
        lines += ["", "<i>" + t.gettext("Written in {language}.", language=language) + "</i>"]
    return "\n".join(lines)


def option_buttons(
    t: Translator,
    view: PollView,
    *,
    channel: Channel = Channel.TELEGRAM,
    place: PollPlace = PollPlace.NOTICE,
) -> tuple[tuple[Button, ...], ...]:
    """One button a row per option, ✅ on those chosen, then "Other" if the poll has it."""
    texts = view.texts_for(t.locale)
    rows: list[tuple[Button, ...]] = []
    for option, label in zip(view.options, texts.options, strict=True):
        mark = CHOSEN if option.id in view.my_choices and channel is Channel.TELEGRAM else ""
        rows.append((Button(mark + label, PollVote(view.id, option.id, place)),))
    if view.allow_other:
        label = t.gettext("Other") if channel is Channel.SMS else t.gettext("✏️ Other: your words")
        if view.my_other is not None and channel is Channel.TELEGRAM:
            label = CHOSEN + label
        rows.append((Button(label, PollOther(view.id)),))
    return tuple(rows)


def render_poll(catalogs: Catalogs, view: PollView) -> outbox.Render:
    """The notice asking the poll's audience."""

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        return Rendered(poll_card(t, view, channel), option_buttons(t, view, channel=channel))

    return render
