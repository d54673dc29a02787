"""Vouching: a trusted member stakes part of their own credit for a connection.

The rule (docs/design/karma-trust.md): a member with a verified email and
trust of at least `trust.TRUSTED` may vouch for an accepted connection with a
stake of 1 up to their unused limit (their credit limit less what they owe
already). The vouchee's credit limit grows by the stake and the voucher's
shrinks by it (ledger/credit.py writes both). One active vouch per pair.

- A vouch may be withdrawn while the vouchee does not rely on it: their
  balance stays within their limit without the stake.
- A vouchee who defaults -- below zero past the grace period
  (`vouch_grace_days`, 60), or frozen by an operator -- has the shortfall
  absorbed by the stakes, oldest vouch first: a transfer from the voucher to
  the vouchee of up to the stake, code `vouch_absorbed`, and the vouch ends.

Every change to a vouch holds the two members' karma account rows (lower id
first, as transfers do), so a stake and a spend, or two stakes by one
voucher, are decided one after the other.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session, col

from marketplace import routes
from marketplace.accounts import members, standing, verification
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.credit import check_stake, unused_limit
from marketplace.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.ledger import Kind
from marketplace.domain.times import local_date
from marketplace.inbox import notifications
from marketplace.ledger import credit, ledger
from marketplace.models import LedgerAccount, LedgerTransfer, Member, Vouch
from marketplace.network import connections, trust
from marketplace.settings import get_settings

log = logging.getLogger(__name__)
ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
ABSORBED = "vouch_absorbed"  # the code of a stake's transfer to a defaulter
MISSING = "Say who you vouch for (their handle)."


@dataclass(frozen=True)
class VouchView:
    """A vouch as a profile shows it: the other person, the stake, since when."""

    id: int
    handle: str
    display_name: str
    stake: int
    since: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class VouchOffer:
    """What the viewer of a profile may do about vouching for its member:
    `mine` is their active vouch (id 0: none); `max_stake` > 0 offers the form."""

    mine: VouchView
    max_stake: int = 0


NO_VOUCH = VouchView(0, "", "", 0, "")


# --------------------------------------------------------------------------- vouch


def vouch(
    session: Session,
    *,
    actor_id: int,
    vouchee_handle: object,
    stake: object,
    clock: Clock = system_clock,
) -> Vouch:
    """Stake `stake` karma of the actor's unused limit on a connection."""
    standing.require_standing(session, actor_id)
    vouchee = connections.reachable_member(
        session, actor_id, vouchee_handle, missing=MISSING, field="handle"
    )
    if vouchee.id == actor_id:
        raise InvalidInput("You can't vouch for yourself.", "handle")
    if connections.relationship(session, actor_id, vouchee.id) != "connected":
        raise Conflict(
            f"You can vouch only for a connection: connect with "
            f"{vouchee.display_name} first."
        )
    if not trust.is_trusted(session, actor_id):
        raise Conflict(
            "Vouching needs the network's trust: it grows as you help and get "
            "help from people you're connected with."
        )
    if vouchee.email_verified_at is None:
        raise Conflict(
            f"{vouchee.display_name} hasn't verified their email yet; "
            "vouch once they have."
        )
    mine = _lock_accounts(session, actor_id, vouchee.id)[actor_id]
    if _active(session, actor_id, vouchee.id) is not None:
        raise Conflict(
            f"You already vouch for {vouchee.display_name}; withdraw that vouch "
            "to stake another amount."
        )
    credit.refresh_limit(session, actor_id)  # stake from the limit as it is now
    amount = check_stake(stake, unused_limit(ledger.totals(session, mine)))
    row = Vouch(
        voucher_id=actor_id, vouchee_id=vouchee.id, stake=amount, created_at=clock.now()
    )
    session.add(row)
    session.flush()
    _refresh(session, row)
    name = session.get(Member, actor_id).display_name
    notifications.notify(
        session,
        member_id=vouchee.id,
        sender_id=actor_id,
        kind="vouch",
        text=f"{name} vouched for you: your credit limit grew by {amount} karma.",
        link=routes.WALLET,
        clock=clock,
    )
    return row


def withdraw_vouch(
    session: Session, *, actor_id: int, vouch_id: object, clock: Clock = system_clock
) -> Vouch:
    """End the actor's own vouch, if its vouchee does not rely on it."""
    row = _own_active(session, actor_id, vouch_id)
    vouchee_account = _lock_accounts(session, actor_id, row.vouchee_id)[row.vouchee_id]
    totals = ledger.totals(session, vouchee_account)
    without = credit.limit_of(session, row.vouchee_id, less_vouched_in=row.stake)
    if not replace(totals, credit_limit=without).can_debit(0):
        name = session.get(Member, row.vouchee_id).display_name
        raise Conflict(
            f"{name} relies on your vouch right now: without it they would be "
            f"{-totals.available - without} karma past their limit. You can "
            "withdraw once they are back within it."
        )
    row.withdrawn_at = clock.now()
    session.add(row)
    session.flush()
    _refresh(session, row)
    return row


