"""The command menu: what setMyCommands stores per scope and language, and the menu a user's
app shows, resolved as Telegram resolves it.
"""

from __future__ import annotations

from typing import Any

from bot.fake_bot_api.chats import Chats
from bot.fake_bot_api.validation import bot_commands, language_code


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    if scope.get("type") == "chat":
        return f"chat:{scope.get('chat_id')}"
    return str(scope.get("type", "default"))


class CommandMenu(Chats):
    """setMyCommands, getMyCommands, deleteMyCommands."""

    def __init__(self, **chats: Any) -> None:
        super().__init__(**chats)
        # Menus by (scope, language code); "" is the menu for every language.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def menu_for(self, user_id: int) -> list[dict[str, Any]]:
        """The command menu this user's app shows, resolved as Telegram does: the chat's own
        scope, then all private chats, then the default; each in the user's app language
        first, then without a language."""
        language = str(self.users.get(user_id, {}).get("language_code", ""))[:2]
        for scope in (f"chat:{user_id}", "all_private_chats", "default"):
            for code in (language, ""):
                if (scope, code) in self.commands:
                    return self.commands[(scope, code)]
        return []

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[str]:
        return [c["command"] for c in self.commands.get((scope, language_code), [])]

    async def api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = bot_commands(params)
        language = language_code(params)
        self.commands[(_scope_key(params), language)] = commands
        return True

    async def api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get((_scope_key(params), str(params.get("language_code", ""))), [])

    async def api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((_scope_key(params), str(params.get("language_code", ""))), None)
        return True
