"""credit: vouches, gifts from earned karma only, sign-up grants retired

Karma becomes mutual credit (docs/design/karma-trust.md):

- `vouch`: a trusted member's stake in another's credit limit, active until
  withdrawn or absorbed; one active vouch per pair (a partial unique index).
- `ledger_record` (alembic 0004) learns the gift's guard: with `p_earned_only`
  the debit side is held at or above zero (`domain.ledger.EARNED`) instead of
  minus its credit limit, in the same UPDATE under the row lock. The new
  parameter defaults to false, so `ledger_record_strict` (0005) and every
  call with thirteen arguments keep their meaning.
- every sign-up grant is reversed by a compensating transfer, as far as the
  member's credit limit allows (ledger/signup_grants.py; the audit reports
  the rest per member).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SIGNATURE = (
    "ledger_record(text, int, int, bigint, text, text, int, timestamptz, text, "
    "text, timestamptz, bigint, bigint)"
)
NEW_SIGNATURE = OLD_SIGNATURE.removesuffix(")") + ", boolean)"

FUNCTION = """
CREATE FUNCTION ledger_record(
    p_key text, p_debit int, p_credit int, p_amount bigint, p_currency text,
    p_kind text, p_pending_id int, p_expires_at timestamptz, p_code text,
    p_memo text, p_created_at timestamptz,
    p_posted bigint, p_pending bigint, p_earned_only boolean DEFAULT false,
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
        IF acct = p_debit AND p_earned_only THEN
            -- a gift: only what the account earned, never its credit
            UPDATE ledger_account
            SET debits_posted = debits_posted + p_posted,
                debits_pending = debits_pending + p_pending
            WHERE id = acct AND currency = p_currency
              AND (growth <= 0 OR (closed_at IS NULL AND credits_posted
                   - debits_posted - debits_pending - growth >= 0))
            RETURNING id INTO moved;
        ELSIF acct = p_debit THEN
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

# 0004's function, for a downgrade
OLD_FUNCTION = """
CREATE FUNCTION ledger_record(
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
        RETURN;
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
            RETURN;
        END IF;
        moved := NULL;
    END LOOP;
END;
$$;
"""

ACTIVE = "withdrawn_at IS NULL AND absorbed_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "vouch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("vouchee_id", sa.Integer(), nullable=False),
        sa.Column("stake", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("absorbed", sa.Integer(), nullable=False),
        sa.Column("absorbed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("stake > 0", name="ck_vouch_stake"),
        sa.CheckConstraint("voucher_id <> vouchee_id", name="ck_vouch_two_people"),
        sa.ForeignKeyConstraint(["voucher_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["vouchee_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vouch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vouch_voucher_id"), ["voucher_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vouch_vouchee_id"), ["vouchee_id"], unique=False
        )
        batch_op.create_index(
            "uq_vouch_active_pair",
            ["voucher_id", "vouchee_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}")
        op.execute(FUNCTION)
    _retire_signup_grants()


def _retire_signup_grants() -> None:
    """The service itself, in this migration's transaction: the same rule and
    the same guards as any transfer."""
    from marketplace.ledger.signup_grants import retire_signup_grants

    session = Session(bind=op.get_bind())
    retire_signup_grants(session)
    session.flush()


def downgrade() -> None:
    # The retirements stay: transfers are never edited away (a re-grant would
    # be an operator's grant, with a memo).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {NEW_SIGNATURE}")
        op.execute(OLD_FUNCTION)
    with op.batch_alter_table("vouch", schema=None) as batch_op:
        batch_op.drop_index("uq_vouch_active_pair")
        batch_op.drop_index(batch_op.f("ix_vouch_vouchee_id"))
        batch_op.drop_index(batch_op.f("ix_vouch_voucher_id"))
    op.drop_table("vouch")
