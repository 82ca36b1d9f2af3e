"""One text from a resident's phone, routed to where it belongs: STOP before anything, then a
stopped resident's START, a line of text a flow is waiting for, a numbered answer, onboarding
for someone who has not finished it, and otherwise a keyword.

Every reply goes through the outbox on the SMS channel (its pacing and retries), not subject
to quiet hours since the resident just wrote to us, and fits in two segments.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.sms.conversation import answers, commands, neighbour_help, onboarding
from bot.channels.sms.conversation import polls as poll_answers
from bot.channels.sms.conversation.texts import refusal, short_help
from bot.channels.sms.conversation.turn import Context, Turn
from bot.edge_input import clean_text
from bot.services import rate_limits
from bot.services.errors import RateLimited
from bot.sms_keywords import Command, parse
from db.models import Resident
from db.queries import residents as rq
from db.queries import sms as sq
from db.session import session_now

log = logging.getLogger("naboskap.sms")


async def handle(
    session: AsyncSession, context: Context, phone: str, text: str, now: datetime | None = None
) -> None:
    """Answer one text from `phone` (E.164), and commit. The text is cleaned here, the one
    way in for every SMS (`bot.edge_input.clean_text`)."""
    now = now or session_now(session)
    text = clean_text(text).strip()[:1000]
    parsed = parse(text)
    resident = await rq.by_phone(session, phone)
    if resident is None:
        if parsed is not None and parsed.command is Command.STOP:
            return  # a stranger opting out of nothing: no reply, nothing stored
        resident = Resident(phone=phone, phone_verified_at=now, created_at=now)
        session.add(resident)
        await session.flush()
    conversation = await sq.conversation(session, resident.id)
    turn = Turn(
        session, context, resident, conversation, context.catalogs.translator(resident.locale), now
    )
    stopping = parsed is not None and parsed.command is Command.STOP
    if not stopping and not await _admitted(turn):
        await session.commit()
        return
    first_join = parsed is not None and parsed.command is Command.JOIN and parsed.argument
    if resident.privacy_accepted_at is None and parsed is not None and first_join:
        turn.set_data(join=parsed.argument)  # "BLI MED TORSTRAND" as a first message
    if resident.phone_verified_at is None:
        resident.phone_verified_at = now  # they wrote from it: the number is theirs

    asks_for_help = parsed is not None and not parsed.argument and parsed.command is Command.HELP
    if stopping:
        await onboarding.stop(turn)
    elif resident.sms_stopped_at is not None:
        await onboarding.while_stopped(turn, parsed)
    elif conversation.step in neighbour_help.COLLECTING and not asks_for_help:
        await neighbour_help.collect(turn, text)
    elif conversation.step == poll_answers.OTHER_STEP and parsed is None:
        await poll_answers.collect_other(turn, text)
    elif turn.options and (several := poll_answers.several_numbers(text)) is not None:
        await poll_answers.choose_several(turn, several)
    # isdecimal, not isdigit: "²" is a digit that int() refuses; "٣" (Arabic-Indic) it reads.
    elif text.isdecimal() and turn.options:
        await answers.choose(turn, int(text))
    elif resident.locale is None or resident.privacy_accepted_at is None:
        if (parsed is not None and parsed.command is Command.LANGUAGE) or resident.locale is None:
            await onboarding.offer_languages(turn)
        else:
            await onboarding.offer_privacy(turn)
    elif parsed is None:
        t = turn.t
        await turn.reply(t.gettext("Sorry, I did not understand that.") + " " + short_help(t))
    else:
        await commands.command(turn, parsed.command, parsed.argument)
    await session.commit()


async def _admitted(turn: Turn) -> bool:
    """Count this text against the SMS limit (STOP is never limited: it must always work).
    Over it, the first text of the window gets one refusal; the rest get no answer, since
    every answer is an SMS the municipality pays for."""
    try:
        await rate_limits.admit_sms(turn.session, turn.resident.id, turn.context.limits, turn.now)
    except RateLimited as error:
        if error.quiet:
            log.debug("inbound SMS over the rate limit: not answered")
        else:
            log.warning("inbound SMS over the rate limit: refused once, quiet until it passes")
            await turn.reply(refusal(turn.t, error))
        return False
    return True
