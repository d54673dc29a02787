"""Delete my account: refuse while something is open, then erase in one go.

Refused, with the reason and a link to each, while the member has an open
engagement, an open ledger hold, an IOU that is proposed or still owed, or a
vouch they gave that is still active (someone's credit rests on it).
Then, in the caller's transaction: the name becomes "Former member", the
handle `former-<id>`, the email an `.invalid` placeholder (so the address can
sign up again), the password unusable, the status `closed` (no log-in, no
live session); the profile (its work address too), tags, contexts,
connections, group memberships, notifications, the invitations the member
sent, logged conversations and private notes (theirs, and others' about
them) go; listings close; the
text of the member's messages, reviews and intro notes is erased; every
session ends on every worker (`sessions.ended` on the events bus); saved
cards are detached on Stripe and can never be charged again.

The ledger is never rewritten: its entries stay against the closed account.
A member leaving below zero has defaulted: the stakes of those who vouched
for them absorb it first (ledger/vouches.py), and what is left stays on the
closed account for the audit to show, bounded by their credit limit. A
positive karma balance goes back to the community pool (the signup grant
account that issued it, code `account_closed`), so nobody's karma is lost in
a frozen account, and then every account of the member is closed.
A money balance (rare: payouts go through Stripe) stays frozen on its closed
account, visible to the audit and to an operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from marketplace import events, routes
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.passwords import verify_password
from marketplace.domain.engagements import OPEN as OPEN_ENGAGEMENTS
from marketplace.domain.errors import Conflict, InvalidInput
from marketplace.domain.ledger import KARMA
from marketplace.ledger import cards, ledger, vouches
from marketplace.models import (
    AlertPreference,
    AuthSession,
    Connection,
    Context,
    DirectMessage,
    EmailVerification,
    Engagement,
    GroupMembership,
    Interaction,
    Intro,
    Invitation,
    Iou,
    LedgerAccount,
    Listing,
    ListingViewer,
    LoggedInteraction,
    LoginAttempt,
    MailOutbox,
    Member,
    MemberTag,
    Message,
    MessageRequest,
    Notification,
    NudgeFeedback,
    PasswordReset,
    PersonNote,
    Review,
    Submission,
)
from marketplace.network import contacts

FORMER_NAME = "Former member"
CLOSED_EMAIL_DOMAIN = "closed.invalid"
CLOSED = "closed"
RETURN_CODE = "account_closed"
UNSETTLED_IOUS = ("proposed", "acknowledged", "open")  # waiting, or binding


@dataclass(frozen=True)
class Blocker:
    """Something that must end before the account can: what, and where."""

    text: str
    link: str


class AccountOpen(Conflict):
    """Deletion refused; `blockers` says which things are still open."""

    def __init__(self, blockers: list[Blocker]) -> None:
        self.blockers = blockers
        names = "; ".join(b.text for b in blockers)
        super().__init__(f"Your account can't be deleted yet: {names}.")


def blockers(session: Session, member_id: int) -> list[Blocker]:
    """Open engagements, open holds and unsettled IOUs, each with its page."""
    found = [
        Blocker(f"engagement #{e.id} is {e.status}", routes.engagement(e.id))
        for e in session.exec(
            select(Engagement)
            .where(
                _party(member_id),
                col(Engagement.status).in_([str(s) for s in OPEN_ENGAGEMENTS]),
            )
            .order_by(Engagement.id)
        )
    ]
    for account in _accounts_of(session, member_id):
        if account.debits_pending or account.credits_pending:
            found.append(
                Blocker(f"a {_unit(account.currency)} hold is open", routes.WALLET)
            )
    found += [
        Blocker(
            f"your vouch for {vouchee.display_name} is active (withdraw it first)",
            routes.person(vouchee.handle),
        )
        for _, vouchee in vouches.given(session, member_id)
    ]
    found += [
        Blocker(f"IOU #{iou.id} is {iou.status}", routes.IOUS)
        for iou in session.exec(
            select(Iou)
            .where(
                or_(Iou.debtor_id == member_id, Iou.creditor_id == member_id),
                col(Iou.status).in_(UNSETTLED_IOUS),
            )
            .order_by(Iou.id)
        )
    ]
    return found


def _unit(currency: str) -> str:
    return "karma" if currency == KARMA else currency.upper()


def _party(member_id: int):
    return or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id)


def close_account(
    session: Session, member_id: int, password: object, clock: Clock = system_clock
) -> None:
    """Erase the member's personal data (see the module). Never commits."""
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise InvalidInput("This account is already closed.", "password")
    if not isinstance(password, str) or not verify_password(
        member.password_hash, password
    ):
        raise InvalidInput("That password is not right.", "password")
    refused = blockers(session, member_id)
    if refused:
        raise AccountOpen(refused)
    vouches.settle_on_leaving(session, member_id, clock=clock)
    cards.forget_cards(session, member_id, clock)  # none can pay for anything now
    _return_karma(session, member_id, clock)
    _erase(session, member, clock)
    # issue 23 contacts: the imported address book goes with the account
    contacts.forget_member(session, member_id)


