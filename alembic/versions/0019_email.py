"""email: canonical addresses and verification links

One mailbox, one account: `member.email_canonical` holds the address folded
for uniqueness (case, +tags, gmail dots; domain/accounts.py canonical_email)
under a unique constraint, and `member.email_verified_at` says when the member
proved they read it. `email_verification` keeps the hashed single-use links,
each for the member's own address or (`purpose` "work") for a second, work
address, which `member.work_email` holds once verified: the profile shows
its domain.

Existing members are backfilled here with the same fold. Two existing accounts
that fold to one mailbox can't both keep it: the upgrade stops and names them,
for the operator to merge or rename, rather than silently picking one.
Existing members count as verified from this upgrade on: they joined under
the old rules, and locking them out of posting would punish them for it.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from marketplace.domain.accounts import canonical_email

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_canonical",
                sqlmodel.sql.sqltypes.AutoString(length=254),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "email_verified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "work_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "work_email_verified_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=True,
            )
        )
    _backfill()
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.alter_column(
            "email_canonical",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=254),
            nullable=False,
        )
        batch_op.create_unique_constraint(
            "uq_member_email_canonical", ["email_canonical"]
        )
    op.create_table(
        "email_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column(
            "purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("email_verification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_verification_member_id"), ["member_id"], unique=False
        )


def _backfill() -> None:
    conn = op.get_bind()
    member = sa.table(
        "member",
        sa.column("id", sa.Integer),
        sa.column("email", sa.String),
        sa.column("email_canonical", sa.String),
        sa.column("email_verified_at", sqlmodel.sql.sqltypes.UTCDateTime()),
        sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    rows = conn.execute(sa.select(member.c.id, member.c.email)).all()
    owners: dict[str, int] = {}
    for id_, email in rows:
        folded = canonical_email(email)
        if folded in owners:
            raise RuntimeError(
                f"members {owners[folded]} and {id_} share the mailbox {folded}: "
                "merge or change one of them before upgrading"
            )
        owners[folded] = id_
        conn.execute(
            member.update()
            .where(member.c.id == id_)
            .values(email_canonical=folded, email_verified_at=member.c.created_at)
        )


def downgrade() -> None:
    with op.batch_alter_table("email_verification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_verification_member_id"))
    op.drop_table("email_verification")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_constraint("uq_member_email_canonical", type_="unique")
        batch_op.drop_column("work_email_verified_at")
        batch_op.drop_column("work_email")
        batch_op.drop_column("email_verified_at")
        batch_op.drop_column("email_canonical")
