"""What a host fills in for an event, and the checks it passes before it is stored: the limits
on each text, a start that is not in the past, an end after the start, and translations only
into the languages we ship."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.i18n import SHIPPED_LOCALES
from bot.services.errors import InvalidInput

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
PLACE_MAX = 200


@dataclass(frozen=True)
class EventDraft:
    """What a host fills in; times are aware (UTC or local)."""

    network_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = ""
    description: str = ""
    no_norwegian_needed: bool = False
    # From a calendar's DATE values: the times are local midnights, shown as days.
    all_day: bool = False
    locale: str = "nb"
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)


def clean_draft(draft: EventDraft, now: datetime) -> EventDraft:
    """The draft with its texts trimmed, or `InvalidInput` naming the field that is wrong."""
    title = " ".join(draft.title.split())
    if not title:
        raise InvalidInput("title", "empty")
    for name, value, limit in (
        ("title", title, TITLE_MAX),
        ("description", draft.description, DESCRIPTION_MAX),
        ("place", draft.place, PLACE_MAX),
    ):
        if len(value) > limit:
            raise InvalidInput(name, "too_long", limit)
    if draft.starts_at.tzinfo is None or draft.starts_at < now - timedelta(minutes=5):
        raise InvalidInput("starts_at", "past")
    if draft.ends_at is not None and draft.ends_at <= draft.starts_at:
        raise InvalidInput("ends_at", "before_start")
    translations = {
        loc: (" ".join(t.split())[:TITLE_MAX], d.strip()[:DESCRIPTION_MAX])
        for loc, (t, d) in draft.translations.items()
        if loc in SHIPPED_LOCALES and loc != draft.locale and t.strip()
    }
    return replace(
        draft,
        title=title,
        description=draft.description.strip(),
        place=draft.place.strip(),
        translations=translations,
    )