def _accounts_of(session: Session, member_id: int) -> list[LedgerAccount]:
    return list(
        session.exec(select(LedgerAccount).where(LedgerAccount.member_id == member_id))
    )


def _return_karma(session: Session, member_id: int, clock: Clock) -> None:
    """Karma back to the pool, then every account of the member closed."""
    now = clock.now()
    for account in _accounts_of(session, member_id):
        balance = account.credits_posted - account.debits_posted
        if account.currency == KARMA and balance > 0:
            ledger.transfer(
                session,
                key=f"close:{member_id}:{account.id}",
                debit_account_id=account.id,
                credit_account_id=ledger.system_account(session, ledger.SIGNUP_GRANT),
                amount=balance,
                code=RETURN_CODE,
                memo="Karma of a closed account returned to the pool",
                clock=clock,
            )
        session.exec(
            update(LedgerAccount)
            .where(LedgerAccount.id == account.id)
            .values(closed_at=now)
        )


def _erase(session: Session, member: Member, clock: Clock) -> None:
    mid = member.id
    old_mailbox = member.email_canonical  # what the login throttle keys on
    member.display_name = FORMER_NAME
    member.handle = f"former-{mid}"
    member.email = f"former-{mid}@{CLOSED_EMAIL_DOMAIN}"
    member.password_hash = "!closed"
    member.status = CLOSED
    member.headline = member.bio = member.location = ""
    member.timezone, member.availability = "UTC", "closed"
    member.digest_opt_in = False
    member.invite_code_hash = None
    member.work_email = member.work_email_verified_at = None
    session.add(member)
    for table, column in (
        (MemberTag, MemberTag.member_id),
        (Context, Context.member_id),
        (GroupMembership, GroupMembership.member_id),
        (Notification, Notification.member_id),
        (NudgeFeedback, NudgeFeedback.member_id),
        (ListingViewer, ListingViewer.member_id),
        (Submission, Submission.member_id),
        (EmailVerification, EmailVerification.member_id),
        (PasswordReset, PasswordReset.member_id),
        (AlertPreference, AlertPreference.member_id),
        (MailOutbox, MailOutbox.member_id),  # nothing more goes to them
    ):
        session.exec(delete(table).where(column == mid))
    session.exec(
        delete(Connection).where(
            or_(Connection.requester_id == mid, Connection.addressee_id == mid)
        )
    )
    session.exec(
        delete(Interaction).where(
            or_(Interaction.member_a_id == mid, Interaction.member_b_id == mid)
        )
    )
    session.exec(delete(LoginAttempt).where(LoginAttempt.email == old_mailbox))
    _erase_invitations(session, mid)
    _erase_touchpoints(session, mid)
    _erase_texts(session, mid)
    session.exec(
        update(AuthSession)
        .where(AuthSession.member_id == mid, col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=clock.now())
    )
    events.publish(session, "sessions.ended", member_id=mid)


# issue 23, invitations ------------------------------------------------------
def _erase_invitations(session: Session, mid: int) -> None:
    """The invitations the member sent go (their links stop working); one
    they joined through stays the inviter's record, without naming them."""
    session.exec(delete(Invitation).where(Invitation.inviter_id == mid))
    session.exec(
        update(Invitation)
        .where(Invitation.joined_member_id == mid)
        .values(joined_member_id=None)
    )


def _erase_touchpoints(session: Session, mid: int) -> None:
    """The conversations the member logged and the notes they wrote go; so do
    others' logs and notes about them: they point at a person who is gone."""
    for table in (LoggedInteraction, PersonNote):
        session.exec(
            delete(table).where(or_(table.author_id == mid, table.member_id == mid))
        )


def _erase_texts(session: Session, mid: int) -> None:
    """What the member wrote goes; the records others rely on stay."""
    session.exec(
        update(Listing)
        .where(Listing.author_id == mid)
        .values(status="closed", description="", search_text="")
    )
    session.exec(update(Message).where(Message.author_id == mid).values(body=""))
    session.exec(
        update(DirectMessage).where(DirectMessage.author_id == mid).values(body="")
    )
    session.exec(
        update(MessageRequest)
        .where(MessageRequest.sender_id == mid)
        .values(reason="", status="ignored")
    )
    session.exec(update(Review).where(Review.reviewer_id == mid).values(body=""))
    session.exec(update(Intro).where(Intro.requester_id == mid).values(message=""))
    session.exec(update(Intro).where(Intro.via_id == mid).values(via_note=""))
    session.exec(update(Iou).where(Iou.proposed_by_id == mid).values(note=""))
