"""receipts for card payments (issue 21)

`receipt` is the payer's record of one card charge or one refund: its
number, the amount and the platform's fee in it, both parties, and the
card's brand and last 4 copied when it was issued, so it never changes
afterwards. One per engagement and kind (`uq_receipt_once`): issuing it
again writes nothing. `mail_outbox` gains one attachment (its name and
bytes), so the receipt's PDF goes out with its mail.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column(
            "card_brand", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column(
            "card_last4", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False
        ),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("emailed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("amount >= 0 AND fee >= 0", name="ck_receipt_amounts"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagement.id"]),
        sa.ForeignKeyConstraint(["payer_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["helper_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("engagement_id", "kind", name="uq_receipt_once"),
    )
    op.create_index("ix_receipt_payer_id", "receipt", ["payer_id"])
    op.create_index("ix_receipt_helper_id", "receipt", ["helper_id"])
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "attachment_name",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("attachment", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_column("attachment")
        batch_op.drop_column("attachment_name")
    op.drop_index("ix_receipt_helper_id", table_name="receipt")
    op.drop_index("ix_receipt_payer_id", table_name="receipt")
    op.drop_table("receipt")
