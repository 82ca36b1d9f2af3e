"""A member flooding others is bounded (issue 11): reporting many different requests, asking
for help again and again, or writing to a match without pause is refused kindly, in their
language, with the time they can try again; the refused attempt changes nothing, the limit is
their own (a neighbour is unaffected), it passes with time, and the settings set it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.config import DAY, MINUTE, RateLimit, RateLimits, SettingsError, load_settings
from bot.i18n import Translator
from bot.services import actions, networks, rate_limits, residents
from bot.services import help as helping
from bot.services.actions import AcceptHelper, OfferHelp, WriteToMatch
from bot.services.actors import Actor
from bot.services.errors import RateLimited
from db.models import Base, HelpCategory, Notice, NoticeKind, RateEvent, RateKind
from handlers.callbacks import HelpAction, HelpCb
from tests.support.outbox import Clock, outbox_worker
from tests.support.settings import make_settings

REPORTS = "You have sent many reports in a short time."
ASKED = "You have asked for help many times in a short time."
WROTE = "You have sent many messages in a short time."


@pytest.fixture
def settings(database_url: str, fake_api):  # type: ignore[no-untyped-def]
    # Small limits, so a story shows them; "off" for help requests where a test needs many.
    return make_settings(
        database_url,
        fake_api.base_url,
        rate_limit_reports="2/day",
        rate_limit_help_requests="2/day",
        rate_limit_relay="3/minute, 5/day",
    )


async def _noon(app) -> None:  # type: ignore[no-untyped-def]
    """Move the app's clock to the next noon in Oslo: "today" and "tomorrow" in a refusal then
    do not depend on when the test runs."""
    local = app.clock.now().astimezone(app.catalogs.zone)
    noon = datetime.combine(local.date() + timedelta(days=1), time(12), tzinfo=app.catalogs.zone)
    app.clock.advance(noon - local)


def _minute_after(moment: datetime) -> datetime:
    """The refusal names the whole minute at or after the moment the limit frees up."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + MINUTE


def _refused(t: Translator, cause: str, when: str, at: datetime) -> str:
    return t.gettext(cause) + " " + t.gettext(when, time=t.format_time(_minute_after(at)))


async def _network(app, resident, *names: str):  # type: ignore[no-untyped-def]
    """Torstrand with a host (Hilde) and members called `names` (Olena in Ukrainian)."""
    async with app.sessionmaker() as session:
        await networks.create_network(session, Actor.operator(), name="Torstrand", slug="torstrand")
    host = await resident("Hilde")
    members = [
        await resident(name, "Українська", "uk") if name == "Olena" else await resident(name)
        for name in names
    ]
    for user in (host, *members):
        await user.send("/start join-torstrand")
    async with app.sessionmaker() as session:
        await networks.set_host_by_telegram_id(session, Actor.operator(), "torstrand", host.id)
    return host, *members


async def _actor(app, user) -> Actor:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, ())


async def _ask(app, asker, limits: RateLimits | None = None) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        view, _ = await helping.ask(
            session,
            await _actor(app, asker),
            app.catalogs,
            network_id=1,
            category=HelpCategory.DIGITAL,
            description="BankID på ny telefon",
            needed_on=None,
            limits=limits or app.settings.rate_limits,
        )
    return view.id


async def _rows(app, *tables: str) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        dump = {}
        for name in tables:
            table = Base.metadata.tables[name]
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            dump[name] = [tuple(row) for row in result]
        return dump


async def _times(app, user, kind: RateKind) -> list[datetime]:  # type: ignore[no-untyped-def]
    resident_id = (await _actor(app, user)).resident_id
    async with app.sessionmaker() as session:
        return list(
            await session.scalars(
                select(RateEvent.at)
                .where(RateEvent.resident_id == resident_id, RateEvent.kind == kind)
                .order_by(RateEvent.at)
            )
        )


