"""A member's standing: whether what they do may reach anyone.

Two things stop it: an address not yet verified (verification.py), and a
freeze an operator put on an account the integrity report named
(ledger/integrity.py). Every service that posts, books, gives karma or
writes an IOU calls `require_standing` first, so no page or forged event
gets round either. A freeze keeps the login and edits no ledger entry: the
member can still read, settle what is open and talk to the operators.
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace import events
from marketplace.accounts import verification
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.domain.text import clean_text
from marketplace.models import Member

FROZEN = (
    "Your account is frozen while an operator looks into it: you can read and "
    "settle what is open, but not post, book, give karma or write IOUs."
)
REASON_MAX = 200


def is_frozen(session: Session, member_id: int) -> bool:
    member = session.get(Member, member_id)
    return member is not None and member.frozen_at is not None


def require_standing(session: Session, member_id: int) -> None:
    """Verified and not frozen, or a NotAuthorized that says which."""
    verification.require_verified(session, member_id)
    if is_frozen(session, member_id):
        raise NotAuthorized(FROZEN)


def freeze(
    session: Session,
    *,
    operator_id: int,
    member_id: object,
    reason: object,
    clock: Clock = system_clock,
) -> Member:
    """An operator freezes a member, saying why (kept with the account)."""
    member = _operated_on(session, operator_id, member_id)
    why = clean_text(
        reason, field="reason", label="Reason", max_length=REASON_MAX, required=True
    )
    if member.frozen_at is None:
        member.frozen_at = clock.now()
    member.frozen_reason = why
    session.add(member)
    events.publish(session, "members.frozen", member_id=member.id)
    return member


def unfreeze(session: Session, *, operator_id: int, member_id: object) -> Member:
    member = _operated_on(session, operator_id, member_id)
    member.frozen_at, member.frozen_reason = None, ""
    session.add(member)
    events.publish(session, "members.frozen", member_id=member.id)
    return member


def _operated_on(session: Session, operator_id: int, member_id: object) -> Member:
    operator = session.get(Member, operator_id)
    if operator is None or not operator.is_operator:
        raise NotAuthorized("Only operators can freeze accounts.")
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise InvalidInput("Choose a member.", "member_id")
    member = session.get(Member, member_id, with_for_update=True)
    if member is None or member.status != "active":
        raise NotFound("No such member.")
    if member.id == operator_id:
        raise InvalidInput("You can't freeze your own account.", "member_id")
    return member
