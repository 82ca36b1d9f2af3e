"""How list commands print: an aligned table for people, `--json` and `--csv` for scripts.

Rows arrive as an iterator of dicts with the same keys, in order (a query read in batches), and
go out as they come: 50 000 residents are never held in memory, and the first line appears at
once. The shapes are stable and documented in docs/cli.md:

- `--json` writes one JSON array of objects, one object per line (so a shell can also read it
  line by line after the opening `[`); dates are ISO 8601 strings, absent values null;
- `--csv` writes a header of the field names, then one row each (RFC 4180, UTF-8);
- the table shows at most the first `TABLE_ROWS` rows, then how many more and the flag that
  gives them all: a terminal is not a file.
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    out = out or sys.stdout
    if form == "json":
        return _json(rows, fields, out)
    if form == "csv":
        return _csv(rows, fields, out)
    return _table(iter(rows), fields, out, empty)


def _json(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], out: TextIO) -> int:
    count = 0
    out.write("[")
    for row in rows:
        item = {name: plain(row.get(name)) for name in fields}
        out.write(("\n" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _csv(rows: Iterable[Mapping[str, Any]], fields: Sequence[str], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow(["" if (v := plain(row.get(name))) is None else v for name in fields])
        count += 1
    return count


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _table(
    rows: Iterator[Mapping[str, Any]], fields: Sequence[str], out: TextIO, empty: str
) -> int:
    first = itertools.islice(rows, TABLE_ROWS)
    shown = [[_cell(row.get(name)) for name in fields] for row in first]
    if not shown:
        out.write(empty + "\n")
        return 0
    widths = [max(len(name), *(len(line[i]) for line in shown)) for i, name in enumerate(fields)]
    out.write("  ".join(n.ljust(w) for n, w in zip(fields, widths, strict=True)).rstrip() + "\n")
    for line in shown:
        out.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n")
    more = sum(1 for _ in rows)
    if more:
        out.write(f"… and {more} more: use --csv or --json for all of them\n")
    return len(shown) + more
