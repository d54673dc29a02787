"""Members as tests need them: signed up, their mailed link followed, signed in.

The same steps as a newcomer's (accounts.register, the link in the mail it
returns, verification.verify_email), without a mailbox in between.

Karma is mutual credit (docs/design/karma-trust.md): a newcomer has nothing to
spend. `trust` gives a member the trust score the background computation
would have found, and so a credit limit (round(20 x trust)); `earn` gives them
karma they may also give away, as an operator's grant.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import update
from sqlmodel import Session, select

from marketplace.accounts import accounts, verification
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email
from marketplace.db import unit_of_work
from marketplace.ledger import credit, ledger
from marketplace.models import LedgerAccount, Member, MemberTrust

LINK = re.compile(r"https?://\S+/verify\?\S+")


def link_token(mail: Email | str) -> str:
    """The token of the verification link in `mail` (or a mail's text)."""
    text = mail if isinstance(mail, str) else mail.body
    found = LINK.search(text)
    assert found, f"no verification link in {text!r}"
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


def sign_up(
    session: Session, *, clock: Clock = system_clock, verified: bool = True, **form
) -> accounts.LoginResult:
    """Register, follow the mailed link (unless `verified` is False), sign in."""
    done = accounts.register(session, clock=clock, **form)
    if verified:
        verification.verify_email(session, link_token(done.mail), clock=clock)
    return accounts.open_session(session, done.member_id, clock)


def trust(session: Session, member_id: int, score: float, *, seed: bool = False):
    """Set the member's trust as the computation would, and so their credit
    limit; returns the limit."""
    row = session.get(MemberTrust, member_id) or MemberTrust(member_id=member_id)
    row.score, row.seed, row.computed_at = score, seed, system_clock.now()
    session.add(row)
    session.flush()
    return credit.refresh_limit(session, member_id)


def earn(session: Session, member_id: int, amount: int, key: str | None = None):
    """Karma the member earned and may give away (an operator's grant)."""
    handle = session.exec(select(Member.handle).where(Member.id == member_id)).one()
    return ledger.grant(
        session,
        handle=handle,
        amount=amount,
        memo="Earned in a test",
        key=key or f"earned:{member_id}:{amount}:{ledger.new_key()[-8:]}",
    )


def credit_for(handle: str, score: float = 0.5, *, earned: int = 0) -> None:
    """For a member who signed up in the browser: the trust (and so the
    credit limit) and the earned karma the test needs, in its own unit of
    work."""
    with unit_of_work() as session:
        member_id = session.exec(select(Member.id).where(Member.handle == handle)).one()
        trust(session, member_id, score)
        if earned:
            earn(session, member_id, earned)


def trusted(*member_ids: int, score: float = 1.0) -> None:
    """Write the members' trust as the background computation would have
    (network/trust.py reads it; a member with no row has trust 0), leaving
    their credit limits as they are."""
    with unit_of_work() as s:
        for member_id in member_ids:
            row = s.get(MemberTrust, member_id) or MemberTrust(
                member_id=member_id, computed_at=system_clock.now()
            )
            row.score, row.computed_at = score, system_clock.now()
            s.add(row)


def credit_limit(member_id: int, limit: int) -> None:
    """Give the member's karma account a credit limit, as trust would
    (docs/design/karma-trust.md): how far below zero they may go, and how
    much IOU debt they may carry."""
    with unit_of_work() as s:
        account = ledger.member_account(s, member_id)
        s.execute(
            update(LedgerAccount)
            .where(LedgerAccount.id == account)
            .values(credit_limit=limit)
        )
