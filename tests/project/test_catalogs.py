"""Every shipped language is complete: no untranslated, fuzzy or mismatched entry, and the
plural forms follow each language's own rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.catalog_maintenance import PROJECT, catalog_problems
from bot.i18n import SHIPPED_LOCALES, Catalogs

LOCALES = PROJECT / "locales"


def test_no_catalog_has_gaps():
    problems = catalog_problems(LOCALES)
    assert problems == [], "\n".join(problems[:30])


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_plural_forms_match_babel(locale):
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    assert catalog.num_plurals == get_plural(locale).num_plurals
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id


def test_every_message_in_the_code_is_in_every_catalog(tmp_path: Path):
    """A fresh extraction finds nothing that the catalogs lack."""
    from babel.messages.frontend import CommandLineInterface

    template = tmp_path / "messages.pot"
    import contextlib

    with contextlib.chdir(PROJECT):
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-k",
                "gettext",
                "-k",
                "ngettext:1,2",
                "-o",
                str(template),
                "bot",
                "handlers",
            ]
        )
    with template.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for locale in SHIPPED_LOCALES:
        with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        assert wanted <= have, (
            f"{locale} lacks {sorted(wanted - have)[:5]}: run `naboskap i18n update`"
        )


def test_plurals_render_with_numbers_in_the_locale():
    catalogs = Catalogs(LOCALES)
    uk = catalogs.translator("uk")
    forms = {uk.ngettext("{n} member", "{n} members", n) for n in (1, 3, 5)}
    assert len(forms) == 3
    ar = catalogs.translator("ar")
    assert len({ar.ngettext("{n} member", "{n} members", n) for n in (0, 1, 2, 3, 11, 100)}) == 6
    assert (
        catalogs.translator("nb").ngettext("{n} member", "{n} members", 1234).startswith("1\xa0234")
    )


def test_the_locale_of_telegram_maps_to_ours():
    from bot.i18n import negotiate_locale

    assert negotiate_locale("no") == negotiate_locale("nn") == negotiate_locale("nb") == "nb"
    assert negotiate_locale("en-GB") == "en"
    assert negotiate_locale("fa") == "fa_AF"
    assert negotiate_locale("fr") is None
    assert negotiate_locale(None) is None


def test_the_pre_commit_check_passes_the_shipped_catalogs(capsys):
    from bot.catalog_maintenance import main

    assert main(["--check", str(LOCALES)]) == 0
    assert "catalogs complete" in capsys.readouterr().out


def test_the_pre_commit_check_lists_what_is_missing_and_fails(tmp_path: Path, capsys):
    from bot.catalog_maintenance import main

    assert main(["--check", str(tmp_path)]) == 1
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in listed] == list(SHIPPED_LOCALES)
    assert all("no catalog" in line for line in listed)


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_arabic_dual_forms_do_not_repeat_the_number():
    """Arabic's dual is a number in itself: "عضوان جديدان" is "two new members", and
    "2 عضوان جديدان" reads "2 two new members"."""
    import re

    dual_after_number = re.compile(r"\{n\} [^\s{]*(?:ان|ين)(?:\s|$|[.:،)»])")
    for message in _catalog("ar"):
        if message.id and isinstance(message.id, tuple):
            assert not dual_after_number.search(message.string[2]), message.string[2]
    t = Catalogs(LOCALES).translator("ar")
    assert t.ngettext("{n} new member", "{n} new members", 2) == "عضوان جديدان"
    assert "3" in t.ngettext("{n} new member", "{n} new members", 3)


def test_lithuanian_asks_for_another_choice_in_the_accusative():
    t = Catalogs(LOCALES).translator("lt")
    assert t.gettext("That is already taken. Please choose another.").endswith("ką nors kitą.")
