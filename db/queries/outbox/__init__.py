"""The outbox tables: whom a notice reaches, enqueueing notices with their renderings and
deliveries in bulk, workers claiming due deliveries, recording their outcomes, and the shared
rate limits. One module per step; the public API is importable from here
(`from db.queries import outbox as q`)."""

from __future__ import annotations

from db.queries.outbox.claims import Claimed, claim, pending_count, renderings
from db.queries.outbox.enqueue import (
    CHUNK,
    add_deliveries,
    add_missing_deliveries,
    add_notice,
    add_notices,
    add_renderings,
    notice,
    notice_by_key,
    rendered,
)
from db.queries.outbox.outcomes import (
    FINAL_REPORTS,
    counts,
    drop_waiting_sms,
    fall_back_to_sms,
    mark,
    mark_resident_unreachable,
    record_report,
    record_sms,
    release_held,
)
from db.queries.outbox.pacing import reserve_slots
from db.queries.outbox.recipients import (
    RecipientRow,
    all_accepted,
    everyone,
    network_members,
    received,
    report_readers,
    residents,
    sms_reachable,
)

__all__ = [
    "CHUNK",
    "FINAL_REPORTS",
    "Claimed",
    "RecipientRow",
    "add_deliveries",
    "add_missing_deliveries",
    "add_notice",
    "add_notices",
    "add_renderings",
    "all_accepted",
    "claim",
    "counts",
    "drop_waiting_sms",
    "everyone",
    "fall_back_to_sms",
    "mark",
    "mark_resident_unreachable",
    "network_members",
    "notice",
    "notice_by_key",
    "pending_count",
    "received",
    "record_report",
    "record_sms",
    "release_held",
    "rendered",
    "renderings",
    "report_readers",
    "reserve_slots",
    "residents",
    "sms_reachable",
]
