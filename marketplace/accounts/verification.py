"""Verified email: a member proves they read their address by following a link.

Sign-up mails a link to the new address; changing the address mails one to
the new address, which replaces the old one only when the link is followed
(and the old address is then told). A link's `purpose` says what it proves:
the member's own address ("address"), or a second, work address ("work")
whose domain the profile shows, which following it sets instead
(accounts/addresses.py asks for one). A link is a random token of which only
the SHA-256 is stored; it is used at most once and lapses after
`LINK_LIFETIME`. A member may ask for a fresh link once per
`verification_resend_seconds`.

Services here send nothing: they return the `Email` to send once the
transaction has committed (adapters/mailer.send_in_background), so a
rolled-back sign-up mails no dead link and the page's answer takes as long
whether or not a mail goes out.

Until verified, a member may look around and fill their profile, but not
post, book, answer, send karma or write IOUs: the services that do call
`require_verified`, so no page or forged event gets round it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, select

from marketplace import events
from marketplace.accounts import throttles
from marketplace.accounts.mailboxes import known_address_email, member_by_email
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email
from marketplace.domain.accounts import canonical_email, normalize_email, wait_in_words
from marketplace.domain.errors import InvalidInput, NotAuthorized, TooManyAttempts
from marketplace.domain.mail_domains import mail_domain
from marketplace.models import EmailVerification, Member
from marketplace.settings import get_settings

LINK_LIFETIME = timedelta(hours=48)
TOKEN_TEXT_MIN, TOKEN_TEXT_MAX = 20, 100
VERIFY_PATH = "/verify"
# what a link proves (EmailVerification.purpose)
ADDRESS, WORK = "address", "work"

NOT_VERIFIED = (
    "Verify your email address first: follow the link we mailed you, "
    "or ask for a new one."
)
BAD_LINK = (
    "That verification link is not valid. Use the latest link we mailed you, "
    "or ask for a new one."
)
USED_LINK = "That verification link was already used."
LAPSED_LINK = "That verification link has expired. Ask for a new one."
OTHER_MEMBER = (
    "That verification link is for another account. Log out, then follow it again."
)


@dataclass(frozen=True)
class Verified:
    """What following a link did: `email` is now the member's verified
    address, or their verified work address when `purpose` is WORK."""

    member_id: int
    email: str
    changed_from: str | None = None
    # for the old address when it changed: send once committed
    notice: Email | None = None
    purpose: str = ADDRESS


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_verified(session: Session, member_id: int) -> bool:
    member = session.get(Member, member_id)
    return member is not None and member.email_verified_at is not None


def require_verified(session: Session, member_id: int) -> None:
    """The one check every service that acts on others' behalf calls first."""
    if not is_verified(session, member_id):
        raise NotAuthorized(NOT_VERIFIED)


def verified_work_domain(member: Member) -> str:
    """What the profile shows ("Verified at acme.com"): the domain of the
    member's verified work address, '' if they have none."""
    if member.work_email is None or member.work_email_verified_at is None:
        return ""
    return mail_domain(member.work_email)


# -------------------------------------------------------------------------- sending


