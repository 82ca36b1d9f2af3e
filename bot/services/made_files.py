"""Files made when a notice is sent (a poll's chart, a monthly report) and kept for the next
reader: the same chart goes to hundreds, the same report to every coordinator of a language.
One made at a time (the second reader waits for the first one's file rather than making it
again), the least recently used going first once more than `keep` are kept."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable


class MadeFiles:
    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, name: str, make: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
        """The file called `name`, kept or made now by `make` (None: there is none to make)."""
        async with self._lock:
            found = self._kept.get(name)
            if found is not None:
                self._kept.move_to_end(name)
                return found
            made = await make()
            if made is None:
                return None
            self._kept[name] = made
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
            return made
