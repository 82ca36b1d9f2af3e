"""What Telegram refuses in what a bot sends: text and caption lengths, HTML that does not
parse, more than 100 inline buttons, buttons without an action or with callback data over
64 bytes, and malformed command menus. Each check raises the 400 Telegram answers, worded
as Telegram words it.
"""

from __future__ import annotations

from typing import Any

from bot.fake_bot_api.errors import bad_request
from bot.fake_bot_api.html import ParseError, parse

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100  # inline buttons in one keyboard
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto's upload


def formatted(params: dict[str, Any], field: str, limit: int) -> tuple[str, list[Any]]:
    """The text of `field` ("text" or "caption") as the user sees it, and its entities."""
    source = str(params.get(field, ""))
    if params.get("parse_mode") == "HTML":
        try:
            text, entities = parse(source)
        except ParseError as error:
            raise bad_request(str(error)) from None
    else:
        text, entities = source, list(params.get("entities") or [])
    if field == "text" and not text.strip():
        raise bad_request("message text is empty")
    if len(text.encode("utf-16-le")) // 2 > limit:
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    return text, entities


def reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The request's keyboard, if any, once every inline button has text and one action."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if sum(len(row) for row in markup.get("inline_keyboard", [])) > MAX_BUTTONS:
        raise bad_request("BUTTONS_TOO_MUCH")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
            elif not {"url", "switch_inline_query", "copy_text", "web_app"} & button.keys():
                raise bad_request('can\'t find field "callback_data"')
    return markup


def callback_answer_text(params: dict[str, Any]) -> str:
    """The toast or alert text of an answer to a button press."""
    text = str(params.get("text", ""))
    if len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    return text


def bot_commands(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A command menu: 1 to 100 commands, lower-case names of up to 32 letters, digits and
    underscores, descriptions of 1 to 256 characters."""
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH" if commands else "commands must be non-empty")
    for command in commands:
        name, description = str(command.get("command", "")), str(command.get("description", ""))
        if (
            not (1 <= len(name) <= 32)
            or not name.replace("_", "").isalnum()
            or name != name.lower()
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return commands


def language_code(params: dict[str, Any]) -> str:
    """A command menu's language: empty (every language) or a two-letter code."""
    language = str(params.get("language_code", ""))
    if language and (len(language) != 2 or not language.isalpha()):
        raise bad_request("invalid language code specified")
    return language


def image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, read from its header; None for anything else."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                return None
            marker = content[index + 1]
            length = int.from_bytes(content[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(content[index + 5 : index + 7], "big")
                width = int.from_bytes(content[index + 7 : index + 9], "big")
                return width, height
            index += 2 + length
    return None
