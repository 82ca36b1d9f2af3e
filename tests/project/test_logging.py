"""Logs never carry a resident's data, even at DEBUG: the filter `configure_logging` puts on
its handlers drops the library records that quote SQL parameters or rows and cuts query strings
out of access log lines; and the log guard every test runs under finds what slips through."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web

from bot.logs import PersonalDataFilter, configure_logging
from tests.support.log_guard import Guard, _Handler, personal_phone, phone_forms

NUMBER = "+4791234567"


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {
            "name": name,
            "levelno": level,
            "levelname": logging.getLevelName(level),
            "msg": msg,
            "args": args,
        }
    )


def test_configure_logging_puts_the_filter_on_its_handler_and_on_others():
    # A root with no handler (as in `naboskap run`), then one an embedding set up: basicConfig
    # adds its own stream handler, and both get the filter. pytest's handlers are set aside
    # meanwhile; the log guard puts the levels back after the test.
    root = logging.getLogger()
    saved = root.handlers
    root.handlers = []
    try:
        configure_logging("DEBUG")
        root.addHandler(logging.StreamHandler())
        configure_logging("DEBUG")
        handlers = root.handlers
    finally:
        root.handlers = saved
    assert len(handlers) == 2
    assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in handlers)


def test_the_filter_drops_sql_parameters_and_rows_and_keeps_the_rest():
    keep = PersonalDataFilter().filter
    call = "functools.partial(<execute>, 'INSERT INTO residents ...', (1000, 'Kari'))"
    assert not keep(_record("aiosqlite", logging.DEBUG, "executing %s", call))
    assert not keep(_record("sqlalchemy.engine.Engine", logging.DEBUG, "Row %r", (1, "Kari")))
    # The SQL itself (its parameters hidden by hide_parameters), warnings, and our own lines.
    assert keep(_record("sqlalchemy.engine.Engine", logging.INFO, "SELECT residents.id"))
    assert keep(_record("aiosqlite", logging.WARNING, "iterdump completed unexpectedly"))
    assert keep(_record("naboskap.delivery", logging.DEBUG, "delivery %d: report %s", 1, "ok"))


async def test_an_access_log_an_operator_turns_on_shows_no_query():
    """A gateway's request carries the sender's number and the text in its query; with the
    access log on (aiohttp's default), the filter cuts the query out of the line."""
    personal_phone(NUMBER)
    guard = Guard()
    handler = _Handler(guard)  # formats as production would, through the filter
    logging.getLogger("aiohttp.access").addHandler(handler)

    async def inbound(request: web.Request) -> web.Response:
        return web.Response(text="")

    application = web.Application()
    application.router.add_get("/sms/memory/inbound", inbound)
    runner = web.AppRunner(application)  # access log on
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/sms/memory/inbound"
            params = {"from": NUMBER, "text": "Hemmelig-tekst"}
            headers = {"Referer": f"http://gateway.example/x?from={NUMBER}"}
            async with http.get(url, params=params, headers=headers) as response:
                assert response.status == 200
    finally:
        await runner.cleanup()
        logging.getLogger("aiohttp.access").removeHandler(handler)
    lines = [text for name, text in guard.records if name == "aiohttp.access"]
    assert lines, "the access log should have written a line"
    assert "/sms/memory/inbound?…" in lines[0]
    assert all("Hemmelig" not in line and "91234567" not in line for line in lines)


def test_a_phone_number_is_looked_for_in_every_spelling():
    assert phone_forms("+47 912 34 567") >= {
        "+4791234567",
        "4791234567",
        "91234567",
        "912 34 567",
        "91 23 45 67",
    }


def test_the_guard_finds_planted_values_and_ignores_ordinary_words():
    guard = Guard()
    guard.add_text("Kaffe-hemmelighet-XYZ")
    guard.add_text("Member")  # a name some test gives a user
    guard.add_phone(NUMBER)
    for ordinary in ("Per", "Ja", "1", "/start join-torstrand", "START", "hjelp"):
        guard.add_text(ordinary)
    assert "Per" not in guard.values and "START" not in guard.values
    assert "/start join-torstrand" not in guard.values
    handler = _Handler(guard)
    for record in (
        _record("naboskap", logging.INFO, "starting; Per says Ja to /start join-torstrand"),
        _record("aiogram.event", logging.INFO, "Update id=1 by bot id=1912345678"),
        _record("sqlalchemy.orm.path_registry", logging.DEBUG, "set on path Mapper[Membership]"),
        _record("naboskap.sms", logging.WARNING, "bad text %r", "Kaffe-hemmelighet-XYZ"),
        _record("naboskap.sms", logging.INFO, "to 91 23 45 67"),
    ):
        handler.handle(record)
    assert sorted(guard.leaks()) == [
        ("naboskap.sms", "91 23 45 67"),
        ("naboskap.sms", "Kaffe-hemmelighet-XYZ"),
    ]


def test_the_guard_reads_an_exception_and_its_traceback():
    guard = Guard()
    guard.add_text("Olena Secretenko")
    handler = _Handler(guard)
    try:
        raise RuntimeError("could not send to Olena Secretenko")
    except RuntimeError:
        logger = logging.getLogger("guard-self-test")
        logger.propagate = False
        logger.addHandler(handler)
        try:
            logger.exception("send failed")  # the message alone is harmless
        finally:
            logger.removeHandler(handler)
            logger.propagate = True
    assert guard.leaks() == [("guard-self-test", "Olena Secretenko")]


@pytest.mark.parametrize(("level", "updates_logged"), [("INFO", False), ("DEBUG", True)])
def test_each_handled_update_is_logged_only_when_debugging(level: str, updates_logged: bool):
    """aiogram's "Update id=… is handled" line comes for every update: not at INFO."""
    root = logging.getLogger()
    saved = root.handlers
    root.handlers = []
    try:
        configure_logging(level)
    finally:
        root.handlers = saved
    assert logging.getLogger("aiogram.event").isEnabledFor(logging.INFO) is updates_logged
    assert logging.getLogger("aiogram.event").isEnabledFor(logging.WARNING)
