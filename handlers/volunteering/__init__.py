"""Volunteer calls ("dugnad", issue 15) in the bot: /dugnad and "🧹 Volunteer calls" from the
Take part hub list the open calls in one's networks; residents sign up for a shift, see who is
coming and withdraw; hosts post a call (`create`) and manage theirs (`manage`: message those
signed up, cancel, confirm who came). Every action goes through
`bot.services.volunteering`, which checks the role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import Onboarded


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    # Imported here, so that `handlers.keyboards` can import this package's callback data
    # (the coordinator panel's button) without a loop through the screens.
    from handlers.volunteering import create, figures, manage, screens

    router = Router(name="volunteering")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    screens.register(router)
    create.register(router)
    manage.register(router)
    figures.register(router)
    return router
