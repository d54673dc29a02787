"""freeze: an operator stops a suspect account from spending

The integrity report (ledger/integrity.py) names accounts that look like
karma farms; an operator may freeze one. `member.frozen_at` and its reason
are all there is to it: the services check them (accounts/standing.py), and
the ledger keeps every entry.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("frozen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "frozen_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("frozen_reason")
        batch_op.drop_column("frozen_at")
