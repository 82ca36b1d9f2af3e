"""`naboskap report`: the monthly report written as HTML (in the language asked for), as PDF
through Chromium, or as CSV; and every mistake refused in one line."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import Result

from bot.config import PROJECT_ROOT
from bot.services.insight.exports import REPORT_FIELDS
from bot.services.insight.figures import FigureKey
from db.session import create_engine, create_sessionmaker
from tests.support.insight_report import Page, Seeded, seed_november
from tests.support.insight_town import NOW, OSLO, Town

CHROMIUM = Path("/usr/bin/chromium")


def _seed(database_url: str) -> Seeded:
    """November 2026 in the test's database, written outside the command's own event loop."""

    async def go() -> Seeded:
        engine = create_engine(database_url)
        try:
            return await seed_november(
                Town(create_sessionmaker(engine, now=lambda: NOW, zone=OSLO))
            )
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _refused(result: Result) -> str:
    """One line on stderr, `naboskap: …`, a non-zero exit and no traceback."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("naboskap: "), result.stderr
    return lines[0]


def test_report_writes_one_page_in_the_language_asked_for(cli, database_url, tmp_path):
    seeded = _seed(database_url)
    result = cli("report", "--month", "2026-11", "--out", "report.html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("report for 2026-11 written to report.html (")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    page = Page(html)
    assert page.root == {"lang": "nb", "dir": "ltr"}  # DEFAULT_LOCALE
    assert page.sections == [
        "key-figures",
        *(f"figure-{key.value}" for key in FigureKey),
        "about",
    ]
    assert page.images  # the charts, inline
    assert not any(name in html for name in seeded.names if len(name) > 4)
    # "no" is Bokmål as Telegram spells it; the Ukrainian report says so on the page.
    assert (
        cli("report", "--month", "2026-11", "--out", "nb.html", "--language", "no").exit_code == 0
    )
    assert Page((tmp_path / "nb.html").read_text(encoding="utf-8")).root["lang"] == "nb"
    assert (
        cli("report", "--month", "2026-11", "--out", "uk.html", "--language", "uk").exit_code == 0
    )
    assert Page((tmp_path / "uk.html").read_text(encoding="utf-8")).root["lang"] == "uk"


def test_report_csv_to_standard_output_or_a_file(cli, database_url, tmp_path):
    _seed(database_url)
    result = cli("report", "--month", "2026-11", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == ",".join(REPORT_FIELDS)
    assert {row["figure"] for row in rows} == {key.value for key in FigureKey} | {"key"}
    assert all(row["month"] == "2026-11" for row in rows)
    # Suppressed: no number, "< 5" as the report shows it; true/false and empty as `stats`.
    hidden = [row for row in rows if row["figure"] != "key" and row["value"] == ""]
    assert hidden and {row["shown"] for row in hidden} == {"< 5"}
    help_rows = [row for row in rows if row["figure"] == "help" and row["start"] == "2026-11-01"]
    assert [row["value"] for row in help_rows] == ["5", "5"]  # asked, matched
    written = cli("report", "--month", "2026-11", "--csv", "--out", "report.csv")
    assert written.exit_code == 0 and "report.csv" in written.stdout
    assert (tmp_path / "report.csv").read_text(encoding="utf-8") == result.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--month", "2026-13", "--out", "r.html"), "--month must look like 2026-11"),
        (("--month", "november", "--csv"), "--month must look like 2026-11"),
        (("--month", "2999-01", "--out", "r.html"), "2999-01 has not begun yet"),
        (("--month", "2026-11", "--csv", "--network", "nowhere"), "not found"),
        (("--month", "2026-11"), "--out is needed"),
        (("--month", "2026-11", "--csv", "--pdf"), "choose one of --csv and --pdf"),
        (("--month", "2026-11", "--csv", "--language", "xx"), "'xx' is not one of nb, en"),
    ],
)
def test_report_refuses_in_one_line(cli, args, says, tmp_path):
    assert says in _refused(cli("report", *args))
    assert not (tmp_path / "r.html").exists()


def test_report_for_one_network(cli, database_url):
    _seed(database_url)
    result = cli("report", "--month", "2026-11", "--csv", "--network", "net-1")
    assert result.exit_code == 0, result.output
    members = [
        row["series"] for row in csv.DictReader(io.StringIO(result.stdout))
        if row["figure"] == "members"
    ]  # fmt: skip
    assert set(members) == {"Sentrum"}


def test_pdf_without_chromium_says_how_to_get_it(cli, database_url, tmp_path, monkeypatch):
    from bot.services.insight import printing

    monkeypatch.setattr(printing, "BROWSERS", ("no-such-browser",))
    line = _refused(cli("report", "--month", "2026-11", "--out", "report.html", "--pdf"))
    assert "apt-get install chromium" in line and "report.html is written" in line
    assert (tmp_path / "report.html").exists() and not (tmp_path / "report.pdf").exists()


@pytest.mark.slow  # a real Chromium prints the page
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: apt-get install chromium")
def test_pdf_is_printed_by_chromium(cli, database_url, tmp_path):
    _seed(database_url)
    both = cli("report", "--month", "2026-11", "--out", "report.html", "--pdf")
    assert both.exit_code == 0, both.output
    assert "report.html and report.pdf" in both.stdout
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page") >= 3  # a page per few sections
    alone = cli("report", "--month", "2026-11", "--out", "alone.pdf", "--pdf", "--language", "ar")
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "alone.pdf").read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "alone.html").exists()


def test_the_csv_columns_are_the_documented_ones(cli):
    docs = (PROJECT_ROOT / "docs" / "insight.md").read_text(encoding="utf-8")
    section = docs.split("### `naboskap report --csv`")[1].split("###")[0]
    documented = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    header = cli("report", "--month", "2026-11", "--csv").stdout.splitlines()[0]
    assert documented == header.split(",") == list(REPORT_FIELDS)
    for command in ("stats", "reach"):
        header = cli(command, "--csv").stdout.splitlines()[0]
        assert f"`{header}`" in docs, command
