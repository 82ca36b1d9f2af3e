"""How a notice about an event reads: the card a member sees in their language, and the
rendering of the new-event, changed, cancelled and reminder notices with their RSVP and
calendar buttons. Shared by the host's side, the reminders and the bot's own screens."""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta

from babel.dates import format_interval

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator, native_digits
from bot.services.actions import CalendarFile, OriginalOf, Rsvp, SeriesRsvp
from bot.services.events.series import repeat_text
from bot.services.events.views import EventView
from bot.services.machine_texts import machine_note, original_button
from db.models import Answer, Channel, NoticeKind


def when_text(t: Translator, view: EventView) -> str:
    """When the event is, in the reader's language and the app's zone: "Friday 6 March at
    18:00–20:00"; over several days "Friday 6 March at 18:00 – Sunday 8 March at 14:00"; an
    all-day event as its day ("Saturday 6 March, all day") or its days ("6–8 March")."""
    if view.all_day:
        return _days_text(t, view.starts_at, view.ends_at)
    start = _day_and_time(t, view.starts_at)
    if view.ends_at is None:
        return start
    if _last_day(t, view.starts_at, view.ends_at) != view.starts_at.astimezone(t.zone).date():
        return t.gettext("{start} – {end}", start=start, end=_day_and_time(t, view.ends_at))
    return t.gettext("{start}–{end}", start=start, end=t.format_time(view.ends_at))


def _day_and_time(t: Translator, moment: datetime) -> str:
    return t.gettext("{day} at {time}", day=t.format_day(moment), time=t.format_time(moment))


def _last_day(t: Translator, starts_at: datetime, ends_at: datetime | None) -> date:
    """The local day the event last runs on: an end at midnight is the end of the day before
    (an all-day event's end is the midnight after its last day; 18:00–00:00 is one evening)."""
    first = starts_at.astimezone(t.zone).date()
    if ends_at is None or ends_at <= starts_at:
        return first
    return max(first, (ends_at.astimezone(t.zone) - timedelta(microseconds=1)).date())


def _days_text(t: Translator, starts_at: datetime, ends_at: datetime | None) -> str:
    first = starts_at.astimezone(t.zone).date()
    last = _last_day(t, starts_at, ends_at)
    if last == first:
        return t.gettext("{day}, all day", day=t.format_day(starts_at))
    # CLDR's own range for the locale: "6.–8. mars", "6–8 березня", "6 تا 8 مارچ".
    text = format_interval(first, last, "MMMMd", locale=t.locale)
    return native_digits(text, t.locale)


def event_card(t: Translator, view: EventView) -> str:
    """The event as a member reads it, in their language (HTML)."""
    title, description, foreign = view.text_for(t.locale)
    lines = [f"<b>{html.escape(title)}</b>", "🕒 " + when_text(t, view)]
    if view.series is not None:
        lines.append("🔁 " + repeat_text(t, view.series, view.starts_at))
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


def render_event(
    catalogs: Catalogs, view: EventView, kind: NoticeKind, *, reason: str = ""
) -> outbox.Render:
    """The notice of `kind` about the event; a cancellation's notice shows its `reason`, if
    one was given, under the card."""

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
            if reason:
                text += "\n\n" + t.gettext("Reason: {reason}", reason=html.escape(reason))
            return Rendered(text)
        buttons: tuple[tuple[Button, ...], ...] = (
            (
                Button(t.gettext("✅ Coming"), Rsvp(view.id, Answer.YES)),
                Button(t.gettext("🤔 Maybe"), Rsvp(view.id, Answer.MAYBE)),
                Button(t.gettext("❌ Can't come"), Rsvp(view.id, Answer.NO)),
            ),
            (Button(t.gettext("📅 Add to calendar"), CalendarFile(view.id)),),
        )
        if view.series is not None and kind is NoticeKind.EVENT:
            # The announcement of a series: its dates are answered one by one or all at once.
            every = Button(
                t.gettext("🔁 Coming every time"), SeriesRsvp(view.series.id, Answer.YES)
            )
            buttons = (buttons[0], (every,), *buttons[1:])
        if view.is_machine(locale):
            buttons += ((original_button(t, OriginalOf.EVENT, view.id),),)
        return Rendered(text, buttons)

    return render
