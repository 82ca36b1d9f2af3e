"""/coordinate: the coordinator's panel, each network's card, and creating a network.

Buttons here are only shown to coordinators, but every action goes through a service that
checks the role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Router

from handlers.coordinator import cards, creating, panel
from handlers.filters import Onboarded


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="coordinator")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    panel.register(router)
    cards.register(router)
    creating.register(router)
    return router
