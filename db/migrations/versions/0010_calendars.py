"""Calendars (issue 14): all-day events, and the tokens of the networks' and residents'
calendar feed URLs.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("all_day", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("networks") as batch:
        batch.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_networks_calendar_token"), ["calendar_token"])
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_residents_calendar_token"), ["calendar_token"])


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_constraint(op.f("uq_residents_calendar_token"), type_="unique")
        batch.drop_column("calendar_token")
    with op.batch_alter_table("networks") as batch:
        batch.drop_constraint(op.f("uq_networks_calendar_token"), type_="unique")
        batch.drop_column("calendar_token")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("all_day")
