"""ledger hot path as one PostgreSQL function

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

On PostgreSQL a transfer's three statements (insert once, then each side under
its guard, lower account id first) run inside one function call: one round trip
instead of three. SQLite keeps the three statements (no network to save).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_record(
    p_key text, p_debit int, p_credit int, p_amount bigint, p_currency text,
    p_kind text, p_pending_id int, p_expires_at timestamptz, p_code text,
    p_memo text, p_created_at timestamptz,
    p_posted bigint, p_pending bigint,
    OUT transfer_id int, OUT refused_account int)
LANGUAGE plpgsql AS $$
DECLARE
    growth bigint := p_posted + p_pending;
    first_id int := least(p_debit, p_credit);
    second_id int := greatest(p_debit, p_credit);
    acct int;
    moved int;
BEGIN
    INSERT INTO ledger_transfer (transfer_key, debit_account_id, credit_account_id,
        amount, currency, kind, pending_id, expires_at, code, memo, created_at)
    VALUES (p_key, p_debit, p_credit, p_amount, p_currency, p_kind, p_pending_id,
        p_expires_at, p_code, p_memo, p_created_at)
    ON CONFLICT DO NOTHING
    RETURNING id INTO transfer_id;
    IF transfer_id IS NULL THEN
        RETURN;  -- a replay, or a hold already resolved: the caller looks why
    END IF;
    FOREACH acct IN ARRAY ARRAY[first_id, second_id] LOOP
        IF acct = p_debit THEN
            UPDATE ledger_account
            SET debits_posted = debits_posted + p_posted,
                debits_pending = debits_pending + p_pending
            WHERE id = acct AND currency = p_currency
              AND (growth <= 0 OR (closed_at IS NULL AND (credit_limit IS NULL
                   OR credits_posted - debits_posted - debits_pending - growth
                      >= -credit_limit)))
            RETURNING id INTO moved;
        ELSE
            UPDATE ledger_account
            SET credits_posted = credits_posted + p_posted,
                credits_pending = credits_pending + p_pending
            WHERE id = acct AND currency = p_currency
              AND (growth <= 0 OR (closed_at IS NULL AND (cap IS NULL
                   OR credits_posted + credits_pending + growth - debits_posted
                      <= cap)))
            RETURNING id INTO moved;
        END IF;
        IF moved IS NULL THEN
            refused_account := acct;
            RETURN;  -- the caller explains and the transaction rolls back
        END IF;
        moved := NULL;
    END LOOP;
END;
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS ledger_record(text, int, int, bigint, text, "
            "text, int, timestamptz, text, text, timestamptz, bigint, bigint)"
        )
