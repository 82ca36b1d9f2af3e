"""Who is acting: the identity and roles a service checks before it changes anything."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.errors import NotOnboarded, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The person (or operator) behind a request.

    `resident_id` is None for someone who has not chosen a language yet. The operator at the
    command line is a coordinator without a resident row (`Actor.operator()`).
    """

    resident_id: int | None
    telegram_id: int | None
    locale: str | None
    is_coordinator: bool
    onboarded: bool

    @classmethod
    def operator(cls) -> Actor:
        return cls(None, None, None, is_coordinator=True, onboarded=True)

    def require_resident(self) -> int:
        """The resident id of an onboarded resident, or NotOnboarded."""
        if self.resident_id is None or not self.onboarded:
            raise NotOnboarded()
        return self.resident_id

    def require_coordinator(self) -> None:
        if not self.is_coordinator:
            raise PermissionDenied("coordinator")
