"""listing.spots_taken: the spots engagements hold, kept by triggers

The market, the dashboard's "requests I could help with", the nudge feed and
group pages show only listings with a spot left. That was a correlated count
of the listing's engagements, evaluated once per open listing for every page
and every total: about half of PostgreSQL's time under load
(benchmarks/README.md, "Load"). Now the count lives on the listing row, and
triggers on `engagement` keep it in step with every insert, status change and
delete, whichever code path (or operator's SQL) makes them, so it cannot drift
from the engagements it counts. The statuses are those of
`domain.engagements.TAKES_A_SPOT` on the day of this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TAKING = "('accepted', 'delivered', 'confirmed', 'disputed', 'resolved')"
_TRIGGERS = ("insert", "update", "delete")

_BACKFILL = (
    "UPDATE listing SET spots_taken = (SELECT count(*) FROM engagement "
    f"WHERE engagement.listing_id = listing.id AND engagement.status IN {_TAKING})"
)


def _bump(row: str, by: str) -> str:
    return f"UPDATE listing SET spots_taken = spots_taken {by} 1 WHERE id = {row}.listing_id"


_SQLITE = [
    "CREATE TRIGGER engagement_spots_insert AFTER INSERT ON engagement "
    f"WHEN new.status IN {_TAKING} BEGIN {_bump('new', '+')}; END",
    "CREATE TRIGGER engagement_spots_delete AFTER DELETE ON engagement "
    f"WHEN old.status IN {_TAKING} BEGIN {_bump('old', '-')}; END",
    "CREATE TRIGGER engagement_spots_update AFTER UPDATE OF status ON engagement "
    f"WHEN (old.status IN {_TAKING}) != (new.status IN {_TAKING}) BEGIN "
    f"{_bump('old', '-')} AND old.status IN {_TAKING}; "
    f"{_bump('new', '+')} AND new.status IN {_TAKING}; END",
]
_POSTGRES = [
    f"""CREATE FUNCTION engagement_spots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF OLD.status IN {_TAKING} THEN {_bump("OLD", "-")}; END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.status IN {_TAKING} THEN {_bump("NEW", "+")}; END IF;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER engagement_spots_insert AFTER INSERT ON engagement "
    "FOR EACH ROW EXECUTE FUNCTION engagement_spots()",
    "CREATE TRIGGER engagement_spots_delete AFTER DELETE ON engagement "
    "FOR EACH ROW EXECUTE FUNCTION engagement_spots()",
    "CREATE TRIGGER engagement_spots_update AFTER UPDATE OF status ON engagement "
    "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION engagement_spots()",
]


def upgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("spots_taken", sa.Integer(), nullable=False, server_default="0")
        )
    op.execute(_BACKFILL)
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE if dialect == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for trigger in _TRIGGERS:
        on = " ON engagement" if postgres else ""
        op.execute(f"DROP TRIGGER IF EXISTS engagement_spots_{trigger}{on}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS engagement_spots()")
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_column("spots_taken")
