"""Residents as the bot first meets them: a simulated user taken through onboarding, or one
settled through the services as if they had been onboarded in an earlier run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from bot.fake_bot_api import FakeBotAPI, FakeUser
from bot.i18n import NATIVE_NAMES
from bot.services import networks, residents
from bot.services.actors import Actor

if TYPE_CHECKING:
    from bot.app import App

UserFactory = Callable[..., FakeUser]
# `await arrive("Olena", "uk", join=["torstrand"])`: an onboarded resident, member of the
# networks named (by slug).
Settler = Callable[..., Awaitable[FakeUser]]


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


async def settle(app: App, user: FakeUser, locale: str = "nb", join: Iterable[str] = ()) -> Actor:
    """`user` as onboarding leaves them: their language chosen, the privacy notice accepted and
    the networks named by `join` (slugs) joined, through the same service calls the onboarding
    and join handlers make, so the database holds what it would after /start.

    Onboarding through the dispatcher costs about a dozen updates and Bot API round trips a
    resident; fixtures with four to six residents spent most of their tests' time there. The
    tests that check onboarding itself still go through the bot. What differs is the chat:
    it is open (the bot may write first, as to someone who started it in an earlier run) but
    empty, so a test that presses a button first opens the screen it is on, as a resident
    coming back to the chat would."""
    async with app.sessionmaker() as session:
        actor = await residents.identify(session, user.id, app.settings.coordinator_ids)
        actor = await residents.choose_language(session, actor, locale, user.profile["first_name"])
        actor = await residents.accept_privacy(session, actor)
        for slug in join:
            network = await networks.find_by_slug(session, actor, slug)
            await networks.join(session, actor, network.id)
    user.server.open_chat(user.id)
    return actor


def settler(app: App, make_user: UserFactory) -> Settler:
    """Settled residents (see `settle`) with fresh Telegram ids, for fixtures:
    `await settled("Olena", "uk", join=["torstrand"])`. Their app reports the language they
    chose, as the residents onboarded by `resident` in tests/conftest.py do."""

    async def settled(
        first_name: str = "Kari",
        locale: str = "nb",
        *,
        join: Iterable[str] = (),
        user_id: int | None = None,
    ) -> FakeUser:
        user = make_user(first_name, locale, user_id)
        await settle(app, user, locale, join)
        return user

    return settled


def through_the_bot(resident: Callable[..., Awaitable[FakeUser]]) -> Settler:
    """Like `settler`, but each resident arrives in the chat: onboarded by tests/conftest.py's
    `resident` (/start, the language, the privacy notice), then joining each network by its
    link, `/start join-<slug>`."""

    async def arrived(
        first_name: str = "Kari",
        locale: str = "nb",
        *,
        join: Iterable[str] = (),
        user_id: int | None = None,
    ) -> FakeUser:
        user = await resident(first_name, NATIVE_NAMES[locale], locale, user_id)
        for slug in join:
            await user.send(f"/start join-{slug}")
        return user

    return arrived
