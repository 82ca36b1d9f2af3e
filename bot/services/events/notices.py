"""How a notice about an event reads: the card a member sees in their language, and the
rendering of the new-event, changed, cancelled and reminder notices with their RSVP and
calendar buttons. Shared by the host's side, the reminders and the bot's own screens."""

from __future__ import annotations

import html

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator
from bot.services.actions import CalendarFile, OriginalOf, Rsvp
from bot.services.events.views import EventView
from bot.services.machine_texts import machine_note, original_button
from db.models import Answer, Channel, NoticeKind


def when_text(t: Translator, view: EventView) -> str:
    start = t.gettext(
        "{day} at {time}", day=t.format_day(view.starts_at), time=t.format_time(view.starts_at)
    )
    if view.ends_at is None:
        return start
    return t.gettext("{start}–{end}", start=start, end=t.format_time(view.ends_at))


def event_card(t: Translator, view: EventView) -> str:
    """The event as a member reads it, in their language (HTML)."""
    title, description, foreign = view.text_for(t.locale)
    lines = [f"<b>{html.escape(title)}</b>", "🕒 " + when_text(t, view)]
    if view.place:
        lines.append("📍 " + html.escape(view.place))
    if view.no_norwegian_needed:
        lines.append("🌍 " + t.gettext("No Norwegian needed"))
    if description:
        lines += ["", html.escape(description)]
    if view.is_machine(t.locale):
        lines += ["", "<i>" + machine_note(t, view.locale) + "</i>"]
    elif foreign:
        language = t.language_name(view.locale)
        lines += ["", "<i>" + t.gettext("Written in {language}.", language=language) + "</i>"]
    return "\n".join(lines)


def render_event(catalogs: Catalogs, view: EventView, kind: NoticeKind) -> outbox.Render:
    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        network = html.escape(view.network_name_in(locale))
        headline = {
            NoticeKind.EVENT: t.gettext("🗓 New event in {network}", network=network),
            NoticeKind.EVENT_CHANGED: t.gettext("✏️ An event you're going to has changed"),
            NoticeKind.EVENT_CANCELLED: t.gettext("❌ An event you were going to is cancelled"),
            NoticeKind.REMINDER: t.gettext("⏰ Reminder: you're going to this"),
        }[kind]
        text = f"{headline}\n\n{event_card(t, view)}"
        if kind is NoticeKind.EVENT_CANCELLED:
            return Rendered(text)
        buttons: tuple[tuple[Button, ...], ...] = (
            (
                Button(t.gettext("✅ Coming"), Rsvp(view.id, Answer.YES)),
                Button(t.gettext("🤔 Maybe"), Rsvp(view.id, Answer.MAYBE)),
                Button(t.gettext("❌ Can't come"), Rsvp(view.id, Answer.NO)),
            ),
            (Button(t.gettext("📅 Add to calendar"), CalendarFile(view.id)),),
        )
        if view.is_machine(locale):
            buttons += ((original_button(t, OriginalOf.EVENT, view.id),),)
        return Rendered(text, buttons)

    return render
