"""One open report per reporter and item: whether a report is about the person rather than
the request, and a unique index over the open ones. Duplicates already open are marked
handled first (the earliest of each stays open).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

reports = sa.table(
    "reports",
    sa.column("id", sa.Integer()),
    sa.column("reporter_id", sa.Integer()),
    sa.column("request_id", sa.Integer()),
    sa.column("reported_id", sa.Integer()),
    sa.column("about_resident", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("handled_at", sa.DateTime(timezone=True)),
)

OPEN = sa.text("handled_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("about_resident", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Until now a report about the person was the one that named them.
    op.execute(
        reports.update().where(reports.c.reported_id.is_not(None)).values(about_resident=True)
    )
    earlier = reports.alias("earlier")
    op.execute(
        reports.update()
        .where(
            reports.c.handled_at.is_(None),
            sa.exists().where(
                earlier.c.handled_at.is_(None),
                earlier.c.reporter_id == reports.c.reporter_id,
                earlier.c.request_id == reports.c.request_id,
                earlier.c.about_resident == reports.c.about_resident,
                earlier.c.id < reports.c.id,
            ),
        )
        .values(handled_at=reports.c.created_at)
    )
    op.create_index(
        "ux_reports_open",
        "reports",
        ["reporter_id", "request_id", "about_resident"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ux_reports_open", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("about_resident")
