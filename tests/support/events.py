"""Events for tests: a host's draft of the Thursday language café, and the actor a simulated
user is to the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services import events, residents
from bot.services.actors import Actor

THURSDAY_18 = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # Thursday 3 December, 18:00 in Oslo


async def actor_of(app, user) -> Actor:  # type: ignore[no-untyped-def]
    """Who `user` (a simulated Telegram user) is to the services."""
    async with app.sessionmaker() as session:
        return await residents.identify(session, user.id, app.settings.coordinator_ids)


def event_draft(network_id: int, **changes: object) -> events.EventDraft:
    """The language café at the library, Thursday 18-20, with a Ukrainian version."""
    values: dict[str, object] = {
        "network_id": network_id,
        "title": "Språkkafé på biblioteket",
        "starts_at": THURSDAY_18,
        "ends_at": THURSDAY_18 + timedelta(hours=2),
        "place": "Larvik bibliotek",
        "description": "Vi øver norsk sammen. Kaffe og vafler!",
        "no_norwegian_needed": True,
        "locale": "nb",
        "translations": {"uk": ("Мовне кафе в бібліотеці", "Практикуємо норвезьку разом.")},
    }
    values.update(changes)
    return events.EventDraft(**values)  # type: ignore[arg-type]
