"""An operator's command that never talks to Telegram starts without loading aiogram (it once
took 23 s on a loaded machine just to list the networks). Each command runs in a fresh
interpreter, whose `sys.modules` is then the whole truth."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.catalog_maintenance import PROJECT

# Runs the command as `naboskap` does, then names every aiogram module it loaded.
CHILD = """
import sys
from bot.cli import main
try:
    main(sys.argv[1:], prog_name="naboskap")
except SystemExit as stop:
    if stop.code:
        raise
print("LOADED", *sorted(name for name in sys.modules if name.split(".")[0] == "aiogram"))
"""


def _naboskap(*args: str, database: Path) -> tuple[str, list[str]]:
    """What `naboskap ARGS` printed, and the aiogram modules it loaded (it must succeed)."""
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


def test_the_help_does_not_load_aiogram(tmp_path: Path):
    printed, aiogram = _naboskap("--help", database=tmp_path / "unused.db")
    assert "network" in printed and aiogram == []


def test_creating_the_database_does_not_load_aiogram(tmp_path: Path):
    database = tmp_path / "new.db"
    printed, aiogram = _naboskap("db", "upgrade", database=database)
    assert "database is at head" in printed and aiogram == []


def test_listing_the_networks_does_not_load_aiogram(migrated: Path):
    printed, aiogram = _naboskap("network", "list", database=migrated)
    assert "no networks yet" in printed and aiogram == []
