"""aiohttp's server log for our HTTP routes (the SMS routes, the webhook), without content.

aiohttp logs a request it cannot parse at ERROR with its exception, and the exception quotes
the request line: for the SMS routes that is the gateway's query, with the shared secret, the
phone number and the text. Here such a line says what went wrong and where, never the request;
and a client's malformed request is a WARNING (it is theirs to fix), our own failure an ERROR.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from bot.logs import failure

# A gateway may send a long concatenated SMS by GET; percent-encoded, UTF-8 text is up to
# twelve characters a character. aiohttp's default (8190) would refuse ten Arabic segments.
MAX_LINE_SIZE = 65536


class ServerLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's `logger` for a server of ours (see `server_options`)."""

    @classmethod
    def named(cls, name: str) -> ServerLog:
        return cls(logging.getLogger(name), {})

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        kwargs.pop("exc_info", None)
        kwargs.pop("stack_info", None)
        return msg, kwargs

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        error = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        level = logging.WARNING if isinstance(error, HttpProcessingError) else logging.ERROR
        what = failure(error) if error is not None else "unknown error"
        # The arguments are aiohttp's (the client's address); the message is its own text.
        self.log(level, f"{msg}: {what}", *args, **kwargs)


def server_options(name: str) -> dict[str, Any]:
    """Keyword arguments for `web.AppRunner` (or a `TestServer`): the log above under `name`,
    no access log (a gateway's query holds a number and a text), room for a long SMS."""
    return {"logger": ServerLog.named(name), "access_log": None, "max_line_size": MAX_LINE_SIZE}
