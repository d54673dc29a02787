"""listing_newest index: the market's newest-first page reads 20 rows, not all

The market page, the dashboard's "requests I could help with" and the nudge
feed's open requests list open listings newest first with a LIMIT. With only
`ix_listing_browse` (status, kind, created_at) PostgreSQL filtered every open
listing (the room and visibility subqueries once per listing) and sorted them;
walking this index backwards it stops after the page (benchmarks/README.md,
"Load": 1.5 ms per market page at ~550 open listings, growing with them).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 20:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_listing_newest", ["status", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_index("ix_listing_newest")
