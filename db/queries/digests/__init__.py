"""The weekly digest's reads and writes: who is due and what is theirs, a page of residents at
a time; what the whole week shares, read once; and the records that make a round once only.
The public API is importable from here (`from db.queries import digests as q`)."""

from __future__ import annotations

from db.queries.digests.residents import (
    DigestResident,
    HeldRow,
    blocks,
    count_due,
    due_page,
    held,
    memberships,
    offers,
    resident_for_preview,
)
from db.queries.digests.rounds import (
    add_digests,
    count_done,
    finish_run,
    forget_week,
    mark_held_sent,
    release_held_without_digest,
    run_state,
    start_run,
)
from db.queries.digests.week import (
    events_between,
    events_by_id,
    news,
    open_requests,
)

__all__ = [
    "DigestResident",
    "HeldRow",
    "add_digests",
    "blocks",
    "count_done",
    "count_due",
    "due_page",
    "events_between",
    "events_by_id",
    "finish_run",
    "forget_week",
    "held",
    "mark_held_sent",
    "memberships",
    "news",
    "offers",
    "open_requests",
    "release_held_without_digest",
    "resident_for_preview",
    "run_state",
    "start_run",
]
