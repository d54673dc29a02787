"""A recent password check: what an operator's action needs besides the role.

A session left open on a shared computer, or a stolen cookie, must not be
enough to suspend members or freeze accounts. Operator actions (the
moderation desk's, freezing) therefore need the operator to have typed
their password again in *this* session within the last `RECENT` minutes.
The time is kept on the server-side session row (`reauthenticated_at`),
found by the cookie's token hash; nothing the browser sends can set it but
the password itself. Checks are throttled per member, failed or not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from marketplace.accounts import throttles
from marketplace.accounts.accounts import hash_token
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.passwords import verify_password
from marketplace.domain.errors import NotAuthorized
from marketplace.models import AuthSession, Member

RECENT = timedelta(minutes=15)
NEEDS_PASSWORD = (
    "Confirm your password to act: operator actions need it within the last 15 minutes."
)
ONLY_OPERATORS = "Only operators can do that."


def _live(session: Session, member_id: int, token: object, clock: Clock):
    """The member's own unrevoked, unexpired session behind `token`, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    auth = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    if (
        auth is None
        or auth.member_id != member_id
        or auth.revoked_at is not None
        or auth.expires_at <= clock.now()
    ):
        return None
    return auth


def confirm_password(
    session: Session,
    *,
    member_id: int,
    token: object,
    password: object,
    clock: Clock = system_clock,
) -> datetime | None:
    """Check the member's password again and mark this session as recently
    confirmed; returns until when the confirmation holds. A wrong password
    returns None instead of raising: the caller commits, so the throttle
    counts it."""
    member = session.get(Member, member_id)
    auth = _live(session, member_id, token, clock)
    if member is None or member.status != "active" or auth is None:
        raise NotAuthorized("Log in again.")
    throttles.allow_password_check(member_id, session=session)
    if not isinstance(password, str) or not verify_password(
        member.password_hash, password[:256]
    ):
        return None
    auth.reauthenticated_at = clock.now()
    session.add(auth)
    session.flush()
    return auth.reauthenticated_at + RECENT


def confirmed_until(
    session: Session, *, member_id: int, token: object, clock: Clock = system_clock
) -> datetime | None:
    """Until when this session's last password check holds (None: not now)."""
    auth = _live(session, member_id, token, clock)
    at = auth.reauthenticated_at if auth else None
    if at is None or at + RECENT <= clock.now():
        return None
    return at + RECENT


def require_operator(
    session: Session, *, member_id: int, token: object, clock: Clock = system_clock
) -> Member:
    """The operator acting, read now (a demoted operator is refused at once),
    with a password check in this session within `RECENT`."""
    operator = session.get(Member, member_id)
    if operator is None or not operator.is_operator or operator.status != "active":
        raise NotAuthorized(ONLY_OPERATORS)
    if confirmed_until(session, member_id=member_id, token=token, clock=clock) is None:
        raise NotAuthorized(NEEDS_PASSWORD)
    return operator
