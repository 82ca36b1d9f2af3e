"""One pager for every list that grows with data: rendered rows cut into pages at row
boundaries, so that a page (its header, rows and footer) fits a limit — Telegram's 4096
characters for a message, 1024 for a caption, or a number of SMS segments.

Pages are measured, not counted: ten long Ge'ez names take more room than ten short Latin
ones. A row too long for a page of its own is split into pieces, never dropped. The pager
knows nothing of Telegram or SMS; it takes a `fits` test for one page, and the two measures
the channels need are here too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TELEGRAM_TEXT = 4096
TELEGRAM_CAPTION = 1024

_TAG = re.compile(r"<[^>]+>")


def telegram_length(text: str) -> int:
    """The length Telegram counts (UTF-16 code units), taken of the HTML source rather than of
    the parsed text: tags and entities only ever shrink when parsed, so this is never less
    than what Telegram measures."""
    return len(text.encode("utf-16-le")) // 2


def fits_telegram(limit: int = TELEGRAM_TEXT) -> Callable[[str], bool]:
    """A `fits` test for a Telegram message (or, with `TELEGRAM_CAPTION`, a caption)."""
    return lambda text: telegram_length(text) <= limit


def caption(text: str) -> str:
    """A caption for a document or photo: its HTML source cut to Telegram's 1024, at a line if
    one is near, tags dropped from a cut text so that it still parses."""
    if telegram_length(text) <= TELEGRAM_CAPTION:
        return text
    plain = html.unescape(_TAG.sub("", text))

    def fits(start: str) -> bool:
        return telegram_length(html.escape(start, quote=False) + "…") <= TELEGRAM_CAPTION

    return html.escape(_longest_start(plain, fits).rstrip(), quote=False) + "…"


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, which page it is (from 0) of how many, and the index of
    its first row in the whole list (pieces of a split row each count as a row)."""

    rows: tuple[str, ...]
    number: int
    count: int
    first: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number < self.count - 1


def _joins_previous(char: str) -> bool:
    # A mark, a joiner or a variation selector belongs to the character before it: a cut in
    # front of one would leave a bare letter or half an emoji.
    return (
        unicodedata.combining(char) > 0
        or char in "\u200d\ufe0e\ufe0f"
        or ("\U0001f3fb" <= char <= "\U0001f3ff")
    )


def _longest_start(text: str, fits: Callable[[str], bool]) -> str:
    """The longest start of `text` that `fits`, ending at a space when one is near and never
    inside a cluster; at least one character (the caller checks that one fits)."""
    low, high = 1, len(text)
    while low < high:  # the cost grows with the length kept: bisect
        middle = (low + high + 1) // 2
        if fits(text[:middle]):
            low = middle
        else:
            high = middle - 1
    keep = low
    if keep < len(text):
        while keep > 1 and (_joins_previous(text[keep]) or text[keep - 1] == "\u200d"):
            keep -= 1
        space = text.rfind(" ", 0, keep)
        if space > 0 and keep - space <= 15:
            keep = space + 1
    return text[:keep]


def split_row(row: str, fits: Callable[[str], bool], html_mode: bool) -> list[str]:
    """A row too long for a page of its own, as pieces that each fit. In HTML, tags are
    dropped from the pieces (a tag cut in two would not parse) and the text is escaped
    again."""
    text = html.unescape(_TAG.sub("", row)) if html_mode else row

    def render(piece: str) -> str:
        return html.escape(piece, quote=False) if html_mode else piece

    pieces: list[str] = []
    while text:
        if not fits(render(text[:1])):
            raise ValueError("the header and footer leave no room for a row")
        piece = _longest_start(text, lambda s: fits(render(s)))
        pieces.append(render(piece.rstrip() or piece))
        text = text[len(piece) :].lstrip() if piece.strip() else text[len(piece) :]
    return pieces or [row]


def paginate(
    rows: Sequence[str],
    fits: Callable[[Sequence[str]], bool],
    *,
    max_rows: int | None = None,
    html_mode: bool = True,
) -> list[Page]:
    """`rows` in pages, in order, each as many rows as `fits` (the whole page, header and
    footer included, rendered from these rows) and at most `max_rows`. A row that does not
    fit on a page alone is split (`split_row`). An empty list is one empty page."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for row in rows:
        candidate = [*current, row]
        if fits(candidate) and (max_rows is None or len(candidate) <= max_rows):
            current = candidate
            continue
        if current:
            chunks.append(current)
            current = []
        if fits([row]):
            current = [row]
            continue
        pieces = split_row(row, lambda piece: fits([piece]), html_mode)
        chunks.extend([piece] for piece in pieces[:-1])
        current = [pieces[-1]]
    if current or not chunks:
        chunks.append(current)
    pages, first = [], 0
    for number, chunk in enumerate(chunks):
        pages.append(Page(tuple(chunk), number, len(chunks), first))
        first += len(chunk)
    return pages


def join(header: str, rows: Sequence[str], footer: str = "") -> str:
    """A page's text: the header, its rows one a line, and the footer, if any."""
    return "\n".join(part for part in (header, "\n".join(rows), footer) if part)


def text_pages(
    header: str,
    rows: Sequence[str],
    footer: str,
    fits_text: Callable[[str], bool],
    *,
    max_rows: int | None = None,
    html_mode: bool = True,
) -> list[Page]:
    """`rows` in pages that fit under `header` and over `footer` (`join`). A footer that
    changes from page to page ("page 2 of 3") is passed at its longest."""
    return paginate(
        rows,
        lambda chunk: fits_text(join(header, chunk, footer)),
        max_rows=max_rows,
        html_mode=html_mode,
    )


def pick(pages: Sequence[Page], number: int) -> tuple[Page, bool]:
    """Page `number`, or the nearest one when it does not exist (a forged button, or a list
    that has shrunk since the button was sent); the flag says whether it was moved."""
    nearest = min(max(number, 0), len(pages) - 1)
    return pages[nearest], nearest != number
