"""Which asyncio event loop the long-running processes (`naboskap run`, `naboskap worker`) use.

uvloop (libuv underneath) makes the loop's own work (sockets, callbacks) cheaper: issue 12
measured about a sixth less CPU per update with it in benchmarks/updates.py on a quiet
machine (on a loaded one the gain is within the noise). It is an
optional speed-up, not a requirement: it is not built for Windows or PyPy, so the dependency
carries a platform marker and `auto` (the default of EVENT_LOOP) falls back to asyncio's own
loop wherever it cannot be imported. `asyncio` turns it off, e.g. to rule it out when
chasing a bug; `uvloop` insists on it and fails in one line when it is missing.

Short commands (`network list`, `digest preview`...) stay on asyncio's loop: importing
uvloop would cost them more than it saves.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")

log = logging.getLogger("naboskap")

EventLoopChoice = Literal["auto", "asyncio", "uvloop"]
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class EventLoopUnavailable(RuntimeError):
    """EVENT_LOOP=uvloop, and uvloop cannot be imported here."""


def loop_factory(choice: EventLoopChoice) -> LoopFactory | None:
    """The factory for the loop `choice` names; None means asyncio's default loop."""
    if choice == "asyncio":
        return None
    try:
        # By name, so the choice can be tested with uvloop hidden, and mypy needs no stubs.
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        if choice == "uvloop":
            raise EventLoopUnavailable(
                "EVENT_LOOP=uvloop, but uvloop is not installed here "
                "(pip install uvloop, or set EVENT_LOOP=auto or asyncio)"
            ) from None
        return None
    factory: LoopFactory = uvloop.new_event_loop
    return factory


def run(coroutine: Coroutine[Any, Any, T], choice: EventLoopChoice) -> T:
    """`asyncio.run(coroutine)` on the loop `choice` names."""
    try:
        factory = loop_factory(choice)
    except EventLoopUnavailable:
        coroutine.close()  # never started: no "coroutine was never awaited" warning
        raise
    # Named at start-up (at DEBUG: a failed start stays one line), for the runner tests and
    # for an operator chasing a bug.
    log.debug("event loop: %s", "asyncio" if factory is None else "uvloop")
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)
