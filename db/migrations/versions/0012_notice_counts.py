"""An index for the flood guard's count of a network's new-event notices of the day.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_notices_network_kind_created", "notices", ["network_id", "kind", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_notices_network_kind_created", table_name="notices")
