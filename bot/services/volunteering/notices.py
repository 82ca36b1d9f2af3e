"""How volunteering notices read and whom they reach: the call to the network's members with a
sign-up button per shift (numbered choices by SMS), the host told when a shift fills or someone
withdraws, and notices to those signed up (a reminder, the host's message, a cancellation, a
thank-you). All go through the outbox in the caller's transaction."""

from __future__ import annotations

import html
from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Button, Rendered
from bot.i18n import Catalogs
from bot.services.actions import SignUpShift, WithdrawShift
from bot.services.volunteering.views import (
    CallView,
    ShiftView,
    call_card,
    shift_when,
    short_when,
)
from bot.sms_keywords import Command, shown
from db.models import Channel, NoticeKind
from db.queries import networks as nq
from db.queries import outbox as oq

# A button's label carries the shift's time and free slots; Telegram shows about this much.
_LABEL_MAX = 60


def sign_up_buttons(
    catalogs: Catalogs, locale: str, view: CallView, now: datetime
) -> tuple[tuple[Button, ...], ...]:
    """One button per shift still to come: sign up (with its free slots), or withdraw where
    the reader is in; a full shift has no button (by SMS, no number)."""
    t = catalogs.translator(locale)
    rows: list[tuple[Button, ...]] = []
    for shift in view.upcoming(now):
        when = shift_when(t, shift.starts_at, shift.ends_at)
        if shift.mine:
            label = t.gettext("↩️ Withdraw: {when}", when=when)
            rows.append((Button(label[:_LABEL_MAX], WithdrawShift(shift.id)),))
        elif shift.free:
            label = t.ngettext(
                "🙋 {when} ({n} free)", "🙋 {when} ({n} free)", shift.free, when=when
            )
            rows.append((Button(label[:_LABEL_MAX], SignUpShift(shift.id)),))
    return tuple(rows)


# By SMS a call's notice offers this many shifts by number; DUGNAD lists them all.
SMS_SHIFTS = 3


def _sms_call(catalogs: Catalogs, locale: str, view: CallView, now: datetime) -> Rendered:
    """The call by SMS: its title and place, and a number per shift with room, each with a
    short time ("lør. 19. des. 10:00–13:00"), so that the choices fit beside the words."""
    t = catalogs.translator(locale)
    network = html.escape(view.network.in_locale(locale))
    lines = [t.gettext("🧹 Volunteers wanted in {network}", network=network), view.title]
    room = [s for s in view.upcoming(now) if s.free]
    if len(room) > SMS_SHIFTS:  # before the place: a text too long is cut from its end
        lines.append(
            t.gettext("All shifts: send {keyword}.", keyword=shown(Command.VOLUNTEER, locale))
        )
    if view.place:
        lines.append(view.place)
    buttons = tuple(
        (Button(short_when(t, s.starts_at, s.ends_at), SignUpShift(s.id)),)
        for s in room[:SMS_SHIFTS]
    )
    return Rendered("\n".join(html.escape(line) for line in lines), buttons)


def render_call(catalogs: Catalogs, view: CallView, now: datetime) -> outbox.Render:
    """The new call, to the network's members: its card and a sign-up choice per shift."""

    def render(locale: str, channel: Channel) -> Rendered:
        if channel is Channel.SMS:
            return _sms_call(catalogs, locale, view, now)
        t = catalogs.translator(locale)
        network = html.escape(view.network.in_locale(locale))
        headline = t.gettext("🧹 Volunteers wanted in {network}", network=network)
        text = f"{headline}\n\n{call_card(t, view, now)}"
        return Rendered(text, sign_up_buttons(catalogs, locale, view, now))

    return render


async def to_host(
    session: AsyncSession,
    catalogs: Catalogs,
    view: CallView,
    shift: ShiftView,
    *,
    name: str | None,
    filled: bool,
    author_id: int | None,
    now: datetime,
) -> None:
    """Tell the network's hosts that a shift is full, or that `name` (a first name the
    resident let others see, else "a neighbour") withdrew from it. A withdrawal names its
    `author_id`, so that /forget finds the notice (`db.queries.privacy.PERSONAL_KINDS`)."""
    hosts = await nq.host_ids(session, view.network_id)
    if not hosts:
        return

    def render(locale: str, channel: Channel) -> Rendered:
        t = catalogs.translator(locale)
        when = shift_when(t, shift.starts_at, shift.ends_at)
        title = html.escape(view.title)
        if filled:
            return Rendered(
                t.gettext("✅ The shift {when} of “{call}” is full.", when=when, call=title)
            )
        who = html.escape(name) if name else t.gettext("A neighbour")
        return Rendered(
            t.gettext(
                "↩️ {name} withdrew from the shift {when} of “{call}”. Free now: {n}.",
                name=who,
                when=when,
                call=title,
                n=t.number(shift.free),
            )
        )

    await outbox.enqueue(
        session,
        kind=NoticeKind.SHIFT_CHANGED,
        recipients=await oq.residents(session, hosts),
        render=render,
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=view.network_id,
        author_id=author_id,
        digest_hold=False,
        now=now,
    )


async def to_signed_up(
    session: AsyncSession,
    catalogs: Catalogs,
    kind: NoticeKind,
    resident_ids: Collection[int],
    network_id: int,
    render: outbox.Render,
    now: datetime,
    *,
    author_id: int | None = None,
    body: str = "",
    dedupe_key: str | None = None,
) -> outbox.Enqueued | None:
    """A notice to those signed up: never held for the digest (it is about a shift they are
    coming to), but it waits for the end of their quiet hours."""
    recipients = await oq.residents(session, list(resident_ids))
    if not recipients:
        return None
    return await outbox.enqueue(
        session,
        kind=kind,
        recipients=recipients,
        render=render,
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        network_id=network_id,
        author_id=author_id,
        body=body,
        dedupe_key=dedupe_key,
        digest_hold=False,
        now=now,
    )
