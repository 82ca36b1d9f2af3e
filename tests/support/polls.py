"""Polls for tests: a host's draft of the benches question, and reading what a chart photo
carries."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from bot.services import polls


def in_days(days: float) -> datetime:
    """A closing time `days` from the real now (handlers publish with the real time)."""
    return datetime.now(UTC) + timedelta(days=days)


def bench_draft(network_id: int | None, **changes: object) -> polls.PollDraft:
    """ "Benches along Torstrandgata?" with three options and a Ukrainian version."""
    values: dict[str, object] = {
        "network_id": network_id,
        "question": "Skal vi ha benker langs Torstrandgata?",
        "options": ("Ja", "Nei", "Vet ikke"),
        "closes_at": in_days(3),
        "locale": "nb",
        "translations": {
            "uk": ("Чи ставити лавки вздовж Торстрандгата?", ("Так", "Ні", "Не знаю"))
        },
    }
    values.update(changes)
    return polls.PollDraft(**values)  # type: ignore[arg-type]


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG, asserting it is one."""
    assert content.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    assert content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height
