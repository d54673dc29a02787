"""Credit limits: written to each member's karma account, so that the ledger's
one balancing rule (`domain.ledger.FLOOR`) enforces them under the row lock.

Karma is mutual credit (docs/design/karma-trust.md): joining gives nothing to
spend; a member with a verified email may go below zero to pay for help, down
to the limit that trust and vouches give them (`domain.credit.credit_limit`).
The limit is recomputed whenever what it is made of changes:

- a member verifies their email: the `emails.verified` event, once committed
  (accounts may not import the ledger's services the other way round);
- a vouch is made, withdrawn or absorbed (ledger/vouches.py calls here);
- trust is recomputed: the computation calls `refresh_limits` in its own
  transaction, or publishes `trust.recomputed`, after which every limit is
  refreshed here.

A limit lowered below what a member already owes undoes nothing: they simply
cannot spend more until they earn.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlmodel import Session

from marketplace import events
from marketplace.db import unit_of_work
from marketplace.domain.credit import credit_limit
from marketplace.domain.ledger import KARMA
from marketplace.ledger import ledger
from marketplace.models import LedgerAccount, Member, Vouch
from marketplace.network import trust
from marketplace.settings import get_settings

log = logging.getLogger(__name__)
ACCOUNT = LedgerAccount.__table__
CHUNK = 500


def refresh_limit(session: Session, member_id: int) -> int:
    """Write the member's credit limit as it stands now; return it."""
    return _refresh(session, [member_id])[member_id]


def refresh_limits(session: Session, member_ids: Iterable[int] | None = None) -> int:
    """Write the credit limit of each of `member_ids` (every member when None),
    after trust was recomputed; return how many limits changed."""
    if member_ids is None:
        ids = list(session.execute(select(Member.id).order_by(Member.id)).scalars())
    else:
        ids = sorted(set(member_ids))
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        before = _stored_limits(session, chunk)
        after = _refresh(session, chunk)
        changed += sum(1 for m in chunk if before.get(m, 0) != after[m])
    return changed


def limit_of(session: Session, member_id: int, *, less_vouched_in: int = 0) -> int:
    """The limit the rule gives the member now, without writing it;
    `less_vouched_in`: as if that much staked for them were withdrawn."""
    return _limits(session, [member_id], less_vouched_in)[member_id]


def _refresh(session: Session, member_ids: Sequence[int]) -> dict[int, int]:
    limits = _limits(session, member_ids)
    stored = _stored_limits(session, member_ids)
    for member_id, limit in limits.items():
        if stored.get(member_id, 0) == limit:
            continue  # no account yet opens at 0; an unchanged one stays
        account_id = ledger.member_account(session, member_id)
        session.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == account_id, ACCOUNT.c.closed_at.is_(None))
            .values(credit_limit=limit)
        )
    return limits


def _limits(
    session: Session, member_ids: Sequence[int], less_vouched_in: int = 0
) -> dict[int, int]:
    settings = get_settings()
    verified = _verified(session, member_ids)
    scores = trust.scores(session, member_ids)
    vouched_in, vouched_out = staked(session, member_ids)
    return {
        member_id: credit_limit(
            verified=member_id in verified,
            trust=scores[member_id],
            vouched_in=vouched_in.get(member_id, 0) - less_vouched_in,
            vouched_out=vouched_out.get(member_id, 0),
            trust_limit=settings.trust_limit,
            limit_max=settings.limit_max,
            trust_min=settings.credit_trust_min,
        )
        for member_id in member_ids
    }


def _verified(session: Session, member_ids: Sequence[int]) -> set[int]:
    """Active members whose email is verified: the only ones given credit."""
    return set(
        session.execute(
            select(Member.id).where(
                Member.id.in_(member_ids),
                Member.status == "active",
                Member.email_verified_at.is_not(None),
            )
        ).scalars()
    )


def staked(
    session: Session, member_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """(karma staked for each member by others, karma each member staked for
    others) in active vouches."""
    active = Vouch.withdrawn_at.is_(None) & Vouch.absorbed_at.is_(None)

    def summed(column) -> dict[int, int]:
        rows = session.execute(
            select(column, func.sum(Vouch.stake))
            .where(active, column.in_(member_ids))
            .group_by(column)
        ).all()
        return {member_id: int(total) for member_id, total in rows}

    return summed(Vouch.vouchee_id), summed(Vouch.voucher_id)


def _stored_limits(session: Session, member_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(ACCOUNT.c.member_id, ACCOUNT.c.credit_limit).where(
            ACCOUNT.c.member_id.in_(member_ids), ACCOUNT.c.currency == KARMA
        )
    ).all()
    return {member_id: limit or 0 for member_id, limit in rows}


# ----------------------------------------------------------------------- events


def _after_verification(event: events.Event) -> None:
    """A verified email opens the member's credit. Told once per commit in the
    worker that made it (the others hear it too, and leave it to that one);
    should this fail, the next trust recomputation writes the limit."""
    if not event.local:
        return
    with unit_of_work() as session:
        refresh_limit(session, event["member_id"])


def _after_trust_recomputed(event: events.Event) -> None:
    if not event.local:
        return
    with unit_of_work() as session:
        changed = refresh_limits(session)
    log.info("trust recomputed: %d credit limits changed", changed)


events.subscribe("emails.verified", _after_verification)
events.subscribe("trust.recomputed", _after_trust_recomputed)
