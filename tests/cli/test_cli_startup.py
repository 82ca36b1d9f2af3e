"""An operator's command that never talks to Telegram starts without loading aiogram (it once
took 23 s on a loaded machine just to list the networks), and one that does not migrate starts
without Alembic (its schema check reads the version table itself: Alembic and Mako were most of
what `network list` still took). Each command runs in a fresh interpreter, whose `sys.modules`
is then the whole truth. benchmarks/startup.py has the timings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog_maintenance import PROJECT

# Runs the command as `naboskap` does, then names every heavy package it loaded.
CHILD = """
import sys
from bot.cli import main
try:
    main(sys.argv[1:], prog_name="naboskap")
except SystemExit as stop:
    if stop.code:
        raise
heavy = {"aiogram", "alembic", "mako", "icalendar", "recurring_ical_events"}
print("LOADED", *sorted({name.split(".")[0] for name in sys.modules} & heavy))
"""


def _naboskap(*args: str, database: Path) -> tuple[str, list[str]]:
    """What `naboskap ARGS` printed, and the heavy packages it loaded (it must succeed):
    aiogram, alembic, mako, icalendar, recurring_ical_events."""
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "REDIS_URL")}
    env.update(PYTHONPATH=str(PROJECT), DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env=env,
        cwd=database.parent,  # no stray .env is read
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED" in done.stdout, done.stdout
    printed, _, report = done.stdout.rpartition("LOADED")
    return printed, report.split()


pytestmark = pytest.mark.slow  # each check is a fresh interpreter


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from db import migrate

    path = tmp_path_factory.mktemp("startup") / "naboskap.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def test_the_help_loads_nothing_heavy(tmp_path: Path):
    printed, loaded = _naboskap("--help", database=tmp_path / "unused.db")
    assert "network" in printed and loaded == []


def test_creating_the_database_does_not_load_aiogram(tmp_path: Path):
    database = tmp_path / "new.db"
    printed, loaded = _naboskap("db", "upgrade", database=database)
    assert "created a new database at" in printed and "aiogram" not in loaded
    assert "alembic" in loaded  # migrating is Alembic's job: the check below can fail


def test_listing_the_networks_loads_neither_aiogram_nor_alembic(migrated: Path):
    printed, loaded = _naboskap("network", "list", database=migrated)
    assert "no networks yet" in printed and loaded == []


def test_publishing_an_event_loads_neither_aiogram_alembic_nor_icalendar(
    migrated: Path, tmp_path: Path
):
    database = tmp_path / "events.db"
    shutil.copy(migrated, database)
    _naboskap("network", "add", "nabolag", "Nabolaget", database=database)
    printed, loaded = _naboskap(
        "event", "add", "--network", "nabolag", "--title", "Dugnad",
        "--starts", "2099-06-03 11:00", database=database,
    )  # fmt: skip
    assert "published" in printed and loaded == []


def test_previewing_a_digest_loads_neither_aiogram_nor_alembic(migrated: Path, tmp_path: Path):
    database = tmp_path / "digest.db"
    shutil.copy(migrated, database)
    _naboskap("network", "add", "nabolag", "Nabolaget", database=database)
    _naboskap(
        "resident", "add", "--phone", "+4791234567", "--language", "nb",
        "--network", "nabolag", "--consent", database=database,
    )  # fmt: skip
    printed, loaded = _naboskap("digest", "preview", "--phone", "+4791234567", database=database)
    assert printed.strip() and loaded == []


def test_a_database_behind_the_code_is_still_refused(tmp_path: Path):
    """The schema check without Alembic still tells a database behind the code."""
    from db import migrate

    database = tmp_path / "behind.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{database}", migrate.revisions()[-2])
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "REDIS_URL")}
    env.update(PYTHONPATH=str(PROJECT), DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "network", "list"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert f"needs {migrate.head_revision()}" in done.stderr


def test_the_head_read_from_the_files_is_alembics():
    from db import migrate

    assert migrate.shipped_head() == migrate.head_revision() == migrate.revisions()[-1]
