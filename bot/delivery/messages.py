"""A rendered message, independent of any channel's library."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    text: str
    data: str  # callback data, in the handlers' `prefix:field:...` format


@dataclass(frozen=True)
class Rendered:
    """What one language's recipients receive: text (HTML for Telegram), buttons, attachment."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    attachment: str | None = None  # a name the sender resolves, e.g. "ics:<event id>"

    def markup_json(self) -> str | None:
        if not self.buttons:
            return None
        return json.dumps([[[b.text, b.data] for b in row] for row in self.buttons])

    @classmethod
    def from_stored(cls, text: str, markup: str | None, attachment: str | None) -> Rendered:
        rows: tuple[tuple[Button, ...], ...] = ()
        if markup:
            rows = tuple(tuple(Button(t, d) for t, d in row) for row in json.loads(markup))
        return cls(text, rows, attachment)
