"""saved cards: members pay with their own card (issue 21)

`member.stripe_customer_id` is the Stripe customer a member's saved cards
belong to, made the first time they save one. `saved_card` keeps what the
member may see of each card (brand, last 4, expiry), never its number:
Stripe.js sends that to Stripe from the browser. localstripe does not
attach cards to customers, so this table, filled only from a SetupIntent
this app made for the member, is what says whose card it is
(docs/design/card-payments.md). `engagement.payment_method_id` is the
card a paid engagement was authorized with; `payment_attempts` counts the
payer's card attempts that failed (a decline, a refused 3-D Secure), so
each new attempt has its own Stripe idempotency key.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stripe_customer_id",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )
    op.create_table(
        "saved_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "payment_method_id",
            sqlmodel.sql.sqltypes.AutoString(length=255),
            nullable=False,
        ),
        sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("exp_month", sa.Integer(), nullable=False),
        sa.Column("exp_year", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payment_method_id"),
    )
    op.create_index("ix_saved_card_member_id", "saved_card", ["member_id"])
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "payment_method_id",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "payment_attempts", sa.Integer(), nullable=False, server_default="0"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_column("payment_attempts")
        batch_op.drop_column("payment_method_id")
    op.drop_index("ix_saved_card_member_id", table_name="saved_card")
    op.drop_table("saved_card")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("stripe_customer_id")
