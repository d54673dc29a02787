"""unfarmable karma: intro rewards once per pair, reputation by reviewer

Issue 20 (docs/design/karma-trust.md). `intro_reward` holds each reward an
introducer earned, under a unique constraint on the unordered pair of the
two people introduced: one reward per pair, ever, however often they are
introduced, help each other, part and are introduced again. The monthly cap
per introducer counts its rows.

The rewards already paid are written into it here, from their ledger
transfers (`intro:<intro id>:reward`): the pairs that already earned one are
spent, so the loop that minted them cannot go on after the upgrade. Where an
old loop paid one pair several times, the earliest reward is kept as the
pair's; the ledger keeps every transfer as it was.

`ix_review_pair` serves what a reputation reads now: one reviewee's reviews
per reviewer in time order (the newest per reviewer per 90 days counts) and
the reciprocal five-star pairs.

IOUs need no schema change: "acknowledged" (written by the debtor, waiting
for the creditor) is one more value of `iou.status` and of `iou_event.kind`,
derived from the events like the others. A downgrade reads a waiting
acknowledgement as the binding word it was before.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intro_reward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_a_id", sa.Integer(), nullable=False),
        sa.Column("member_b_id", sa.Integer(), nullable=False),
        sa.Column("introducer_id", sa.Integer(), nullable=False),
        sa.Column("intro_id", sa.Integer(), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("member_a_id < member_b_id", name="ck_intro_reward_pair"),
        sa.CheckConstraint("amount > 0", name="ck_intro_reward_amount"),
        sa.ForeignKeyConstraint(["member_a_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_b_id"], ["member.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["introducer_id"], ["member.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["intro_id"], ["intro.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["engagement_id"], ["engagement.id"], ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_a_id", "member_b_id", name="uq_intro_reward_pair"),
    )
    op.create_index(
        "ix_intro_reward_introducer", "intro_reward", ["introducer_id", "created_at"]
    )
    _spend_the_pairs_already_rewarded()
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_review_pair", ["reviewee_id", "reviewer_id", "created_at"]
        )


def _spend_the_pairs_already_rewarded() -> None:
    """One row per pair that earned a reward before this upgrade: its first."""
    conn = op.get_bind()
    intro, transfer = sa.table(
        "intro",
        sa.column("id"),
        sa.column("requester_id"),
        sa.column("target_id"),
        sa.column("via_id"),
        sa.column("engagement_id"),
    ), sa.table(
        "ledger_transfer",
        sa.column("id"),
        sa.column("transfer_key"),
        sa.column("amount"),
        sa.column("code"),
        sa.column("created_at"),
    )
    rows = conn.execute(
        sa.select(
            intro.c.id,
            intro.c.requester_id,
            intro.c.target_id,
            intro.c.via_id,
            intro.c.engagement_id,
            transfer.c.amount,
            transfer.c.created_at,
        )
        .join(
            transfer,
            transfer.c.transfer_key
            == sa.literal("intro:") + sa.cast(intro.c.id, sa.String) + ":reward",
        )
        .where(transfer.c.code == "intro_reward", transfer.c.amount > 0)
        .order_by(transfer.c.id)
    ).all()
    spent: set[tuple[int, int]] = set()
    reward = sa.table(
        "intro_reward",
        sa.column("member_a_id"),
        sa.column("member_b_id"),
        sa.column("introducer_id"),
        sa.column("intro_id"),
        sa.column("engagement_id"),
        sa.column("amount"),
        sa.column("created_at"),
    )
    for intro_id, requester, target, via, engagement, amount, at in rows:
        pair = (min(requester, target), max(requester, target))
        if pair in spent:
            continue
        spent.add(pair)
        conn.execute(
            reward.insert().values(
                member_a_id=pair[0],
                member_b_id=pair[1],
                introducer_id=via,
                intro_id=intro_id,
                engagement_id=engagement,
                amount=amount,
                created_at=at,
            )
        )


def downgrade() -> None:
    # Before this revision a debtor's own word bound at once: an IOU still
    # waiting for its creditor goes back to open, its acknowledgement read
    # as the acceptance it used to be.
    op.execute("UPDATE iou_event SET kind = 'accepted' WHERE kind = 'acknowledged'")
    op.execute("UPDATE iou SET status = 'open' WHERE status = 'acknowledged'")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index("ix_review_pair")
    op.drop_index("ix_intro_reward_introducer", table_name="intro_reward")
    op.drop_table("intro_reward")
