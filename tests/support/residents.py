"""Residents as the bot first meets them: a simulated user taken through onboarding."""

from __future__ import annotations

from bot.fake_bot_api import FakeUser


async def onboard(user: FakeUser, language: str = "Norsk (bokmål)", start: str = "/start") -> None:
    """Take a user through /start, the language choice and the privacy notice."""
    await user.send(start)
    await user.press(language)
    await user.press(user.last.buttons[0]["text"])
