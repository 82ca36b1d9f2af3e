"""A host's events in the bot: the guided flow for a new one — title, description, when
(typed the Norwegian way or picked from buttons), end, place, "no Norwegian needed", optional
versions in other languages, then a preview with who will get it by language — and changing
and cancelling a published one.

Buttons here are only shown to hosts, but every action goes through a service that checks the
role again: callback data can be forged.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import Onboarded
from handlers.host_events import create, edit, preview, translations, when


def build_router() -> Router:
    """This concern's handlers on a fresh router (a router can join only one dispatcher)."""
    router = Router(name="host_events")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    create.register(router)
    when.register(router)
    translations.register(router)
    preview.register(router)
    edit.register(router)
    return router
