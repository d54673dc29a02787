"""login_attempt.client: throttle logins per client address, not per email only

Five wrong passwords used to lock an email, whoever typed them, so anyone could
lock any member out, and one address could try a password against every email
unhindered. The throttle now counts failures per address and account, per
address across accounts, and per account across addresses
(domain/accounts.py, ThrottlePolicy), so each attempt records its client's
address bucket, and an index on (client, at) finds an address's recent
failures. Attempts made before this revision belong to the "unknown" bucket.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "client",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="unknown",
            )
        )
        batch_op.create_index(
            "ix_login_attempt_client_at", ["client", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_client_at")
        batch_op.drop_column("client")
