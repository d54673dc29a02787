"""Sign up, log in, log out, and finding the member behind a session token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.passwords import hash_password, verify_password
from marketplace.domain.accounts import (
    ThrottlePolicy,
    check_password,
    clean_display_name,
    normalize_email,
    normalize_handle,
)
from marketplace.domain.errors import Conflict, InvalidInput, TooManyAttempts
from marketplace.models import AuthSession, LoginAttempt, Member
from marketplace.services import graph_index, ledger
from marketplace.settings import get_settings

# RFC 2606 reserves `.invalid`: an invited member's placeholder address can
# never receive mail, and nobody may sign up with one (see `sign_up`).
INVITED_EMAIL_DOMAIN = "invited.invalid"
INVITE_CODE_MAX = 100


@dataclass(frozen=True)
class LoginResult:
    member_id: int
    handle: str
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    """Who is acting: what handlers need of the member behind a session."""

    id: int
    handle: str
    display_name: str
    is_operator: bool = False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_up(
    session: Session,
    *,
    email: object,
    handle: object,
    display_name: object,
    password: object,
    invite_code: object = None,
    clock: Clock = system_clock,
) -> LoginResult:
    """Create an active member and log them in.

    An invited member (made by an IOU import) is claimed by signing up with its
    handle and its invitation code: the member keeps its id, and so its IOUs.
    Without the right code the handle stays reserved, or anyone could sign up as
    "bob" and inherit what bob is owed."""
    email_ = normalize_email(email)
    if email_.endswith("@" + INVITED_EMAIL_DOMAIN):
        raise InvalidInput("Use an email address you can receive mail at.", "email")
    handle_ = normalize_handle(handle)
    name = clean_display_name(display_name)
    password_ = check_password(password, email=email_, handle=handle_)
    now = clock.now()
    member = _claimable_or_new(session, email_, handle_, invite_code, now)
    member.display_name = name
    member.password_hash = hash_password(password_)
    member.status = "active"
    member.invite_code_hash = None  # used up: a code claims once
    member.updated_at = now
    session.add(member)
    session.flush()
    ledger.grant_signup(session, member.id, clock=clock)
    return _open_session(session, member, now)


def _claimable_or_new(
    session: Session, email: str, handle: str, invite_code: object, now: datetime
) -> Member:
    by_email = session.exec(select(Member).where(Member.email == email)).first()
    by_handle = session.exec(select(Member).where(Member.handle == handle)).first()
    if by_handle and by_handle.status == "invited":
        if not _invitation_matches(by_handle, invite_code):
            raise Conflict(
                f"The handle '{handle}' is reserved by an invitation; "
                "use the code you were sent."
            )
        if by_email not in (None, by_handle):
            raise Conflict("An account with that email already exists. Log in instead?")
        by_handle.email = email
        return by_handle
    if by_email:
        raise Conflict("An account with that email already exists. Log in instead?")
    if by_handle:
        raise Conflict(f"The handle '{handle}' is taken. Try another.")
    return Member(
        email=email,
        handle=handle,
        display_name="",
        password_hash="",
        created_at=now,
        updated_at=now,
    )


# -------------------------------------------------------------------------- invitations


def hash_invite_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _invitation_matches(member: Member, code: object) -> bool:
    if not isinstance(code, str) or not code.strip() or len(code) > INVITE_CODE_MAX:
        return False
    if not member.invite_code_hash:
        return False  # an invitation without a code can't be claimed by guessing
    return hmac.compare_digest(hash_invite_code(code), member.invite_code_hash)


def invite_member(
    session: Session, handle: object, *, clock: Clock = system_clock
) -> str:
    """Reserve `handle` for someone who has not joined yet, as an invited member
    who cannot log in, and return the invitation code that claims it at sign-up.
    Only the code's hash is stored, so the code can be shown just this once."""
    handle_ = normalize_handle(handle)
    code = secrets.token_urlsafe(16)
    now = clock.now()
    session.add(
        Member(
            handle=handle_,
            email=f"{handle_}@{INVITED_EMAIL_DOMAIN}",
            display_name=handle_,
            password_hash="",  # no password verifies against it
            status="invited",
            invite_code_hash=hash_invite_code(code),
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    return code


def invited_handle(session: Session, code: object) -> str:
    """The handle an invitation code reserves, or '' (to prefill the sign-up form)."""
    if not isinstance(code, str) or not code.strip() or len(code) > INVITE_CODE_MAX:
        return ""
    member = session.exec(
        select(Member).where(
            Member.invite_code_hash == hash_invite_code(code),
            Member.status == "invited",
        )
    ).first()
    return member.handle if member else ""


WRONG_CREDENTIALS = "Email or password is wrong."


def log_in(
    session: Session, *, email: object, password: object, clock: Clock = system_clock
) -> LoginResult | None:
    """Check the password, throttled per email; open a session on success.

    Wrong credentials return None instead of raising: the failed attempt is
    written to `session`, and the caller must commit it before telling the
    member, or the throttle would never see the failure."""
    if not isinstance(password, str) or not password:
        raise InvalidInput("Password is required.", "password")
    email_ = normalize_email(email)
    now = clock.now()
    _refuse_if_locked(session, email_, now)
    member = session.exec(select(Member).where(Member.email == email_)).first()
    hashed = member.password_hash if member and member.status == "active" else None
    ok = verify_password(hashed, password[:256])
    session.add(LoginAttempt(email=email_, succeeded=ok, at=now))
    if not ok or member is None:
        session.flush()
        return None
    return _open_session(session, member, now)


def _refuse_if_locked(session: Session, email: str, now: datetime) -> None:
    settings = get_settings()
    policy = ThrottlePolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_lockout_minutes)
    )
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    ).one()
    since = max(now - policy.window, last_success or now - policy.window)
    failures = session.exec(
        select(LoginAttempt.at).where(
            LoginAttempt.email == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
        )
    ).all()
    until = policy.locked_until(list(failures), now)
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise TooManyAttempts(
            f"Too many failed logins for this email. Try again in {minutes} minutes."
        )


