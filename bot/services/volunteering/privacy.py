"""A resident's volunteering in /mydata, and what /forget does with it: signups that count no
hours (still to come, not confirmed, or "did not come") go, so their slots are free again;
a confirmed "came" stays without the resident (the foreign key sets it to NULL when the
resident row goes), so the month's volunteer hours stay true without saying whose they were.
Calls they posted as a host stay for their network, without their name (SET NULL too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.queries import volunteering as q


async def signups_record(session: AsyncSession, resident_id: int) -> dict[str, Any]:
    """Their signups (call, network, shift, whether others may see their name, whether the
    host confirmed they came) and their confirmed hours."""
    rows = await q.of_resident(session, resident_id)
    signups = [
        {
            "call": r.call,
            "network": r.network,
            "starts_at": r.starts_at.isoformat(),
            "ends_at": r.ends_at.isoformat(),
            "first_name_shown": r.show_name,
            "came": r.attended if r.confirmed else None,
        }
        for r in rows
    ]
    hours = sum(
        (r.ends_at - r.starts_at).total_seconds() / 3600 for r in rows if r.confirmed and r.attended
    )
    return {
        "signups": signups,
        "hours": round(hours, 2),
        "calls_posted": await q.calls_created_by(session, resident_id),
    }


async def forget_signups(session: AsyncSession, resident_id: int) -> None:
    await q.drop_uncounted(session, resident_id)
