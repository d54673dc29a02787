"""Sign up, log in, log out, and finding the member behind a session token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, func
from sqlmodel import Session, select

from marketplace import events
from marketplace.accounts import verification
from marketplace.accounts.mailboxes import member_by_email, refuse_taken_email
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email
from marketplace.adapters.passwords import hash_password, verify_password
from marketplace.domain.accounts import (
    Backoff,
    Failure,
    LoginHistory,
    Streak,
    ThrottlePolicy,
    canonical_email,
    check_password,
    clean_display_name,
    client_bucket,
    normalize_email,
    normalize_handle,
    wait_in_words,
)
from marketplace.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorized,
    TooManyAttempts,
)
from marketplace.ledger import credit
from marketplace.models import AuthSession, LoginAttempt, Member
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
    email_verified: bool = True


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Registered:
    """A new member, and the verification mail to send once committed."""

    member_id: int
    handle: str
    mail: Email


def register(
    session: Session,
    *,
    email: object,
    handle: object,
    display_name: object,
    password: object,
    invite_code: object = None,
    next_path: str = "",
    clock: Clock = system_clock,
) -> Registered:
    """Create an active, unverified member, and the verification link to mail
    them. Joining gives no karma to spend: the member starts at zero, and
    their credit limit (ledger/credit.py) opens once the email is verified.
    Raises KnownAddress for a mailbox that has an account: the caller answers
    as for any sign-up (see states/auth).

    An invited member (made by an IOU import) is claimed by signing up with its
    handle and its invitation code: the member keeps its id, and so its IOUs.
    Without the right code the handle stays reserved, or anyone could sign up as
    "bob" and inherit what bob is owed."""
    email_ = normalize_email(
        email, check_deliverability=get_settings().email_check_deliverability
    )
    if email_.lower().endswith("@" + INVITED_EMAIL_DOMAIN):
        raise InvalidInput("Use an email address you can receive mail at.", "email")
    handle_ = normalize_handle(handle)
    name = clean_display_name(display_name)
    password_ = check_password(password, email=email_, handle=handle_)
    # hashed before the address is looked up: a known address takes as long
    password_hash = hash_password(password_)
    now = clock.now()
    member = _claimable_or_new(session, email_, handle_, invite_code, now)
    member.display_name = name
    member.password_hash = password_hash
    member.status = "active"
    member.invite_code_hash = None  # used up: a code claims once
    member.updated_at = now
    session.add(member)
    session.flush()
    credit.refresh_limit(session, member.id)  # 0 until the email is verified
    mail = verification.issue_link(session, member, next_path=next_path, clock=clock)
    return Registered(member.id, member.handle, mail)


def _claimable_or_new(
    session: Session, email: str, handle: str, invite_code: object, now: datetime
) -> Member:
    by_email = member_by_email(session, email)
    by_handle = session.exec(select(Member).where(Member.handle == handle)).first()
    if by_handle and by_handle.status == "invited":
        if not _invitation_matches(by_handle, invite_code):
            raise Conflict(
                f"The handle '{handle}' is reserved by an invitation; "
                "use the code you were sent."
            )
        if by_email not in (None, by_handle):
            refuse_taken_email(by_email)
        by_handle.email = email
        return by_handle
    if by_email:
        refuse_taken_email(by_email)
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
    session: Session,
    *,
    email: object,
    password: object,
    client: object = "",
    clock: Clock = system_clock,
) -> LoginResult | None:
    """Check the password, throttled (domain/accounts.py, ThrottlePolicy);
    open a session on success. `client` is the client's IP address (the state
    layer passes Reflex's `router.session.client_ip`); anything that is not an
    address counts as the shared "unknown" address.

    Wrong credentials return None instead of raising: the failed attempt is
    written to `session`, and the caller must commit it before telling the
    member, or the throttle would never see the failure."""
    if not isinstance(password, str) or not password:
        raise InvalidInput("Password is required.", "password")
    email_ = canonical_email(normalize_email(email, validate=False))
    client_ = client_bucket(client)
    now = clock.now()
    _refuse_if_throttled(session, email_, client_, now)
    member = member_by_email(session, email_)
    can_log_in = member is not None and member.status in ("active", SUSPENDED)
    hashed = member.password_hash if can_log_in else None
    ok = verify_password(hashed, password[:256])
    session.add(LoginAttempt(email=email_, client=client_, succeeded=ok, at=now))
    if not ok or member is None:
        session.flush()
        return None
    if member.status == SUSPENDED:  # the right password: they may know why
        session.flush()
        raise Suspended(member.id, member.suspended_reason)
    return _open_session(session, member, now)


SUSPENDED = "suspended"


class Suspended(NotAuthorized):
    """The right password of a member an operator suspended: no session
    opens; the log-in page shows why and how to appeal (accounts/moderation.py)."""

    def __init__(self, member_id: int, reason: str) -> None:
        super().__init__("Your account is suspended.")
        self.member_id = member_id
        self.reason = reason


TOO_MANY_ATTEMPTS = "Too many failed attempts to log in. Try again in {wait}."


def _refuse_if_throttled(
    session: Session, email: str, client: str, now: datetime
) -> None:
    """Refuse before the password is checked, with the same message whether or
    not the email has an account, so the wait reveals nothing but itself.
    A refused attempt is not recorded: attackers hammering a throttled account
    must not push the wait further out for the owner."""
    policy = login_policy()
    until = policy.wait_until(
        client, _login_history(session, policy, email, client, now), now
    )
    # Seam for the emailed unlock link (a later issue): an owner on an address
    # the account does not know, waiting out a distributed attack, will be
    # offered a one-time link that marks the address known for the account.
    if until is not None:
        raise TooManyAttempts(TOO_MANY_ATTEMPTS.format(wait=wait_in_words(until - now)))


def login_policy() -> ThrottlePolicy:
    settings = get_settings()
    backoff = partial(
        Backoff,
        first_delay=timedelta(seconds=settings.login_first_delay_seconds),
        max_delay=timedelta(minutes=settings.login_max_delay_minutes),
    )
    return ThrottlePolicy(
        window=timedelta(hours=settings.login_window_hours),
        trusted_for=timedelta(days=settings.login_trusted_days),
        per_pair=backoff(settings.login_free_failures),
        per_address=backoff(settings.login_address_free_failures),
        per_account=backoff(settings.login_account_free_failures),
    )


# The rules saturate after a few dozen failures (the delay reaches its cap),
# and refused attempts are not recorded, so an account's window stays short;
# the limit only bounds the read if the settings are made very lax.
ACCOUNT_FAILURES_READ = 1000


def _login_history(
    session: Session, policy: ThrottlePolicy, email: str, client: str, now: datetime
) -> LoginHistory:
    """Three reads on the (email, at) and (client, at) indexes."""
    since = now - policy.window
    failed = LoginAttempt.succeeded.is_(False)
    account_failures = session.exec(
        select(LoginAttempt.client, LoginAttempt.at)
        .where(LoginAttempt.email == email, LoginAttempt.at > since, failed)
        .order_by(LoginAttempt.at.desc())
        .limit(ACCOUNT_FAILURES_READ)
    ).all()
    last_success_here = session.exec(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email,
            LoginAttempt.client == client,
            LoginAttempt.succeeded.is_(True),
        )
    ).one()
    address_failures = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.client == client, LoginAttempt.at > since, failed
        )
    ).one()
    return LoginHistory(
        account_failures=tuple(Failure(c, at) for c, at in account_failures),
        last_success_here=last_success_here,
        address_failures=Streak(*address_failures),
    )


def forget_old_login_attempts(session: Session, clock: Clock = system_clock) -> int:
    """Delete the attempts no throttle rule reads any more: failures past the
    window, successes past the time they keep an address known."""
    policy = login_policy()
    now = clock.now()
    keep = {False: policy.window, True: max(policy.window, policy.trusted_for)}
    return sum(
        session.exec(
            delete(LoginAttempt).where(
                LoginAttempt.succeeded.is_(succeeded), LoginAttempt.at < now - kept
            )
        ).rowcount
        for succeeded, kept in keep.items()
    )


def open_session(
    session: Session, member_id: int, clock: Clock = system_clock
) -> LoginResult:
    """A new session for an active member whose identity something else
    proved (a verification link just followed, a test's fresh sign-up)."""
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise NotAuthorized("That account can't sign in.")
    return _open_session(session, member, clock.now())


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
            Member.email_verified_at,
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
    member = SignedIn(
        row.id,
        row.handle,
        row.display_name,
        row.is_operator,
        email_verified=row.email_verified_at is not None,
    )
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
        events.publish(session, "sessions.ended", member_id=auth.member_id)


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
    events.publish(session, "sessions.ended", member_id=member_id)
    return len(live)


# -------------------------------------------------------------------------- handoff

HANDOFF_SECONDS = 60


@dataclass(frozen=True)
class BrowserSession:
    """What the browser's HttpOnly cookie carries, and until when."""

    token: str
    expires_at: datetime


def hand_over(session: Session, token: object, clock: Clock = system_clock) -> str:
    """A one-time ticket for the browser to take over the live session `token`.

    The event socket checks passwords but cannot set an HttpOnly cookie; the
    browser redeems the ticket at an HTTP route that can (`take_over`). Only
    the ticket's hash is kept, and it lapses in a minute."""
    auth = _live_auth(session, token, clock)
    if auth is None:
        raise InvalidInput("That session has ended; log in again.", "session")
    ticket = secrets.token_urlsafe(32)
    auth.handoff_hash = hash_token(ticket)
    auth.handoff_expires_at = clock.now() + timedelta(seconds=HANDOFF_SECONDS)
    session.add(auth)
    session.flush()
    return ticket


def take_over(
    session: Session, ticket: object, clock: Clock = system_clock
) -> BrowserSession | None:
    """Redeem a handoff ticket once: the session gets a fresh token, which only
    the browser's cookie will ever hold. None for a used, lapsed or forged one."""
    if not isinstance(ticket, str) or not 20 <= len(ticket) <= 100:
        return None
    auth = session.exec(
        select(AuthSession)
        .where(AuthSession.handoff_hash == hash_token(ticket))
        .with_for_update()
    ).first()
    if auth is None:
        return None
    lapsed = auth.handoff_expires_at is None or auth.handoff_expires_at <= clock.now()
    auth.handoff_hash, auth.handoff_expires_at = None, None  # used up either way
    session.add(auth)
    session.flush()
    if lapsed or _live_auth(session, None, clock, auth=auth) is None:
        return None
    token = secrets.token_urlsafe(32)
    auth.token_hash = hash_token(token)
    session.add(auth)
    session.flush()
    return BrowserSession(token, auth.expires_at)


def _live_auth(
    session: Session, token: object, clock: Clock, auth: AuthSession | None = None
) -> AuthSession | None:
    """The unrevoked, unexpired session of an active member, by token or as given."""
    if auth is None:
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        auth = session.exec(
            select(AuthSession).where(AuthSession.token_hash == hash_token(token))
        ).first()
    if auth is None or auth.revoked_at is not None or auth.expires_at <= clock.now():
        return None
    member = session.get(Member, auth.member_id)
    return auth if member is not None and member.status == "active" else None
