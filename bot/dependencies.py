"""What the bot depends on and cannot reach, told to the operator in one line naming the setting.

A database that refuses connections, an SQLite file in a directory that is not there, a Redis
that is down: each used to end a command in a hundred lines of traceback. Here such failures
become a `DependencyDown` whose message is one line, e.g.

    DATABASE_URL: cannot reach the database at 127.0.0.1:5999 (connection refused)

The line names where (host and port, or a path) and a short reason, never the URL itself: a
URL may carry a password. Nothing here imports aiogram or a database driver.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit


class DependencyDown(Exception):
    """Something the bot needs is out of reach; the message is one line naming the setting."""


# Reasons by exception type name (of the error or anything in its chain), so that neither
# asyncpg nor redis is imported to tell them apart. The first match in this order wins.
_REASONS = (
    ("InvalidPasswordError", "the password was refused"),
    ("InvalidAuthorizationSpecificationError", "the user was refused"),
    ("InvalidCatalogNameError", "the database does not exist"),
    ("AuthenticationError", "the password was refused"),
    ("AuthenticationWrongNumberOfArgsError", "the password was refused"),
    ("CannotConnectNowError", "the server is starting up or shutting down"),
    ("TooManyConnectionsError", "too many connections"),
)

_ERRNO_REASONS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ETIMEDOUT: "timed out",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ECONNRESET: "connection reset",
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
}


def where(url: str) -> str:
    """host:port of a URL (a path for a socket), without user, password or database name."""
    parts = urlsplit(url)
    if parts.scheme == "unix" or not parts.hostname:
        return parts.path or "the configured address"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's `orig`) and its causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        # SQLAlchemy keeps the driver's error in `orig`, aiohttp the socket's in `os_error`.
        wrapped = [getattr(current, name, None) for name in ("orig", "os_error")]
        pending += [
            *(e for e in wrapped if isinstance(e, BaseException)),
            current.__cause__,
            current.__context__,
        ]


def reason(error: BaseException) -> str:
    """A short, content-free reason: no message text of the error (it may quote a URL)."""
    chain = list(_chain(error))
    names = [{cls.__name__ for cls in type(e).__mro__} for e in chain]
    for name, text in _REASONS:
        if any(name in these for these in names):
            return text
    for current in chain:
        if isinstance(current, socket.gaierror):
            return "host not found"
        if isinstance(current, OSError) and current.errno in _ERRNO_REASONS:
            return _ERRNO_REASONS[current.errno]
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, TimeoutError):
            return "timed out"
    # redis words its connection errors itself; its refusals name no OSError in the chain.
    for current in chain:
        text = str(current).lower()
        if "connection refused" in text:
            return "connection refused"
        if "name or service not known" in text or "nodename nor servname" in text:
            return "host not found"
        if "timeout" in text or "timed out" in text:
            return "timed out"
    return type(chain[-1] if len(chain) > 1 else error).__name__


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for PostgreSQL and for an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    _, _, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    return Path(path)


def check_database_directory(url: str) -> None:
    """Refuse an SQLite file whose directory is missing, naming it. Creating the directory
    silently would hide a typo in DATABASE_URL (and a fresh, empty database behind it)."""
    path = sqlite_file(url)
    if path is None:
        return
    directory = path.parent.absolute()
    if directory.exists() and not directory.is_dir():
        raise DependencyDown(
            f"DATABASE_URL: {directory}, where the SQLite file should be, is not a directory"
        )
    if not directory.is_dir():
        raise DependencyDown(
            f"DATABASE_URL: the directory {directory} of the SQLite file does not exist "
            "(create it, or point DATABASE_URL elsewhere)"
        )


def database_down(url: str, error: BaseException) -> DependencyDown:
    path = sqlite_file(url)
    if path is not None:
        return DependencyDown(
            f"DATABASE_URL: cannot open the SQLite file {path.absolute()} ({reason(error)})"
        )
    return DependencyDown(
        f"DATABASE_URL: cannot reach the database at {where(url)} ({reason(error)})"
    )


def is_unreachable(error: BaseException) -> bool:
    """Whether connecting failed, as opposed to a bug: network errors, refusals at log-in, and
    the drivers' operational errors (SQLAlchemy's `OperationalError`, `InterfaceError`)."""
    for current in _chain(error):
        names = {cls.__name__ for cls in type(current).__mro__}
        if isinstance(current, OSError | TimeoutError):
            return True
        if names & {"OperationalError", "InterfaceError", "ConnectionError", "TimeoutError"}:
            return True
        if names & {name for name, _ in _REASONS}:
            return True
    return False


@contextlib.contextmanager
def reaching_database(url: str) -> Iterator[None]:
    """Around the first connection a command makes: a missing directory or an unreachable
    database becomes one `DependencyDown` line."""
    check_database_directory(url)
    try:
        yield
    except Exception as error:
        if is_unreachable(error):
            raise database_down(url, error) from None
        raise


def redis_down(url: str, error: BaseException) -> DependencyDown:
    return DependencyDown(f"REDIS_URL: cannot reach Redis at {where(url)} ({reason(error)})")
