"""privacy by degree (issue 22)

`privacy_setting` holds one member's choices: for each part of their
profile (contact email, location, background, availability, karma balance,
reviews, give/get chart, connections list) the furthest degree that sees it
(everyone | second | first | me), who may send them connection and message
requests (everyone | second | nobody), and whether people search finds them.
One row per member, written the first time they change a setting; a member
without one has the defaults of domain/privacy.py, so nothing is backfilled.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVEL = sqlmodel.sql.sqltypes.AutoString(length=8)
PARTS = (
    "email",
    "location",
    "background",
    "availability",
    "karma",
    "reviews",
    "give_get",
    "connections",
    "connect_requests",
    "message_requests",
)


def upgrade() -> None:
    op.create_table(
        "privacy_setting",
        sa.Column("member_id", sa.Integer(), nullable=False),
        *(sa.Column(name, LEVEL, nullable=False) for name in PARTS),
        sa.Column("hidden_from_search", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_index(
        "ix_privacy_setting_hidden_from_search",
        "privacy_setting",
        ["hidden_from_search"],
    )


def downgrade() -> None:
    op.drop_index("ix_privacy_setting_hidden_from_search", table_name="privacy_setting")
    op.drop_table("privacy_setting")
