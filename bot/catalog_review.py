"""Native review of a catalog: a sheet a reviewer can fill in a spreadsheet, and reading it back.

Our translations were written by the team, not by native speakers; a municipality that finds a
native speaker (a library's language café, an interpreter service) needs to hand them something
they can work in without knowing gettext. `naboskap i18n review LANG --out FILE` writes one row
per message (and per plural form): the English source, the current translation, where it is used
and, for a text that goes out by SMS, how many characters it may take. `naboskap i18n apply FILE`
reads the sheet back: a changed translation is checked (the same placeholders and HTML tags as
the source, the SMS length) and written into the catalog; a row that fails is reported with its
line and left as it was. Given `--reviewer`, a sheet applied without a fault marks the catalog as
reviewed in its `Last-Translator` header, which `review_status` reads for the README's table.

The sheet is CSV (UTF-8 with a byte-order mark, so that spreadsheet programs open Arabic,
Ethiopic and Cyrillic text correctly), one of the formats every spreadsheet reads and writes.
"""

from __future__ import annotations

import csv
import gettext
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.catalog_maintenance import _PLACEHOLDER, _TAG
from bot.i18n import DOMAIN, SHIPPED_LOCALES
from bot.sms_segments import count, gsm_safe
from bot.sms_texts import REPLY_SEGMENTS

COLUMNS = ("language", "key", "form", "english", "translation", "where", "sms_limit", "note")
REVIEWED = "(native review)"
# Where a message is used decides whether it can go out by SMS.
_SMS_SOURCES = re.compile(r"(^|/)(sms_[a-z_]+\.py|sms/|digest/writer\.py)")
# What a placeholder stands for when an SMS text's length is checked: typical, not longest.
_SAMPLE = "Torstrand"
# A message that may take more than a reply's two segments says so to translators in the code
# ("# Translators: by SMS, at most 3 segments."), and so in the catalog.
_SEGMENTS_NOTE = re.compile(r"at most (\d) segments")


class ReviewError(Exception):
    """The sheet cannot be read at all (no such language, not our columns)."""


@dataclass
class Applied:
    """What applying a sheet did."""

    changed: int = 0
    unchanged: int = 0
    faults: list[str] = field(default_factory=list)  # "line N: why"
    reviewed: bool = False


def catalog_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(locales_dir: Path, locale: str) -> Catalog:
    if locale not in SHIPPED_LOCALES:
        raise ReviewError(f"{locale!r} is not a shipped language ({', '.join(SHIPPED_LOCALES)})")
    with catalog_path(locales_dir, locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)


def _strings(message: Message) -> tuple[str, ...]:
    raw = message.string
    return tuple(raw) if isinstance(raw, (tuple, list)) else (raw or "",)


def _where(message: Message) -> str:
    return " ".join(f"{path}:{line}" for path, line in message.locations)


def _by_sms(message: Message) -> bool:
    return any(_SMS_SOURCES.search(path) for path, _line in message.locations)


def _segments(message: Message) -> int:
    for comment in message.auto_comments:
        found = _SEGMENTS_NOTE.search(comment)
        if found:
            return int(found.group(1))
    return REPLY_SEGMENTS


def _sms_limit(text: str, segments: int) -> int:
    """Characters `segments` SMS segments hold for a text like this one: GSM 7-bit if it can
    be sent so, else UCS-2."""
    return segments * (153 if count(gsm_safe(text)).encoding == "gsm7" else 67)


def _form_names(catalog: Catalog) -> list[str]:
    """Each plural form with the first numbers that take it ("form 1: 2, 3, 4")."""
    chooser = gettext.c2py(catalog.plural_expr)
    examples: list[list[int]] = [[] for _ in range(catalog.num_plurals)]
    for n in range(0, 200):
        form = chooser(n)
        if len(examples[form]) < 3:
            examples[form].append(n)
    return [f"form {i}: {', '.join(map(str, e))}" for i, e in enumerate(examples)]


def write_sheet(locales_dir: Path, locale: str, out: Path) -> int:
    """The review sheet of `locale`'s catalog at `out`; returns the number of rows."""
    catalog = _read(locales_dir, locale)
    forms = _form_names(catalog)
    rows = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for message in catalog:
            if not message.id:
                continue
            ids, strings = _ids(message), _strings(message)
            plural = len(ids) > 1
            for index, string in enumerate(strings):
                english = ids[min(index, 1)] if plural else ids[0]
                limit = (
                    _sms_limit(string or english, _segments(message)) if _by_sms(message) else ""
                )
                note = " ".join(message.auto_comments)
                form = forms[index] if plural else ""
                writer.writerow(
                    (locale, ids[0], form, english, string, _where(message), limit, note)
                )
                rows += 1
    return rows


