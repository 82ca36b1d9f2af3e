"""A native review without gettext: `naboskap i18n review` writes a sheet, `naboskap i18n apply`
reads it back with every changed translation checked, and the README's table says which
catalogs are reviewed."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from bot.catalog_maintenance import PROJECT
from bot.catalog_review import COLUMNS, status_table
from bot.i18n import Catalogs

PRIVACY = (
    "{municipality} keeps your number, language, networks and what you send us, to run "
    "Naboskap. {stop} stops SMS, {delete} deletes it all. Reply 1 to accept."
)


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "locales"
    shutil.copytree(PROJECT / "locales", copy)
    monkeypatch.setenv("LOCALES_DIR", str(copy))
    return copy


def _rows(sheet: Path) -> list[dict[str, str]]:
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(sheet: Path, rows: list[dict[str, str]]) -> None:
    with sheet.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _row(rows: list[dict[str, str]], key: str, form: str = "") -> dict[str, str]:
    return next(r for r in rows if r["key"] == key and (not form or r["form"].startswith(form)))


def test_the_sheet_has_a_row_per_message_and_plural_form(cli, locales: Path, tmp_path: Path):
    sheet = tmp_path / "uk.csv"
    result = cli("i18n", "review", "uk", "--out", str(sheet))
    assert result.exit_code == 0, result.output
    rows = _rows(sheet)
    assert f"{len(rows)} rows for uk" in result.output
    assert list(rows[0]) == list(COLUMNS)
    # Ukrainian has three plural forms, each with the numbers that take it.
    forms = [r["form"] for r in rows if r["key"] == "{n} new member"]
    assert forms == ["form 0: 1, 21, 31", "form 1: 2, 3, 4", "form 2: 0, 5, 6"]
    language = _row(rows, "Language changed.")
    assert language["translation"] == Catalogs(locales).translator("uk").gettext(
        "Language changed."
    )
    assert "bot/channels/sms/" in language["where"] and language["sms_limit"] == "134"
    privacy = _row(rows, PRIVACY)
    assert privacy["sms_limit"] == "201"  # three UCS-2 segments, as the code's note allows
    assert "at most 3 segments" in privacy["note"]
    assert _row(rows, "« Menu")["sms_limit"] == ""  # a Telegram button, not SMS


def test_a_reviewed_sheet_is_applied_and_the_bot_speaks_it(cli, locales: Path, tmp_path: Path):
    sheet = tmp_path / "uk.csv"
    cli("i18n", "review", "uk", "--out", str(sheet))
    rows = _rows(sheet)
    _row(rows, "Language changed.")["translation"] = "Мову змінено!"
    _row(rows, "{n} new member", "form 1")["translation"] = "{n} нових учасники"
    _write(sheet, rows)
    result = cli("i18n", "apply", str(sheet), "--reviewer", "Olena Kovalenko")
    assert result.exit_code == 0, result.output
    assert "uk: 2 translations changed" in result.output and "marked as reviewed" in result.output
    t = Catalogs(locales).translator("uk")
    assert t.gettext("Language changed.") == "Мову змінено!"
    assert t.ngettext("{n} new member", "{n} new members", 3) == "3 нових учасники"
    status = cli("i18n", "status").output
    assert re.search(
        r"\| Українська \(`uk`\) \| reviewed by Olena Kovalenko, \d{4}-\d\d-\d\d \|", status
    )
    assert "| Polski (`pl`) | not yet reviewed |" in status


def test_a_faulty_row_is_named_and_left_as_it_was(cli, locales: Path, tmp_path: Path):
    sheet = tmp_path / "uk.csv"
    cli("i18n", "review", "uk", "--out", str(sheet))
    rows = _rows(sheet)
    before = Catalogs(locales).translator("uk")
    faults = {
        "Please reply with a number from 1 to {last}.": "Надішліть число від 1 до {останнє}.",
        "You left {network}.": "Ви вийшли.",
        "Language changed.": "",
        "Thank you! Your answer to {event} is saved.": "Дякуємо! " * 20 + "{event}",
    }
    lines = {}
    for key, text in faults.items():
        row = _row(rows, key)
        row["translation"] = text
        lines[key] = rows.index(row) + 2
    _row(rows, "Sent.")["translation"] = "Надіслано!"  # a good one goes in all the same
    _write(sheet, rows)
    result = cli("i18n", "apply", str(sheet), "--reviewer", "Olena")
    assert result.exit_code == 1
    out = result.output
    numbered = lines["Please reply with a number from 1 to {last}."]
    assert f"line {numbered}: placeholder(s) {{last}} missing" in out
    assert f"line {lines['You left {network}.']}: placeholder(s) {{network}} missing" in out
    assert f"line {lines['Language changed.']}: the translation is empty" in out
    assert f"line {lines['Thank you! Your answer to {event} is saved.']}: too long for SMS" in out
    assert "1 translations changed" in out and "4 rows not applied" in out
    assert "marked as reviewed" not in out and "Traceback" not in out
    after = Catalogs(locales).translator("uk")
    assert after.gettext("Sent.") == "Надіслано!"
    assert after.gettext("Language changed.") == before.gettext("Language changed.")
    assert "not yet reviewed" in cli("i18n", "status").output.split("`uk`")[1].split("\n")[0]


def test_what_is_not_a_sheet_is_refused_in_one_line(cli, locales: Path, tmp_path: Path):
    unknown = cli("i18n", "review", "xx", "--out", str(tmp_path / "xx.csv"))
    assert unknown.exit_code != 0 and "'xx' is not a shipped language" in unknown.output
    other = tmp_path / "other.csv"
    other.write_text("name,phone\nKari,123\n", encoding="utf-8")
    refused = cli("i18n", "apply", str(other))
    assert refused.exit_code != 0 and "is not a review sheet" in refused.output
    assert len(refused.output.strip().splitlines()) == 1


def test_the_readme_shows_each_catalogs_review_status():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert status_table(PROJECT / "locales") in readme
