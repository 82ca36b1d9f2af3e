"""Child processes of a benchmark, and what the benchmark scripts share around them.

A benchmark script (benchmarks/updates.py, benchmarks/broadcast.py) runs as a PARENT, which
prepares the database and starts the same script again as each CHILD, with a hidden `--role`
telling it what to be (a fake Telegram, a bot, a delivery worker...). They talk by lines:

- the child says `TAG [json payload]` on stdout (`say`), and the parent waits for a tag with a
  timeout (`Child.expect`); any other line the child prints is passed on to the parent's
  stderr. Logging and tracebacks go straight to the parent's stderr;
- the parent says one control word a line on the child's stdin (`Child.tell`), and the child
  waits for the word it expects (`Control.expect`). The child reads its stdin all the time, so
  that it exits at once when the parent goes away (stdin closed).

Every step has a timeout on both sides, and on any failure the parent kills its children.
`BenchmarkFailed` is how either side says the run went wrong: it prints the reason and no
figures.

A child that runs Naboskap (the bot, the delivery worker) builds the real app against the fake
Bot API with `naboskap_app`.

The figures a process measures about itself: `cpu_seconds` (user + sys, all its threads) and
`peak_rss_kib` (its own peak resident memory, VmHWM).

The database a benchmark starts from, the same `--database` option in every script
(`add_arguments`, `database_option`): `sqlite` (a migrated temporary file), `postgresql` (the
database in TEST_DATABASE_URL) or a `postgresql+asyncpg://` URL; by default TEST_DATABASE_URL
when it names a PostgreSQL database, else `sqlite`. A PostgreSQL database's `public` schema is
dropped and recreated (`reset_postgres`) before `prepare_database` migrates it.

Only the standard library is imported at the top: a child must load nothing it would not load
on its own (the updates benchmark's echo bot must not load Naboskap, SQLAlchemy or Alembic, or
its memory would not be an echo bot's). The scripts import this module as `processes` (their
own folder is first on sys.path).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.app import App

T = TypeVar("T")


class BenchmarkFailed(Exception):
    """Something did not do what it should; the figures would be meaningless."""


# ---- the command line ---------------------------------------------------------------------------


def database_option(value: str) -> str:
    """`--database`: `sqlite` (a temporary file), or a PostgreSQL URL (`postgresql` is the one
    in TEST_DATABASE_URL)."""
    if value == "sqlite":
        return value
    if value == "postgresql":
        value = os.environ.get("TEST_DATABASE_URL", "")
        if not value.startswith("postgresql+asyncpg://"):
            raise argparse.ArgumentTypeError(
                "postgresql needs TEST_DATABASE_URL=postgresql+asyncpg://USER@HOST/DB "
                "(its public schema is dropped and recreated)"
            )
        return value
    if value.startswith("postgresql+asyncpg://"):
        return value
    raise argparse.ArgumentTypeError(
        "sqlite, postgresql (TEST_DATABASE_URL) or postgresql+asyncpg://USER@HOST/DB"
    )


def default_database() -> str:
    """TEST_DATABASE_URL when it names a PostgreSQL database (as for the tests), else sqlite."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql+asyncpg://") else "sqlite"


def database_kind(database: str) -> str:
    """What a report calls a `--database` value: `sqlite` or `postgresql` (never the URL,
    which may hold a password)."""
    return "sqlite" if database == "sqlite" else "postgresql"


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        type=database_option,
        default=default_database(),
        metavar="sqlite|postgresql|URL",
        help="sqlite (a temporary file), postgresql (TEST_DATABASE_URL) or a "
        "postgresql+asyncpg:// URL, whose public schema is DROPPED and recreated; default: "
        "TEST_DATABASE_URL if it is PostgreSQL, else sqlite",
    )


def add_arguments(parser: argparse.ArgumentParser, roles: tuple[str, ...]) -> None:
    """The options every benchmark script has: `--database`, and the hidden ones with which the
    parent starts a child: its `--role` (one of `roles`), and the fake Bot API's base URL and
    token and the database URL for those that need them."""
    add_database_argument(parser)
    parser.add_argument("--role", choices=roles, help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)


# ---- the children's side --------------------------------------------------------------------


