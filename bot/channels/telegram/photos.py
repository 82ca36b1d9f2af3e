"""Attachments as both Telegram senders treat them, without aiogram (`naboskap worker`'s
sender must not load it): how a rendering's attachment name becomes a file, which files go as
a photo, and whether a text fits a photo's caption."""

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
    shown = html.unescape(_TAG.sub("", text))
    return len(shown.encode("utf-16-le")) // 2 <= CAPTION_MAX
