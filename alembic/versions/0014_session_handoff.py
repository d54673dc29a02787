"""auth_session handoff: the browser takes a new session over at an HTTP route

The session cookie is HttpOnly, so only an HTTP response can set it, while the
password is checked on the event socket. The socket hands the new session over
with a one-time ticket (its SHA-256 stored here, expiring in a minute); the
route `/api/session/start` redeems it, rotates the session's token and sets
the cookie (api.py, accounts/accounts.py).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "handoff_hash",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "handoff_expires_at",
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=True,
            )
        )
        batch_op.create_index(
            "ix_auth_session_handoff_hash", ["handoff_hash"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_session", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_session_handoff_hash")
        batch_op.drop_column("handoff_expires_at")
        batch_op.drop_column("handoff_hash")
