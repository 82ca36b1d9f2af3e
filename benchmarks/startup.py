"""How long the entry points take to start, and whether they load aiogram.

For each entry point it starts a fresh interpreter N times and prints the median wall time,
the median CPU time of the child (user + sys; less skewed than wall time when other work
shares the machine) and whether `aiogram` ended up in `sys.modules`:

- `naboskap --help`;
- `naboskap network list`, `naboskap event add` (publishing to 40 members, so the notice goes
  to the outbox) and `naboskap digest preview` (one member's digest, with that event in it),
  each on a copy of a migrated SQLite database holding one network, 40 members and one event;
- `naboskap db upgrade` on a new SQLite file;
- `naboskap run` until ready: the bot against a fake Bot API (`bot.fake_bot_api`, in a process
  of its own started once), timed from the start until `naboskap: ready` appears on its stderr
  (its CPU is read from /proc at that moment), then stopped with SIGTERM;
- `import bot.app` (the Telegram side, for scale).

The first four are the operator's commands: the aim is under 1 s each on an idle machine.

With `--baseline PATH` it runs the same against another checkout (PYTHONPATH=PATH, the same
interpreter and packages) and prints both columns side by side. The runs of the two checkouts
alternate, so that both see the same load. The database each checkout starts from is made by
that checkout's own `db upgrade`, `network add` and `event add`.

    .venv/bin/python benchmarks/startup.py [--runs 5] [--baseline ../baseline]

Compiled bytecode goes to a temporary PYTHONPYCACHEPREFIX (filled by one untimed warm-up run of
each entry point), so the checkouts are only read. Only the standard library is imported here:
the parent must not warm anything up for its children.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
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


def _drain(lines: queue.Queue[str]) -> list[str]:
    got = []
    while not lines.empty():
        got.append(lines.get_nowait())
    return got


def _process_cpu(pid: int) -> float:
    """The user + sys CPU seconds of a running process so far (Linux: /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class FakeTelegram:
    """The fake Bot API `naboskap run` talks to, in a process of its own (this checkout's
    `bot.fake_bot_api`), for as long as the benchmark runs."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env["PYTHONPATH"] = str(PROJECT)
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter with our own code
            [sys.executable, "-c", FAKE_API],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], TIMEOUT)
        line = self.process.stdout.readline() if readable else ""
        if not line:
            self.close()
            raise BenchmarkFailed("the fake Bot API did not start")
        self.address: dict[str, str] = json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# Seeds the template database's members, run with the checkout's own code (its `bot.seeding`).
SEED = """
import asyncio, sys
from sqlalchemy import select
from bot.seeding import seed_members
from db.models import Network
from db.session import create_engine, create_sessionmaker

async def main(url):
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        network = await session.scalar(select(Network.id))
        await seed_members(session, network, MEMBERS, first_telegram_id=FIRST_ID)
    await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""

# A fake Bot API for `naboskap run`, in a process of its own: it says its address and token
# as one JSON line, then serves until its stdin closes.
FAKE_API = """
import asyncio, json, sys
from bot.fake_bot_api import FakeBotAPI

async def main():
    async with FakeBotAPI() as api:
        print(json.dumps({"base": api.base_url, "token": api.token}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""

MEMBERS = 40
FIRST_ID = 7_000_000
NETWORK = ("network", "add", "nabolag", "Nabolaget")
EVENT = (
    "event",
    "add",
    "--network",
    "nabolag",
    "--title",
    "Dugnad",
    "--starts",
    "2099-06-03 11:00",
    "--place",
    "Lekeplassen",
)


@dataclass(frozen=True)
class EntryPoint:
    name: str
    args: tuple[str, ...]
    # "none", "new" (a file that does not exist yet) or "seeded" (a network, members, an event)
    database: str
    until_ready: bool = False  # a server: timed until it says it is ready, then stopped


ENTRY_POINTS = (
    EntryPoint("naboskap --help", ("--help",), "none"),
    EntryPoint("naboskap network list", ("network", "list"), "seeded"),
    EntryPoint("naboskap event add", EVENT, "seeded"),
    EntryPoint(
        "naboskap digest preview", ("digest", "preview", "--telegram-id", str(FIRST_ID)), "seeded"
    ),
    EntryPoint("naboskap db upgrade", ("db", "upgrade"), "new"),
    EntryPoint("naboskap run (until ready)", ("run",), "seeded", until_ready=True),
    EntryPoint("import bot.app", ("--import", "bot.app"), "none"),
)
READY = "naboskap: ready"


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

    def __init__(
        self, path: Path, scratch: Path, cache: Path, api: dict[str, str] | None = None
    ) -> None:
        self.path = path.resolve()
        self.scratch = scratch
        self.template = scratch / "template.db"
        self.env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        self.env.update(
            PYTHONPATH=str(self.path),
            PYTHONPYCACHEPREFIX=str(cache),
            STARTUP_REPORT=str(scratch / "report"),
        )
        if api is not None:  # for `run`: the fake Bot API, and nothing else to start
            self.env.update(
                BOT_TOKEN=api["token"],
                TELEGRAM_API_BASE=api["base"],
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
        """The database the commands start from, made by this checkout: migrated, with one
        network, its members and one event."""
        url = self._url(self.template)
        self._child(("db", "upgrade"), url)
        self._child(NETWORK, url)
        self._python(SEED.replace("MEMBERS", str(MEMBERS)).replace("FIRST_ID", str(FIRST_ID)), url)
        self._child(EVENT, url)

    def measure(self, entry: EntryPoint) -> tuple[float, float, bool]:
        """One run of `entry` in a fresh interpreter: wall seconds, CPU seconds, aiogram?"""
        self.runs += 1
        database = self.scratch / f"run-{self.runs}.db"
        if entry.database == "seeded":
            shutil.copy(self.template, database)
        if entry.until_ready:
            wall, cpu = self._until_ready(entry.args, self._url(database))
        else:
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

    def _until_ready(self, args: tuple[str, ...], database_url: str) -> tuple[float, float]:
        """Start a server, wait for its readiness line on stderr, read its CPU time then, and
        stop it with SIGTERM (it must exit cleanly). Returns wall and CPU seconds to ready."""
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 - this interpreter with our own probe
            [sys.executable, "-c", PROBE, *args],
            env={**self.env, "DATABASE_URL": database_url},
            cwd=self.scratch,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        lines: queue.Queue[str] = queue.Queue()
        stream = process.stderr

        def read() -> None:
            for line in stream:
                lines.put(line)
            lines.put("")  # the end: it exited

        # A thread reads its stderr: select() on a buffered pipe can miss lines already read.
        threading.Thread(target=read, daemon=True).start()
        said: list[str] = []
        try:
            deadline = started + TIMEOUT
            while True:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.perf_counter()))
                except queue.Empty:
                    raise BenchmarkFailed(
                        f"{self.label}: {' '.join(args)} not ready in {TIMEOUT} s"
                    ) from None
                if not line:
                    raise BenchmarkFailed(
                        f"{self.label}: {' '.join(args)} exited before it was ready:\n"
                        + "".join(said[-30:])
                    )
                said.append(line)
                if READY in line:
                    break
            wall = time.perf_counter() - started
            cpu = _process_cpu(process.pid)
            process.send_signal(signal.SIGTERM)
            if process.wait(timeout=TIMEOUT) != 0:
                time.sleep(0.5)  # the reader thread's last lines
                rest = "".join(said[-5:]) + "".join(_drain(lines))
                raise BenchmarkFailed(
                    f"{self.label}: {' '.join(args)} exited with {process.returncode} on "
                    f"SIGTERM:\n{rest[-2000:]}"
                )
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return wall, cpu

    def _python(self, code: str, database_url: str) -> None:
        done = subprocess.run(  # noqa: S603 - this interpreter with our own code
            [sys.executable, "-c", code, database_url],
            env=self.env,
            cwd=self.scratch,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise BenchmarkFailed(f"{self.label}: seeding failed:\n{done.stderr[-2000:]}")

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
        try:
            api = FakeTelegram()
        except BenchmarkFailed as error:
            print(f"startup benchmark failed: {error}", file=sys.stderr)
            return 1
        try:
            checkouts = []
            for index, path in enumerate(paths):
                (root / str(index)).mkdir()
                checkouts.append(Checkout(path, root / str(index), cache, api.address))
            figures = benchmark(checkouts, max(1, options.runs))
        except BenchmarkFailed as error:
            print(f"startup benchmark failed: {error}", file=sys.stderr)
            return 1
        finally:
            api.close()
    print(table(checkouts, figures, max(1, options.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
