"""MACHINE_TRANSLATION=none, the default: no language pair is supported, so nothing is ever
sent anywhere and every reader gets the original (with "Written in …", as before)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.machine_translation import TranslatorUnavailable

if TYPE_CHECKING:
    from bot.config import Settings


class DisabledTranslator:
    name = "none"

    async def supports(self, source: str, target: str) -> bool:
        return False

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise TranslatorUnavailable("machine translation is off (MACHINE_TRANSLATION=none)")

    async def close(self) -> None:
        pass


def create(settings: Settings) -> DisabledTranslator:
    return DisabledTranslator()
