"""Retiring the sign-up grant (issue 20, docs/design/karma-trust.md).

Until issue 20 every newcomer got 10 karma they could pass to anyone, so a
thousand fresh accounts could feed one account ten thousand. Joining now gives
nothing to spend. The grants already given are reversed by compensating
transfers, never edited away: one per member, keyed `signup-retired:<member
id>`, from the member back to the `signup_grant` account, code
`signup_grant_retired`, with a memo that says why.

A member who already spent their grant keeps it as credit used: the reversal
takes back only what their new credit limit allows (the ledger's own rule
would refuse more), and the audit reports, per member, what it could not take
(`unretired_grants`). Closed accounts are left alone: closing already
returned their karma to the same account.

Run once by alembic revision 0021; idempotent. Run again later, it reverses
for a member whose first run could take nothing whatever they can spare then.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.ledger import KARMA
from marketplace.ledger import credit, ledger
from marketplace.models import LedgerAccount, LedgerTransfer

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
GRANTED = "signup_grant"  # the code of the grants
RETIRED = "signup_grant_retired"  # the code of their reversals
MEMO = (
    "Sign-up grant retired: karma now comes only from help given; "
    "your credit limit lets you ask for help"
)


@dataclass
class Retirement:
    members: int = 0  # members reversed by this run
    retired: int = 0  # karma taken back by this run
    short: int = 0  # karma this run could not take back (spent, no credit)


def retirement_key(member_id: int) -> str:
    return f"signup-retired:{member_id}"


def retire_signup_grants(
    session: Session, *, clock: Clock = system_clock
) -> Retirement:
    """Reverse every member's sign-up grant not reversed yet, as far as their
    credit limit allows."""
    done = Retirement()
    for member_id, account_id, granted in _unretired(session):
        credit.refresh_limit(session, member_id)  # the limit the reversal meets
        room = ledger.totals(session, account_id).room or 0
        amount = min(granted, room)
        done.short += granted - amount
        if amount <= 0:
            continue
        ledger.transfer(
            session,
            key=retirement_key(member_id),
            debit_account_id=account_id,
            credit_account_id=ledger.system_account(session, ledger.SIGNUP_GRANT),
            amount=amount,
            code=RETIRED,
            memo=MEMO,
            clock=clock,
        )
        done.members += 1
        done.retired += amount
    return done


def _unretired(session: Session) -> list[tuple[int, int, int]]:
    """(member id, karma account id, karma granted) of open member accounts
    that received a sign-up grant and no reversal yet."""
    reversed_ = select(TRANSFER.c.debit_account_id).where(TRANSFER.c.code == RETIRED)
    rows = session.execute(
        select(ACCOUNT.c.member_id, ACCOUNT.c.id, func.sum(TRANSFER.c.amount))
        .join(TRANSFER, TRANSFER.c.credit_account_id == ACCOUNT.c.id)
        .where(
            TRANSFER.c.code == GRANTED,
            ACCOUNT.c.member_id.is_not(None),
            ACCOUNT.c.currency == KARMA,
            ACCOUNT.c.closed_at.is_(None),
            ACCOUNT.c.id.not_in(reversed_),
        )
        .group_by(ACCOUNT.c.member_id, ACCOUNT.c.id)
        .order_by(ACCOUNT.c.id)
    ).all()
    return [
        (member_id, account_id, int(total)) for member_id, account_id, total in rows
    ]


def unretired_by_member(session: Session) -> dict[int, int]:
    """Member id -> sign-up grant karma not taken back, for open accounts
    (what the audit reports)."""
    granted = _sums_by_member(session, GRANTED, credited=True)
    retired = _sums_by_member(session, RETIRED, credited=False)
    return {
        member_id: amount - retired.get(member_id, 0)
        for member_id, amount in granted.items()
        if amount > retired.get(member_id, 0)
    }


def _sums_by_member(session: Session, code: str, *, credited: bool) -> dict[int, int]:
    side = TRANSFER.c.credit_account_id if credited else TRANSFER.c.debit_account_id
    rows = session.execute(
        select(ACCOUNT.c.member_id, func.sum(TRANSFER.c.amount))
        .join(TRANSFER, side == ACCOUNT.c.id)
        .where(
            TRANSFER.c.code == code,
            ACCOUNT.c.member_id.is_not(None),
            ACCOUNT.c.closed_at.is_(None),
        )
        .group_by(ACCOUNT.c.member_id)
    ).all()
    return {member_id: int(total) for member_id, total in rows}