def _own_active(session: Session, actor_id: int, vouch_id: object) -> Vouch:
    """The actor's own active vouch, row-locked; anyone else's reads as none."""
    wanted = check_id(vouch_id, "vouch")
    row = session.execute(
        select(Vouch).where(Vouch.id == wanted).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.voucher_id != actor_id:
        raise NotFound("No such vouch.")
    if row.withdrawn_at is not None or row.absorbed_at is not None:
        raise Conflict("This vouch has already ended.")
    return row


def _active(session: Session, voucher_id: int, vouchee_id: int) -> Vouch | None:
    return session.execute(
        select(Vouch).where(
            Vouch.voucher_id == voucher_id,
            Vouch.vouchee_id == vouchee_id,
            col(Vouch.withdrawn_at).is_(None),
            col(Vouch.absorbed_at).is_(None),
        )
    ).scalar_one_or_none()


def _lock_accounts(session: Session, *member_ids: int) -> dict[int, int]:
    """Each member's karma account id, its row locked, lower id first."""
    accounts = {m: ledger.member_account(session, m) for m in member_ids}
    for account_id in sorted(accounts.values()):
        session.execute(
            select(ACCOUNT.c.id).where(ACCOUNT.c.id == account_id).with_for_update()
        )
    return accounts


def _refresh(session: Session, row: Vouch) -> None:
    for member_id in sorted((row.voucher_id, row.vouchee_id)):
        credit.refresh_limit(session, member_id)


# --------------------------------------------------------------------------- views


def vouches_of(
    session: Session, member_id: int
) -> tuple[list[VouchView], list[VouchView]]:
    """(who vouches for the member, whom the member vouches for): active
    vouches, oldest first, as both profiles show them."""
    rows = session.execute(
        select(Vouch)
        .where(
            or_(Vouch.voucher_id == member_id, Vouch.vouchee_id == member_id),
            col(Vouch.withdrawn_at).is_(None),
            col(Vouch.absorbed_at).is_(None),
        )
        .order_by(Vouch.id)
    ).scalars()
    rows = list(rows)
    people = members.by_id(
        session, [r.voucher_id for r in rows] + [r.vouchee_id for r in rows]
    )
    zone = members.timezone_of(session, member_id)
    by = [
        _view(r, people[r.voucher_id], zone) for r in rows if r.vouchee_id == member_id
    ]
    for_ = [
        _view(r, people[r.vouchee_id], zone) for r in rows if r.voucher_id == member_id
    ]
    return by, for_


def _view(row: Vouch, other: Member, zone: str) -> VouchView:
    return VouchView(
        row.id,
        other.handle,
        other.display_name,
        row.stake,
        local_date(row.created_at, zone),
    )


def offer(session: Session, viewer_id: int, member_id: int) -> VouchOffer:
    """Whether the viewer may vouch for the member on their profile, and how
    much (read-only: nothing is opened or written)."""
    mine = _active(session, viewer_id, member_id)
    if mine is not None:
        other = session.get(Member, member_id)
        zone = members.timezone_of(session, viewer_id)
        return VouchOffer(_view(mine, other, zone))
    other = session.get(Member, member_id)
    if (
        viewer_id == member_id
        or other is None
        or other.email_verified_at is None
        or not verification.is_verified(session, viewer_id)
        or not trust.is_trusted(session, viewer_id)
        or connections.relationship(session, viewer_id, member_id) != "connected"
    ):
        return VouchOffer(NO_VOUCH)
    totals = ledger.member_totals(session, viewer_id)
    limit = credit.limit_of(session, viewer_id)
    return VouchOffer(NO_VOUCH, unused_limit(replace(totals, credit_limit=limit)))


# --------------------------------------------------------------------------- defaults


def absorb_defaults(session: Session, *, clock: Clock = system_clock) -> int:
    """Let the stakes absorb the shortfall of every vouchee who defaulted;
    returns how many vouches were absorbed. Run by a scheduler; safe to
    repeat (an absorbed vouch has ended, and its transfer is keyed by it)."""
    now = clock.now()
    grace = timedelta(days=get_settings().vouch_grace_days)
    vouchees = session.execute(
        select(Vouch.vouchee_id)
        .where(col(Vouch.withdrawn_at).is_(None), col(Vouch.absorbed_at).is_(None))
        .distinct()
        .order_by(Vouch.vouchee_id)
    ).scalars()
    absorbed = 0
    for vouchee_id in list(vouchees):
        # one savepoint each: one vouchee's trouble never holds back the rest
        try:
            with session.begin_nested():
                absorbed += _absorb_if_defaulted(session, vouchee_id, now, grace, clock)
        except DomainError as refused:
            log.warning("vouches for member %s not absorbed: %s", vouchee_id, refused)
    return absorbed


def _absorb_if_defaulted(session, vouchee_id, now, grace, clock) -> int:
    account = ledger.member_account(session, vouchee_id)
    totals = ledger.totals(session, account)
    shortfall = -totals.balance
    if shortfall <= 0 or totals.closed:
        return 0  # nothing owed, or an account closed: no transfer reaches it
    since = below_zero_since(session, account)
    if not standing.is_frozen(session, vouchee_id) and (
        since is None or since > now - grace
    ):
        return 0
    count = 0
    stakes = session.execute(
        select(Vouch)
        .where(
            Vouch.vouchee_id == vouchee_id,
            col(Vouch.withdrawn_at).is_(None),
            col(Vouch.absorbed_at).is_(None),
        )
        .order_by(Vouch.id)
        .with_for_update()
    ).scalars()
    for row in list(stakes):
        if shortfall <= 0:
            break
        shortfall -= _absorb(session, row, shortfall, now, clock)
        count += 1
    return count


def settle_on_leaving(
    session: Session, vouchee_id: int, *, clock: Clock = system_clock
) -> None:
    """A vouchee closing their account: below zero, they defaulted, and the
    stakes absorb what they owe now (no grace: nobody is left to repay it);
    whatever vouches are left end, their stakes back in the vouchers'
    limits. Called before the account closes."""
    now = clock.now()
    _absorb_if_defaulted(session, vouchee_id, now, timedelta(0), clock)
    left = session.execute(
        select(Vouch)
        .where(
            Vouch.vouchee_id == vouchee_id,
            col(Vouch.withdrawn_at).is_(None),
            col(Vouch.absorbed_at).is_(None),
        )
        .with_for_update()
    ).scalars()
    for row in list(left):
        row.withdrawn_at = now
        session.add(row)
        session.flush()
        _refresh(session, row)


def given(session: Session, voucher_id: int) -> list[tuple[Vouch, Member]]:
    """The voucher's active vouches, with their vouchees, oldest first."""
    rows = session.execute(
        select(Vouch, Member)
        .join(Member, Member.id == Vouch.vouchee_id)
        .where(
            Vouch.voucher_id == voucher_id,
            col(Vouch.withdrawn_at).is_(None),
            col(Vouch.absorbed_at).is_(None),
        )
        .order_by(Vouch.id)
    ).all()
    return [(vouch, member) for vouch, member in rows]


def _absorb(session, row: Vouch, shortfall: int, now: datetime, clock) -> int:
    """End the vouch, its stake back in the voucher's limit, and pay from it
    toward the shortfall what the voucher's limit allows; return that."""
    accounts = _lock_accounts(session, row.voucher_id, row.vouchee_id)
    row.absorbed_at = now
    session.add(row)
    session.flush()
    credit.refresh_limit(session, row.voucher_id)
    voucher = ledger.totals(session, accounts[row.voucher_id])
    room = 0 if voucher.closed else voucher.room or 0  # a closed account pays none
    amount = min(row.stake, shortfall, room)
    row.absorbed = amount
    session.add(row)
    vouchee = session.get(Member, row.vouchee_id)
    if amount > 0:
        ledger.transfer(
            session,
            key=f"vouch-absorbed:{row.id}",
            debit_account_id=accounts[row.voucher_id],
            credit_account_id=accounts[row.vouchee_id],
            amount=amount,
            code=ABSORBED,
            memo=f"Your vouch for {vouchee.display_name} covered their shortfall"[:200],
            clock=clock,
        )
    credit.refresh_limit(session, row.vouchee_id)
    notifications.notify(
        session,
        member_id=row.voucher_id,
        kind="vouch",
        text=f"{vouchee.display_name} stayed below zero past the grace period: "
        f"your vouch covered {amount} karma of it, and has ended.",
        link=routes.WALLET,
        clock=clock,
    )
    return amount


def below_zero_since(session: Session, account_id: int) -> datetime | None:
    """When the account's settled balance last went below zero and stayed
    there (None: it is not below zero), replayed from its transfers."""
    rows = session.execute(
        select(TRANSFER.c.created_at, TRANSFER.c.amount, TRANSFER.c.credit_account_id)
        .where(
            TRANSFER.c.kind.in_([Kind.SINGLE, Kind.POST]),
            or_(
                TRANSFER.c.debit_account_id == account_id,
                TRANSFER.c.credit_account_id == account_id,
            ),
        )
        .order_by(TRANSFER.c.created_at, TRANSFER.c.id)
    ).all()
    balance, since = 0, None
    for at, amount, credited in rows:
        balance += amount if credited == account_id else -amount
        if balance >= 0:
            since = None
        elif since is None:
            since = at
    return since
