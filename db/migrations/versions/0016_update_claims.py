"""Scale-out (issue 17): the ledger of handled Telegram updates, so that an update retried or
sent to another instance is handled once (bot.update_ledger; used on PostgreSQL without Redis).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "update_claims",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_update_claims")),
    )


def downgrade() -> None:
    op.drop_table("update_claims")