async def test_reporting_many_requests_is_refused_kindly_until_a_day_has_passed(app, resident):
    await _noon(app)
    host, olena, kari, per = await _network(app, resident, "Olena", "Kari", "Per")
    uk, nb = app.catalogs.translator("uk"), app.catalogs.translator("nb")
    # Kari's three requests (not limited here: a test of reports).
    unlimited = RateLimits(help_requests=())
    requests = [await _ask(app, kari, unlimited) for _ in range(3)]

    def report(request_id: int) -> str:
        return HelpCb(action=HelpAction.REPORT, request_id=request_id).pack()

    for request_id in requests[:2]:
        await olena.press_data(report(request_id))
        assert olena.last_answer["text"] == uk.gettext("Thank you. The hosts will look at it.")
    tables = ("reports", "notices", "deliveries", "rate_events")
    before = await _rows(app, *tables)

    await olena.press_data(report(requests[2]))

    first = (await _times(app, olena, RateKind.REPORT))[0]
    assert olena.last_answer["text"] == _refused(
        uk, REPORTS, "You can try again tomorrow at {time}.", first + DAY
    )
    assert await _rows(app, *tables) == before  # no report, no notice to the hosts

    # The limit is Olena's: Per reports the same request, and the hosts hear of it.
    await per.press_data(report(requests[2]))
    assert per.last_answer["text"] == nb.gettext("Thank you. The hosts will look at it.")
    await outbox_worker(app, Clock(app.clock.now() + MINUTE)).drain()
    assert host.last.text == nb.gettext(
        "⚠️ A request in your network was reported. /reports shows it."
    )

    # A day after her first report she can report again.
    app.clock.advance(DAY)
    await olena.press_data(report(requests[2]))
    assert olena.last_answer["text"] == uk.gettext("Thank you. The hosts will look at it.")
    async with app.sessionmaker() as session:
        reports = await helping.reports(session, await _actor(app, host))
    assert len(reports) == 4


async def _post_by_bot(user, t: Translator, text: str) -> None:  # type: ignore[no-untyped-def]
    await user.send("/ask")
    await user.press(helping.category_label(t, HelpCategory.DIGITAL))
    await user.send(text)
    await user.press(t.gettext("Flexible"))


async def test_asking_for_help_again_and_again_is_refused_before_the_description(app, resident):
    await _noon(app)
    _host, olena, kari = await _network(app, resident, "Olena", "Kari")
    uk, nb = app.catalogs.translator("uk"), app.catalogs.translator("nb")
    for text in ("Допоможіть з BankID", "Допоможіть з Vipps"):
        await _post_by_bot(olena, uk, text)
    tables = ("help_requests", "notices", "deliveries", "rate_events")
    before = await _rows(app, *tables)

    replies = await olena.send("/ask")

    first = (await _times(app, olena, RateKind.HELP_REQUEST))[0]
    assert [r.text for r in replies] == [
        _refused(uk, ASKED, "You can try again tomorrow at {time}.", first + DAY)
    ]
    assert await _rows(app, *tables) == before
    # Kari has asked nothing: her /ask goes on as ever.
    replies = await kari.send("/ask")
    assert replies[-1].text == nb.gettext("What do you need help with?")

    app.clock.advance(DAY)
    replies = await olena.send("/ask")
    assert replies[-1].text == uk.gettext("What do you need help with?")


async def test_the_limit_holds_when_a_request_is_posted_elsewhere_meanwhile(app, resident):
    """The check that counts is at posting: Olena starts /ask with one request left, and posts
    one from elsewhere (another device, another instance of the bot) before she finishes."""
    await _noon(app)
    _host, olena = await _network(app, resident, "Olena")
    uk = app.catalogs.translator("uk")
    await _ask(app, olena)
    await olena.send("/ask")
    await olena.press(helping.category_label(uk, HelpCategory.DIGITAL))
    await olena.send("Допоможіть з BankID")
    await _ask(app, olena)
    before = await _rows(app, "help_requests", "notices", "rate_events")

    await olena.press(uk.gettext("Flexible"))

    first = (await _times(app, olena, RateKind.HELP_REQUEST))[0]
    assert olena.last.text == _refused(
        uk, ASKED, "You can try again tomorrow at {time}.", first + DAY
    )
    assert await _rows(app, "help_requests", "notices", "rate_events") == before


async def _relayed(app, user) -> int:  # type: ignore[no-untyped-def]
    resident_id = (await _actor(app, user)).resident_id
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(Notice.id).where(
                Notice.kind == NoticeKind.HELP_RELAY, Notice.author_id == resident_id
            )
        )
        return len(list(rows))


