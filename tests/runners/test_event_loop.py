"""EVENT_LOOP: uvloop for `naboskap run` and `naboskap worker` where it is installed, asyncio's
own loop where it is not (Windows, PyPy), and one clear line when it is demanded but missing.
`naboskap run` itself starts under uvloop and under asyncio in tests/runners/test_runners.py."""

from __future__ import annotations

import asyncio
import importlib.util
import sys

import pytest

from bot.cli.command import Failure
from bot.cli.command import run as run_command
from bot.event_loop import EventLoopUnavailable, loop_factory, run

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None


async def _loop_module() -> str:
    await asyncio.sleep(0)
    return type(asyncio.get_running_loop()).__module__


@pytest.fixture
def without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None in sys.modules makes `import uvloop` raise ImportError, as on Windows or PyPy.
    monkeypatch.setitem(sys.modules, "uvloop", None)


# These run outside pytest-asyncio's loop: each starts (and closes) a loop of its own.


def test_auto_falls_back_to_asyncio_when_uvloop_is_missing(without_uvloop: None) -> None:
    assert loop_factory("auto") is None
    assert run(_loop_module(), "auto").startswith("asyncio")


def test_uvloop_demanded_but_missing_is_one_clear_line(without_uvloop: None) -> None:
    with pytest.raises(EventLoopUnavailable, match="EVENT_LOOP=uvloop"):
        loop_factory("uvloop")
    work = _loop_module()
    with pytest.raises(Failure, match="EVENT_LOOP=uvloop, but uvloop is not installed") as failure:
        run_command(work, "uvloop")
    assert "\n" not in failure.value.message
    # The work never started and was closed, not left to warn "never awaited".
    assert work.cr_frame is None


def test_asyncio_turns_uvloop_off() -> None:
    assert loop_factory("asyncio") is None
    assert run(_loop_module(), "asyncio").startswith("asyncio")


@pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed here")
@pytest.mark.parametrize("choice", ["auto", "uvloop"])
def test_uvloop_is_used_where_it_is_installed(choice: str) -> None:
    assert run(_loop_module(), choice).startswith("uvloop")  # type: ignore[arg-type]
