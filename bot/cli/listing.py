"""How list commands print: an aligned table for people, `--json` and `--csv` for scripts.

Rows arrive as an iterator of dicts with the same keys, in order (a query read in batches), and
go out as they come: 50 000 residents are never held in memory, and the first line appears at
once. The shapes are stable and documented in docs/cli.md:

- `--json` writes one JSON array of objects, one object per line (so a shell can also read it
  line by line after the opening `[`); dates are ISO 8601 strings, absent values null;
- `--csv` writes a header of the field names, then one row each (RFC 4180, UTF-8), with
  true/false and empty cells as JSON has true/false and null;
- the table shows at most the first `TABLE_ROWS` rows, then how many more and the flag that
  gives them all: a terminal is not a file.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TextIO

import click

TABLE_ROWS = 200  # a table longer than a few screens is for a file: --csv or --json


def output_options(function: Any) -> Any:
    """`--json` and `--csv` for a list command (`format_of` reads them)."""
    function = click.option("--csv", "as_csv", is_flag=True, help="CSV, for a spreadsheet.")(
        function
    )
    return click.option("--json", "as_json", is_flag=True, help="JSON, for scripts.")(function)


def format_of(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    return "json" if as_json else "csv" if as_csv else "table"


def plain(value: Any) -> Any:
    """A value as JSON and CSV carry it: dates in ISO 8601, enums by value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


BATCH = 1000  # rows a list command reads a query at a time: few round trips, little memory


class _Writer:
    """One output form, written a row at a time: `emit` feeds it from an iterator,
    `emit_batches` from batches read on the event loop."""

    def __init__(self, fields: Sequence[str], out: TextIO, empty: str) -> None:
        self.fields, self.out, self.empty = fields, out, empty
        self.count = 0

    def row(self, row: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def finish(self) -> int:
        return self.count


class _Json(_Writer):
    def row(self, row: Mapping[str, Any]) -> None:
        item = {name: plain(row.get(name)) for name in self.fields}
        self.out.write(("[\n" if self.count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        self.count += 1

    def finish(self) -> int:
        self.out.write("\n]\n" if self.count else "[]\n")
        return self.count


class _Csv(_Writer):
    def __init__(self, fields: Sequence[str], out: TextIO, empty: str) -> None:
        super().__init__(fields, out, empty)
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow(fields)

    def row(self, row: Mapping[str, Any]) -> None:
        self.writer.writerow([_csv_cell(row.get(name)) for name in self.fields])
        self.count += 1


class _Table(_Writer):
    """The first `TABLE_ROWS` rows, aligned once they are all in; the rest only counted."""

    def __init__(self, fields: Sequence[str], out: TextIO, empty: str) -> None:
        super().__init__(fields, out, empty)
        self.shown: list[list[str]] = []

    def row(self, row: Mapping[str, Any]) -> None:
        if len(self.shown) < TABLE_ROWS:
            self.shown.append([_cell(row.get(name)) for name in self.fields])
        self.count += 1

    def finish(self) -> int:
        if not self.shown:
            self.out.write(self.empty + "\n")
            return 0
        widths = [
            max(len(name), *(len(line[i]) for line in self.shown))
            for i, name in enumerate(self.fields)
        ]
        for line in [list(self.fields), *self.shown]:
            cells = (c.ljust(w) for c, w in zip(line, widths, strict=True))
            self.out.write("  ".join(cells).rstrip() + "\n")
        if (more := self.count - len(self.shown)) > 0:
            self.out.write(f"… and {more} more: use --csv or --json for all of them\n")
        return self.count


_FORMS: dict[str, type[_Writer]] = {"json": _Json, "csv": _Csv, "table": _Table}


def emit(
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    form: str,
    *,
    out: TextIO | None = None,
    empty: str = "nothing to list",
) -> int:
    """Write `rows` (only `fields`, in that order) as `form` ("table", "json" or "csv"), as
    they come; the number of rows written."""
    writer = _FORMS[form](fields, out or sys.stdout, empty)
    for row in rows:
        writer.row(row)
    return writer.finish()


async def emit_batches(
    batches: AsyncIterator[Sequence[Mapping[str, Any]]],
    fields: Sequence[str],
    form: str,
    *,
    out: TextIO | None = None,
    empty: str = "nothing to list",
) -> int:
    """`emit` for rows read from the database a batch at a time (`BATCH`): each batch is
    written before the next is read, so one batch is in memory however long the list. The
    writes block the command's loop while a pipe is full, which only makes the next read wait:
    a command has nothing else to do."""
    writer = _FORMS[form](fields, out or sys.stdout, empty)
    async for batch in batches:
        for row in batch:
            writer.row(row)
    return writer.finish()


def _csv_cell(value: Any) -> Any:
    """As JSON writes them: true/false (not Python's True/False), and nothing for null."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())
