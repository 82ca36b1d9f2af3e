"""Residents by SMS: onboarding, keywords, numbered answers, and the same services the
Telegram handlers use.

A text from an unknown number starts onboarding (`onboarding`): a numbered language choice,
then a short privacy notice to accept with "1", and how to stop. Keywords (`commands`, see
`bot.sms_keywords`) work in any language at any time; a bare number answers the last numbered
question we sent (`answers`). Some flows collect a line of text (`neighbour_help`: asking for
help, writing to a matched neighbour): the step is kept per resident. `dispatch.handle` routes
one text; every step works on one `Turn`.
"""

from bot.channels.sms.conversation.dispatch import handle
from bot.channels.sms.conversation.turn import Context, Turn

__all__ = ["Context", "Turn", "handle"]
