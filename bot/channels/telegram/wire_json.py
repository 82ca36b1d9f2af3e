"""JSON to and from the Bot API: orjson where it is installed, the standard library elsewhere.

Every update and every reply goes through JSON twice or more (the update in, each request's
nested fields such as `reply_markup` out, each answer in); orjson does that several times
faster than `json` (issue 12 measured a fifth less CPU per update in benchmarks/updates.py).
orjson has no PyPy build, hence the fallback; the output is equivalent JSON either way (orjson
writes non-ASCII text as UTF-8 rather than `\\u` escapes, which Telegram reads the same).

aiogram's session wants `dumps` to return `str` (it puts the JSON into form fields, and the
webhook response writer takes text), so `dumps` decodes orjson's bytes; `dumps_bytes` is for
a request body, which needs no round trip through `str`.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - only where orjson has no build (PyPy)
    orjson = None  # type: ignore[assignment]


def loads(text: str | bytes) -> Any:
    """A JSON document (text or UTF-8 bytes) as Python values."""
    if orjson is None:  # pragma: no cover
        return json.loads(text)
    return orjson.loads(text)


def dumps(value: Any) -> str:
    """`value` as JSON text."""
    if orjson is None:  # pragma: no cover
        return json.dumps(value)
    return orjson.dumps(value).decode()


def dumps_bytes(value: Any) -> bytes:
    """`value` as JSON in UTF-8, for a request body."""
    if orjson is None:  # pragma: no cover
        return json.dumps(value).encode()
    return orjson.dumps(value)
