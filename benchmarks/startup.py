"""How long the entry points take to start, and whether they load aiogram.

For each entry point — `naboskap --help`, `naboskap network list` on a fresh (migrated, empty)
SQLite database, `naboskap db upgrade` on a new SQLite file, and `import bot.app` (the Telegram
side, for scale) — it starts a fresh interpreter N times and prints the median wall time, the
median CPU time of the child (user + sys; less skewed than wall time when other work shares the
machine) and whether `aiogram` ended up in `sys.modules`.

With `--baseline PATH` it runs the same against another checkout (PYTHONPATH=PATH, the same
interpreter and packages) and prints both columns side by side. The runs of the two checkouts
alternate, so that both see the same load.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--baseline ../baseline]

Compiled bytecode goes to a temporary PYTHONPYCACHEPREFIX (filled by one untimed warm-up run of
each entry point), so the checkouts are only read. Only the standard library is imported here:
the parent must not warm anything up for its children.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TIMEOUT = 180  # seconds for one run; a loaded 2-core machine once needed 23 s for one command

# Run in the child: the entry point, then (at exit, whatever the exit code) a report of whether
# aiogram was imported and which checkout's `bot` was used.
PROBE = """
import atexit, os, sys

def _report():
    import bot
    with open(os.environ["STARTUP_REPORT"], "w") as out:
        out.write(f"{int('aiogram' in sys.modules)} {bot.__file__}")

atexit.register(_report)
if sys.argv[1] == "--import":
    __import__(sys.argv[2])
else:
    import runpy
    sys.argv = ["naboskap", *sys.argv[1:]]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""

# What the children must not inherit from the caller's environment: settings, and anything that
# would keep them from writing and reusing bytecode (without it every run compiles SQLAlchemy
# and aiogram from source, and that is most of what would be measured).
CLEARED = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "REDIS_URL",
    "COORDINATOR_IDS",
    "SMS_GATEWAY",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
)


class BenchmarkFailed(Exception):
    """A run did not do what it should; its figures would be meaningless."""


@dataclass(frozen=True)
class EntryPoint:
    name: str
    args: tuple[str, ...]
    database: str  # "none", "new" (a file that does not exist yet) or "migrated" (empty schema)


ENTRY_POINTS = (
    EntryPoint("naboskap --help", ("--help",), "none"),
    EntryPoint("naboskap network list", ("network", "list"), "migrated"),
    EntryPoint("naboskap db upgrade", ("db", "upgrade"), "new"),
    EntryPoint("import bot.app", ("--import", "bot.app"), "none"),
)


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    aiogram: set[bool] = field(default_factory=set)

    def cell(self) -> str:
        loaded = {frozenset({True}): "yes", frozenset({False}): "no"}.get(
            frozenset(self.aiogram), "sometimes"
        )
        wall, cpu = statistics.median(self.wall), statistics.median(self.cpu)
        return f"{wall:.2f} s | {cpu:.2f} s | {loaded}"


class Checkout:
    """One source tree to run the entry points from, with its own scratch directory."""

    def __init__(self, path: Path, scratch: Path, cache: Path) -> None:
        self.path = path.resolve()
        self.scratch = scratch
        self.template = scratch / "template.db"
        self.env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        self.env.update(
            PYTHONPATH=str(self.path),
            PYTHONPYCACHEPREFIX=str(cache),
            STARTUP_REPORT=str(scratch / "report"),
        )
        self.runs = 0

    @property
    def label(self) -> str:
        git = shutil.which("git")
        if git is None:
            return self.path.name
        found = subprocess.run(  # noqa: S603 - git, on our own checkout
            [git, "-C", str(self.path), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        commit = found.stdout.strip() if found.returncode == 0 else ""
        return f"{self.path.name} {commit}".strip()

    def prepare(self) -> None:
        """The migrated, empty database `network list` starts from, made by this checkout."""
        self._child(("db", "upgrade"), self._url(self.template))

    def measure(self, entry: EntryPoint) -> tuple[float, float, bool]:
        """One run of `entry` in a fresh interpreter: wall seconds, CPU seconds, aiogram?"""
        self.runs += 1
        database = self.scratch / f"run-{self.runs}.db"
        if entry.database == "migrated":
            shutil.copy(self.template, database)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        self._child(entry.args, self._url(database))
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        for leftover in self.scratch.glob(f"run-{self.runs}.db*"):
            leftover.unlink()
        return wall, cpu, self._read_report()

    def _url(self, database: Path) -> str:
        return f"sqlite+aiosqlite:///{database}"

    def _child(self, args: tuple[str, ...], database_url: str) -> None:
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter with our own probe
                [sys.executable, "-c", PROBE, *args],
                env={**self.env, "DATABASE_URL": database_url},
                cwd=self.scratch,  # no stray .env is read
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BenchmarkFailed(f"{self.label}: {' '.join(args)} took over {TIMEOUT} s") from None
        if done.returncode != 0:
            raise BenchmarkFailed(
                f"{self.label}: {' '.join(args)} exited with {done.returncode}:\n"
                f"{done.stderr[-2000:]}"
            )

    def _read_report(self) -> bool:
        loaded, _, module = (self.scratch / "report").read_text().partition(" ")
        if not Path(module).resolve().is_relative_to(self.path):
            raise BenchmarkFailed(f"the child used {module}, not the code in {self.path}")
        return loaded == "1"


def benchmark(checkouts: list[Checkout], runs: int) -> dict[tuple[int, str], Figures]:
    figures: dict[tuple[int, str], Figures] = {}
    for checkout in checkouts:
        checkout.prepare()
    for entry in ENTRY_POINTS:
        for checkout in checkouts:  # warm-up: compiles the bytecode into the cache
            checkout.measure(entry)
        for _ in range(runs):
            for index, checkout in enumerate(checkouts):
                wall, cpu, aiogram = checkout.measure(entry)
                got = figures.setdefault((index, entry.name), Figures())
                got.wall.append(wall)
                got.cpu.append(cpu)
                got.aiogram.add(aiogram)
        print(f"  {entry.name}: done", file=sys.stderr)
    return figures


def table(checkouts: list[Checkout], figures: dict[tuple[int, str], Figures], runs: int) -> str:
    head = ["entry point"]
    rule = ["---"]
    for checkout in checkouts:
        head += [f"wall ({checkout.label})", "CPU", "aiogram"]
        rule += ["---:", "---:", "---"]
    lines = [
        f"Median of {runs} runs, each in a fresh interpreter (CPU: user + sys of the child).",
        "",
        "| " + " | ".join(head) + " |",
        "| " + " | ".join(rule) + " |",
    ]
    for entry in ENTRY_POINTS:
        cells = [figures[(index, entry.name)].cell() for index in range(len(checkouts))]
        lines.append(f"| `{entry.name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per entry point")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout to measure the same way, for comparison"
    )
    options = parser.parse_args()
    if options.baseline is not None and not (options.baseline / "bot" / "__main__.py").exists():
        parser.error(f"{options.baseline} is not a Naboskap checkout")
    with tempfile.TemporaryDirectory(prefix="naboskap-startup-") as tmp:
        root = Path(tmp)
        cache = root / "pycache"
        paths = [PROJECT, *([options.baseline] if options.baseline is not None else [])]
        checkouts = []
        for index, path in enumerate(paths):
            (root / str(index)).mkdir()
            checkouts.append(Checkout(path, root / str(index), cache))
        try:
            figures = benchmark(checkouts, max(1, options.runs))
        except BenchmarkFailed as error:
            print(f"startup benchmark failed: {error}", file=sys.stderr)
            return 1
    print(table(checkouts, figures, max(1, options.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
