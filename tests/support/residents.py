"""Residents as the bot first meets them: a simulated user taken through onboarding."""

from __future__ import annotations

from collections.abc import Callable

from bot.fake_bot_api import FakeBotAPI, FakeUser

UserFactory = Callable[..., FakeUser]


def user_factory(fake_api: FakeBotAPI) -> UserFactory:
    """Simulated users with fresh Telegram ids (1000 up), each test from the same first id."""
    ids = iter(range(1000, 100000))

    def factory(
        first_name: str = "Kari", language_code: str | None = "nb", user_id: int | None = None
    ) -> FakeUser:
        return FakeUser(fake_api, user_id or next(ids), first_name, language_code)

    return factory


async def onboard(user: FakeUser, language: str = "Norsk (bokmål)", start: str = "/start") -> None:
    """Take a user through /start, the language choice and the privacy notice."""
    await user.send(start)
    await user.press(language)
    await user.press(user.last.buttons[0]["text"])
