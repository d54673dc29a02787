"""moderation: reports, the operator log, appeals, hidden content (issue 22)

`report` is a member's report of a member, a listing, a review or an
engagement message (`kind` + `item_id`; a direct message will be one more
kind), with a reason from a fixed list and an optional note; one open
report per reporter and item (`uq_report_open_once`, partial). Every desk
action is a row of `moderation_action`, the append-only operator log. A
suspended member may write an `appeal`.

`listing`, `review` and `message` gain `hidden_at` (hidden by a moderator);
`member` gains `suspended_at` and its reason; `auth_session` gains
`reauthenticated_at`, when the member last confirmed their password in that
session (operator actions need it within minutes).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "closed_at IS NULL"
HIDDEN_AT = ("listing", "review", "message")


def upgrade() -> None:
    _report()
    _moderation_action()
    _appeal()
    for table in HIDDEN_AT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "hidden_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True
                )
            )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "suspended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "suspended_reason",
                sqlmodel.sql.sqltypes.AutoString(length=300),
                nullable=False,
                server_default="",
            )
        )
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reauthenticated_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=True,
            )
        )


def _report() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reported_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column(
            "outcome", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False
        ),
        sa.CheckConstraint("reporter_id <> reported_id", name="ck_report_not_self"),
        sa.ForeignKeyConstraint(["reporter_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reported_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_reporter_id", "report", ["reporter_id"])
    op.create_index("ix_report_reported_id", "report", ["reported_id"])
    op.create_index("ix_report_queue", "report", ["closed_at", "kind", "item_id"])
    op.create_index(
        "uq_report_open_once",
        "report",
        ["reporter_id", "kind", "item_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def _moderation_action() -> None:
    op.create_table(
        "moderation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column(
            "action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False
        ),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_moderation_action_at", "moderation_action", ["at"])
    op.create_index(
        "ix_moderation_action_member_id", "moderation_action", ["member_id"]
    )


def _appeal() -> None:
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "body", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False
        ),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_appeal_member_id", "appeal", ["member_id"])
    op.create_index("ix_appeal_open", "appeal", ["closed_at", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_column("reauthenticated_at")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("suspended_at")
    for table in HIDDEN_AT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("hidden_at")
    op.drop_table("appeal")
    op.drop_table("moderation_action")
    op.drop_table("report")
