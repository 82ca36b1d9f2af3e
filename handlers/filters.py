"""Filters that route by where a resident is in the product."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, TelegramObject
from magic_filter import MagicFilter

from bot.services import actions
from bot.services.actions import Action
from bot.services.actors import Actor


class Onboarded(Filter):
    """True for residents who chose a language and accepted the privacy notice."""

    async def __call__(self, event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.onboarded


class FreeText(Filter):
    """A typed answer: text that is not a command (commands always mean the command)."""

    async def __call__(self, event: TelegramObject) -> bool:
        text = getattr(event, "text", None)
        return isinstance(text, str) and not text.startswith("/")


class Act(Filter):
    """A button that stands for one action of the core's vocabulary (`bot.services.actions`),
    optionally narrowed by a rule on it: `Act(OpenMenu, F.item == MenuItem.EVENTS)`. The
    handler gets the parsed action as `action`; anything else, forged data included, does not
    match (and ends at the fallback's "this button no longer works")."""

    def __init__(self, kind: type[Action], rule: MagicFilter | None = None) -> None:
        self.kind = kind
        self.rule = rule

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        action = actions.parse(query.data or "")
        if not isinstance(action, self.kind):
            return False
        if self.rule is not None and not self.rule.resolve(action):
            return False
        return {"action": action}
