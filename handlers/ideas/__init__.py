"""Ideas in the bot (issue 15): /ideas and "💡 Ideas" from the Take part hub, proposing one,
supporting with one tap, an idea's card with Report and the original words, and the host's
tools (answer with a reason, merge, pass on to the municipality, hide).

One module per flow (browse, propose, hosting), each registering its handlers on the one router
built here; `screens` holds the list and the card they share. Every action goes through
`bot.services.ideas`, which checks the role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import Onboarded
from handlers.ideas import browse, hosting, propose


def build_router() -> Router:
    router = Router(name="ideas")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    browse.register(router)
    propose.register(router)
    hosting.register(router)
    return router
