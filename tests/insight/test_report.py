"""The monthly report: one self-contained page with every section (the key figures, each
figure's explanation, chart and table), its numbers as CSV with stable columns, right to left
in Arabic and Dari, and no resident's name, phone number or words anywhere in it."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from bot.services.errors import InvalidInput
from bot.services.insight.exports import KEY, REPORT_FIELDS, report_rows
from bot.services.insight.figures import FigureKey, Insight
from bot.services.insight.privacy import shown
from bot.services.insight.report import Report, build_report, parse_month
from tests.support.insight_report import NAMES, NOVEMBER, Page, seed_november
from tests.support.insight_town import NOW
from tests.support.polls import png_size

CHROMIUM = Path("/usr/bin/chromium")


async def _report(sessions, catalogs, locale: str = "nb") -> Report:
    async with sessions() as session:
        return await build_report(
            session, catalogs.translator(locale), NOVEMBER, min_group=5, made=NOW
        )


def _png(data_uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    return base64.b64decode(data_uri[len(prefix) :])


def _figure_texts(insight: Insight) -> list[str]:
    """Every string of the figures, which is all a chart can draw."""
    found = [insight.title, insight.period_label, insight.key_period]
    for figure in insight.figures:
        found += [figure.title, figure.caption, figure.text, figure.explanation, *figure.labels]
        found += [series.name for series in figure.series]
    for key in insight.key_figures:
        found += [key.label, key.value]
    return found


async def test_the_report_holds_every_section_with_the_figures_numbers(sessions, town, catalogs):
    await seed_november(town)
    made = await _report(sessions, catalogs)
    page = Page(made.html)
    t = catalogs.translator("nb")
    assert page.root == {"lang": "nb", "dir": "ltr"}
    assert page.resources == []  # self-contained: nothing to fetch, no script
    figures = made.insight.figures
    assert [f.key for f in figures] == list(FigureKey)
    assert page.sections == [
        "key-figures",
        *(f"figure-{figure.key.value}" for figure in figures),
        "about",
    ]
    # The key figures of November, each label with its value.
    key_text = " ".join(page.text)
    assert made.insight.key_figures
    for key in made.insight.key_figures:
        assert key.label in key_text and key.value in key_text
    drawn = 0
    for figure in figures:
        section = f"figure-{figure.key.value}"
        assert page.headings[section] == figure.title
        assert figure.explanation and figure.explanation in key_text
        if figure.empty:
            assert section not in page.images
            continue
        # The chart, inline, as B draws it; and the same numbers in a table below it.
        assert png_size(_png(page.images[section])) == (1000, 600)
        drawn += 1
        header, *body = page.rows[section]
        assert header[1:] == [series.name for series in figure.series]
        assert [row[0] for row in body] == list(figure.labels)
        for index, row in enumerate(body):
            assert row[1:] == [shown(s.values[index], t, 5) for s in figure.series]
    assert drawn == made.charts >= 5  # members, notices, help, events, polls, volunteering...
    # A group under five reads "< 5" on the page (the SMS members' language, say).
    assert any("< 5" in cell for rows in page.rows.values() for row in rows for cell in row)
    assert page.headings["about"] and "5" in " ".join(page.text)


@pytest.mark.parametrize(("locale", "lang"), [("ar", "ar"), ("fa_AF", "fa-AF")])
async def test_arabic_and_dari_reports_run_right_to_left(sessions, town, catalogs, locale, lang):
    await seed_november(town)
    made = await _report(sessions, catalogs, locale)
    page = Page(made.html)
    assert page.root == {"lang": lang, "dir": "rtl"}
    assert made.insight.rtl and all(figure.rtl for figure in made.insight.figures)
    # Numbers in the reader's digits: Dari writes them with its own.
    if locale == "fa_AF":
        assert re.search("[۰-۹]", made.html)


async def test_no_name_number_or_words_of_a_resident_reach_the_report(sessions, town, catalogs):
    seeded = await seed_november(town)
    assert len(seeded.names) >= len(NAMES) and len(seeded.phones) >= 3
    for locale in ("nb", "uk", "ar"):
        made = await _report(sessions, catalogs, locale)
        t = catalogs.translator(locale)
        exported = io.StringIO()
        writer = csv.writer(exported)
        for row in report_rows(made.insight, t, NOVEMBER):
            writer.writerow(row.values())
        # The page without its pictures' bytes, the CSV, and every string a chart can draw.
        page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", made.html)
        for where in (page, exported.getvalue(), "\n".join(_figure_texts(made.insight))):
            for name in seeded.names:
                assert not re.search(rf"\b{re.escape(name)}\b", where), name
            for phone in seeded.phones:
                assert phone not in where and phone.removeprefix("+47") not in where
            for words in seeded.words:
                assert words not in where


async def test_the_csv_has_every_number_under_stable_columns(sessions, town, catalogs):
    await seed_november(town)
    made = await _report(sessions, catalogs)
    t = catalogs.translator("nb")
    rows = list(report_rows(made.insight, t, NOVEMBER))
    assert REPORT_FIELDS == ("month", "figure", "series", "label", "start", "value", "shown")
    assert all(tuple(row) == REPORT_FIELDS and row["month"] == "2026-11" for row in rows)
    for figure in made.insight.figures:
        mine = [row for row in rows if row["figure"] == figure.key.value]
        assert len(mine) == len(figure.series) * len(figure.labels)
        for series in figure.series:
            values = [row["value"] for row in mine if row["series"] == series.name]
            assert values == list(series.values)
        if figure.key is FigureKey.NOTICES:
            # Periods start on the 1st of each of the 12 months ending with November.
            starts = [row["start"] for row in mine if row["series"] == figure.series[0].name]
            assert starts[0] == date(2025, 12, 1) and starts[-1] == NOVEMBER
        if figure.key is FigureKey.LANGUAGES:
            assert all(row["start"] is None for row in mine)  # categories, not periods
    hidden = [row for row in rows if row["figure"] != KEY and row["value"] is None]
    assert hidden and all(row["shown"] == "< 5" for row in hidden)
    keys = [row for row in rows if row["figure"] == KEY]
    assert [(row["label"], row["shown"]) for row in keys] == [
        (key.label, key.value) for key in made.insight.key_figures
    ]


async def test_an_empty_month_says_so_instead_of_drawing_nothing(sessions, catalogs):
    made = await _report(sessions, catalogs, "en")
    page = Page(made.html)
    assert made.charts == 0 and page.images == {}
    text = " ".join(page.text)
    assert text.count("Nothing to show here for this period yet.") == len(FigureKey)


def test_a_month_is_year_and_month():
    assert parse_month(" 2026-11 ") == NOVEMBER
    for wrong in ("2026-13", "2026-1", "11-2026", "1999-12", "2026-11-01", ""):
        with pytest.raises(InvalidInput):
            parse_month(wrong)


@pytest.mark.slow  # a real Chromium
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: apt-get install chromium")
async def test_chromium_shows_the_report_with_its_charts(sessions, town, catalogs, tmp_path):
    async_api = pytest.importorskip("playwright.async_api", reason="pip install -e '.[test]'")
    await seed_november(town)
    made = await _report(sessions, catalogs)
    report = tmp_path / "report.html"
    report.write_text(made.html, encoding="utf-8")
    shot = tmp_path / "report.png"
    async with async_api.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900})
            # Nothing may come from the network: the page is to be read offline, as sent.
            fetched: list[str] = []
            page.on("request", lambda r: fetched.append(r.url))
            await page.goto(report.as_uri(), wait_until="load")
            pictures = await page.evaluate(
                """() => [...document.images].map((img) => ({
                    section: img.closest("section").id,
                    loaded: img.complete && img.naturalWidth > 0,
                    size: [img.naturalWidth, img.naturalHeight],
                    shown: img.getBoundingClientRect().width,
                }))"""
            )
            title = await page.title()
            await page.screenshot(path=str(shot), full_page=True)
        finally:
            await browser.close()
    assert [p["section"] for p in pictures] == [
        f"figure-{f.key.value}" for f in made.insight.figures if not f.empty
    ]
    for picture in pictures:
        assert picture["loaded"] and picture["size"] == [1000, 600]
        assert 600 < picture["shown"] <= 1000  # as wide as the column, never stretched
    assert [url for url in fetched if not url.startswith(("file:", "data:"))] == []
    assert made.insight.period_label in title
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png_size(shot.read_bytes())[1] > 2000
