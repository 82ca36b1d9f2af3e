"""The benchmarks still run: a small run of each that the README names, so that a change to
the bot (a network now named in the reader's language, say) cannot leave them broken until
someone next measures. Figures are printed by the benchmarks, never asserted here."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

# Always SQLite: with TEST_DATABASE_URL set the benchmarks would otherwise use (and recreate
# the schema of) the test database.
RUNS = {
    "updates": ["benchmarks/updates.py", "--residents", "27", "--database", "sqlite"],
    "digest": ["benchmarks/digest.py", "--residents", "900", "--database", "sqlite"],
    "calendar_import": ["benchmarks/calendar_import.py", "--events", "300", "--database", "sqlite"],
    "insight": ["benchmarks/insight.py", "--residents", "300", "--database", "sqlite"],
    "polls": [
        "benchmarks/polls.py",
        "--residents",
        "200",
        "--voters",
        "30",
        "--database",
        "sqlite",
    ],
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_benchmark_runs(name: str) -> None:
    done = subprocess.run(
        [sys.executable, *RUNS[name]],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "naboskap" in done.stdout or "digests:" in done.stdout
