"""What the fake server remembers: chats, their messages, and every call the bot made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Document:
    file_name: str
    content: bytes
    mime_type: str


@dataclass
class Photo:
    """An uploaded picture as Telegram keeps it: its bytes and its size in pixels."""

    content: bytes
    width: int
    height: int


@dataclass
class ChatMessage:
    """A message in a private chat, as the user sees it (text is after HTML parsing)."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    text: str = ""
    source: str = ""  # the text as the bot sent it, before parsing
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: Document | None = None
    photo: Photo | None = None
    edited: bool = False
    deleted: bool = False
    # Earlier texts of an edited message, oldest first (Telegram shows only the newest).
    previous: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row by row flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for b in self.buttons]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button whose text contains `label` (exact match wins)."""
        exact = [b for b in self.buttons if b["text"] == label]
        partial = [b for b in self.buttons if label in b["text"]]
        found = exact or partial
        if not found:
            raise LookupError(f"no button {label!r} in {self.button_texts!r}")
        return found[0]

    def as_api(self, bot_user: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
        """The Message object as the Bot API returns it."""
        chat = {"id": self.chat_id, "type": "private"}
        if user:
            chat.update({k: user[k] for k in ("first_name", "username") if k in user})
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": chat,
            "from": bot_user if self.from_bot else user,
        }
        if self.photo is not None:
            message["photo"] = [
                {
                    "file_id": f"photo-{self.chat_id}-{self.message_id}",
                    "file_unique_id": f"p{self.chat_id}{self.message_id}",
                    "width": self.photo.width,
                    "height": self.photo.height,
                    "file_size": len(self.photo.content),
                }
            ]
            if self.text:
                message["caption"] = self.text
                if self.entities:
                    message["caption_entities"] = self.entities
        elif self.document is not None:
            message["document"] = {
                "file_id": f"doc-{self.chat_id}-{self.message_id}",
                "file_unique_id": f"u{self.chat_id}{self.message_id}",
                "file_name": self.document.file_name,
                "mime_type": self.document.mime_type,
                "file_size": len(self.document.content),
            }
            if self.text:
                message["caption"] = self.text
                if self.entities:
                    message["caption_entities"] = self.entities
        else:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
        if self.edited:
            message["edit_date"] = self.date
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            # Telegram returns only inline keyboards with a message; reply keyboards belong
            # to the chat's text field.
            message["reply_markup"] = self.reply_markup
        return message


@dataclass
class Call:
    """One Bot API request the bot made, and whether it succeeded."""

    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None = None
    # "request": an API request; "response": a method in the body of a webhook's response.
    via: str = "request"
