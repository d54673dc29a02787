"""intro.via_note: what the introducer says when introducing

An introducer could add a few words when forwarding an intro, but they went
only into the target's notification and were lost: the asker never saw them,
and neither side could read them again on the network page. Now they are
kept on the intro and shown to both (network/intros.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("intro", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "via_note",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("intro", schema=None) as batch_op:
        batch_op.drop_column("via_note")
