"""Each figure family of the insight: its query, its series per step (suppressed where a group
of people is too small), its words, and its key figures for the period's last step.

Counts of people (members, deliveries, requests, answers, those who came) are suppressed
below the minimum group; counts of things hosts publish for everyone to see (events, polls)
are not, since they point at no one."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import add

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import SHIPPED_LOCALES
from bot.services.insight.figures import Figure, FigureKey, KeyFigure, Series, Shape
from bot.services.insight.periods import capitalized, fold
from bot.services.insight.privacy import few, suppress, suppress_breakdown
from bot.services.insight.scope import Scope
from bot.services.networks.views import network_names
from db.queries import insight as q

# Lines a members chart draws before the smallest networks are added up as "Other networks":
# more colours than this cannot be told apart.
MAX_LINES = 8


@dataclass(frozen=True)
class Built:
    figure: Figure
    key_figures: tuple[KeyFigure, ...]


@dataclass
class Shared:
    """What several families of one build read: today's reach, read once."""

    reach: list[tuple[str | None, bool, int]] | None = None


async def _reach(
    session: AsyncSession, scope: Scope, shared: Shared
) -> list[tuple[str | None, bool, int]]:
    if shared.reach is None:
        shared.reach = await q.reach(session, scope.network_id)
    return shared.reach


def _hidden(values: list[int], scope: Scope) -> list[int | None]:
    return [suppress(v, scope.min_group) for v in values]


