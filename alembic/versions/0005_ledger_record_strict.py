"""ledger_record_strict: a single transfer that is its own transaction

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

`ledger_record` reports a refused guard and lets the caller roll back. When a
transfer is the whole transaction (autocommit, one round trip), the refusal must
undo the insert by itself: this wrapper raises, which rolls the statement back.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_record_strict(
    p_key text, p_debit int, p_credit int, p_amount bigint, p_currency text,
    p_kind text, p_pending_id int, p_expires_at timestamptz, p_code text,
    p_memo text, p_created_at timestamptz, p_posted bigint, p_pending bigint)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    result record;
BEGIN
    SELECT * INTO result FROM ledger_record(p_key, p_debit, p_credit, p_amount,
        p_currency, p_kind, p_pending_id, p_expires_at, p_code, p_memo,
        p_created_at, p_posted, p_pending);
    IF result.refused_account IS NOT NULL THEN
        RAISE EXCEPTION 'ledger guard refused account %', result.refused_account
            USING ERRCODE = 'KL001', DETAIL = result.refused_account::text;
    END IF;
    RETURN result.transfer_id;
END;
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS ledger_record_strict(text, int, int, bigint, "
            "text, text, int, timestamptz, text, text, timestamptz, bigint, bigint)"
        )