def issue_link(
    session: Session,
    member: Member,
    *,
    email: str | None = None,
    next_path: str = "",
    purpose: str = ADDRESS,
    clock: Clock = system_clock,
) -> Email:
    """A link proving `member` reads `email` (default: their own address),
    as the mail to send; a WORK link proves a work address. Refused within
    the resend cool-down (one for every purpose: it guards the mailboxes),
    and past the hourly mail limit (throttles.allow_mail)."""
    now = clock.now()
    _refuse_if_too_soon(session, member.id, now)
    throttles.allow_mail(member.id, "verify", session=session)
    token = secrets.token_urlsafe(32)
    to = email or member.email
    session.add(
        EmailVerification(
            member_id=member.id,
            email=to,
            purpose=purpose,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    session.flush()
    if purpose == WORK:
        return _link_mail(
            member.display_name,
            to,
            token,
            why=(
                "You asked to show on your Karma profile that you work at "
                f"{mail_domain(to)}. The profile shows that domain, never "
                "this address."
            ),
            subject="Confirm your work address",
        )
    why = (
        "You asked to use this address for your Karma account."
        if email
        else "Welcome to Karma! Please confirm this is your address."
    )
    return _link_mail(member.display_name, to, token, why=why, next_path=next_path)


def resend_verification(
    session: Session, member_id: int, clock: Clock = system_clock
) -> Email:
    """A fresh link to the member's address; refused within the cool-down."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotAuthorized("Log in first.")
    if member.email_verified_at is not None:
        raise InvalidInput("Your email address is already verified.", "email")
    return issue_link(session, member, clock=clock)


def _refuse_if_too_soon(session: Session, member_id: int | None, now: datetime) -> None:
    latest = session.exec(
        select(EmailVerification.created_at)
        .where(EmailVerification.member_id == member_id)
        .order_by(EmailVerification.created_at.desc())
        .limit(1)
    ).first()
    cool_down = timedelta(seconds=get_settings().verification_resend_seconds)
    if latest is not None and latest + cool_down > now:
        wait = wait_in_words(latest + cool_down - now)
        raise TooManyAttempts(f"We just sent you a link. Ask again in {wait}.")


def _link_mail(
    name: str,
    to: str,
    token: str,
    *,
    why: str,
    next_path: str = "",
    subject: str = "Confirm your email address",
) -> Email:
    """`next_path`: where the link's page goes once it signed the member in
    (checked again there, routes.same_site_path)."""
    query = {"token": token} | ({"next": next_path} if next_path else {})
    link = f"{get_settings().base_url.rstrip('/')}{VERIFY_PATH}?" + urlencode(query)
    body = (
        f"Hello {name},\n\n{why}\n\nFollow this link within 48 hours:\n{link}\n\n"
        "If this wasn't you, ignore this mail; nothing changes.\n"
    )
    return Email(to=to, subject=subject, body=body)


# -------------------------------------------------------------------------- verifying


def verify_email(
    session: Session,
    token: object,
    *,
    signed_in_id: int | None = None,
    clock: Clock = system_clock,
) -> Verified:
    """Follow a link: works logged out. A changed address takes effect here,
    and the old address is told; a work link sets the work address and
    leaves the member's own alone. Every refusal changes nothing."""
    link = _link_for(session, token)
    now = clock.now()
    if signed_in_id is not None and signed_in_id != link.member_id:
        raise NotAuthorized(OTHER_MEMBER)
    if link.used_at is not None:
        raise InvalidInput(USED_LINK, "token")
    if link.expires_at <= now:
        raise InvalidInput(LAPSED_LINK, "token")
    member = session.get(Member, link.member_id)
    if member is None or member.status != "active":
        raise InvalidInput(BAD_LINK, "token")
    if link.purpose == WORK:
        return _take_work_address(session, member, link, now)
    old = _take_address(session, member, link.email)
    member.email_verified_at = now
    member.updated_at = now
    link.used_at = now
    session.add_all([member, link])
    # every worker's memory of the member's sessions (the banner) forgets
    events.publish(session, "emails.verified", member_id=member.id)
    session.flush()
    notice = _changed_mail(member.display_name, old, link.email) if old else None
    return Verified(member.id, member.email, old, notice)


def _link_for(session: Session, token: object) -> EmailVerification:
    if not isinstance(token, str) or not TOKEN_TEXT_MIN <= len(token) <= TOKEN_TEXT_MAX:
        raise InvalidInput(BAD_LINK, "token")
    link = session.exec(
        select(EmailVerification)
        .where(EmailVerification.token_hash == hash_token(token))
        .with_for_update()
    ).first()
    if link is None:
        raise InvalidInput(BAD_LINK, "token")
    return link


def _take_address(session: Session, member: Member, email: str) -> str | None:
    """Make `email` the member's address; the old one if it changed."""
    if canonical_email(email) == member.email_canonical:
        return None
    taken = session.exec(
        select(Member.id).where(
            Member.email_canonical == canonical_email(email), Member.id != member.id
        )
    ).first()
    if taken is not None:
        raise InvalidInput(
            "That address now belongs to another account; it can't be yours too.",
            "email",
        )
    old, member.email = member.email, email
    return old


def _take_work_address(
    session: Session, member: Member, link: EmailVerification, now: datetime
) -> Verified:
    """The work address is proven: the profile shows its domain from now on.
    Older work links lapse, so only this address can be set."""
    member.work_email = link.email
    member.work_email_verified_at = now
    member.updated_at = now
    link.used_at = now
    session.add_all([member, link])
    lapse_links(session, member.id, WORK, now)
    session.flush()
    return Verified(member.id, link.email, purpose=WORK)


def lapse_links(
    session: Session,
    member_id: int | None,
    purpose: str,
    now: datetime,
    *,
    keep: str = "",
) -> None:
    """The member's unused links for `purpose` stop working now (they read
    as expired): a newer one, or a removed address, supersedes them. Links
    to the address `keep` (canonical) stay: the sign-up link to the
    member's own address is no older change."""
    for link in session.exec(
        select(EmailVerification).where(
            EmailVerification.member_id == member_id,
            EmailVerification.purpose == purpose,
            EmailVerification.used_at.is_(None),
            EmailVerification.expires_at > now,
        )
    ).all():
        if keep and canonical_email(link.email) == keep:
            continue
        link.expires_at = now
        session.add(link)


def pending_link(session: Session, member: Member, purpose: str, now: datetime) -> str:
    """The address the member's latest usable `purpose` link waits at, ''
    if none: what the settings page says is on its way."""
    to = session.exec(
        select(EmailVerification.email)
        .where(
            EmailVerification.member_id == member.id,
            EmailVerification.purpose == purpose,
            EmailVerification.used_at.is_(None),
            EmailVerification.expires_at > now,
        )
        .order_by(EmailVerification.created_at.desc(), EmailVerification.id.desc())
        .limit(1)
    ).first()
    if to is None or (
        purpose == ADDRESS and canonical_email(to) == member.email_canonical
    ):
        return ""  # none, or the sign-up link to the address itself
    return to


def _changed_mail(name: str, old: str, new: str) -> Email:
    body = (
        f"Hello {name},\n\nYour Karma account's email address was changed to "
        f"{new}. Mail for the account now goes there.\n\n"
        "If this wasn't you, reply to this mail at once.\n"
    )
    return Email(to=old, subject="Your email address was changed", body=body)


# -------------------------------------------------------------------------- changing


def request_email_change(
    session: Session,
    member_id: int,
    new_email: object,
    clock: Clock = system_clock,
) -> Email | None:
    """The mail that starts a change of address: a link to `new_email`
    (the address changes when it is followed). A mailbox that has another
    account gets a notice for its owner instead, and the member hears the
    same answer, so the form tells nobody which addresses have accounts.
    None when that owner was already mailed too often this hour."""
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise NotAuthorized("Log in first.")
    email = normalize_email(
        new_email, check_deliverability=get_settings().email_check_deliverability
    )
    if canonical_email(email) == member.email_canonical:
        raise InvalidInput("That is already your address.", "email")
    owner = member_by_email(session, email)
    # the same work either way (cool-down and limit included); a taken
    # mailbox's link is never sent, and would be refused if it were
    link = issue_link(session, member, email=email, clock=clock)
    if owner is None:
        return link
    try:
        throttles.allow_mail(owner.id, "known", session=session)
    except throttles.Throttled:
        return None
    return known_address_email(owner.email)
