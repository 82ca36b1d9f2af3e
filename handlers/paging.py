"""Lists that grow with data, a page at a time: the Telegram side of `bot.pages`.

A list is rendered whole from the data on every press and cut into pages that fit Telegram's
4096 characters; the "More ›" and "‹ Previous" buttons carry the list's kind, what it is
about and the page number (`PageCb`), so no state is kept between presses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.types import CallbackQuery, InlineKeyboardButton

from bot.i18n import Translator
from bot.pages import Page, fits_telegram, join, paginate, pick, telegram_length, text_pages
from handlers.callbacks import ListKind, PageCb
from handlers.keyboards import button

# Measured with the longest footer a page could have: real ones are never longer.
_WIDEST_PAGE = 99999


def footer(t: Translator, page: Page) -> str:
    """ "Page 2 of 5" under a list of more than one page."""
    if page.count < 2:
        return ""
    return t.gettext(
        "Page {page} of {pages}", page=t.number(page.number + 1), pages=t.number(page.count)
    )


@dataclass(frozen=True)
class Shown:
    """A page of a list, ready to show: its text, its ‹ › buttons, and whether the page asked
    for had to be replaced by the nearest one."""

    text: str
    nav: list[InlineKeyboardButton]
    page: Page
    moved: bool


def page_of(
    t: Translator,
    kind: ListKind,
    ref: int,
    header: str,
    rows: Sequence[str],
    number: int,
    *,
    max_rows: int | None = None,
) -> Shown:
    """Page `number` of `rows` under `header`, with its footer and buttons."""
    widest = Page((), _WIDEST_PAGE - 1, _WIDEST_PAGE, 0)
    pages = text_pages(header, rows, footer(t, widest), fits_telegram(), max_rows=max_rows)
    page, moved = pick(pages, number)
    return Shown(join(header, page.rows, footer(t, page)), nav(t, kind, ref, page), page, moved)


def nav(t: Translator, kind: ListKind, ref: int, page: Page) -> list[InlineKeyboardButton]:
    """The ‹ Previous and More › buttons of `page`, where there is such a page."""
    buttons = []
    if page.has_previous:
        buttons.append(
            button(t.gettext("‹ Previous"), PageCb(kind=kind, ref=ref, page=page.number - 1))
        )
    if page.has_next:
        buttons.append(
            button(t.gettext("More ›"), PageCb(kind=kind, ref=ref, page=page.number + 1))
        )
    return buttons


def button_pages(count: int, per_page: int) -> list[Page]:
    """`count` buttons (rows of a keyboard rather than of a text) in pages of `per_page`, so
    that a keyboard stays under Telegram's 100 buttons; rows are the buttons' indexes."""
    return paginate([str(n) for n in range(count)], lambda _chunk: True, max_rows=per_page)


def names_within(t: Translator, names: Sequence[str], budget: int, sep: str = ", ") -> str:
    """`names` joined, as many as fit in `budget` characters (as Telegram counts), and
    "…and 3 more" for the rest: a line that names people or networks without a bound (the
    whole list is on a paged screen or in a file)."""
    shown: list[str] = []
    for n, name in enumerate(names):
        rest = len(names) - n - 1
        tail = (sep + _more(t, rest)) if rest else ""
        if telegram_length(sep.join([*shown, name]) + tail) > budget:
            break
        shown.append(name)
    rest = len(names) - len(shown)
    return sep.join([*shown, _more(t, rest)] if rest else shown)


def _more(t: Translator, n: int) -> str:
    return t.ngettext("…and {n} more", "…and {n} more", n)


async def answer(query: CallbackQuery, t: Translator, shown: Shown) -> None:
    """Answer the press; a page that no longer exists is said so, not shown silently."""
    if shown.moved:
        await query.answer(
            t.gettext("That page is gone: the list has changed. Here is the nearest one."),
            show_alert=True,
        )
    else:
        await query.answer()
