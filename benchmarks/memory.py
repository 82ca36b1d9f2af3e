"""The memory of `naboskap run` and `naboskap worker`: idle after start-up, and at their peak
under load; and what aiogram and the bot side cost a worker that only sends.

Run it from the project root:

    .venv/bin/python benchmarks/memory.py [--users 1000] [--broadcast 10000]
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/memory.py --database postgresql

(With PostgreSQL give it a database of its own: its `public` schema is DROPPED and recreated.)

What it measures, each in a process of its own started as an operator would (`python -m bot
run`, `python -m bot worker`, no .env read, no Redis, no SMS) against a fake Bot API (this
script again, `--role=api`: `bot.fake_bot_api.FakeBotAPI` with simulated residents):

- `run`, idle: its resident memory (VmRSS in /proc/PID/status) 2 s after it said
  `naboskap: ready` on stderr;
- `run`, peak: its VmHWM (the high-water mark) after `--users` new residents (default 1 000),
  at most 20 at a time, each sent `/start` and pressed the first button of the answer (the
  language), over long polling: 2 updates each;
- `worker`, idle: its VmRSS 2 s after ready, on a database holding `--broadcast` members;
- `worker`, peak: its VmHWM after a broadcast to those members (default 10 000, enqueued by
  this parent while the worker runs, `SEND_RATE=10000` so that Telegram's 30/s is not what is
  waited for) has been drained: every member has their message;
- with `--code PATH`, `run` and `worker` are another checkout's (PYTHONPATH=PATH), for a
  before/after; the fake Bot API, the seed and the probe stay this checkout's;
- what a worker that sends with a thin client would save: a probe (`--role=probe`) that loads
  and builds what `naboskap worker` runs but for aiogram and the bot side (the core, the outbox
  worker, the scheduler, aiohttp), checks the schema and reports its VmRSS; then imports
  `bot.app` (aiogram, the handlers) and builds the app, and reports its VmRSS again.

Every step has a timeout; on a failure the parent kills its children and prints why instead of
figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from processes import (
    BenchmarkFailed,
    Child,
    Control,
    add_arguments,
    database_kind,
    run_child,
    run_parent,
    say,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRIPT = str(Path(__file__).resolve())

FIRST_ID = 3_000_000  # the broadcast's members: FIRST_ID, FIRST_ID + 1, ...
NEW_USERS = 8_000_000  # the residents who onboard against `run`
READY = "naboskap: ready"
SETTLE = 2.0  # seconds after ready before the idle figure
AT_ONCE = 20  # new residents at a time against `run`
START_TIMEOUT = 180.0
STEP_TIMEOUT = 60.0
CLEARED = ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "COORDINATOR_IDS", "SMS_GATEWAY")


def status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def rss_kib() -> int:
    return status_kib(os.getpid())["VmRSS"]


# ---- the fake Telegram, with residents -------------------------------------------------------


async def fake_telegram(members: int) -> None:
    from bot.fake_bot_api import FakeBotAPI, FakeUser, RateLimit

    control = await Control().start()
    # Memory under load, not pacing (`burst.py` measures that under Telegram's limits): the
    # worker drains at SEND_RATE=10000, past what the real Telegram would take.
    async with FakeBotAPI(rate_limit=RateLimit.off()) as api:
        for telegram_id in range(FIRST_ID, FIRST_ID + members):
            api.chats[telegram_id] = []  # the broadcast's members have started the bot
        say("API", {"base": api.base_url, "token": api.token})

        async def onboard(user_id: int) -> None:
            user = FakeUser(api, user_id, first_name="Kari", language_code="nb")
            await user.send("/start")
            await user.wait_for_message(1, timeout=STEP_TIMEOUT)
            message = user.last
            if message.reply_markup is None:
                raise BenchmarkFailed(f"/start got no buttons: {message.text[:80]!r}")
            data = message.reply_markup["inline_keyboard"][0][0]["callback_data"]
            before = len(api.calls)
            await user.press_data(data, message)

            async def answered() -> None:
                async with api.changed:
                    await api.changed.wait_for(
                        lambda: any(
                            c.method != "getUpdates"
                            and str(c.params.get("chat_id")) == str(user_id)
                            for c in api.calls[before:]
                        )
                    )

            await asyncio.wait_for(answered(), STEP_TIMEOUT)

        while True:
            word = await control.words.get()
            if word == "quit":
                break
            if word == "sent":
                sends = [c for c in api.calls if c.method == "sendMessage"]
                refused = [f"{c.error}" for c in sends if not c.ok]
                say("SENT", {"sent": len(sends) - len(refused), "failed": refused[:3]})
            elif word.startswith("onboard "):
                count = int(word.split()[1])
                gate = asyncio.Semaphore(AT_ONCE)

                async def one(user_id: int, gate: asyncio.Semaphore = gate) -> None:
                    async with gate:
                        await onboard(user_id)

                started = time.perf_counter()
                async with asyncio.TaskGroup() as group:
                    for n in range(count):
                        group.create_task(one(NEW_USERS + n))
                failed = [c for c in api.calls if not c.ok and c.method != "getUpdates"]
                say(
                    "ONBOARDED",
                    {
                        "seconds": time.perf_counter() - started,
                        "failed_calls": len(failed),
                        "failures": [f"{c.method}: {c.error}" for c in failed[:3]],
                    },
                )
            else:
                raise BenchmarkFailed(f"unknown word {word!r}")


# ---- the probe: the worker's own parts, then aiogram and the bot side ----------------------------


async def probe(api_base: str, token: str, database_url: str) -> None:
    """What `naboskap worker` loads and builds, but for aiogram and the bot side; its VmRSS;
    then the rest (`bot.app`: aiogram, the dispatcher, the handlers) and its VmRSS again."""
    import aiohttp  # what a thin client would send with

    from bot.config import Settings
    from bot.core import build_core
    from bot.delivery.pacing import RateLimiter
    from bot.delivery.worker import DeliveryWorker
    from bot.scheduler import build_scheduler
    from db.models import Channel

    settings = Settings(
        bot_token=token,
        telegram_api_base=api_base,
        database_url=database_url,
        redis_url=None,
        coordinator_ids=frozenset(),
        _env_file=None,
    )
    core = build_core(settings)
    await core.check_schema()
    worker = DeliveryWorker(core.sessionmaker, {}, RateLimiter(core.sessionmaker, rate=25))
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{api_base}/bot{token}/getMe") as answer:
            await answer.read()
        parts = rss_kib()

        from bot.app import build_app

        app = build_app(settings)
        await app.check_schema()
        with_app = rss_kib()
        await app.close()
    await core.close()
    del worker, build_scheduler, Channel
    say("RESULT", {"probe_worker_parts_kib": parts, "probe_with_app_kib": with_app})


# ---- the parent ----------------------------------------------------------------------------------


class Server:
    """`naboskap COMMAND` in a process of its own, with its stderr read by a thread."""

    def __init__(self, command: str, env: dict[str, str], cwd: str) -> None:
        self.command = command
        self.process = subprocess.Popen(  # noqa: S603 - this interpreter, our own package
            [sys.executable, "-m", "bot", command],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.said: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put("")

    async def ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = await asyncio.to_thread(
                    self.lines.get, timeout=max(0.0, deadline - time.monotonic())
                )
            except queue.Empty:
                raise BenchmarkFailed(
                    f"`naboskap {self.command}` not ready in {timeout:.0f} s"
                ) from None
            if not line:
                raise BenchmarkFailed(
                    f"`naboskap {self.command}` exited before it was ready:\n"
                    + "".join(self.said[-30:])
                )
            self.said.append(line)
            if READY in line:
                return

    def memory(self) -> dict[str, int]:
        return status_kib(self.process.pid)

    def errors(self) -> list[str]:
        while not self.lines.empty():
            self.said.append(self.lines.get_nowait())
        return [line for line in self.said if "ERROR" in line or "Traceback" in line]

    async def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        status = await asyncio.to_thread(self.process.wait, STEP_TIMEOUT)
        if status != 0:
            raise BenchmarkFailed(f"`naboskap {self.command}` exited with {status} on SIGTERM")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def server_env(database_url: str, api: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        # `--code PATH`: another checkout's `naboskap run` and `worker`, for a before/after.
        PYTHONPATH=os.environ.get("BENCH_SERVER_CODE", str(ROOT)),
        DATABASE_URL=database_url,
        BOT_TOKEN=api["token"],
        TELEGRAM_API_BASE=api["base"],
        LOG_LEVEL="WARNING",
        **extra,
    )
    return env


async def wait_sent(api: Child, count: int, timeout: float) -> float:
    started = time.monotonic()
    while True:
        await api.tell("sent")
        said = json.loads(await api.expect("SENT", STEP_TIMEOUT))
        if said["failed"]:
            raise BenchmarkFailed(f"sends failed: {said['failed']}")
        sent = said["sent"]
        if sent >= count:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise BenchmarkFailed(f"the worker sent {sent} of {count} in {timeout:.0f} s")
        await asyncio.sleep(0.5)


async def parent(database_url: str, users: int, members: int, scratch: str) -> dict[str, Any]:
    from broadcast import NOON, enqueue, seed

    print(f"seeding {members} members...", file=sys.stderr, flush=True)
    network_id = await seed(database_url, members, first_id=FIRST_ID)
    figures: dict[str, Any] = {"users": users, "members": members}
    children: list[Child] = []
    servers: list[Server] = []
    try:
        api = await Child.start(
            "fake Telegram",
            SCRIPT,
            "--role=api",
            f"--broadcast={members}",
            step_timeout=STEP_TIMEOUT,
        )
        children.append(api)
        address: dict[str, str] = json.loads(await api.expect("API", START_TIMEOUT))

        print("naboskap run...", file=sys.stderr, flush=True)
        bot = Server("run", server_env(database_url, address), scratch)
        servers.append(bot)
        await bot.ready(START_TIMEOUT)
        await asyncio.sleep(SETTLE)
        figures["run_idle_kib"] = bot.memory()["VmRSS"]
        await api.tell(f"onboard {users}")
        onboarded = json.loads(await api.expect("ONBOARDED", max(600.0, users / 2)))
        if onboarded["failed_calls"]:
            raise BenchmarkFailed(f"Bot API calls failed: {onboarded['failures']}")
        figures["run_peak_kib"] = bot.memory()["VmHWM"]
        figures["run_onboard_seconds"] = onboarded["seconds"]
        if errors := bot.errors():
            raise BenchmarkFailed("`naboskap run` logged errors:\n" + "".join(errors[:10]))
        await bot.stop()
        servers.remove(bot)

        print("naboskap worker...", file=sys.stderr, flush=True)
        worker = Server("worker", server_env(database_url, address, SEND_RATE="10000"), scratch)
        servers.append(worker)
        await worker.ready(START_TIMEOUT)
        await asyncio.sleep(SETTLE)
        figures["worker_idle_kib"] = worker.memory()["VmRSS"]
        await api.tell("sent")
        already = json.loads(await api.expect("SENT", STEP_TIMEOUT))["sent"]
        seconds, _, _ = await enqueue(database_url, network_id, now=NOON)
        figures["enqueue_seconds"] = seconds
        figures["drain_seconds"] = await wait_sent(api, already + members, max(600.0, members / 20))
        figures["worker_peak_kib"] = worker.memory()["VmHWM"]
        if errors := worker.errors():
            raise BenchmarkFailed("`naboskap worker` logged errors:\n" + "".join(errors[:10]))
        await worker.stop()
        servers.remove(worker)

        print("the worker's parts without aiogram...", file=sys.stderr, flush=True)
        prober = await Child.start(
            "probe",
            SCRIPT,
            "--role=probe",
            f"--api-base={address['base']}",
            f"--token={address['token']}",
            f"--database-url={database_url}",
            step_timeout=STEP_TIMEOUT,
        )
        children.append(prober)
        figures.update(json.loads(await prober.expect("RESULT", START_TIMEOUT)))
        await prober.finish()
        await api.tell("quit")
        await api.finish()
    finally:
        for server in servers:
            server.kill()
        for child in reversed(children):
            await child.kill()
    return figures


def report(figures: dict[str, Any], database: str) -> None:
    def mib(kib: int) -> str:
        return f"{kib / 1024:6.1f} MiB"

    code = os.environ.get("BENCH_SERVER_CODE", str(ROOT))
    print(
        f"code {code}, database {database}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print()
    print(f"naboskap run     idle {mib(figures['run_idle_kib'])}")
    print(
        f"naboskap run     peak {mib(figures['run_peak_kib'])} after {figures['users']} new "
        f"residents (2 updates each, {figures['run_onboard_seconds']:.1f} s)"
    )
    print(f"naboskap worker  idle {mib(figures['worker_idle_kib'])}")
    print(
        f"naboskap worker  peak {mib(figures['worker_peak_kib'])} after draining a broadcast "
        f"to {figures['members']} ({figures['drain_seconds']:.1f} s)"
    )
    without, with_app = figures["probe_worker_parts_kib"], figures["probe_with_app_kib"]
    print()
    print(f"the worker's parts without aiogram:     {mib(without)}")
    print(f"the same plus bot.app (aiogram, bot):    {mib(with_app)}")
    share = (with_app - without) / with_app
    print(
        f"a thin sender would save about {mib(with_app - without)} ({share:.0%} of the idle "
        f"worker); the aim to do it: more than a third"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=1000, help="new residents against `run`")
    parser.add_argument("--broadcast", type=int, default=10_000, help="members the worker sends to")
    parser.add_argument(
        "--code",
        type=Path,
        help="run another checkout's `naboskap run` and `worker` (e.g. before a change)",
    )
    add_arguments(parser, roles=("api", "probe"))
    args = parser.parse_args()
    if args.code is not None:
        if not (args.code / "bot" / "__main__.py").exists():
            parser.error(f"{args.code} is not a Naboskap checkout")
        os.environ["BENCH_SERVER_CODE"] = str(args.code.resolve())
    if args.role == "api":
        run_child(fake_telegram(args.broadcast), 3600)
        return
    if args.role == "probe":
        run_child(probe(args.api_base, args.token, args.database_url), START_TIMEOUT)
        return

    async def work(database_url: str) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="naboskap-memory-") as scratch:
            return await parent(database_url, args.users, args.broadcast, scratch)

    figures = run_parent(args.database, work)
    report(figures, database_kind(args.database))


if __name__ == "__main__":
    main()
