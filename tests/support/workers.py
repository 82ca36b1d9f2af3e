"""Real `python -m bot worker` processes for the tests that need more than one process: started
with a clean environment and their stderr in a file, and waited for with a deadline."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import IO

from tests.support.log_guard import LogFile, watch_child


async def start_worker(
    env: dict[str, str], cwd: Path, log: Path
) -> tuple[asyncio.subprocess.Process, IO[bytes]]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "WEBHOOK_", "COORDINATOR", "REDIS_", "SEND_", "DELIVERY_"))
    }
    # stderr to a file: a pipe nobody reads could fill up and stall the worker.
    stderr = log.open("wb")
    watch_child(LogFile(log))  # its log: no personal data there either
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "worker",
        env={**clean, **env},
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
    return process, stderr


async def wait_for(process: asyncio.subprocess.Process, timeout: float) -> int:
    """The process's exit code; killed (and the timeout raised) if it outlives `timeout`."""
    try:
        return await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
