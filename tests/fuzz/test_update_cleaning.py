"""Cleaning an update (`handlers.middlewares._cleaned`, run for every update) skips the values
it cannot change (None, numbers, booleans, dates) for speed; what it returns must be exactly
what walking every value gives, for every kind of text anywhere in an update."""

from __future__ import annotations

from typing import Any

from aiogram.types import Update
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bot.edge_input import clean_name, clean_text
from handlers.middlewares import _cleaned


def _reference(value: Any, name: bool = False) -> Any:
    """Every value visited, none skipped: the cleaning as it was first written."""
    if isinstance(value, str):
        return clean_name(value) if name else clean_text(value)
    if isinstance(value, BaseModel):
        changed = {}
        for field, inner in value.__dict__.items():
            new = _reference(inner, field in {"first_name", "last_name"})
            if new is not inner:
                changed[field] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        items = [_reference(item) for item in value]
        return items if any(n is not o for n, o in zip(items, value, strict=True)) else value
    return value


# Control characters, bidi overrides, decomposed accents and plain text, mixed.
TEXT = st.lists(
    st.sampled_from(["a", "ø", "o\u0308", "\x00", "\x07", "\n", "\t", "\u202e", "ሰ", "🏠", "\x9f"]),
    min_size=1,
    max_size=12,
).map("".join)


def _user(name: str, last: str | None) -> dict[str, Any]:
    return {"id": 42, "is_bot": False, "first_name": name, "last_name": last, "language_code": "nb"}


@settings(max_examples=150, deadline=None)
@given(text=TEXT, name=TEXT, last=st.none() | TEXT, data=TEXT, label=TEXT, caption=TEXT)
def test_cleaning_skips_nothing_that_could_change(
    text: str, name: str, last: str | None, data: str, label: str, caption: str
) -> None:
    chat = {"id": 42, "type": "private", "first_name": name, "last_name": last}
    message = {
        "message_id": 7,
        "date": 1_700_000_000,
        "chat": chat,
        "from": _user(name, last),
        "text": text,
        "entities": [{"type": "bold", "offset": 0, "length": 1}],
        "reply_to_message": {
            "message_id": 6,
            "date": 1_700_000_000,
            "chat": chat,
            "caption": caption,
            "photo": [{"file_id": text, "file_unique_id": "u", "width": 1, "height": 1}],
        },
        "contact": {"phone_number": "+47 1", "first_name": name, "last_name": last},
        "reply_markup": {"inline_keyboard": [[{"text": label, "callback_data": data}]]},
    }
    updates = [
        {"update_id": 1, "message": message},
        {
            "update_id": 2,
            "callback_query": {
                "id": "q",
                "from": _user(name, last),
                "chat_instance": "c",
                "data": data,
                "message": message,
            },
        },
    ]
    for raw in updates:
        update = Update.model_validate(raw)
        cleaned, expected = _cleaned(update), _reference(update)
        assert cleaned == expected
        assert (cleaned is update) == (expected is update)