async def members(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    data = await q.member_days(session, scope.window, scope.network_id)
    ids = await q.networks_during(session, scope.window.start_utc, scope.network_id)
    names = await network_names(session, ids)
    lines: list[tuple[str, list[int]]] = []
    joined_last = left_last = 0
    for network_id in ids:
        days = data.days.get(network_id, {})
        changes = fold({d: j - lft for d, (j, lft) in days.items()}, scope.bounds, add, 0)
        running = data.before.get(network_id, 0)
        values = []
        for change in changes:
            running += change
            values.append(max(running, 0))
        first, end = scope.bounds[-1]
        joined_last += sum(j for d, (j, _) in days.items() if first <= d < end)
        left_last += sum(lft for d, (_, lft) in days.items() if first <= d < end)
        if any(values):
            name = names[network_id].in_locale(t.locale) if network_id in names else ""
            lines.append((name, values))
    lines.sort(key=lambda line: (-line[1][-1], line[0].casefold()))
    if len(lines) > MAX_LINES:
        rest = lines[MAX_LINES - 1 :]
        others = [sum(values[i] for _, values in rest) for i in range(len(scope.bounds))]
        lines = [*lines[: MAX_LINES - 1], (t.gettext("Other networks"), others)]
    series = [Series(name, tuple(_hidden(values, scope))) for name, values in lines]
    figure = scope.figure(
        FigureKey.MEMBERS,
        Shape.LINES,
        t.gettext("Members over time"),
        series,
        t.gettext(
            "How many members each network had at the end of each week or month shown: those "
            "who joined, less those who left. Someone in two networks counts in both. With "
            "many networks, the smallest are added up as “Other networks”."
        ),
    )
    total = sum(n for _, _, n in await _reach(session, scope, shared))
    return Built(
        figure,
        (
            KeyFigure(t.gettext("Members"), scope.count(total)),
            KeyFigure(t.gettext("New members"), scope.count(joined_last)),
            KeyFigure(t.gettext("Members who left"), scope.count(left_last)),
        ),
    )


def _language_order(item: tuple[str | None, int]) -> tuple[int, int, str]:
    locale, count = item
    known = SHIPPED_LOCALES.index(locale) if locale in SHIPPED_LOCALES else len(SHIPPED_LOCALES)
    return (-count, known, locale or "~")


async def languages(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    by_locale: Counter[str | None] = Counter()
    for locale, _, n in await _reach(session, scope, shared):
        by_locale[locale] += n
    ordered = sorted(by_locale.items(), key=_language_order)
    labels = tuple(
        capitalized(t.language_name(locale)) if locale else t.gettext("Language not chosen")
        for locale, _ in ordered
    )
    values = suppress_breakdown([n for _, n in ordered], scope.min_group)
    figure = scope.figure(
        FigureKey.LANGUAGES,
        Shape.BARS,
        t.gettext("Members by language"),
        [Series(t.gettext("Members"), values)],
        t.gettext(
            "Today's members of the networks by the language they chose for the bot; someone "
            "in two networks counts once. “Language not chosen”: members a host added before "
            "they started the bot."
        ),
        labels=labels,
    )
    return Built(figure, ())


async def channels(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    telegram = sms = 0
    for _, on_telegram, n in await _reach(session, scope, shared):
        if on_telegram:
            telegram += n
        else:
            sms += n
    labels = (t.gettext("Telegram"), t.gettext("SMS only"))
    values = suppress_breakdown([telegram, sms], scope.min_group)
    figure = scope.figure(
        FigureKey.CHANNELS,
        Shape.BARS,
        t.gettext("Members by channel"),
        [Series(t.gettext("Members"), values)],
        t.gettext(
            "Today's members by how they take part: on Telegram, or by SMS only (residents "
            "without Telegram, enrolled by their phone number). Telegram users who also get "
            "SMS count as Telegram. Someone in two networks counts once."
        ),
        labels=labels,
    )
    keys = tuple(
        KeyFigure(label, few(t, scope.min_group) if v is None else t.number(v))
        for label, v in zip(labels, values, strict=True)
    )
    return Built(figure, keys)


async def notices(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    steps = await q.notice_steps(session, scope.bounds, scope.network_id)
    series = [
        Series(t.gettext("Sent"), tuple(_hidden([s.sent for s in steps], scope))),
        Series(t.gettext("Delivered"), tuple(_hidden([s.delivered for s in steps], scope))),
        Series(t.gettext("Failed"), tuple(_hidden([s.failed for s in steps], scope))),
    ]
    figure = scope.figure(
        FigureKey.NOTICES,
        Shape.COLUMNS,
        t.gettext("Notices sent, delivered and failed"),
        series,
        t.gettext(
            "Messages to members, by the week or month the notice was written: sent (handed "
            "to Telegram or the SMS gateway), delivered (on Telegram, or an SMS the phone "
            "confirmed) and failed (refused, or the member cannot be reached). Weekly digests "
            "and personal replies count only for all networks together."
        ),
    )
    last = steps[-1]
    return Built(
        figure,
        (
            KeyFigure(
                t.gettext("Notices delivered"),
                scope.percent(last.delivered, last.sent + last.failed),
            ),
        ),
    )


async def help_asked(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    data = await q.help_days(session, scope.window, scope.network_id)

    def pair(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return (a[0] + b[0], a[1] + b[1])

    steps = fold(data.counts, scope.bounds, pair, (0, 0))
    waits = fold(data.waits, scope.bounds, add, [])
    series = [
        Series(t.gettext("Asked"), tuple(_hidden([a for a, _ in steps], scope))),
        Series(t.gettext("Matched"), tuple(_hidden([m for _, m in steps], scope))),
    ]
    every_wait = [w for step in waits for w in step]
    figure = scope.figure(
        FigureKey.HELP,
        Shape.COLUMNS,
        t.gettext("Help asked and matched"),
        series,
        t.gettext(
            "Requests for help made in each week or month, and how many of them found a "
            "helper. The time to match is the median time from a request to the requester "
            "accepting a helper: half waited less, half longer."
        ),
        notes=(t.gettext("Median time to match: {time}", time=scope.median_wait(every_wait)),),
    )
    asked, matched = steps[-1]
    return Built(
        figure,
        (
            KeyFigure(t.gettext("Help asked for"), scope.count(asked)),
            KeyFigure(t.gettext("Help matched"), scope.count(matched)),
            KeyFigure(t.gettext("Median time to match"), scope.median_wait(waits[-1])),
        ),
    )


async def events(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    days = await q.event_days(session, scope.window, scope.network_id)
    steps = fold(days, scope.bounds, lambda a, b: (a[0] + b[0], a[1] + b[1]), (0, 0))
    series = [
        Series(t.gettext("Events"), tuple(n for n, _ in steps)),
        Series(t.gettext("Coming"), tuple(_hidden([y for _, y in steps], scope))),
    ]
    figure = scope.figure(
        FigureKey.EVENTS,
        Shape.COLUMNS,
        t.gettext("Events and who is coming"),
        series,
        t.gettext(
            "Published events by the week or month they take place, and how many answered "
            "“yes” to them (a “yes” to a whole series counts for each of its dates)."
        ),
    )
    held, coming = steps[-1]
    return Built(
        figure,
        (
            KeyFigure(t.gettext("Events"), t.number(held)),
            KeyFigure(t.gettext("Coming to events"), scope.count(coming)),
        ),
    )


async def polls(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    days = await q.poll_days(session, scope.window, scope.network_id)
    steps = fold(days, scope.bounds, lambda a, b: (a[0] + b[0], a[1] + b[1]), (0, 0))
    series = [
        Series(t.gettext("Polls"), tuple(n for n, _ in steps)),
        Series(t.gettext("Answers"), tuple(_hidden([b for _, b in steps], scope))),
    ]
    figure = scope.figure(
        FigureKey.POLLS,
        Shape.COLUMNS,
        t.gettext("Polls and answers"),
        series,
        t.gettext(
            "Polls published in each week or month, and how many answered them. Withdrawn "
            "polls are left out; polls to everyone count only for all networks together."
        ),
    )
    return Built(figure, (KeyFigure(t.gettext("Poll answers"), scope.count(steps[-1][1])),))


async def volunteering(session: AsyncSession, scope: Scope, shared: Shared) -> Built:
    t = scope.t
    days = await q.volunteer_days(session, scope.window, scope.network_id)
    steps = fold(days, scope.bounds, lambda a, b: (a[0] + b[0], a[1] + b[1]), (0, 0.0))
    # Hours say how many came, so they are hidden where fewer than the minimum came.
    hours = [None if suppress(people, scope.min_group) is None else round(h) for people, h in steps]
    figure = scope.figure(
        FigureKey.VOLUNTEERING,
        Shape.COLUMNS,
        t.gettext("Volunteer hours"),
        [Series(t.gettext("Hours"), tuple(hours))],
        t.gettext(
            "Hours of volunteering the hosts confirmed, by the week or month of the shift: "
            "each shift's length times the people who came. Hidden when fewer than {n} came.",
            n=t.number(scope.min_group),
        ),
    )
    last = hours[-1]
    value = few(t, scope.min_group) if last is None else t.number(last)
    return Built(figure, (KeyFigure(t.gettext("Volunteer hours"), value),))
