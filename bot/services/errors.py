"""What a service refuses, as types; each channel words them in the resident's language."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """Base of every refusal a service can give.

    `keeps_conversation` says whether a resident in the middle of a conversation (typing a
    code, a title, a description) can simply try again: true for input that was not right,
    false where the refusal ends what they were doing."""

    keeps_conversation = False


class PermissionDenied(ServiceError):
    """The actor's role does not allow the action."""

    def __init__(self, needed: str) -> None:
        super().__init__(needed)
        self.needed = needed  # "coordinator", "host" or "resident"


class NotOnboarded(ServiceError):
    """The resident has not finished onboarding (language and privacy notice)."""


class NotFound(ServiceError):
    """The thing asked for does not exist (or no longer does)."""


class NetworkArchived(ServiceError):
    """The network is archived: it takes no new members (`joining`) and nothing new is
    posted in it."""

    def __init__(self, joining: bool = True) -> None:
        super().__init__()
        self.joining = joining


class InviteCodeRequired(ServiceError):
    """The network is invite-only and no code was given."""


class InviteCodeWrong(ServiceError):
    """The invite code does not match."""

    keeps_conversation = True


class InvalidInput(ServiceError):
    """A value given to a service is not acceptable; `field` names it, `reason` says why."""

    keeps_conversation = True

    def __init__(self, field: str, reason: str, limit: int = 0) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason  # "empty", "too_long", "format", "taken"
        self.limit = limit


class OptedOut(ServiceError):
    """The phone number's owner sent STOP: nothing reaches it by SMS until their own START.

    `own` says whether it is the acting resident's own number (they can send START from it)
    or someone else's (only they can)."""

    def __init__(self, own: bool = False) -> None:
        super().__init__()
        self.own = own


class RateLimited(ServiceError):
    """Asked too often in a short time (codes by SMS cost money and can be abused; reports,
    requests and messages flood other people).

    `what` is "phone_code", or the kind of a per-resident rate limit ("report",
    "help_request", "relay", "sms"); `retry_at` when one more will be accepted and `now` the
    moment of the refusal (to say "today" or "tomorrow"). `quiet`: the resident was told
    already in this window, so a channel that pays per message stays silent."""

    def __init__(
        self,
        what: str = "phone_code",
        retry_at: datetime | None = None,
        now: datetime | None = None,
        quiet: bool = False,
    ) -> None:
        super().__init__(what)
        self.what = what
        self.retry_at = retry_at
        self.now = now
        self.quiet = quiet
        # Writing to a match: the next message, once the window allows, goes to them too.
        self.keeps_conversation = what == "relay"


class CodeRejected(ServiceError):
    """A phone code did not link the number; `reason` is "none", "wrong", "expired" or
    "attempts" (too many wrong tries: the code is gone), `left` the tries that remain."""

    def __init__(self, reason: str, left: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.left = left
        self.keeps_conversation = reason == "wrong"  # tries are left: type it again
