"""Attachments as both Telegram senders treat them, without aiogram (`naboskap worker`'s
sender must not load it): how a rendering's attachment name becomes a file, which files go as
a photo, whether a text fits a photo's caption, and a file's caption."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable

# Resolves a rendering's attachment name (e.g. "poll-chart:12:uk") to a file name and its
# bytes (bot.services.polls.ChartFiles), or None for a name it does not know.
Attachments = Callable[[str], Awaitable[tuple[str, bytes] | None]]
# Telegram's limit for a caption, counted after HTML parsing in UTF-16 code units.
CAPTION_MAX = 1024
_TAG = re.compile(r"<[^>]+>")


def is_photo(file_name: str) -> bool:
    """A PNG or JPEG attachment is sent as a photo (shown in the chat), anything else as a
    file."""
    return file_name.lower().endswith((".png", ".jpg", ".jpeg"))


def fits_caption(text: str) -> bool:
    """Whether HTML `text` fits a photo's caption once its tags and entities are parsed."""
    return _length(_shown(text)) <= CAPTION_MAX


def file_caption(text: str) -> str:
    """HTML `text` as a file's caption: whole where it fits, else its words as plain text cut
    to fit, with "…". A file goes as one message: the text sent before it would pass the
    chat's one message a second."""
    if fits_caption(text):
        return text
    units = _shown(text).encode("utf-16-le")[: (CAPTION_MAX - 1) * 2]
    cut = units.decode("utf-16-le", errors="ignore").rstrip()
    return html.escape(cut, quote=False) + "…"


def _shown(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def _length(text: str) -> int:
    """In UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2
