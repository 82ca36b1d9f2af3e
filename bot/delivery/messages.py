"""A rendered message, independent of any channel's library."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.services import actions
from bot.services.actions import Action


@dataclass(frozen=True)
class Button:
    """A button's label and the one action it stands for; each channel presents it its way
    (Telegram as callback data, SMS as a numbered choice)."""

    text: str
    action: Action


@dataclass(frozen=True)
class Rendered:
    """What one language's recipients receive: text (HTML for Telegram), buttons, attachment."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)
    attachment: str | None = None  # a name the sender resolves, e.g. "ics:<event id>"

    def markup_json(self) -> str | None:
        if not self.buttons:
            return None
        # Kept on the instance (immutable, so it cannot go stale): a digest round asks each
        # rendering for it twice, to share identical digests and to store the new ones.
        cached: str | None = self.__dict__.get("_markup_json")
        if cached is None:
            cached = json.dumps(
                [[[b.text, actions.pack(b.action)] for b in row] for row in self.buttons]
            )
            object.__setattr__(self, "_markup_json", cached)
        return cached

    @classmethod
    def from_stored(cls, text: str, markup: str | None, attachment: str | None) -> Rendered:
        rows: list[tuple[Button, ...]] = []
        for row in json.loads(markup) if markup else []:
            # Stored renderings were packed by this code (or an older version, whose format
            # `parse` still reads); a button that no longer parses is left out, not sent broken.
            buttons = tuple(
                Button(label, action)
                for label, data in row
                if (action := actions.parse(data)) is not None
            )
            if buttons:
                rows.append(buttons)
        return cls(text, tuple(rows), attachment)