def _open_session(session: Session, member: Member, now: datetime) -> LoginResult:
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=get_settings().session_ttl_hours)
    session.add(
        AuthSession(
            member_id=member.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return LoginResult(member.id, member.handle, token, expires)


def member_for_token(
    session: Session, token: object, clock: Clock = system_clock
) -> SignedIn | None:
    """The member behind a live session token; None if expired, revoked or forged."""
    live = live_session(session, token, clock)
    return live[0] if live else None


def live_session(
    session: Session, token: object, clock: Clock = system_clock
) -> tuple[SignedIn, datetime] | None:
    """The member behind a live session token and when the session expires."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    # Columns, not entities: every event of a signed-in page runs this, and
    # building two ORM objects cost more than the indexed lookup itself.
    row = session.exec(
        select(
            Member.id,
            Member.handle,
            Member.display_name,
            Member.is_operator,
            AuthSession.expires_at,
        )
        .join(Member, Member.id == AuthSession.member_id)
        .where(
            AuthSession.token_hash == hash_token(token),
            AuthSession.revoked_at.is_(None),
            Member.status == "active",
        )
    ).first()
    if row is None or row.expires_at <= clock.now():
        return None
    member = SignedIn(row.id, row.handle, row.display_name, row.is_operator)
    return member, row.expires_at


def log_out(session: Session, token: object, clock: Clock = system_clock) -> None:
    if not isinstance(token, str) or not token:
        return
    auth = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(token))
    ).first()
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = clock.now()
        session.add(auth)
        graph_index.forget_sessions(session, auth.member_id)


def revoke_all_sessions(
    session: Session, member_id: int, clock: Clock = system_clock
) -> int:
    """Log a member out everywhere (password change, operator action)."""
    live = session.exec(
        select(AuthSession).where(
            AuthSession.member_id == member_id, AuthSession.revoked_at.is_(None)
        )
    ).all()
    for auth in live:
        auth.revoked_at = clock.now()
        session.add(auth)
    graph_index.forget_sessions(session, member_id)
    return len(live)
