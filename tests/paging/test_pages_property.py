"""The pager, fed hundreds of maximum-length names in every shipped language's script: every
Telegram page fits 4096 (as Telegram counts), every caption 1024, every SMS its two segments,
and the pages together hold every row, in order, exactly once."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import SHIPPED_LOCALES, Catalogs
from bot.pages import TELEGRAM_CAPTION, caption, join, telegram_length, text_pages
from bot.services.networks import NAME_MAX
from bot.services.sms_replies import sms_pages
from bot.sms_segments import count
from bot.sms_texts import plain
from handlers.callbacks import ListKind
from handlers.paging import page_of
from handlers.replies import quote

# Latin with diacritics (nb, pl, lt, so), Cyrillic, Arabic, Ge'ez, Dari, and emoji.
ALPHABETS = [
    "aæøåÆØÅąęłńśźżĄĘŁėįųūž",
    "Somali Xamar Cabdi",
    "ЄЇієїґЖжЩщПривіт",
    "مرحباعربيةشبكة",
    "ሀሁሂሃሄህሆሰላምትግርኛ",
    "دریفارسیپژگچ",
    "😀🙂🎉👩‍👩‍👧🇳🇴",
    "<>&\"'",  # what HTML escapes
]
TELEGRAM_NAME = 64  # a Telegram first_name is at most 64 characters

name = st.sampled_from(ALPHABETS).flatmap(
    lambda letters: st.text(alphabet=letters, min_size=1, max_size=TELEGRAM_NAME)
)
long_name = st.sampled_from(ALPHABETS).map(lambda letters: (letters * 64)[:NAME_MAX])
names = st.lists(st.one_of(long_name, name), min_size=0, max_size=400)
locale = st.sampled_from(SHIPPED_LOCALES)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(Path(__file__).resolve().parents[2] / "locales", "nb")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=names, code=locale)
def test_every_telegram_page_fits_and_holds_every_row(catalogs, names, code):
    """Who's coming, members, reach: rows of names under a translated header, every page."""
    t = catalogs.translator(code)
    header = "<b>" + t.gettext("Who's coming to {event}", event=quote("ሀ" * 120)) + "</b>"
    rows = [f"✅ {quote(n)}" for n in names]
    first = page_of(t, ListKind.WHO, 2**31, header, rows, 0)
    count_ = first.page.count
    shown = []
    for number in range(count_):
        page = page_of(t, ListKind.WHO, 2**31, header, rows, number)
        assert not page.moved
        assert telegram_length(page.text) <= 4096
        for button in page.nav:
            assert len(str(button.callback_data).encode()) <= 64
        shown += page.page.rows
    assert shown == (rows or [])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=names, code=locale)
def test_every_sms_part_fits_two_segments_and_holds_every_row(catalogs, names, code):
    """NETWORKS, JOIN, LEAVE, EVENTS and "in which network?" by SMS: numbered rows."""
    t = catalogs.translator(code)
    header = t.gettext("Reply with a number to join:")
    more = t.gettext("Reply {more} for the rest.", more="MORE")
    rows = [f"{n} {name_}" for n, name_ in enumerate(names, 1)]
    pages = sms_pages(header, rows, more)
    for page in pages:
        text = join(header if page.number == 0 else "", page.rows, more if page.has_next else "")
        assert count(plain(text)).segments <= 2
    joined = [row for page in pages for row in page.rows]
    # A row longer than a reply is split into pieces, never dropped: its words all arrive.
    assert "".join("".join(joined).split()) == "".join("".join(rows).split())


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=0, max_size=3000))
def test_a_caption_fits_1024(text):
    cut = caption(quote(text))
    assert telegram_length(cut) <= TELEGRAM_CAPTION
    if telegram_length(quote(text)) <= TELEGRAM_CAPTION:
        assert cut == quote(text)
    else:
        assert html.unescape(cut).rstrip("…").strip() in text


@given(row=st.text(min_size=1, max_size=40).map(lambda s: s * (9000 // len(s))))
@settings(max_examples=20, deadline=None)
def test_a_row_longer_than_a_page_is_split_never_dropped(row):
    pages = text_pages("<b>H</b>", [quote(row), "last"], "", lambda s: telegram_length(s) <= 4096)
    assert all(telegram_length(join("<b>H</b>", p.rows)) <= 4096 for p in pages)
    pieces = [html.unescape(r) for p in pages for r in p.rows]
    assert pieces[-1] == "last"
    assert "".join("".join(pieces[:-1]).split()) == "".join(row.split())
