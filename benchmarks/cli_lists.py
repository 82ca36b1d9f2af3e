"""The operator's list commands on a town's worth of rows: `resident list` and `event list`
over 50 000 each, as CSV, JSON and the table, with the wall time and the peak memory of each
command's process. The aim: a few seconds and flat memory (the rows stream, a batch at a time),
so the peak with 50 000 rows is close to the peak with none.

    .venv/bin/python benchmarks/cli_lists.py [--rows 50000]

It makes a migrated SQLite database in a temporary folder with `naboskap db upgrade`, fills it
with plain INSERTs (sqlite3; the seeding is not what is measured), and runs each command in a
fresh process with its output sent to /dev/null.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = "2026-01-01 00:00:00.000000"  # how SQLAlchemy stores a UTC time in SQLite


def naboskap(database: Path, *args: str) -> tuple[float, float]:
    """Wall seconds and that command's own peak RSS in MB (os.wait4 gives the one child's)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=database.parent,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"naboskap {' '.join(args)} failed ({child.returncode})")
    return wall, usage.ru_maxrss / 1024


def seed(database: Path, rows: int) -> None:
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO networks (slug, name, description, kind, join_policy, created_at) "
            "VALUES ('torstrand', 'Torstrand', '', 'area', 'open', ?)",
            (STAMP,),
        )
        db.executemany(
            "INSERT INTO residents (telegram_id, first_name, locale, is_coordinator, reachable, "
            "sms_fallback, created_at) VALUES (?, ?, ?, 0, 1, 0, ?)",
            ((100_000 + n, f"Beboer {n}", "nb", STAMP) for n in range(rows)),
        )
        db.execute(
            "INSERT INTO memberships (resident_id, network_id, role, joined_at) "
            "SELECT id, 1, 'member', ? FROM residents",
            (STAMP,),
        )
        db.executemany(
            "INSERT INTO events (network_id, uid, title, description, place, locale, starts_at, "
            "no_norwegian_needed, all_day, status, created_at, updated_at) "
            "VALUES (1, ?, ?, '', 'Torget', 'nb', ?, 0, 0, 'published', ?, ?)",
            (
                (
                    f"{n}@bench",
                    f"Arrangement {n}",
                    _start(n),
                    STAMP,
                    STAMP,
                )
                for n in range(rows)
            ),
        )


def _start(n: int) -> str:
    return f"2099-{n % 12 + 1:02d}-{n % 28 + 1:02d} {n % 24:02d}:00:00.000000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty.db"
        full = Path(folder) / "full.db"
        for database in (empty, full):
            naboskap(database, "db", "upgrade")
        seed(full, options.rows)
        _, baseline = naboskap(empty, "resident", "list", "--csv")
        print(f"naboskap list commands: {options.rows} residents and {options.rows} events")
        print(f"{'command':34} {'seconds':>8} {'peak RSS MB':>12}")
        print(f"{'resident list --csv (empty db)':34} {'':>8} {baseline:12.0f}")
        for args in (
            ("resident", "list", "--csv"),
            ("resident", "list", "--json"),
            ("resident", "list"),
            ("event", "list", "--csv", "--from", "2026-01-01"),
            ("event", "list", "--json", "--from", "2026-01-01"),
            ("event", "list", "--from", "2026-01-01"),
        ):
            wall, peak = naboskap(full, *args)
            print(f"{' '.join(args)[:34]:34} {wall:8.2f} {peak:12.0f}")
        print("aim: a few seconds each, the peak close to the empty database's (flat memory)")


if __name__ == "__main__":
    main()
