"""payout_accounts: a consultant's Stripe Connect account (issue 7)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 14:02:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stripe_account_id",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("stripe_account_id")
