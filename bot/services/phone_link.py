"""A Telegram resident's phone number: linked once they type back a code we sent to it by SMS,
and used, if they want, for what cannot reach them on Telegram (the SMS fallback).

Only a hash of the code is stored; a code lives ten minutes and allows five tries, and a
resident can ask for at most three codes an hour (each one is an SMS that costs money and
lands on someone's phone).

Asking for a code tells nothing about the number: whether it belongs to another resident, or
its owner sent STOP, the answer is the same "if it can get SMS from us, a code is on its way".
A number whose owner sent STOP gets no SMS (the code is queued and dropped at once, so it
counts for the hourly limit like any other and the limit cannot be used to probe either). Only
someone who types back the right code, who therefore holds the phone, learns that the number
is already another resident's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery import outbox
from bot.delivery.messages import Rendered
from bot.i18n import Catalogs
from bot.services.actors import Actor
from bot.services.enrolment import parse_phone
from bot.services.errors import CodeRejected, InvalidInput, NotFound, OptedOut, RateLimited
from bot.sms_segments import fit
from bot.sms_texts import REPLY_SEGMENTS
from db.models import NoticeKind, NotifyMode, PhoneCode, Resident
from db.queries import outbox as oq
from db.queries import phone_codes as pq
from db.queries import residents as rq
from db.queries.outbox import RecipientRow
from db.session import session_now

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
CODES_PER_HOUR = 3


@dataclass(frozen=True)
class PhoneStatus:
    phone: str | None  # E.164, once verified
    fallback: bool
    pending: str | None  # a number waiting for its code


def _hash(resident_id: int, phone: str, code: str) -> str:
    return hashlib.sha256(f"{resident_id}:{phone}:{code}".encode()).hexdigest()


async def _me(session: AsyncSession, actor: Actor) -> Resident:
    resident = await session.get(Resident, actor.require_resident())
    if resident is None:
        raise NotFound()
    return resident


async def status(session: AsyncSession, actor: Actor) -> PhoneStatus:
    resident = await _me(session, actor)
    code = await session.get(PhoneCode, resident.id)
    verified = resident.phone if resident.phone_verified_at is not None else None
    return PhoneStatus(verified, resident.sms_fallback, code.phone if code else None)


async def _check_number(session: AsyncSession, resident_id: int, phone: str) -> None:
    """Refuse a number that is another resident's or stopped all SMS: only once its code was
    typed back, i.e. to the person holding that phone."""
    owner = await rq.by_phone(session, phone)
    if owner is None:
        return
    if owner.sms_stopped_at is not None:
        raise OptedOut(own=True)
    if owner.id != resident_id:
        raise InvalidInput("phone", "taken")


async def request_phone_code(
    session: AsyncSession,
    actor: Actor,
    catalogs: Catalogs,
    phone_raw: str,
    region: str,
    now: datetime | None = None,
) -> str:
    """Send a new code to `phone_raw` (replacing any earlier one); returns the number (E.164)."""
    now = now or session_now(session)
    resident = await _me(session, actor)
    phone = parse_phone(phone_raw, region)
    owner = await rq.by_phone(session, phone)
    stopped = owner is not None and owner.sms_stopped_at is not None
    if await pq.sent_since(session, resident.id, now - timedelta(hours=1)) >= CODES_PER_HOUR:
        raise RateLimited()
    # An earlier code still waiting to be sent would go to the new number: drop it.
    await pq.drop_unsent(session, resident.id, "replaced by a new code")
    code = f"{secrets.randbelow(10**6):06d}"
    row = await session.get(PhoneCode, resident.id)
    if row is None:
        row = PhoneCode(resident_id=resident.id)
        session.add(row)
    row.phone = phone
    row.code_hash = _hash(resident.id, phone, code)
    row.expires_at = now + CODE_TTL
    row.attempts = 0
    t = catalogs.translator(resident.locale)
    text = fit(
        t.gettext(
            "Your Naboskap code is {code}. It is valid for {minutes} minutes. If you did not "
            "ask for it, ignore this SMS.",
            code=code,
            minutes=int(CODE_TTL.total_seconds() // 60),
        ),
        REPLY_SEGMENTS,
    )
    # To the number being linked, not the resident's own (they may have none yet): the
    # worker sends a phone code to the number of the resident's pending code.
    await outbox.enqueue(
        session,
        kind=NoticeKind.PHONE_CODE,
        recipients=[
            RecipientRow(resident.id, None, resident.locale, NotifyMode.INSTANT, 0, 0, phone, False)
        ],
        render=lambda locale, channel: Rendered(text),
        zone=catalogs.zone,
        default_locale=catalogs.default_locale,
        quiet_hours=False,
        digest_hold=False,
        now=now,
    )
    if stopped:
        # Never an SMS to a number that sent STOP; queued and dropped, so it counts as sent.
        await pq.drop_unsent(session, resident.id, "number stopped SMS")
    await session.commit()
    return phone


async def confirm_phone_code(
    session: AsyncSession, actor: Actor, code: str, now: datetime | None = None
) -> str:
    """Link the pending number if `code` is its code; returns the number (E.164)."""
    now = now or session_now(session)
    resident = await _me(session, actor)
    row = await session.get(PhoneCode, resident.id)
    if row is None:
        raise CodeRejected("none")
    if row.expires_at <= now or row.attempts >= MAX_ATTEMPTS:
        reason = "expired" if row.expires_at <= now else "attempts"
        await session.delete(row)
        await session.commit()
        raise CodeRejected(reason)
    given = "".join(code.split())
    if not hmac.compare_digest(_hash(resident.id, row.phone, given), row.code_hash):
        row.attempts += 1
        left = MAX_ATTEMPTS - row.attempts
        if left <= 0:
            await session.delete(row)
        await session.commit()
        raise CodeRejected("attempts" if left <= 0 else "wrong", left)
    phone = row.phone
    await session.delete(row)
    try:
        await _check_number(session, resident.id, phone)  # taken meanwhile (by SMS, say)
    except (InvalidInput, OptedOut):
        await session.commit()
        raise
    resident.phone = phone
    resident.phone_verified_at = now
    await session.commit()
    return phone


async def set_sms_fallback(session: AsyncSession, actor: Actor, on: bool) -> bool:
    """Whether notices Telegram cannot bring go by SMS instead; needs a verified number."""
    resident = await _me(session, actor)
    if on and (resident.phone is None or resident.phone_verified_at is None):
        raise InvalidInput("phone", "missing")
    resident.sms_fallback = on
    await session.commit()
    return on


async def unlink_phone(session: AsyncSession, actor: Actor) -> None:
    """Forget the resident's number (and any pending one); nothing more goes to it by SMS."""
    resident = await _me(session, actor)
    resident.phone = None
    resident.phone_verified_at = None
    resident.sms_fallback = False
    await pq.forget(session, resident.id)
    await oq.drop_waiting_sms(session, resident.id, "phone removed")
    await session.commit()
