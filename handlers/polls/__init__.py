"""📊 Polls (issue 15): the list and a poll's card (`screens`), answering from a notice or a
card (`answering`), and a host's or coordinator's new poll (`create`)."""

from __future__ import annotations

from aiogram import Router

from handlers.filters import Onboarded
from handlers.polls import answering, create, screens


def build_router() -> Router:
    router = Router(name="polls")
    # Only for residents who chose a language and accepted the privacy notice; the others end
    # at the onboarding gate. Every role is checked again in bot.services.polls.
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    screens.register(router)
    answering.register(router)
    create.register(router)
    return router