class ErrorCounter(logging.Handler):
    """Counts the ERROR records logged in this process: any at all means the run went wrong
    (aiogram and the bot's error handler log failed updates, for one)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def say(tag: str, payload: dict[str, Any] | str | None = None) -> None:
    """One line to the parent on stdout (logging goes to stderr)."""
    if isinstance(payload, dict):
        payload = json.dumps(payload)
    print(tag if payload is None else f"{tag} {payload}", flush=True)


class Control:
    """The parent's control words, one a line on stdin. Read all the time, so that a child
    whose parent has gone away (stdin closed) exits at once, whatever it is doing: nobody is
    left to read its figures, and a graceful shutdown could wait a minute on the other child."""

    def __init__(self) -> None:
        self.words: asyncio.Queue[str] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Control:
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        self._reader = asyncio.create_task(self._read(reader))
        return self

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while line := await reader.readline():
            self.words.put_nowait(line.decode().strip())
        print("the parent has gone away; exiting", file=sys.stderr, flush=True)
        os._exit(2)

    async def expect(self, word: str, last: bool = False) -> None:
        got = await self.words.get()
        if got != word:
            raise BenchmarkFailed(f"expected {word!r} from the parent, got {got!r}")
        if last and self._reader is not None:
            # From now on a closed stdin is no news: the parent is done with this child.
            self._reader.cancel()


@contextlib.asynccontextmanager
async def naboskap_app(
    api_base: str, token: str, database_url: str, *, flood_control: bool | None = None
) -> AsyncIterator[App]:
    """The real app (`bot.app.build_app`) as a Naboskap child runs it: talking to the fake Bot
    API at `api_base` with its `token`, on `database_url`, with no Redis, no coordinators and
    no .env file read (`flood_control=False` for a benchmark of how fast it could send; by
    default FLOOD_CONTROL from the environment, else on). Its
    schema is checked first, and it is closed on the way out."""
    from bot.app import build_app
    from bot.config import Settings

    # Left out, FLOOD_CONTROL comes from the environment (Settings reads it), else on.
    overrides: dict[str, Any] = {} if flood_control is None else {"flood_control": flood_control}
    settings = Settings(
        bot_token=token,
        telegram_api_base=api_base,
        database_url=database_url,
        redis_url=None,
        coordinator_ids=frozenset(),
        _env_file=None,
        **overrides,
    )
    app = build_app(settings)
    try:
        await app.check_schema()
        yield app
    finally:
        await app.close()


def run_child(
    work: Awaitable[None], timeout: float, loop_factory: Callable[[], Any] | None = None
) -> None:
    """Run a child's `work` for at most `timeout` seconds, on the loop `loop_factory` makes
    (asyncio's default when None); on BenchmarkFailed (one, or several from a task group)
    print why to stderr and exit with status 1."""
    # aiogram logs every handled update at INFO; that would be timed too.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    async def bounded() -> None:
        await asyncio.wait_for(work, timeout)

    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(bounded())
    except* BenchmarkFailed as failures:
        for failure in failures.exceptions:
            print(f"benchmark failed: {failure}", file=sys.stderr)
        sys.exit(1)


# ---- a process's own figures ------------------------------------------------------------------


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: VmHWM, the high-water mark of its own
    address space. Not getrusage's ru_maxrss: on Linux that survives fork and exec, so a child
    reports at least its parent's peak from before it was spawned (and the parent has run the
    Alembic migrations)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    # Elsewhere (no /proc), the inherited figure is all there is: KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def cpu_seconds() -> float:
    """This process's user + sys CPU time so far, all its threads (e.g. aiosqlite's)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- the parent's side -------------------------------------------------------------------------


class Child:
    """A child process of a benchmark script (the script run again with a `--role`), spoken
    to by lines on stdin and stdout. `step_timeout` bounds its exit once it is done or gone."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, step_timeout: float) -> None:
        self.name = name
        self.process = process
        self.step_timeout = step_timeout

    @classmethod
    async def start(
        cls,
        name: str,
        script: str,
        *arguments: str,
        step_timeout: float,
        env: dict[str, str] | None = None,
    ) -> Child:
        """Run `script` with `arguments` in this Python (with `env`, if given, as its whole
        environment); `name` is what messages call it."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            script,
            *arguments,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # stderr is the parent's: tracebacks and warnings show up as they happen.
        )
        return cls(name, process, step_timeout)

    async def expect(self, tag: str, timeout: float) -> str:
        """Wait for the line `TAG [payload]`; returns the payload."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                raw = await asyncio.wait_for(
                    self.process.stdout.readline(), max(0.0, deadline - time.monotonic())
                )
            except TimeoutError:
                raise BenchmarkFailed(
                    f"the {self.name} did not say {tag} in {timeout:.0f} s"
                ) from None
            if not raw:
                status = await self.exit_status(self.step_timeout)
                raise BenchmarkFailed(
                    f"the {self.name} exited (status {status}) before saying {tag}; see above"
                )
            line = raw.decode().rstrip("\n")
            if line == tag or line.startswith(f"{tag} "):
                return line[len(tag) :].strip()
            print(f"[{self.name}] {line}", file=sys.stderr)

    async def tell(self, word: str) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(f"{word}\n".encode())
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            raise BenchmarkFailed(f"the {self.name} is gone; could not tell it {word!r}") from None

    async def exit_status(self, timeout: float) -> int | None:
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.process.wait(), timeout)
        return None

    async def finish(self) -> None:
        """Wait for a clean exit after the last word."""
        status = await self.exit_status(self.step_timeout)
        if status != 0:
            raise BenchmarkFailed(f"the {self.name} ended with status {status}")

    async def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


def run_parent(database: str, work: Callable[[str], Coroutine[Any, Any, T]]) -> T:
    """The parent's run: a migrated database for the `--database` value `database` (SQLite in
    a temporary folder, gone when this returns), then `work(database_url)`, whose figures are
    returned. On BenchmarkFailed, exit with the reason and no figures."""
    with tempfile.TemporaryDirectory(prefix="naboskap-bench-") as directory:
        database_url = prepare_database(database, directory)
        try:
            return asyncio.run(work(database_url))
        except BenchmarkFailed as failure:
            sys.exit(f"benchmark failed: {failure}")


def prepare_database(database: str, directory: str) -> str:
    """A migrated, empty database for the `--database` value `database`; returns its URL.
    SQLite: a new file in `directory`. PostgreSQL: the database at the URL, its `public`
    schema dropped and recreated."""
    from db.migrate import upgrade

    if database == "sqlite":
        url = f"sqlite+aiosqlite:///{Path(directory) / 'naboskap.db'}"
    else:
        url = database_option(database)
        asyncio.run(reset_postgres(url))
    upgrade(url)
    return url


async def reset_postgres(url: str) -> None:
    """Drop the `public` schema of the PostgreSQL database at `url`, with everything in it,
    and create it again empty."""
    from sqlalchemy import text

    from db.session import create_engine

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
