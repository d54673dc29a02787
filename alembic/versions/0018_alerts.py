"""alerts: throttle counters, alert choices and the mail outbox

Sign-up and mail throttles hold across workers: without Redis their counters
live in `rate_counter`. Each member chooses per kind of event how to hear of
it (`alert_preference`); an immediate alert is a row of `mail_outbox`,
written in the event's own transaction and sent once by a worker.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString
_when = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("key", _text(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        op.f("ix_rate_counter_expires_at"), "rate_counter", ["expires_at"]
    )
    op.create_table(
        "alert_preference",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(length=16), nullable=False),
        sa.Column("choice", _text(length=16), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id", "kind"),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", _text(length=16), nullable=False),
        sa.Column("to_address", _text(length=254), nullable=False),
        sa.Column("subject", _text(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("unsubscribe_url", _text(length=500), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _when(), nullable=True),
        sa.Column("sent_at", _when(), nullable=True),
        sa.Column("failed_at", _when(), nullable=True),
        sa.Column("last_error", _text(length=300), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_mail_outbox_due", "mail_outbox", ["sent_at", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_mail_outbox_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("alert_preference")
    op.drop_index(op.f("ix_rate_counter_expires_at"), table_name="rate_counter")
    op.drop_table("rate_counter")
