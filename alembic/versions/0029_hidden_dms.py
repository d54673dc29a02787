"""hidden direct messages: a moderator may hide a reported direct message

`direct_message` gains `hidden_at` (hidden by a moderator): every reader --
the conversation page, the conversations list's preview, message search --
shows "Removed by a moderator." instead of its text, which stays in the
database for the record. `report.kind` gains the value "dm" (a direct
message); it is a plain string column, so nothing else changes.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("direct_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("direct_message", schema=None) as batch_op:
        batch_op.drop_column("hidden_at")
