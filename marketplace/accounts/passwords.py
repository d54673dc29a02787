"""Forgotten and changed passwords, and logging out everywhere.

A reset link is single-use and lapses in an hour; only its token's SHA-256 is
kept. Asking for one never says whether the address has an account: an
unknown address gets the same answer, after the same hashing work, and the
mail (or its absence) is sent after the answer, in the background. Setting a
new password ends every session of the member, so whoever had the old one is
out; changing it keeps the session that changed it.

Services here never send mail themselves: they return the `Email` to send
once the transaction has committed (nothing is sent for a rolled-back one).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, select

from marketplace import events, routes
from marketplace.accounts import throttles
from marketplace.accounts.accounts import hash_token, revoke_all_sessions
from marketplace.accounts.mailboxes import member_by_email
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email
from marketplace.adapters.passwords import hash_password, verify_password
from marketplace.domain.accounts import check_password, normalize_email
from marketplace.domain.errors import InvalidInput
from marketplace.models import AuthSession, Member, PasswordReset
from marketplace.settings import get_settings

RESET_LIFETIME = timedelta(hours=1)
RESET_SENT = (
    "If that address has an account, we've sent it a link to set a new "
    "password. It works once, for an hour."
)
BAD_LINK = "That link has expired or was already used. Ask for a new one."
WRONG_CURRENT = "Your current password is wrong."


def request_reset(
    session: Session, email: object, clock: Clock = system_clock
) -> Email | None:
    """A reset link for the active member at `email`, or None: the caller
    answers RESET_SENT either way. The token and its hash are made for an
    unknown address too, so both paths do the same work."""
    email_ = normalize_email(email)
    token = secrets.token_urlsafe(32)
    token_hash = hash_token(token)
    member = member_by_email(session, email_)
    if member is None or member.status != "active":
        return None
    try:  # past the hourly limit the answer stays the same; no mail goes
        throttles.allow_mail(member.id, "reset", session=session)
    except throttles.Throttled:
        return None
    now = clock.now()
    session.add(
        PasswordReset(
            member_id=member.id,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    session.flush()
    return reset_email(member.email, token)


def reset_email(to: str, token: str) -> Email:
    link = f"{get_settings().base_url.rstrip('/')}{routes.reset_link(token)}"
    return Email(
        to=to,
        subject="Set a new password for Karma",
        body=(
            "Someone (we hope you) asked to set a new password for your Karma "
            f"account. Open this link within an hour to choose one:\n\n{link}\n\n"
            "It works once. If it wasn't you, ignore this mail: your password "
            "stays as it is."
        ),
    )


def reset_password(
    session: Session, token: object, password: object, clock: Clock = system_clock
) -> int:
    """Set a new password with a reset link's token; end every session of the
    member. Returns the member's id. A forged, lapsed or used token changes
    nothing and gets BAD_LINK."""
    reset = _usable_reset(session, token, clock, lock=True)
    member = session.get(Member, reset.member_id) if reset else None
    if reset is None or member is None or member.status != "active":
        raise InvalidInput(BAD_LINK, "token")
    password_ = check_password(password, email=member.email, handle=member.handle)
    now = clock.now()
    reset.used_at = now
    member.password_hash = hash_password(password_)
    member.updated_at = now
    session.add_all([reset, member])
    _use_up_other_links(session, member.id, now)
    revoke_all_sessions(session, member.id, clock)
    session.flush()
    return member.id


def reset_token_works(
    session: Session, token: object, clock: Clock = system_clock
) -> bool:
    """Whether the reset page should show its form or say the link is bad."""
    return _usable_reset(session, token, clock) is not None


def _usable_reset(
    session: Session, token: object, clock: Clock, lock: bool = False
) -> PasswordReset | None:
    """The unused, unexpired reset of `token`; locked when about to be used,
    so two tabs sending one link set the password once."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    query = select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    reset = session.exec(query.with_for_update() if lock else query).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= clock.now():
        return None
    return reset


def _use_up_other_links(session: Session, member_id: int, now) -> None:
    """Older links of the member die with the reset: a mailbox read later
    must not reopen the account."""
    for other in session.exec(
        select(PasswordReset).where(
            PasswordReset.member_id == member_id, PasswordReset.used_at.is_(None)
        )
    ).all():
        other.used_at = now
        session.add(other)


def change_password(
    session: Session,
    member_id: int,
    current: object,
    new: object,
    keep_token: str,
    clock: Clock = system_clock,
) -> int:
    """Change a signed-in member's password after checking the current one;
    end their other sessions (the one with `keep_token` stays). Returns how
    many sessions ended."""
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise InvalidInput("Log in again to change your password.", "current")
    check_current_password(member, current)
    password_ = check_password(new, email=member.email, handle=member.handle)
    member.password_hash = hash_password(password_)
    member.updated_at = clock.now()
    session.add(member)
    return end_other_sessions(session, member_id, keep_token, clock)


def check_current_password(member: Member, current: object) -> None:
    """Refuse a change to the account unless `current` is its password: a
    session left open on a shared computer is not enough to make one."""
    if not isinstance(current, str) or not verify_password(
        member.password_hash, current[:256]
    ):
        raise InvalidInput(WRONG_CURRENT, "current")


def end_other_sessions(
    session: Session, member_id: int, keep_token: str, clock: Clock = system_clock
) -> int:
    """End every live session of the member but the one holding `keep_token`."""
    keep = hash_token(keep_token) if keep_token else ""
    others = session.exec(
        select(AuthSession).where(
            AuthSession.member_id == member_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.token_hash != keep,
        )
    ).all()
    for auth in others:
        auth.revoked_at = clock.now()
        session.add(auth)
    if others:
        events.publish(session, "sessions.ended", member_id=member_id)
    session.flush()
    return len(others)


def log_out_everywhere(
    session: Session, member_id: int, clock: Clock = system_clock
) -> int:
    """End every session of the member, this one included."""
    return revoke_all_sessions(session, member_id, clock)
