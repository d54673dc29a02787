"""An account's addresses, as its settings page manages them: the member's
own address, changed through a link to the new one (verification.py), and a
work address whose domain alone the profile shows ("Verified at acme.com").

Both requests ask for the current password: a session left open on a shared
computer must not be enough to move the account to another mailbox, nor to
have links sent on its behalf. The answer names the address the member
typed, whatever happened to it: a mailbox with another account gets a
notice for its owner instead of a link (`request_email_change`), and the
page says the same either way.

Like the other services, these send nothing: they return the mail to send
once the unit of work has committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from marketplace.accounts import verification
from marketplace.accounts.passwords import check_current_password
from marketplace.accounts.verification import ADDRESS, WORK
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email
from marketplace.domain.accounts import canonical_email, normalize_email
from marketplace.domain.errors import InvalidInput, NotAuthorized
from marketplace.domain.mail_domains import check_work_email
from marketplace.models import Member
from marketplace.settings import get_settings

EMAIL_LINK_SENT = (
    "We've sent a link to {address}. Your address changes when you follow it."
)
WORK_LINK_SENT = (
    "We've sent a link to {address}. Your profile shows \u201cVerified at "
    "{domain}\u201d once you follow it."
)
WORK_REMOVED = "Your work address is removed; your profile no longer shows it."


@dataclass(frozen=True)
class Addresses:
    """What the settings page shows of a member's addresses (only to them)."""

    email: str
    verified: bool
    # where a link to change the address waits ('' if none)
    pending_email: str = ""
    # the verified work address, and the domain the profile shows ('' if none)
    work_email: str = ""
    work_domain: str = ""
    # where a work link waits ('' if none)
    pending_work_email: str = ""


@dataclass(frozen=True)
class LinkSent:
    """The page's answer, and the mail to send once committed (None when
    nothing may go). The mail does not always go to the address the
    member typed: never show `mail.to`."""

    answer: str
    mail: Email | None


def addresses_of(
    session: Session, member_id: int, clock: Clock = system_clock
) -> Addresses:
    member = _active_member(session, member_id)
    now = clock.now()
    return Addresses(
        email=member.email,
        verified=member.email_verified_at is not None,
        pending_email=verification.pending_link(session, member, ADDRESS, now),
        work_email=member.work_email or "",
        work_domain=verification.verified_work_domain(member),
        pending_work_email=verification.pending_link(session, member, WORK, now),
    )


def change_email(
    session: Session,
    member_id: int,
    new_email: object,
    password: object,
    clock: Clock = system_clock,
) -> LinkSent:
    """Start moving the account to `new_email` (verification.request_email_change),
    once the password is right; only the latest change's link works. The
    answer is the same for a mailbox that has another account."""
    member = _active_member(session, member_id)
    check_current_password(member, password)
    # an earlier change's link stops working: a mistyped address, corrected,
    # must not stay a way onto somebody else's mailbox (undone with the rest
    # if this request is refused)
    verification.lapse_links(
        session, member.id, ADDRESS, clock.now(), keep=member.email_canonical
    )
    mail = verification.request_email_change(session, member.id, new_email, clock)
    # valid by now; shown as typed, as the member will recognize it
    shown = normalize_email(new_email, validate=False)
    return LinkSent(EMAIL_LINK_SENT.format(address=shown), mail)


def request_work_email(
    session: Session,
    member_id: int,
    work_email: object,
    password: object,
    clock: Clock = system_clock,
) -> LinkSent:
    """Mail a link that proves the member reads `work_email`, not at a
    free-mail provider; following it sets the work address. An earlier
    work link stops working."""
    member = _active_member(session, member_id)
    check_current_password(member, password)
    email = normalize_email(
        work_email, check_deliverability=get_settings().email_check_deliverability
    )
    domain = check_work_email(email)
    if member.work_email and canonical_email(member.work_email) == canonical_email(
        email
    ):
        raise InvalidInput("That is already your work address.", "email")
    # (undone with the rest if the link is refused: nothing commits then)
    verification.lapse_links(session, member.id, WORK, clock.now())
    mail = verification.issue_link(
        session, member, email=email, purpose=WORK, clock=clock
    )
    return LinkSent(WORK_LINK_SENT.format(address=email, domain=domain), mail)


def remove_work_email(
    session: Session, member_id: int, clock: Clock = system_clock
) -> None:
    """The profile stops showing the work domain, and any work link on its
    way stops working. Harmless when there is none."""
    member = _active_member(session, member_id)
    now = clock.now()
    member.work_email = None
    member.work_email_verified_at = None
    member.updated_at = now
    session.add(member)
    verification.lapse_links(session, member.id, WORK, now)
    session.flush()


def _active_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise NotAuthorized("Log in first.")
    return member
