"""A real child process for tests: its output is read from the start, and tests wait for the
lines it prints (`naboskap: ready (...)`) instead of sleeping for a guessed time.

Both pipes are read by threads as soon as the process starts, so a chatty child never blocks
on a full pipe, and what it printed is at hand when a test fails. The deadlines are generous:
on a loaded two-core machine importing aiogram alone can take half a minute. They only bound
a hang; a healthy run takes a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bot.shutdown import READY
from tests.support.log_guard import watch_child

# Together under 300 s (the suite's per-test limit), so that a hang fails here, with the output.
READY_WITHIN = 150.0  # seconds for a process to say it is ready
STOP_WITHIN = 110.0  # seconds for it to exit once signalled (its own steps are bounded lower)


class RealProcess:
    """`python -m bot ARGS` (or any command) with its stdout and stderr collected by line."""

    def __init__(self, args: list[str], env: Mapping[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            args,
            env={**env, "PYTHONUNBUFFERED": "1"},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            for stream, lines in ((self.popen.stdout, self.out), (self.popen.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()
        watch_child(self)  # its stderr is its log: no personal data there either

    @classmethod
    def naboskap(cls, *args: str, env: Mapping[str, str], cwd: Path) -> RealProcess:
        return cls([sys.executable, "-m", "bot", *args], env, cwd)

    def _read(self, stream: IO[str], lines: list[str]) -> None:
        for line in stream:
            with self._changed:
                lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stderr(self) -> str:
        with self._changed:
            return "".join(self.err)

    def _report(self) -> str:
        with self._changed:
            return f"stdout:\n{''.join(self.out)}\nstderr:\n{''.join(self.err)}"

    def wait_for_line(
        self, needle: str, stream: str = "stderr", within: float = READY_WITHIN
    ) -> str:
        """The first line of `stream` holding `needle`; fails if the process ends first or
        nothing comes within `within` seconds."""
        lines = self.err if stream == "stderr" else self.out
        deadline = time.monotonic() + within
        seen = 0
        with self._changed:
            while True:
                for line in lines[seen:]:
                    if needle in line:
                        return line
                seen = len(lines)
                exited = self.popen.poll() is not None and not any(
                    r.is_alive() for r in self._readers
                )
                left = deadline - time.monotonic()
                if exited or left <= 0:
                    break
                self._changed.wait(min(left, 0.5))
        why = "exited" if exited else f"said nothing like {needle!r} within {within:.0f} s"
        raise AssertionError(f"the process {why}\n{self._report()}")

    def ready(self) -> str:
        return self.wait_for_line(READY)

    async def until_ready(self) -> str:
        """`ready`, without blocking the event loop (a fake server in it must keep answering)."""
        return await asyncio.to_thread(self.ready)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        """Signal it and wait for it to exit; its exit code and everything it wrote on stderr."""
        if self.popen.poll() is None:
            self.popen.send_signal(how)
        try:
            code = self.popen.wait(STOP_WITHIN)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"still running {STOP_WITHIN:.0f} s after {how.name}\n{self._report()}"
            ) from None
        for reader in self._readers:
            reader.join(10)
        return code, self.stderr

    async def stopped(self, how: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        return await asyncio.to_thread(self.stop, how)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(30)


def clean_environment(**env: str) -> dict[str, str]:
    """This process's environment without the bot's own settings, plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "WEBHOOK_", "COORDINATOR", "SMS_", "DATABASE_URL"))
    }
    return {**clean, **env}
