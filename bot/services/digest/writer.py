"""Putting a digest into words: HTML with two menu buttons for Telegram, a plain text of two
segments at most for SMS. Lines many residents share (an event in one language) are formatted
once per round, because Babel's date formatting is the costly part of a large round."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta

from babel.dates import format_skeleton

from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs, Translator, native_digits
from bot.services.actions import MenuItem, OpenMenu
from bot.services.digest.content import Content
from bot.services.digest.week import WINDOW, Week, WeekEvent
from bot.services.events.series import repeat_text
from bot.services.help import category_label
from bot.services.volunteering.week import digest_section, digest_sms_bit
from bot.sms_keywords import Command, shown
from bot.sms_segments import count, fit, gsm_safe
from bot.sms_texts import plain
from db.models import HelpCategory, HelpRequest

EXCERPT = 160
TELEGRAM_LIMIT = 4096
SMS_SEGMENTS = 2


def _excerpt(text: str, limit: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quoted_request(description: str) -> str:
    """A request's words as a digest quotes them (so /forget can find them again)."""
    return html.escape(_excerpt(description))


def quoted_idea(text: str) -> str:
    """An idea's words as a digest quotes them (so /forget can find them again)."""
    return html.escape(_excerpt(text, 100))


class Writer:
    """Renders digests. Lines that many residents share (an event in one language) are
    formatted once per round: Babel's date formatting is the costly part."""

    def __init__(self, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        self._lines: dict[tuple[str, str, int], str] = {}

    def _once(self, kind: str, locale: str, key: int, make: Callable[[], str]) -> str:
        line = self._lines.get((kind, locale, key))
        if line is None:
            line = self._lines[(kind, locale, key)] = make()
        return line

    def _event(self, t: Translator, item: WeekEvent, network: str) -> str:
        def make() -> str:
            event = item.event
            when = t.gettext(
                "{day} at {time}",
                day=t.format_day(event.starts_at),
                time=t.format_time(event.starts_at),
            )
            # 🤖: the title is machine-translated (the event's card has the original).
            robot = "🤖 " if item.is_machine(t.locale) else ""
            line = f"• {robot}<b>{html.escape(item.title_for(t.locale))}</b>\n   {when} · "
            line += html.escape(network)
            marks = []
            if item.yes or item.maybe:
                marks.append(f"✅ {t.number(item.yes)} · 🤔 {t.number(item.maybe)}")
            if item.series is not None:
                marks.append("🔁 " + html.escape(repeat_text(t, item.series, event.starts_at)))
            if event.no_norwegian_needed:
                marks.append("🌍 " + t.gettext("No Norwegian needed"))
            return line + ("\n   " + " · ".join(marks) if marks else "")

        return self._once("event", t.locale, item.event.id, make)

    def _request(self, t: Translator, request: HelpRequest, network: str) -> str:
        def make() -> str:
            return (
                f"• {category_label(t, HelpCategory(request.category))} · {html.escape(network)}"
                f"\n   {quoted_request(request.description)}"
            )

        return self._once("request", t.locale, request.id, make)

    def _header(self, t: Translator, week: Week) -> str:
        def make() -> str:
            first, last = week.now, week.now + WINDOW - timedelta(days=1)
            period = t.gettext(
                "{first} to {last}", first=t.format_day(first), last=t.format_day(last)
            )
            title = t.gettext("📰 Your week in the neighbourhood")
            return f"<b>{title}</b>\n<i>{period}</i>"

        return self._once("header", t.locale, 0, make)

    def _news(self, t: Translator, name: str, joined: int, helped: int) -> str:
        def make() -> str:
            bits = []
            if joined:
                bits.append(t.ngettext("{n} new member", "{n} new members", joined))
            if helped:
                bits.append(t.ngettext("{n} neighbour got help", "{n} neighbours got help", helped))
            return f"• {html.escape(name)}: " + ", ".join(bits)

        return self._once(f"news:{name}:{joined}", t.locale, helped, make)

    def _later(self, t: Translator, item: WeekEvent) -> str:
        def make() -> str:
            title = html.escape(item.title_for(t.locale))
            return f"• {title} · {t.format_day(item.event.starts_at)}"

        return self._once("later", t.locale, item.event.id, make)

    def telegram(self, t: Translator, week: Week, content: Content) -> Rendered:
        parts = [self._header(t, week)]
        if content.events:
            lines = ["<b>" + t.gettext("🗓 Coming up") + "</b>"]
            lines += [
                self._event(t, e, week.name(e.event.network_id, t.locale)) for e in content.events
            ]
            if content.more_events:
                lines.append(
                    t.ngettext(
                        "…and {n} more event: /events",
                        "…and {n} more events: /events",
                        content.more_events,
                    )
                )
            parts.append("\n".join(lines))
        if content.messages:
            lines = ["<b>" + t.gettext("📣 From your hosts") + "</b>"]
            lines += [
                f"<b>{html.escape(sender)}:</b> {html.escape(_excerpt(text, 300))}"
                for sender, text in content.messages
            ]
            if content.more_messages:
                lines.append(
                    t.ngettext(
                        "…and {n} more message", "…and {n} more messages", content.more_messages
                    )
                )
            parts.append("\n".join(lines))
        if content.later:
            lines = ["<b>" + t.gettext("🗓 Announced for later") + "</b>"]
            lines += [self._later(t, e) for e in content.later]
            parts.append("\n".join(lines))
        if content.requests:
            lines = ["<b>" + t.gettext("🤝 You could help") + "</b>"]
            lines += [
                self._request(t, r, week.name(r.network_id, t.locale)) for r in content.requests
            ]
            if content.more_requests:
                lines.append(
                    t.ngettext(
                        "…and {n} more request: /requests",
                        "…and {n} more requests: /requests",
                        content.more_requests,
                    )
                )
            else:
                lines.append(t.gettext("Answer them in /requests."))
            parts.append("\n".join(lines))
        if content.ideas:
            lines = ["<b>" + t.gettext("💡 New ideas") + "</b>"]
            lines += [
                f"• {'🤖 ' if i.text_for(t.locale) != i.text else ''}"
                f"«{quoted_idea(i.text_for(t.locale))}» · "
                f"{html.escape(week.name(i.network_id, t.locale))} · 👍 {t.number(i.supporters)}"
                for i in content.ideas
            ]
            if content.more_ideas:
                lines.append(
                    t.ngettext(
                        "…and {n} more new idea: /ideas",
                        "…and {n} more new ideas: /ideas",
                        content.more_ideas,
                    )
                )
            else:
                lines.append(t.gettext("Support the ones you like in /ideas."))
            parts.append("\n".join(lines))
        if content.polls:
            lines = ["<b>" + t.gettext("📊 Open polls") + "</b>"]
            lines += [
                f"• {html.escape(_excerpt(p.question_for(t.locale), 100))} · "
                + t.gettext("closes {when}", when=t.format_datetime(p.closes_at, "short"))
                for p in content.polls
            ]
            if content.more_polls:
                lines.append(
                    t.ngettext(
                        "…and {n} more open poll: /polls",
                        "…and {n} more open polls: /polls",
                        content.more_polls,
                    )
                )
            else:
                lines.append(t.gettext("Have your say in /polls."))
            parts.append("\n".join(lines))
        if content.calls:
            parts.append(
                digest_section(
                    t, content.calls, content.more_calls, lambda n: week.name(n, t.locale)
                )
            )
        if content.news:
            lines = ["<b>" + t.gettext("🏘 In your networks") + "</b>"]
            lines += [self._news(t, name, j, h) for name, j, h in content.news]
            parts.append("\n".join(lines))
        parts.append("<i>" + t.gettext("You can turn the digest off in /settings.") + "</i>")
        text = "\n\n".join(parts)
        if len(text) > TELEGRAM_LIMIT:  # only with very long network names; never cut a tag
            text = "\n\n".join([parts[0], *parts[1:3], parts[-1]])[:TELEGRAM_LIMIT]
            text = text[: text.rfind("\n")]
        buttons = (
            (
                Button(t.gettext("🗓 Events"), OpenMenu(MenuItem.EVENTS)),
                Button(t.gettext("⚙️ Settings"), OpenMenu(MenuItem.SETTINGS)),
            ),
        )
        return Rendered(text, buttons)

    def sms(self, t: Translator, week: Week, content: Content) -> Rendered:
        """Plain text in two segments at most: as many of the week's events as fit (day, time
        and title), then how many more; the requests the resident could help with, by kind;
        the networks' news; the hosts' messages counted; and, never cut, what to send for more.
        Items are left out whole rather than cut, and counted where they go."""
        # Short: in Ukrainian or Arabic two segments hold 134 characters, and every one the
        # instruction takes is one fewer for the week.
        tail = t.gettext("Send {events} for more.", events=shown(Command.EVENTS, t.locale))
        head = t.gettext("Naboskap this week:")
        bits: list[str] = []

        def text(candidate: list[str]) -> str:
            return gsm_safe(_plain(" ".join([head, "; ".join(candidate)])) + "\n" + _plain(tail))

        def fits(candidate: list[str]) -> bool:
            return count(text(candidate)).segments <= SMS_SEGMENTS

        def add(bit: str) -> bool:
            if fits([*bits, bit]):
                bits.append(bit)
                return True
            return False

        events = content.events + content.later
        listed = 0
        for item in events:
            when = native_digits(
                format_skeleton("EEEHm", item.event.starts_at, tzinfo=t.zone, locale=t.locale),
                t.locale,
            )
            if not add(f"{when} {_short(item.title_for(t.locale))}"):
                break
            listed += 1
        more = len(events) - listed + content.more_events
        while more and not add(t.ngettext("{n} more event", "{n} more events", more)):
            if not listed:  # even the count alone does not fit: nothing of it
                break
            bits.pop()  # make room for the count by one event fewer
            listed -= 1
            more += 1
        if content.requests:
            n = len(content.requests) + content.more_requests
            kinds = list(
                dict.fromkeys(
                    plain(category_label(t, HelpCategory(r.category))) for r in content.requests
                )
            )
            asking = t.ngettext("{n} asks for help", "{n} ask for help", n)
            if not add(f"{asking} ({', '.join(kinds)})"):
                add(asking)
        if content.ideas:
            n = len(content.ideas) + content.more_ideas
            add(
                t.ngettext(
                    "{n} new idea ({idea})",
                    "{n} new ideas ({idea})",
                    n,
                    idea=shown(Command.IDEA, t.locale),
                )
            )
        if content.polls:
            n = len(content.polls) + content.more_polls
            add(
                t.ngettext(
                    "{n} open poll ({poll})",
                    "{n} open polls ({poll})",
                    n,
                    poll=shown(Command.POLL, t.locale),
                )
            )
        if content.calls:
            add(digest_sms_bit(t, len(content.calls) + content.more_calls))
        for name, joined, helped in content.news:
            add(plain(self._news(t, name, joined, helped)).lstrip("•- "))
        if content.messages:
            n = len(content.messages) + content.more_messages
            add(t.ngettext("{n} message", "{n} messages", n))
        if not bits:
            return Rendered(fit(_plain(f"{head}\n{tail}"), SMS_SEGMENTS))
        return Rendered(text(bits))


def _short(title: str, limit: int = 40) -> str:
    """A title as a list shows it: whole, or its start to a word and "…" (made "..." where the
    text is GSM): by SMS every character counts, and the resident can ask for the event."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
