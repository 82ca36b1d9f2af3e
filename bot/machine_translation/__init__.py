"""Machine translation of what residents and hosts write (issue 13, point 5).

Events, broadcasts, network descriptions and help requests are written in one language. When a
municipality configures a translator (MACHINE_TRANSLATION=libretranslate, a LibreTranslate it
can host itself), a reader whose language has no human translation gets a machine translation,
marked as such, with the original a tap away. Human translations always win; with the default
`none` nothing is sent anywhere and readers see the original with "Written in …", as before.

- `MachineTranslator` is what an adapter implements; adapters are factories
  `create(settings) -> MachineTranslator` under the entry point group
  `naboskap.machine_translators` (`bot.machine_translation.registry`).
- `MachineTranslation` (`bot.machine_translation.service`) is what the rest of the bot uses: it
  caches translations in the database, counts their volume, and never lets a slow or failing
  translator hold up or lose a notice (the reader then gets the original).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


class TranslatorUnavailable(Exception):
    """The translator could not translate (down, timed out, refused the key, over its limit,
    or does not know the language pair). Callers fall back to the original text. The message
    names the cause in one line and never holds the text being translated."""


@runtime_checkable
class MachineTranslator(Protocol):
    """An adapter to a translation service. Locales are ours (`nb`, `fa_AF`, …); the adapter
    maps them to the service's codes."""

    name: str  # the entry point's name, e.g. "libretranslate": counted per translator

    async def supports(self, source: str, target: str) -> bool:
        """Whether it can translate from `source` to `target` (asked once per pair and
        remembered by the adapter for a while; False when the service cannot be asked)."""
        ...

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """`texts` translated, in order, as plain text. Raises `TranslatorUnavailable`."""
        ...

    async def close(self) -> None: ...
