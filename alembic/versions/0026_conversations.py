"""direct messages and message requests (issue 22)

`conversation` is one pair's direct messages (lower member id first, one per
pair); `conversation_seat` is each member's place in it: a read marker and
an unread counter, so the navigation's badge is one index-only count;
`direct_message` is one message; `message_request` is a request to talk
from someone not connected, one per sender and recipient, ever.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_a_id", sa.Integer(), nullable=False),
        sa.Column("member_b_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column(
            "last_message_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True
        ),
        sa.CheckConstraint("member_a_id < member_b_id", name="ck_conversation_pair"),
        sa.ForeignKeyConstraint(["member_a_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_b_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_a_id", "member_b_id", name="uq_conversation_pair"),
    )
    op.create_index("ix_conversation_member_b_id", "conversation", ["member_b_id"])
    op.create_table(
        "conversation_seat",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("conversation_id", "member_id"),
    )
    op.create_index(
        "ix_conversation_seat_unread", "conversation_seat", ["member_id", "unread"]
    )
    op.create_table(
        "direct_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["author_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_direct_message_thread", "direct_message", ["conversation_id", "id"]
    )
    op.create_index("ix_direct_message_author_id", "direct_message", ["author_id"])
    op.create_table(
        "message_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False
        ),
        sa.Column(
            "status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False
        ),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("responded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("sender_id <> recipient_id", name="ck_message_request_two"),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["recipient_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sender_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "sender_id", "recipient_id", name="uq_message_request_once"
        ),
    )
    op.create_index(
        "ix_message_request_inbox", "message_request", ["recipient_id", "status"]
    )
    op.create_index(
        "ix_message_request_sent", "message_request", ["sender_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_message_request_sent", table_name="message_request")
    op.drop_index("ix_message_request_inbox", table_name="message_request")
    op.drop_table("message_request")
    op.drop_index("ix_direct_message_author_id", table_name="direct_message")
    op.drop_index("ix_direct_message_thread", table_name="direct_message")
    op.drop_table("direct_message")
    op.drop_index("ix_conversation_seat_unread", table_name="conversation_seat")
    op.drop_table("conversation_seat")
    op.drop_index("ix_conversation_member_b_id", table_name="conversation")
    op.drop_table("conversation")
