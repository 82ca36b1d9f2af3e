"""Neighbour help in the bot: /offer, /ask, /requests, the buttons that make a match, talking
through the bot after it, and /reports and /stats for hosts and coordinators.

One module per flow (offer, ask, requests, matching, relay, moderation), each registering its
handlers on the one router built here; `screens` holds what their screens share. Every action
goes through a service that checks the role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import Onboarded
from handlers.help import ask, matching, moderation, offer, relay, requests


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="help")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    offer.register(router)
    ask.register(router)
    requests.register(router)
    moderation.register(router)
    relay.register(router)
    matching.register(router)
    return router