def _fault(source: str, translation: str, plural: bool, segments: int | None) -> str | None:
    """Why `translation` cannot stand for `source`, or None."""
    if not translation.strip():
        return "the translation is empty"
    wanted, got = set(_PLACEHOLDER.findall(source)), set(_PLACEHOLDER.findall(translation))
    if plural:
        wanted.add("{n}")
    if got - wanted:
        return (
            f"unknown placeholder(s) {', '.join(sorted(got - wanted))}: keep those of the English"
        )
    missing = wanted - got - ({"{n}"} if plural else set())
    if missing:
        return f"placeholder(s) {', '.join(sorted(missing))} missing: keep those of the English"
    if sorted(_TAG.findall(source)) != sorted(_TAG.findall(translation)):
        return "the HTML tags (<b>, <i>, ...) differ from the English"
    if segments is not None:
        sample = _PLACEHOLDER.sub(_SAMPLE, translation)
        if count(gsm_safe(sample)).segments > segments:
            return f"too long for SMS: at most {_sms_limit(sample, segments)} characters"
    return None


def apply_sheet(locales_dir: Path, sheet: Path, reviewer: str | None) -> tuple[str, Applied]:
    """Write the sheet's translations into its language's catalog (see the module); returns
    the language and what was done."""
    try:
        with sheet.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ReviewError(f"{sheet} cannot be read: {error}") from error
    if not rows or not set(COLUMNS) <= set(rows[0]):
        raise ReviewError(f"{sheet} is not a review sheet: it needs the columns {COLUMNS}")
    languages = {row["language"] for row in rows}
    if len(languages) != 1:
        raise ReviewError(f"{sheet} mixes languages ({', '.join(sorted(languages))})")
    locale = languages.pop()
    catalog = _read(locales_dir, locale)
    forms = _form_names(catalog)
    result = Applied()
    for line, row in enumerate(rows, start=2):  # line 1 holds the column names
        key, form, english = row.get("key") or "", row.get("form") or "", row["english"] or ""
        translation = row.get("translation") or ""
        message = next((m for m in catalog if m.id and _ids(m)[0] == key), None)
        if message is None:
            result.faults.append(f"line {line}: no such message (the code changed since)")
            continue
        ids, strings = _ids(message), list(_strings(message))
        plural = len(ids) > 1
        index = forms.index(form) if plural and form in forms else 0
        if plural and form not in forms:
            result.faults.append(f"line {line}: unknown plural form {form!r}")
            continue
        source = ids[min(index, 1)] if plural else ids[0]
        if english != source:
            result.faults.append(f"line {line}: the English changed since the sheet was made")
            continue
        segments = _segments(message) if _by_sms(message) else None
        fault = _fault(" ".join(ids), translation, plural, segments)
        if fault is not None:
            result.faults.append(f"line {line}: {fault}")
            continue
        if strings[index] == translation:
            result.unchanged += 1
            continue
        strings[index] = translation
        message.string = tuple(strings) if plural else translation
        message.flags.discard("fuzzy")
        result.changed += 1
    if reviewer and not result.faults:
        catalog.last_translator = f"{reviewer} {REVIEWED}"
        catalog.revision_date = datetime.now(UTC)
        result.reviewed = True
    if result.changed or result.reviewed:
        with catalog_path(locales_dir, locale).open("wb") as handle:
            write_po(handle, catalog, width=76)  # as pybabel writes, so files do not churn
    return locale, result


def review_status(locales_dir: Path, locale: str) -> str:
    """ "reviewed by NAME, YYYY-MM-DD" or "not yet reviewed", from the catalog's header."""
    catalog = _read(locales_dir, locale)
    translator = catalog.last_translator or ""
    if not translator.endswith(REVIEWED):
        return "not yet reviewed"
    name = translator.removesuffix(REVIEWED).strip()
    revised = catalog.revision_date
    day = revised.strftime("%Y-%m-%d") if isinstance(revised, datetime) else ""
    return f"reviewed by {name}, {day}".rstrip(", ")


def status_table(locales_dir: Path) -> str:
    """The review status of every shipped catalog as a Markdown table (the README's)."""
    from bot.i18n import NATIVE_NAMES

    lines = ["| Language | Review |", "| --- | --- |"]
    for locale in SHIPPED_LOCALES:
        status = "source language" if locale == "en" else review_status(locales_dir, locale)
        lines.append(f"| {NATIVE_NAMES[locale]} (`{locale}`) | {status} |")
    return "\n".join(lines)
