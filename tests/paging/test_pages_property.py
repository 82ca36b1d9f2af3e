"""The pager, fed hundreds of maximum-length names in every shipped language's script: every
Telegram page fits 4096 (as Telegram counts), every caption 1024, every SMS its two segments,
and the pages together hold every row, in order, exactly once. Then each of the bot's list
builders (/requests, /events, the coordinator's network card, the enrolment's networks,
/mydata), fed the same, against what the fake Bot API accepts: text, caption, buttons."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.types import InlineKeyboardMarkup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.fake_bot_api.validation import formatted, reply_markup
from bot.i18n import SHIPPED_LOCALES, Catalogs
from bot.pages import TELEGRAM_CAPTION, caption, join, telegram_length, text_pages
from bot.services.events import TITLE_MAX, EventView
from bot.services.help import DESCRIPTION_MAX as HELP_DESCRIPTION_MAX
from bot.services.help import RequestView
from bot.services.networks import DESCRIPTION_MAX as NETWORK_DESCRIPTION_MAX
from bot.services.networks import NAME_MAX, NetworkView
from bot.services.residents import MembershipRecord, ResidentRecord
from bot.services.sms_replies import sms_pages
from bot.sms_segments import count
from bot.sms_texts import plain
from db.models import Answer, EventStatus, HelpCategory, JoinPolicy, NetworkKind, RequestStatus
from handlers import enrolment, privacy
from handlers import events as event_screens
from handlers.callbacks import ListKind
from handlers.coordinator import cards as coordinator_cards
from handlers.help import requests as help_requests
from handlers.paging import names_within, page_of
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


# --- Each list builder of the bot, fed hundreds of maximum-length names ---------------------
# Every screen is checked as the fake Bot API checks what the bot sends (it counts as
# Telegram does, after parsing the HTML), plus the source length, plus 100 buttons at most.

# Unique, so that a test can tell which were named: a number ends each.
many_long = st.lists(long_name, min_size=100, max_size=400).map(
    lambda names: [name[: NAME_MAX - 4] + f"{n:04d}" for n, name in enumerate(names)]
)
WHEN = datetime(2099, 12, 3, 17, 0, tzinfo=UTC)


def sendable(text: str, keyboard: InlineKeyboardMarkup | None = None, field: str = "text") -> None:
    """`text` (and `keyboard`) as the fake Bot API would accept them, or an AssertionError."""
    limit = TELEGRAM_CAPTION if field == "caption" else 4096
    assert telegram_length(text) <= limit
    params: dict[str, object] = {field: text, "parse_mode": "HTML"}
    if keyboard is not None:
        params["reply_markup"] = keyboard.model_dump(exclude_none=True)
    formatted(params, field, limit)  # raises the 400 Telegram would answer
    reply_markup(params)
    if keyboard is not None:
        buttons = [b for row in keyboard.inline_keyboard for b in row]
        assert len(buttons) <= 100
        assert all(len(str(b.callback_data).encode()) <= 64 for b in buttons)


def _data(keyboard: InlineKeyboardMarkup | None, prefix: str) -> list[str]:
    if keyboard is None:
        return []
    return [
        str(b.callback_data)
        for row in keyboard.inline_keyboard
        for b in row
        if str(b.callback_data).startswith(prefix)
    ]


def _walk_pages(screen, first_count: int):  # type: ignore[no-untyped-def]
    """Every page of a screen: `screen(number)` -> (text, keyboard, Page)."""
    for number in range(first_count):
        yield screen(number)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=many_long, code=locale)
def test_requests_every_page_fits_and_opens_every_request(catalogs, names, code):
    t = catalogs.translator(code)
    listed = [
        RequestView(
            id=n + 1,
            network_id=1,
            network_name=name,
            category=list(HelpCategory)[n % len(HelpCategory)],
            description=(name * 10)[:HELP_DESCRIPTION_MAX],
            needed_on=None,
            status=RequestStatus.MATCHED if n % 3 == 0 else RequestStatus.OPEN,
            requester_name=name,
            helper_name=name,
            mine=n >= len(names) // 2,
            created_at=WHEN,
        )
        for n, name in enumerate(names)
    ]
    _text, _keyboard, first = help_requests.requests_screen(t, listed, 0)
    assert first is not None
    opened: list[int] = []
    for number in range(first.page.count):
        text, keyboard, shown = help_requests.requests_screen(t, listed, number)
        assert shown is not None and not shown.moved
        sendable(text, keyboard)
        opened += [int(d.split(":")[2]) for d in _data(keyboard, "hr:card:")]
    assert opened == [v.id for v in listed]
    # Each request's card, with its actions and the way back, fits too.
    for view in listed[:: max(1, len(listed) // 10)]:
        if view.mine:
            sendable(help_requests._mine_text(t, view), help_requests._mine_keyboard(t, view))
        else:
            sendable(help_requests.theirs_text(t, view), help_requests.theirs_keyboard(t, view))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=many_long, code=locale)
def test_events_every_page_fits_and_opens_every_event(catalogs, names, code):
    t = catalogs.translator(code)
    views = [
        EventView(
            id=n + 1,
            network_id=1,
            network_name=name,
            title=(name * 3)[:TITLE_MAX],
            description="",
            place="",
            starts_at=WHEN,
            ends_at=WHEN + timedelta(hours=2),
            no_norwegian_needed=False,
            locale="nb",
            status=EventStatus.PUBLISHED,
            translations={},
            counts={Answer.YES: 99999, Answer.MAYBE: 99999},
        )
        for n, name in enumerate(names)
    ]
    _text, _keyboard, first = event_screens.list_page(t, views, 0)
    assert first is not None
    opened: list[int] = []
    for number in range(first.page.count):
        text, keyboard, shown = event_screens.list_page(t, views, number)
        assert shown is not None and not shown.moved
        assert len(shown.page.rows) <= event_screens.PER_PAGE
        sendable(text, keyboard)
        opened += [int(d.split(":")[2]) for d in _data(keyboard, "ev:open:")]
    assert opened == [v.id for v in views]


def _network(n: int, name: str, description: str = "") -> NetworkView:
    return NetworkView(
        id=n + 1,
        slug=f"net-{n}",
        name=name,
        description=description,
        kind=NetworkKind.AREA,
        join_policy=JoinPolicy.INVITE,
        member_count=99999,
        my_role=None,
        archived=True,
        invite_code="ABCDEFGH",
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=many_long, code=locale)
def test_the_coordinator_card_fits_with_hundreds_of_hosts(catalogs, names, code):
    t = catalogs.translator(code)
    view = _network(0, ("ሀሁሂ" * 30)[:NAME_MAX], ("مرحبا " * 300)[:NETWORK_DESCRIPTION_MAX])
    text = coordinator_cards.card_screen(t, view, names, "n" * 32)
    sendable(t.gettext("Saved.") + "\n\n" + text)  # after an edit, the card follows "Saved."
    # The hosts it does not name are counted, so that none is lost without a word.
    named = sum(1 for name in names if quote(name) in text)
    if named < len(names):
        assert t.ngettext("…and {n} more", "…and {n} more", len(names) - named) in text


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=many_long, code=locale)
def test_enrolment_offers_every_network_in_pages_under_100_buttons(catalogs, names, code):
    t = catalogs.translator(code)
    views = [_network(n, name) for n, name in enumerate(names)]
    chosen = {v.id for v in views[::2]}
    offered: list[int] = []
    pages = -(-len(views) // enrolment.NETWORKS_PER_PAGE)
    for number in range(pages):
        text, keyboard = enrolment.networks_screen(t, views, chosen, number)
        sendable(text, keyboard)
        offered += [int(d.split(":")[2]) for d in _data(keyboard, "en:net:")]
        assert "en:next:" in "".join(_data(keyboard, "en:"))
    assert offered == [v.id for v in views]
    # The confirmation names what fits and counts the rest.
    line = names_within(t, [quote(n) for n in names], enrolment.NAMES_LINE)
    assert telegram_length(line) <= enrolment.NAMES_LINE


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=many_long, code=locale)
def test_mydata_fits_with_hundreds_of_networks_and_its_caption_1024(catalogs, names, code):
    t = catalogs.translator(code)
    record = ResidentRecord(
        resident_id=1,
        telegram_id=2**62,
        phone="+4791234567",
        first_name=("ሀሁሂ" * 30)[:TELEGRAM_NAME],
        locale=code,
        is_coordinator=True,
        privacy_accepted_at=WHEN,
        reachable=True,
        created_at=WHEN,
        memberships=[
            MembershipRecord(f"net-{n}", name, "host" if n % 2 else "member", WHEN)
            for n, name in enumerate(names)
        ],
    )
    text = privacy.record_text(t, record)
    sendable(text)
    named = sum(1 for name in names if quote(name) in text)
    assert named >= 1
    if named < len(names):
        assert t.ngettext("…and {n} more", "…and {n} more", len(names) - named) in text
    sendable(caption(t.gettext("Everything Naboskap stores about you")), field="caption")


@pytest.mark.parametrize(
    ("code", "width", "networks"),
    [("lt", 29, 80), ("ar", 38, 160), ("ar", 59, 146), ("pl", 64, 135)],
)
def test_mydata_fits_whatever_the_plural_form_of_the_rest(catalogs, code, width, networks):
    """Found cases: "…and N more" is longer in some plural forms than in others, so the record
    once came out one character over (4097) when the count of the rest changed form."""
    t = catalogs.translator(code)
    name = ("aæøåÆØÅąęłńśźżĄĘŁėįųūž" * 3)[: width - 4]
    record = ResidentRecord(
        resident_id=1,
        telegram_id=2**62,
        phone="+4791234567",
        first_name=("ሀሁሂ" * 30)[:TELEGRAM_NAME],
        locale=code,
        is_coordinator=True,
        privacy_accepted_at=WHEN,
        reachable=True,
        created_at=WHEN,
        memberships=[
            MembershipRecord(f"net-{n}", f"{name}{n:04d}", "host" if n % 2 else "member", WHEN)
            for n in range(networks)
        ],
    )
    sendable(privacy.record_text(t, record))