async def test_writing_to_a_match_without_pause_is_refused_until_the_window_passes(app, resident):
    await _noon(app)
    _host, olena, kari = await _network(app, resident, "Olena", "Kari")
    uk, nb = app.catalogs.translator("uk"), app.catalogs.translator("nb")
    request_id = await _ask(app, olena)
    await kari.press_data(actions.pack(OfferHelp(request_id)))
    await olena.press_data(
        actions.pack(AcceptHelper(request_id, (await _actor(app, kari)).resident_id))
    )
    await kari.press_data(actions.pack(WriteToMatch(request_id)))
    for n in range(3):
        replies = await kari.send(f"Melding {n}")
        assert replies[-1].text == nb.gettext("✓ Sent.")
    tables = ("notices", "deliveries", "rate_events")
    before = await _rows(app, *tables)

    replies = await kari.send("Melding 3")

    first = (await _times(app, kari, RateKind.RELAY))[0]
    assert replies[-1].text == _refused(nb, WROTE, "You can try again at {time}.", first + MINUTE)
    assert await _rows(app, *tables) == before
    await outbox_worker(app, Clock(app.clock.now() + MINUTE)).drain()
    assert [m.text for m in olena.messages if m.text.startswith("💬 Kari")] == [
        f"💬 Kari: Melding {n}" for n in range(3)
    ]
    # Olena's side of the same match is hers to use.
    await olena.press_data(actions.pack(WriteToMatch(request_id)))
    replies = await olena.send("Дякую!")
    assert replies[-1].text == uk.gettext("✓ Sent.")

    # A minute later Kari goes on writing, without pressing Write again; five a day is the
    # other limit, and it says tomorrow.
    app.clock.advance(MINUTE + timedelta(seconds=1))
    for n in (3, 4):
        replies = await kari.send(f"Melding {n}")
        assert replies[-1].text == nb.gettext("✓ Sent.")
    replies = await kari.send("Melding 5")
    assert replies[-1].text == _refused(
        nb, WROTE, "You can try again tomorrow at {time}.", first + DAY
    )
    assert await _relayed(app, kari) == 5

    app.clock.advance(DAY)
    replies = await kari.send("Melding 5")
    assert replies[-1].text == nb.gettext("✓ Sent.")
    assert await _relayed(app, kari) == 6


async def test_the_services_refuse_over_the_limit_whoever_calls_them(app, resident):
    _host, olena, kari = await _network(app, resident, "Olena", "Kari")
    limits = RateLimits(help_requests=(RateLimit(1, DAY),))
    await _ask(app, olena, limits)
    with pytest.raises(RateLimited) as refused:
        await _ask(app, olena, limits)
    assert refused.value.what == "help_request"
    assert refused.value.retry_at is not None
    await _ask(app, kari, limits)  # another resident's count is their own


def test_rate_limits_are_read_from_settings_and_the_environment(monkeypatch: pytest.MonkeyPatch):
    defaults = load_settings(_env_file=None).rate_limits
    assert defaults == RateLimits()
    assert defaults.reports == (RateLimit(10, DAY),)
    assert defaults.relay == (RateLimit(30, MINUTE), RateLimit(300, DAY))
    assert defaults.sms == (RateLimit(20, 10 * MINUTE),)
    monkeypatch.setenv("RATE_LIMIT_REPORTS", "3 / 12h")
    monkeypatch.setenv("RATE_LIMIT_RELAY", "10/min; 100/day")
    monkeypatch.setenv("RATE_LIMIT_SMS", "off")
    limits = load_settings(_env_file=None).rate_limits
    assert limits.reports == (RateLimit(3, timedelta(hours=12)),)
    assert limits.relay == (RateLimit(10, MINUTE), RateLimit(100, DAY))
    assert limits.sms == ()
    assert limits.help_requests == (RateLimit(5, DAY),)


@pytest.mark.parametrize("value", ["ten a day", "10", "0/day", "10/fortnight", "5/30s", "1/8d"])
def test_a_rate_limit_that_makes_no_sense_is_named(value: str):
    with pytest.raises(SettingsError, match="RATE_LIMIT_REPORTS is invalid"):
        load_settings(_env_file=None, rate_limit_reports=value)


async def test_counts_older_than_any_window_are_forgotten(app, resident):
    """A resident who stops acting leaves counts behind; the retention sweep takes them."""
    _host, olena, kari = await _network(app, resident, "Olena", "Kari")
    await _ask(app, olena)
    app.clock.advance(timedelta(days=7))
    await _ask(app, kari)
    async with app.sessionmaker() as session:
        assert await rate_limits.forget_expired(session, app.clock.now()) == 1
    assert await _times(app, olena, RateKind.HELP_REQUEST) == []
    assert len(await _times(app, kari, RateKind.HELP_REQUEST)) == 1
