"""Keeping the gettext catalogs in step with the code, and saying when they are not ready.

`naboskap i18n update` runs extract -> update (or init) -> compile for every shipped language;
`catalog_problems` is the check the test suite runs, and the pre-commit hook runs it too:

    python -m bot.catalog_maintenance --check locales
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, SHIPPED_LOCALES

PROJECT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "handlers")
SOURCE_LOCALE = "en"
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[!:][^}]*)?\}")
_TAG = re.compile(r"</?[a-z][a-z-]*[^>]*>")


def _fill_source_language(po: Path) -> None:
    """The messages are written in English, so the English catalog is the messages themselves;
    filling it here spares a translator a copy-paste step and keeps it complete."""
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=SOURCE_LOCALE)
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings) or message.fuzzy:
            # Plural entries: English has two forms, exactly the singular and plural msgids.
            message.string = (
                tuple(message.id) if isinstance(message.id, (tuple, list)) else message.id
            )
            message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)  # as pybabel writes, so files do not churn


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def update_catalogs(locales_dir: Path) -> list[str]:
    """Extract, merge into every language's catalog, compile; returns what is not ready."""
    locales_dir = locales_dir.resolve()
    template = locales_dir / f"{DOMAIN}.pot"
    # Run from the project root so that source references in the catalogs are relative.
    with contextlib.chdir(PROJECT):
        _pybabel(
            "extract",
            "--project=Naboskap",
            "--copyright-holder=Naboskap contributors",
            "--add-comments=Translators:",
            "--sort-by-file",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-o",
            str(template),
            *SOURCES,
        )
    for locale in SHIPPED_LOCALES:
        po = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            _pybabel("update", "-i", str(template), "-o", str(po), "-l", locale, "--previous")
        else:
            _pybabel("init", "-i", str(template), "-o", str(po), "-l", locale)
    _fill_source_language(locales_dir / SOURCE_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po")
    _pybabel("compile", "-d", str(locales_dir), "-D", DOMAIN, "--statistics")
    return catalog_problems(locales_dir)


def catalog_problems(locales_dir: Path) -> list[str]:
    """Every untranslated, fuzzy, placeholder- or markup-mismatched entry, per language."""
    problems: list[str] = []
    for locale in SHIPPED_LOCALES:
        path = locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.exists():
            problems.append(f"{locale}: no catalog at {path}")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if not message.id:
                continue
            ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)
            raw = message.string
            strings = tuple(raw) if isinstance(raw, (tuple, list)) else (raw or "",)
            label = f"{locale}: {ids[0][:60]!r}"
            if not all(strings):
                problems.append(f"{label} is untranslated")
                continue
            if message.fuzzy:
                problems.append(f"{label} is fuzzy")
            if len(ids) > 1 and len(strings) != catalog.num_plurals:
                problems.append(
                    f"{label} has {len(strings)} plural forms, needs {catalog.num_plurals}"
                )
            wanted = set(_PLACEHOLDER.findall(" ".join(ids)))
            wanted_tags = sorted(_TAG.findall(ids[0]))
            for string in strings:
                got = set(_PLACEHOLDER.findall(string))
                # A plural form may leave out {n} ("one" in Arabic is a word), nothing else.
                if got - wanted or (wanted - got) - ({"{n}"} if len(ids) > 1 else set()):
                    problems.append(f"{label} placeholders {sorted(got)} != {sorted(wanted)}")
                    break
                if sorted(_TAG.findall(string)) != wanted_tags:
                    problems.append(f"{label} HTML tags differ")
                    break
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """`--check LOCALES_DIR`: print every problem `catalog_problems` finds; 1 if there is one."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.catalog_maintenance",
        description="Report gettext catalogs that are not ready to ship.",
    )
    parser.add_argument(
        "--check",
        metavar="LOCALES_DIR",
        type=Path,
        required=True,
        help="the catalogs to check, e.g. locales",
    )
    args = parser.parse_args(argv)
    problems = catalog_problems(args.check)
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} catalog problem(s): translate them, or run `make i18n` "
            "after changing messages in the code",
            file=sys.stderr,
        )
        return 1
    print(f"{len(SHIPPED_LOCALES)} catalogs complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
