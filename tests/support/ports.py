"""Ports of 127.0.0.1 that no other process takes while a test needs them.

Choosing a free port by binding port 0 and closing the socket leaves a window in which any
other process may be handed the same port — under pytest-xdist another worker's server, child
process or outgoing connection. `reserved_ports` (and the `reserved_port` fixture in
tests/conftest.py) close the window: they keep each port bound, with SO_REUSEADDR and never
listening, for as long as the test needs it. Meanwhile:

- a connection to it is refused (nothing listens), as for a port nobody uses;
- the kernel hands it to no one else (neither for port 0 nor for an outgoing connection), and a
  bind without SO_REUSEADDR fails;
- a server that binds it with SO_REUSEADDR — asyncio's and aiohttp's default on Unix, Kannel's
  too — binds and listens as usual, so a child process or a later server can serve on it.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


@contextlib.contextmanager
def reserved_ports(count: int) -> Iterator[list[int]]:
    """`count` distinct ports, held (bound, not listening) until the block ends."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            holder = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            holder.bind(("127.0.0.1", 0))
            ports.append(int(holder.getsockname()[1]))
        yield ports
