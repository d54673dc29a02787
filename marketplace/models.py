"""SQLModel tables, in families (Base -> table -> Public) as in the fastapi template.

Only services/ import this module. Times are aware UTC everywhere (see
adapters/clock.py), stored by SQLModel's UTCDateTime on both databases.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlmodel import Field, SQLModel

from marketplace.domain.accounts import canonical_email

# --------------------------------------------------------------------------- members


class MemberBase(SQLModel):
    handle: str = Field(sa_column=Column(String(30), unique=True, nullable=False))
    display_name: str = Field(max_length=80)
    headline: str = Field(default="", max_length=120)
    bio: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    location: str = Field(default="", max_length=80)
    timezone: str = Field(default="UTC", max_length=64)
    availability: str = Field(default="open", max_length=16)


class Member(MemberBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # the address as typed, where mail goes
    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    # what it folds to (domain/accounts.py, canonical_email): one mailbox, one
    # account, whatever its case, +tag or gmail dots
    # (kept in step with `email` by `_fold_email` below, on every write)
    email_canonical: str = Field(
        default="", sa_column=Column(String(254), unique=True, nullable=False)
    )
    # None until the member follows the link mailed to `email`
    email_verified_at: datetime | None = None
    # A second address the member proved they read, at their company: the
    # profile shows its domain alone ("Verified at acme.com"). Set only when
    # its link is followed (accounts/verification.py, purpose "work"); never
    # mailed otherwise, never a way into the account.
    work_email: str | None = Field(default=None, max_length=254)
    work_email_verified_at: datetime | None = None
    password_hash: str = Field(max_length=255)
    # active | invited (created by an import, claimed at sign-up)
    status: str = Field(default="active", max_length=16)
    is_operator: bool = Field(default=False)
    # Set by an operator who found the account in the integrity report: a
    # frozen member keeps their login but cannot post, book, give or owe
    # (accounts/standing.py); the ledger is never edited.
    frozen_at: datetime | None = None
    frozen_reason: str = Field(default="", max_length=200)
    # Set by an operator at the moderation desk (accounts/moderation.py),
    # with status "suspended": no log-in, out of search; the reason is what
    # the member is shown when they try to log in.
    suspended_at: datetime | None = None
    suspended_reason: str = Field(
        default="", max_length=300, sa_column_kwargs={"server_default": ""}
    )
    # an invited member is claimed by signing up with this code (hash only)
    invite_code_hash: str | None = Field(default=None, max_length=64)
    clearing_opt_out: bool = Field(default=False)
    # the optional daily email of unread notifications
    digest_opt_in: bool = Field(default=False)
    last_digest_at: datetime | None = None
    # Stripe Connect account paid-help earnings are transferred to (acct_...)
    stripe_account_id: str | None = Field(default=None, max_length=64)
    # Stripe customer the member's saved cards belong to (cus_...), made the
    # first time they save one
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    created_at: datetime
    updated_at: datetime


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _fold_email(_mapper: object, _connection: object, member: Member) -> None:
    """Whoever writes `email`, its canonical form follows, so the unique
    constraint on it is what refuses a second account on one mailbox."""
    member.email_canonical = canonical_email(member.email)


class MemberTag(SQLModel, table=True):
    """One tag on a member: kind is give (expertise), get (needs) or background."""

    __tablename__ = "member_tag"
    __table_args__ = (
        UniqueConstraint("member_id", "kind", "tag", name="uq_member_tag"),
        Index("ix_member_tag_kind_tag", "kind", "tag"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    tag: str = Field(max_length=40)


# --------------------------------------------------------------------------- auth


class AuthSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the token is stored, so a database leak
    does not leak live sessions."""

    __tablename__ = "auth_session"
    __table_args__ = (
        Index("ix_auth_session_handoff_hash", "handoff_hash", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    # The browser takes a new session over with a one-time ticket (hashed
    # here) at an HTTP route that sets the HttpOnly cookie: the socket that
    # checked the password cannot set such a cookie itself.
    handoff_hash: str | None = Field(default=None, max_length=64)
    handoff_expires_at: datetime | None = None
    # What the "Signed-in devices" list shows (accounts/devices.py), recorded
    # when the browser takes the session over: its user agent, the prefix of
    # its address (never the whole address), and when it was last seen.
    user_agent: str = Field(
        default="", max_length=300, sa_column_kwargs={"server_default": ""}
    )
    address_prefix: str = Field(
        default="", max_length=64, sa_column_kwargs={"server_default": ""}
    )
    last_seen_at: datetime | None = None
    # when the member last typed their password again in this session:
    # operator actions need it within minutes (accounts/reauth.py)
    reauthenticated_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    """An emailed password-reset link: single-use, short-lived, and only the
    SHA-256 of its token is stored (accounts/passwords.py)."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class EmailVerification(SQLModel, table=True):
    """A link mailed to prove a member reads `email`: at sign-up (their own
    address) or on a change (the new one, which takes effect only when
    verified), or for a work address (`purpose` "work", which sets
    `Member.work_email` instead). Only the token's SHA-256 is kept; a link is
    used at most once."""

    __tablename__ = "email_verification"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    email: str = Field(max_length=254)
    # address (the member's own) | work
    purpose: str = Field(default="address", max_length=16)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """Every password check, by email and client address, for the login
    throttle (domain/accounts.py). The indexes serve its two reads: an account's
    recent attempts, and an address's recent failures across accounts. Failures
    are kept for the throttle's window, successes while they keep an address
    known; the minute sweep deletes the rest."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "at"),
        Index("ix_login_attempt_client_at", "client", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    # domain.accounts.client_bucket: an IPv4 address, an IPv6 /64 or "unknown"
    client: str = Field(
        default="unknown", max_length=64, sa_column_kwargs={"server_default": "unknown"}
    )
    succeeded: bool
    at: datetime


# --------------------------------------------------------------------------- network


class Connection(SQLModel, table=True):
    """A connection request between two members, its answer, and how warm the
    relationship is.

    `warmth` is a cache, like an IOU's status: the sum of the interactions'
    weights, each decayed to `warmth_at` (see domain/strength.py). The
    `interaction` rows are the truth; services update both in one transaction.
    """

    __table_args__ = (
        UniqueConstraint("requester_id", "addressee_id", name="uq_connection_pair"),
        # The relationship graph loads every accepted edge at start-up: this
        # index answers that scan (status first) without touching other rows.
        Index("ix_connection_graph", "status", "requester_id", "addressee_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    addressee_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    # pending | accepted | declined | ignored | removed | blocked
    status: str = Field(default="pending", max_length=16)
    note: str = Field(default="", max_length=300)
    created_at: datetime
    # set on every answer or later change of status (accept, remove, block, ...)
    responded_at: datetime | None = None
    # who blocked whom, when status is blocked (either side may block)
    blocked_by_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL"
    )
    warmth: float = Field(
        default=0.0,
        sa_column=Column(Float, nullable=False, default=0.0, server_default="0"),
    )
    warmth_at: datetime | None = None
    last_interaction_at: datetime | None = None


class Interaction(SQLModel, table=True):
    """One thing two members did together, the source of a relationship's
    warmth. The pair is stored in order (member_a_id < member_b_id) so each
    relationship has one key whoever acted; `ref` names what it came from
    ("engagement:12", "iou:7")."""

    __table_args__ = (
        Index("ix_interaction_pair", "member_a_id", "member_b_id", "at"),
        CheckConstraint("member_a_id < member_b_id", name="ck_interaction_pair"),
        CheckConstraint("weight >= 0", name="ck_interaction_weight"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_a_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    member_b_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    # engagement | intro | review | iou | message | connect
    kind: str = Field(max_length=12)
    weight: float = Field(sa_column=Column(Float, nullable=False))
    at: datetime
    ref: str = Field(default="", max_length=40)


class Context(SQLModel, table=True):
    """A signal a member posts -- organizing an event, hiring, fundraising,
    launching, moving, looking for something -- that drives nudges to the
    people within two degrees whose expertise fits."""

    __table_args__ = (Index("ix_context_open", "status", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    # event | hiring | fundraising | launching | moving | looking
    kind: str = Field(max_length=12)
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    starts_on: date | None = None
    ends_on: date | None = None
    status: str = Field(default="open", max_length=8)  # open | closed
    created_at: datetime


class ContextTag(SQLModel, table=True):
    __tablename__ = "context_tag"
    __table_args__ = (UniqueConstraint("context_id", "tag", name="uq_context_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    context_id: int = Field(foreign_key="context.id", index=True, ondelete="CASCADE")
    tag: str = Field(max_length=40, index=True)


class Intro(SQLModel, table=True):
    """A request that `via` introduce `requester` to `target`, one of via's
    connections; via forwards or declines, target accepts or not."""

    __table_args__ = (
        CheckConstraint(
            "requester_id <> via_id AND requester_id <> target_id "
            "AND via_id <> target_id",
            name="ck_intro_three_people",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    requester_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    via_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    target_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    message: str = Field(default="", max_length=500)
    # what the introducer adds when introducing; both sides see it
    via_note: str = Field(default="", max_length=500)
    # requested | forwarded | declined | accepted | completed
    status: str = Field(default="requested", max_length=12)
    # the engagement the intro led to: the introducer earns karma when it is
    # confirmed
    engagement_id: int | None = Field(
        default=None, foreign_key="engagement.id", ondelete="SET NULL"
    )
    created_at: datetime
    answered_at: datetime | None = None


class IntroReward(SQLModel, table=True):
    """The karma an introducer earned because two people they introduced
    helped each other. At most one per unordered pair of introduced members,
    ever (the unique pair, stored in order as interactions are): introducing,
    helping, parting and introducing again mints nothing more, nor does a
    second intro of the same two the other way (docs/design/karma-trust.md).
    Its rows are also what the monthly cap per introducer counts."""

    __tablename__ = "intro_reward"
    __table_args__ = (
        UniqueConstraint("member_a_id", "member_b_id", name="uq_intro_reward_pair"),
        CheckConstraint("member_a_id < member_b_id", name="ck_intro_reward_pair"),
        CheckConstraint("amount > 0", name="ck_intro_reward_amount"),
        Index("ix_intro_reward_introducer", "introducer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_a_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    member_b_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    introducer_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    intro_id: int | None = Field(
        default=None, foreign_key="intro.id", ondelete="SET NULL"
    )
    engagement_id: int | None = Field(
        default=None, foreign_key="engagement.id", ondelete="SET NULL"
    )
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime


class NudgeFeedback(SQLModel, table=True):
    """What a member did with a nudge (dismissed, snoozed until, acted on),
    so it is not shown again too soon and ranking learns from it."""

    __tablename__ = "nudge_feedback"
    __table_args__ = (Index("ix_nudge_feedback_member", "member_id", "nudge_key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    nudge_key: str = Field(max_length=80)  # "context:12", "reconnect:34", ...
    action: str = Field(max_length=12)  # dismissed | snoozed | acted
    until: datetime | None = None
    at: datetime


class MemberGroup(SQLModel, table=True):
    """An explicit micro-network members join and leave (detected communities
    live only in memory; see domain/graph.py)."""

    __tablename__ = "member_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    slug: str = Field(sa_column=Column(String(80), unique=True, nullable=False))
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_by_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL"
    )
    created_at: datetime


class GroupMembership(SQLModel, table=True):
    __tablename__ = "group_membership"
    __table_args__ = (
        UniqueConstraint("group_id", "member_id", name="uq_group_membership"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="member_group.id", ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    joined_at: datetime


# --------------------------------------------------------------------------- ledger


class LedgerAccount(SQLModel, table=True):
    """One account per member per currency, plus named system accounts.

    The four totals are a cache of the transfers, kept in step under the
    account's row lock; `python -m marketplace ledger audit` re-derives them.
    """

    __tablename__ = "ledger_account"
    __table_args__ = (
        UniqueConstraint("member_id", "currency", name="uq_ledger_account_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # member | signup_grant | admin_grant | fees | escrow
    code: str = Field(max_length=24)
    # system accounts have a unique name and no member
    name: str | None = Field(
        default=None, sa_column=Column(String(40), unique=True, nullable=True)
    )
    member_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="RESTRICT"
    )
    currency: str = Field(max_length=8)
    debits_posted: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    credits_posted: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    debits_pending: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    credits_pending: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False)
    )
    # None: may go below zero without bound (issuance accounts)
    credit_limit: int | None = Field(
        default=0, sa_column=Column(BigInteger, nullable=True)
    )
    cap: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime
    closed_at: datetime | None = None


class LedgerTransfer(SQLModel, table=True):
    """An immutable movement between two accounts. `transfer_key` is the
    client-made id (idempotency key); `pending_id` points a post/void/expire at
    the hold it resolves, and is unique so a hold resolves at most once."""

    __tablename__ = "ledger_transfer"
    __table_args__ = (
        Index("ix_ledger_transfer_debit", "debit_account_id", "id"),
        Index("ix_ledger_transfer_credit", "credit_account_id", "id"),
        # Belt and braces under the service's own checks.
        CheckConstraint("amount >= 0", name="ck_transfer_amount"),
        CheckConstraint(
            "debit_account_id <> credit_account_id", name="ck_transfer_two_accounts"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    transfer_key: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    debit_account_id: int = Field(foreign_key="ledger_account.id")
    credit_account_id: int = Field(foreign_key="ledger_account.id")
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=8)
    # single | pending | post | void | expire
    kind: str = Field(max_length=8)
    pending_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("ledger_transfer.id"),
            unique=True,
            nullable=True,
        ),
    )
    expires_at: datetime | None = None
    # why: signup_grant, admin_grant, gift, engagement, iou_settlement, ...
    code: str = Field(max_length=24)
    memo: str = Field(default="", max_length=200)
    created_at: datetime


# --------------------------------------------------------------------------- IOUs


class Iou(SQLModel, table=True):
    """An obligation: `debtor` owes `creditor` `amount` karma points. Its state
    lives in its events (see domain/ious.py); only these facts are fixed."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_iou_amount"),
        CheckConstraint("debtor_id <> creditor_id", name="ck_iou_two_people"),
    )

    id: int | None = Field(default=None, primary_key=True)
    debtor_id: int = Field(foreign_key="member.id", index=True)
    creditor_id: int = Field(foreign_key="member.id", index=True)
    proposed_by_id: int | None = Field(default=None, foreign_key="member.id")
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    note: str = Field(default="", max_length=300)
    due_on: date | None = None
    engagement_id: int | None = None  # the help it came from, when there was one
    # cached from the events for listing and clearing; replay() is the truth
    status: str = Field(default="proposed", max_length=16, index=True)
    outstanding: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime


class IouEvent(SQLModel, table=True):
    """One append-only step in an IOU's history."""

    __tablename__ = "iou_event"

    id: int | None = Field(default=None, primary_key=True)
    iou_id: int = Field(foreign_key="iou.id", index=True)
    kind: str = Field(max_length=20)
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    transfer_key: str | None = Field(default=None, max_length=64)
    clearing_run_id: int | None = Field(default=None, foreign_key="clearing_run.id")
    note: str = Field(default="", max_length=300)
    at: datetime


class OffsetProposal(SQLModel, table=True):
    """One member proposes to cancel mutual debt with another; it happens when
    the other agrees."""

    __tablename__ = "offset_proposal"

    id: int | None = Field(default=None, primary_key=True)
    proposer_id: int = Field(foreign_key="member.id", index=True)
    counterpart_id: int = Field(foreign_key="member.id", index=True)
    # proposed | accepted | declined | withdrawn
    status: str = Field(default="proposed", max_length=16)
    amount: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    created_at: datetime
    answered_at: datetime | None = None


class ClearingRun(SQLModel, table=True):
    """A multilateral clearing: what it removed, and along which cycles."""

    __tablename__ = "clearing_run"

    id: int | None = Field(default=None, primary_key=True)
    total_owed: int = Field(sa_column=Column(BigInteger, nullable=False))
    total_cleared: int = Field(sa_column=Column(BigInteger, nullable=False))
    members_affected: int
    # [{"members": [id, ...], "amount": n}, ...]: the cycles, for members to see
    cycles: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    at: datetime


# ------------------------------------------------------------------------ marketplace


class Listing(SQLModel, table=True):
    """An offer ("I can review your pricing page") or a request ("need an intro
    to a B2B SEO consultant"), with its terms and who may see it."""

    __table_args__ = (
        Index("ix_listing_browse", "status", "kind", "created_at"),
        # newest first with a LIMIT: read backwards, stop after the page
        Index("ix_listing_newest", "status", "created_at", "id"),
        CheckConstraint("price >= 0", name="ck_listing_price"),
        CheckConstraint("capacity >= 1", name="ck_listing_capacity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=8)  # offer | request
    title: str = Field(max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    terms: str = Field(max_length=8)  # karma | iou | free | paid
    # karma or IOU points; for paid terms minor units of `currency` (cents)
    price: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    currency: str | None = Field(default=None, max_length=3)  # paid terms only
    rate_kind: str | None = Field(default=None, max_length=8)  # hourly | fixed
    capacity: int = Field(default=1)
    # engagements holding a spot (TAKES_A_SPOT); kept by triggers (revision 0011)
    spots_taken: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    deadline: date | None = None
    audience: str = Field(default="public", max_length=8)  # public | network | chosen
    # an offer booked as a call of this many minutes (15 | 30 | 60; an hourly
    # rate books whole hours) on the helper's calendar; None: no set time
    duration_minutes: int | None = None
    status: str = Field(default="open", max_length=8)  # open | paused | closed
    # title, description and tags in one text, indexed for full-text search
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    updated_at: datetime
    # hidden by a moderator: shown to nobody but its author
    hidden_at: datetime | None = None


class ListingTag(SQLModel, table=True):
    __tablename__ = "listing_tag"
    __table_args__ = (UniqueConstraint("listing_id", "tag", name="uq_listing_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    tag: str = Field(max_length=40, index=True)


class ListingViewer(SQLModel, table=True):
    """A member chosen to see a listing whose audience is 'chosen'."""

    __tablename__ = "listing_viewer"
    __table_args__ = (
        UniqueConstraint("listing_id", "member_id", name="uq_listing_viewer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")


class Engagement(SQLModel, table=True):
    """One helper helping one asker, born when an offer is booked or a request
    is answered. Its moves are in domain/engagements.py; `hold_key` names the
    karma hold placed at acceptance."""

    __table_args__ = (
        CheckConstraint("asker_id <> helper_id", name="ck_engagement_two_people"),
        CheckConstraint("price >= 0", name="ck_engagement_price"),
        Index("ix_engagement_auto_confirm", "status", "confirm_due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="listing.id", index=True)
    asker_id: int = Field(foreign_key="member.id", index=True)
    helper_id: int = Field(foreign_key="member.id", index=True)
    proposed_by_id: int = Field(foreign_key="member.id")
    status: str = Field(default="proposed", max_length=16)
    # the terms agreed, copied from the listing when proposed
    terms: str = Field(max_length=8)
    # the whole price agreed: points, or minor units of `currency` when paid
    price: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    currency: str | None = Field(default=None, max_length=3)
    hours: int = Field(default=1)  # hourly rates: the hours booked
    note: str = Field(default="", max_length=500)
    hold_key: str | None = Field(default=None, max_length=64)
    # paid terms: the card held at acceptance, captured into escrow by day 6 or
    # at confirmation, then paid out
    payment_intent_id: str | None = Field(default=None, max_length=64, index=True)
    # the payer's saved card it was authorized with (pm_...)
    payment_method_id: str | None = Field(default=None, max_length=255)
    # none | needs_card | needs_auth | declined | authorized | captured |
    # paid_out | cancelled | refunded | failed
    payment_status: str = Field(default="none", max_length=12)
    # the payer's card attempts that failed: each retry is a new Stripe request
    payment_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    iou_id: int | None = Field(default=None, foreign_key="iou.id")
    dispute_reason: str = Field(default="", max_length=500)
    resolution: str | None = Field(default=None, max_length=8)  # refund | release
    created_at: datetime
    updated_at: datetime
    # set when delivered: confirmed automatically after this quiet period
    confirm_due_at: datetime | None = None
    # a call: when it is agreed (market/calls.py); None while a request's
    # answer waits for the asker to pick one of the proposed slots
    starts_at: datetime | None = Field(default=None, index=True)
    ends_at: datetime | None = None
    # the helper's free-cancellation window, fixed when the call was booked
    cancel_free_hours: int | None = None
    # the calendar invite's SEQUENCE: raised by each reschedule and the cancel
    invite_sequence: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class EngagementEvent(SQLModel, table=True):
    """One move of an engagement, kept for its timeline and for response times."""

    __tablename__ = "engagement_event"

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(
        foreign_key="engagement.id", index=True, ondelete="CASCADE"
    )
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    note: str = Field(default="", max_length=500)
    at: datetime


class Message(SQLModel, table=True):
    """One message in an engagement's thread."""

    __table_args__ = (Index("ix_message_thread", "engagement_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="member.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    # removed by a moderator: the thread shows a placeholder instead
    hidden_at: datetime | None = None


# ----------------------------------- direct messages (network/conversations.py)


class Conversation(SQLModel, table=True):
    """Direct messages between two members: one per pair, the lower id first."""

    __table_args__ = (
        UniqueConstraint("member_a_id", "member_b_id", name="uq_conversation_pair"),
        CheckConstraint("member_a_id < member_b_id", name="ck_conversation_pair"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_a_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    member_b_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    created_at: datetime
    last_message_at: datetime | None = None


class ConversationSeat(SQLModel, table=True):
    """One member's place in a conversation: their read marker and how many
    messages they have not read (a counter kept with each write, so the
    navigation's badge is one index-only count on (member_id, unread))."""

    __tablename__ = "conversation_seat"
    __table_args__ = (Index("ix_conversation_seat_unread", "member_id", "unread"),)

    conversation_id: int = Field(
        foreign_key="conversation.id", primary_key=True, ondelete="CASCADE"
    )
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    unread: int = 0
    last_read_message_id: int | None = None


class DirectMessage(SQLModel, table=True):
    """One message in a conversation."""

    __tablename__ = "direct_message"
    __table_args__ = (Index("ix_direct_message_thread", "conversation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    author_id: int = Field(foreign_key="member.id", index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    # hidden by a moderator: readers show "Removed by a moderator."; the text
    # stays for the record
    hidden_at: datetime | None = None


class MessageRequest(SQLModel, table=True):
    """A request to talk from someone not connected (network/outreach.py says
    who may send one): one per sender and recipient, ever; its reason becomes
    the conversation's first message when accepted."""

    __tablename__ = "message_request"
    __table_args__ = (
        UniqueConstraint("sender_id", "recipient_id", name="uq_message_request_once"),
        CheckConstraint("sender_id <> recipient_id", name="ck_message_request_two"),
        Index("ix_message_request_inbox", "recipient_id", "status"),
        # the weekly cap counts a sender's requests by time
        Index("ix_message_request_sent", "sender_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    recipient_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    reason: str = Field(max_length=500)
    # pending | accepted | ignored | blocked
    status: str = Field(default="pending", max_length=12)
    created_at: datetime
    responded_at: datetime | None = None
    conversation_id: int | None = Field(
        default=None, foreign_key="conversation.id", ondelete="SET NULL"
    )


class Notification(SQLModel, table=True):
    """Something a member should know: shown in the inbox, counted in the
    navigation, and gathered into the daily digest email."""

    __table_args__ = (Index("ix_notification_inbox", "member_id", "read_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    kind: str = Field(max_length=24)
    text: str = Field(max_length=300)
    link: str = Field(default="", max_length=200)
    created_at: datetime
    read_at: datetime | None = None
    emailed_at: datetime | None = None


class Review(SQLModel, table=True):
    """One party's review of the other after the help was confirmed."""

    __table_args__ = (
        UniqueConstraint("engagement_id", "reviewer_id", name="uq_review_once"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="ck_review_rating"),
        # what reputation reads: one reviewee's reviews by reviewer, in time
        # (the newest per reviewer per window counts; reciprocal rings)
        Index("ix_review_pair", "reviewee_id", "reviewer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(foreign_key="engagement.id", index=True)
    reviewer_id: int = Field(foreign_key="member.id", index=True)
    reviewee_id: int = Field(foreign_key="member.id", index=True)
    rating: int
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    # hidden by a moderator: off profiles and out of ratings
    hidden_at: datetime | None = None


class StripeEvent(SQLModel, table=True):
    """A webhook event from Stripe, kept by its id so a replay applies once."""

    __tablename__ = "stripe_event"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=64)
    intent_id: str | None = Field(default=None, max_length=64)
    received_at: datetime
    # what applying it did, or why it was flagged (amount or currency mismatch)
    outcome: str = Field(default="", max_length=300)


# --------------------------------------------------------------------------- forms


class Submission(SQLModel, table=True):
    """A form a member submitted, by the key the server made when it showed
    the form, and what the submit created (accounts/submissions.py). Written
    in the same transaction as the thing itself, so a second submit with the
    same key finds it and returns that instead of writing again."""

    __table_args__ = (
        UniqueConstraint("member_id", "form", "key", name="uq_submission_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # the unique constraint's index serves lookups by member
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    form: str = Field(max_length=32)  # listing, booking, message, iou, ...
    key: str = Field(max_length=64)
    result_ref: str = Field(default="", max_length=120)  # what it made: an id, a slug
    created_at: datetime = Field(index=True)  # the sweep forgets old ones


# --------------------------------------------------------------------------- alerts


class RateCounter(SQLModel, table=True):
    """One fixed-window counter of a throttle (accounts/throttles.py) when no
    Redis is configured: shared by every worker through the database."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=200)
    count: int
    # seconds since the epoch, as the `limits` library counts time
    expires_at: float = Field(sa_column=Column(Float, nullable=False, index=True))


class AlertPreference(SQLModel, table=True):
    """How a member wants to hear of one kind of event (inbox/alerts.py):
    immediately, in the daily digest, or never. No row: the kind's default."""

    __tablename__ = "alert_preference"

    member_id: int = Field(
        foreign_key="member.id", primary_key=True, ondelete="CASCADE"
    )
    kind: str = Field(primary_key=True, max_length=16)
    choice: str = Field(max_length=16)


class MailOutbox(SQLModel, table=True):
    """A mail to send, written in the transaction of the event it announces
    (so a rolled-back event sends nothing), sent once by whichever worker
    claims it (inbox/outbox.py), retried with backoff."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL"
    )
    kind: str = Field(max_length=16)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    unsubscribe_url: str = Field(default="", max_length=500)
    created_at: datetime
    next_attempt_at: datetime
    attempts: int = 0
    # SQLite has no SKIP LOCKED: a worker claims a row until this time
    claimed_until: datetime | None = None
    sent_at: datetime | None = None
    # gave up after the last retry (or the mail server refused it for good)
    failed_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)
    # one file sent with the mail (a receipt's PDF), made when it was queued
    attachment_name: str = Field(default="", max_length=100)
    attachment: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True)
    )


# --------------------------------------------------------------------------- trust


class MemberTrust(SQLModel, table=True):
    """A member's trust over the relationship graph, in [0, 1], as the last
    background computation found it (network/trust.py; the rule in
    docs/design/karma-trust.md). No row: never computed, trust 0."""

    __tablename__ = "member_trust"

    member_id: int = Field(
        foreign_key="member.id", primary_key=True, ondelete="CASCADE"
    )
    score: float = Field(default=0.0)
    seed: bool = Field(default=False)  # one of the members trust starts from
    computed_at: datetime


class SavedCard(SQLModel, table=True):
    """A card a member saved to pay for help with (docs/design/card-payments.md).
    Only what they may see of it: the number never reaches this server
    (Stripe.js sends it to Stripe). Believed theirs only because the
    SetupIntent this app made for their customer succeeded with it."""

    __tablename__ = "saved_card"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    payment_method_id: str = Field(max_length=255, unique=True)
    brand: str = Field(max_length=32)
    last4: str = Field(max_length=4)
    exp_month: int
    exp_year: int
    is_default: bool = Field(default=False)
    created_at: datetime
    removed_at: datetime | None = None


class Receipt(SQLModel, table=True):
    """The payer's record of one card charge or refund (ledger/receipts.py).
    Written once, in the unit of work that moved the money, and never
    changed after: what it shows (fee, card, names) is copied at issue time,
    so a later change of settings or a removed card doesn't rewrite it."""

    __table_args__ = (
        UniqueConstraint("engagement_id", "kind", name="uq_receipt_once"),
        CheckConstraint("amount >= 0 AND fee >= 0", name="ck_receipt_amounts"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # R-2026-000123
    engagement_id: int = Field(foreign_key="engagement.id")
    kind: str = Field(max_length=8)  # charge | refund
    # minor units of `currency`: what the card was charged or given back
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    # the platform's fee in it (a refund gives everything back: 0)
    fee: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    payer_id: int = Field(foreign_key="member.id", index=True)
    helper_id: int = Field(foreign_key="member.id", index=True)
    card_brand: str = Field(default="", max_length=32)  # "" when not known
    card_last4: str = Field(default="", max_length=4)
    issued_at: datetime
    # when its mail to the payer was queued (None: they chose no payment mail)
    emailed_at: datetime | None = None


class Vouch(SQLModel, table=True):
    """A trusted member's stake in another's credit (docs/design/karma-trust.md):
    `stake` karma of the voucher's own limit lent to the vouchee's, until it is
    withdrawn (while the vouchee does not rely on it) or absorbed (the vouchee
    defaulted: the voucher paid up to the stake toward their shortfall).
    Active while neither has happened; one active vouch per pair."""

    __table_args__ = (
        CheckConstraint("stake > 0", name="ck_vouch_stake"),
        CheckConstraint("voucher_id <> vouchee_id", name="ck_vouch_two_people"),
        Index(
            "uq_vouch_active_pair",
            "voucher_id",
            "vouchee_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL AND absorbed_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL AND absorbed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    voucher_id: int = Field(foreign_key="member.id", index=True)
    vouchee_id: int = Field(foreign_key="member.id", index=True)
    stake: int
    created_at: datetime
    withdrawn_at: datetime | None = None
    # absorbed: what the stake paid toward the vouchee's shortfall, and when
    absorbed: int = 0
    absorbed_at: datetime | None = None


# --------------------------------------------------------------------------- privacy


class PrivacySetting(SQLModel, table=True):
    """Who sees each part of a member's profile, who may send them requests,
    and whether people search finds them (domain/privacy.py has the rule and
    the defaults). One row per member, a column per part: a profile reads it
    in one lookup, and a search filters on it in one join. No row: the
    defaults, so a new member needs nothing written."""

    __tablename__ = "privacy_setting"

    member_id: int = Field(
        foreign_key="member.id", primary_key=True, ondelete="CASCADE"
    )
    # everyone | second | first | me
    email: str = Field(default="first", max_length=8)
    location: str = Field(default="everyone", max_length=8)
    background: str = Field(default="everyone", max_length=8)
    availability: str = Field(default="everyone", max_length=8)
    karma: str = Field(default="first", max_length=8)
    reviews: str = Field(default="everyone", max_length=8)
    give_get: str = Field(default="everyone", max_length=8)
    connections: str = Field(default="first", max_length=8)
    # everyone | second | nobody
    connect_requests: str = Field(default="everyone", max_length=8)
    message_requests: str = Field(default="second", max_length=8)
    hidden_from_search: bool = Field(default=False, index=True)
    updated_at: datetime


# --------------------------------------------------------------------------- moderation


class Report(SQLModel, table=True):
    """A member's report of something another member put here: a member,
    a listing, a review, an engagement message or a direct message
    (`kind`; `item_id` is that row's id, the member's own for "member").
    `reported_id` is whose it is, for the desk's grouping and actions; the
    reporter is never shown to them. One open report per reporter and item
    (`uq_report_open_once`)."""

    __table_args__ = (
        Index(
            "uq_report_open_once",
            "reporter_id",
            "kind",
            "item_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_report_queue", "closed_at", "kind", "item_id"),
        CheckConstraint("reporter_id <> reported_id", name="ck_report_not_self"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    reported_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=12)  # member | listing | review | message | dm
    item_id: int
    # spam | harassment | scam | inappropriate | impersonation | other
    reason: str = Field(max_length=16)
    note: str = Field(default="", max_length=500)
    created_at: datetime
    # closed by the desk's action on its item: dismissed | hidden | warned |
    # suspended
    closed_at: datetime | None = None
    outcome: str = Field(default="", max_length=12)


class ModerationAction(SQLModel, table=True):
    """The operator log: one row per desk action, never changed or deleted
    (who, what, on what, why, when)."""

    __tablename__ = "moderation_action"
    __table_args__ = (Index("ix_moderation_action_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="member.id")
    # dismiss | hide | warn | suspend | unsuspend | close_appeal
    action: str = Field(max_length=16)
    kind: str = Field(max_length=12)  # what it was done on, as Report.kind
    item_id: int
    member_id: int = Field(foreign_key="member.id", index=True)  # whose it is
    reason: str = Field(default="", max_length=300)
    at: datetime


class Appeal(SQLModel, table=True):
    """A suspended member's word to the operators, from the page a log-in
    shows them; open until an operator unsuspends them or answers it."""

    __table_args__ = (Index("ix_appeal_open", "closed_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    body: str = Field(max_length=1000)
    created_at: datetime
    closed_at: datetime | None = None


# ------------------------------------------ your network from elsewhere (issue 23)


class Contact(SQLModel, table=True):
    """Someone in a member's own address book, imported from a LinkedIn,
    phone or Google export (network/contacts.py). Private to its owner:
    never shown to anyone else, never used to suggest the owner to anyone.
    `source_key` says which row of which export it came from, so importing
    the same file again changes nothing and a newer export updates it;
    `member_id` is the member it matched by a verified email, if any."""

    __table_args__ = (
        UniqueConstraint("owner_id", "source_key", name="uq_contact_source"),
        Index("ix_contact_owner_name", "owner_id", "name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    name: str = Field(max_length=200)
    company: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    # linkedin | vcard | google | manual
    source: str = Field(max_length=12)
    source_key: str = Field(max_length=200)
    # a digest of what the export said: unchanged rows are left alone
    fingerprint: str = Field(default="", max_length=64)
    connected_on: date | None = None
    member_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="SET NULL"
    )
    # warmth from logged conversations (domain/strength.py), as for connections
    warmth: float = Field(default=0.0, sa_column=Column(Float, nullable=False))
    warmth_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class ContactAddress(SQLModel, table=True):
    """One email or phone of a contact, in canonical form (the accounts
    folding for emails, E.164 for phones): what matching and merging compare."""

    __tablename__ = "contact_address"
    __table_args__ = (
        UniqueConstraint("contact_id", "kind", "value", name="uq_contact_address"),
        Index("ix_contact_address_owner", "owner_id", "kind", "value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", ondelete="CASCADE")
    owner_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    kind: str = Field(max_length=8)  # email | phone
    value: str = Field(max_length=254)


class Invitation(SQLModel, table=True):
    """A member's invitation to someone not here yet: sent once per address
    (`uq_invitation_once`), its link's token kept as a hash only; joining
    through it connects the two at once."""

    __table_args__ = (
        UniqueConstraint("inviter_id", "email_canonical", name="uq_invitation_once"),
        Index("ix_invitation_sent", "inviter_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    inviter_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", ondelete="SET NULL"
    )
    name: str = Field(default="", max_length=200)
    email: str = Field(max_length=254)
    email_canonical: str = Field(max_length=254)
    note: str = Field(default="", max_length=500)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    joined_member_id: int | None = Field(
        default=None, foreign_key="member.id", ondelete="SET NULL"
    )
    joined_at: datetime | None = None


class LoggedInteraction(SQLModel, table=True):
    """A conversation that happened elsewhere -- coffee, a call, an email,
    WhatsApp, meeting at an event -- logged by one member about a member or
    one of their contacts, with a private note. It warms the relationship
    (below confirmed help) so going-cold reminders see the whole network."""

    __tablename__ = "logged_interaction"
    __table_args__ = (
        CheckConstraint(
            "(member_id IS NULL) <> (contact_id IS NULL)",
            name="ck_logged_interaction_one_person",
        ),
        Index("ix_logged_interaction_author", "author_id", "happened_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    member_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="CASCADE"
    )
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="CASCADE"
    )
    kind: str = Field(max_length=12)  # coffee | call | email | whatsapp | event
    happened_on: date
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime


class PersonNote(SQLModel, table=True):
    """A member's private note about a person (a member or one of their
    contacts): shown only to its author, on that person's page, and found by
    the author's search."""

    __tablename__ = "person_note"
    __table_args__ = (
        CheckConstraint(
            "(member_id IS NULL) <> (contact_id IS NULL)",
            name="ck_person_note_one_person",
        ),
        Index("ix_person_note_author", "author_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    member_id: int | None = Field(
        default=None, foreign_key="member.id", index=True, ondelete="CASCADE"
    )
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="CASCADE"
    )
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    updated_at: datetime


# ------------------------------------------------------------------------ calls


class Availability(SQLModel, table=True):
    """When a helper takes calls (domain/scheduling.py): wall-clock weekly
    windows in `timezone`, the room between calls, the notice and horizon
    of a booking, and their cancellation policy. The row is also the lock
    every booking of their time takes first (market/calls.py)."""

    member_id: int = Field(
        foreign_key="member.id", primary_key=True, ondelete="CASCADE"
    )
    timezone: str = Field(default="UTC", max_length=64)
    buffer_minutes: int = Field(default=0)
    min_notice_hours: int = Field(default=24)
    horizon_days: int = Field(default=28)
    # an accepted call moves or cancels for free until this many hours before
    cancel_free_hours: int = Field(default=24)
    # where the call happens: an https video link or an E.164 phone number
    meeting_link: str = Field(default="", max_length=300)
    updated_at: datetime


class AvailabilityWindow(SQLModel, table=True):
    """One weekly window: `weekday` (0 Monday) from `start_minute` to
    `end_minute` after local midnight."""

    __tablename__ = "availability_window"
    __table_args__ = (
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="ck_availability_window_order",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True, ondelete="CASCADE")
    weekday: int
    start_minute: int
    end_minute: int


class BlockedDay(SQLModel, table=True):
    """A day off: no slots on it, whatever the weekly windows say."""

    __tablename__ = "blocked_day"
    __table_args__ = (UniqueConstraint("member_id", "day", name="uq_blocked_day"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    day: date


class BookedSlot(SQLModel, table=True):
    """A stretch of a helper's time held for an engagement: while proposed
    (up to three, for a request's answer), then the one agreed. Deleted
    when the proposal is declined, withdrawn or expires, or the call is
    cancelled. The unique start per helper is the last guard against two
    bookings of one slot, beside the lock on their Availability row."""

    __tablename__ = "booked_slot"
    __table_args__ = (
        UniqueConstraint("helper_id", "starts_at", name="uq_booked_slot_start"),
        Index("ix_booked_slot_helper", "helper_id", "starts_at"),
        Index("ix_booked_slot_asker", "asker_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(
        foreign_key="engagement.id", index=True, ondelete="CASCADE"
    )
    helper_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    asker_id: int = Field(foreign_key="member.id", ondelete="CASCADE")
    starts_at: datetime
    ends_at: datetime


class CalendarFeed(SQLModel, table=True):
    """A member's private calendar feed: the hash of the secret in its URL.
    Revoking deletes the row, and the old URL then finds nothing."""

    __tablename__ = "calendar_feed"

    member_id: int = Field(
        foreign_key="member.id", primary_key=True, ondelete="CASCADE"
    )
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime


class CallReminder(SQLModel, table=True):
    """A reminder sent for one call at one time: the unique row is what
    makes it once per cluster, however many workers sweep at once; a
    rescheduled call is a new `starts_at`, so it is reminded again."""

    __tablename__ = "call_reminder"
    __table_args__ = (
        UniqueConstraint("engagement_id", "lead", "starts_at", name="uq_call_reminder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    engagement_id: int = Field(
        foreign_key="engagement.id", index=True, ondelete="CASCADE"
    )
    lead: str = Field(max_length=8)  # 24h | 1h
    starts_at: datetime
    sent_at: datetime
