"""Engagements: booking help, moving it along, and the karma or IOU behind it.

`propose` starts one from a listing; `act` makes every later move through the
one rule in domain/engagements.py, under the engagement's row lock, and does the
money side in the same unit of work:

- accept: karma terms hold the price on the asker's account (escrow); IOU terms
  are recorded on the engagement, and count against the asker's credit limit
  from then on (ious.reserve_debt); free terms move nothing.
- cancel (after acceptance) and a dispute resolved as 'refund' void the hold.
- confirm, auto-confirm and a dispute resolved as 'release' post the hold, or
  write the IOU the asker agreed to (asker owes helper), and count as help
  given: the two people's connection warms and, once committed, the
  relationship graph's give/get balance follows.
- a karma hold lasts at most 90 days. A delivery after it ran out renews it
  for what the asker has room for (their credit included); whatever the
  asker can't cover when the help is confirmed becomes an IOU from the asker
  to the helper. So no engagement is ever stuck on a lapsed hold, auto-confirm
  included.

So either the move and its money both happen, or neither does.

A block between the two (network/connections.py) stops what has not started
-- no booking of the other's listing, no accepting a proposal -- but never
strands what has: an accepted engagement can still be delivered, confirmed,
cancelled or disputed, so no karma, payment or IOU gets stuck. Its moves
then reach the other only on the engagement's page, not in their inbox.
"""

from __future__ import annotations

import functools
import logging
from contextlib import suppress
from datetime import timedelta

from sqlmodel import Session, col, or_, select

from marketplace import events
from marketplace.accounts import standing
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import (
    OPEN,
    Action,
    Role,
    Status,
    already_done,
    check_resolution,
    move,
    parse_action,
)
from marketplace.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAuthorized,
    NotFound,
)
from marketplace.domain.ids import check_id
from marketplace.domain.ious import OverCreditLimit
from marketplace.domain.ledger import (
    MAX_HOLD_SECONDS,
    HoldNotPending,
    InsufficientKarma,
)
from marketplace.domain.listings import check_hours, check_note
from marketplace.domain.scheduling import NO_SHOW_GRACE
from marketplace.inbox import notifications
from marketplace.ious.ious import iou_for_help, reserve_debt
from marketplace.ledger import card_payments, cards, ledger
from marketplace.market import call_invites, calls, listings, threads
from marketplace.market.engagement_views import card_wait, dispute_answer
from marketplace.models import Engagement, EngagementEvent, Listing, Member
from marketplace.network import blocks, interactions, intros
from marketplace.routes import DISPUTES
from marketplace.routes import engagement as engagement_url
from marketplace.settings import get_settings

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- propose


def propose(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    note: object = "",
    hours: object = None,
    slot: object = None,
    clock: Clock = system_clock,
) -> Engagement:
    """Book an offer (I am the asker) or answer a request (I am the helper).
    An hourly paid offer is booked for `hours`; its price is the rate times them.
    A call (an offer with a duration) is booked at `slot`, one of the
    helper's free starts; a request's answer may propose up to three."""
    standing.require_standing(session, actor_id)
    listing = listings.visible_listing(session, actor_id, listing_id, lock=True)
    text = check_note(note, label="Message")
    if listing.author_id == actor_id:
        raise InvalidInput("That's your own listing; you can't book it yourself.")
    if listing.status != "open":
        raise Conflict(
            f"This listing is {listing.status}; it isn't taking new bookings."
        )
    if listings.is_full(listing):
        raise Conflict("This listing is full: every spot is taken.")
    _refuse_second_booking(session, listing.id, actor_id)
    asker, helper = (
        (actor_id, listing.author_id)
        if listing.kind == "offer"
        else (listing.author_id, actor_id)
    )
    booked = check_hours(hours, listing.terms, listing.rate_kind)
    if listing.terms == "paid":
        card_payments.require_payments()
    if listing.terms == "karma" and asker == actor_id:
        _check_affordable(session, asker, listing.price)
    if listing.terms == "iou" and asker == actor_id:
        # asked now so a booking past the limit is refused at once; acceptance
        # asks again under the lock
        reserve_debt(session, asker, listing.price * booked)
    now = clock.now()
    engagement = Engagement(
        listing_id=listing.id,
        asker_id=asker,
        helper_id=helper,
        proposed_by_id=actor_id,
        status=Status.PROPOSED,
        terms=listing.terms,
        price=listing.price * booked,
        currency=listing.currency,
        hours=booked,
        note=text,
        created_at=now,
        updated_at=now,
    )
    session.add(engagement)
    session.flush()
    _hold_call_time(session, engagement, listing, slot, clock)
    _record(session, engagement, None, actor_id, text, now)
    _tell(
        session,
        engagement,
        listing.author_id,
        _proposal_text(session, engagement, listing),
        clock,
        sender_id=actor_id,
        # a request's author hears of an answer; an offer's, of a booking
        alert="answer" if listing.kind == "request" else "booking",
    )
    return engagement


def _hold_call_time(session, engagement, listing, slot, clock) -> None:
    """A call's time is held from the proposal on: the one slot booked on an
    offer, or the times a helper proposes in answer to a request."""
    minutes = calls.call_minutes(listing, engagement.hours)
    if minutes is None:
        if slot not in (None, "", []):
            raise InvalidInput("This listing isn't booked as a call.", "slot")
        return
    if listing.kind == "request" and slot in (None, "", []):
        return  # an answer need not propose a time: they agree one in messages
    calls.hold(session, engagement, slot, minutes, clock)
    calls.fix_policy(session, engagement)


def _refuse_second_booking(session: Session, listing_id: int, actor_id: int) -> None:
    mine = or_(Engagement.asker_id == actor_id, Engagement.helper_id == actor_id)
    open_one = session.exec(
        select(Engagement.id).where(
            Engagement.listing_id == listing_id,
            mine,
            col(Engagement.status).in_([str(s) for s in OPEN]),
        )
    ).first()
    if open_one is not None:
        raise Conflict("You already have an engagement under way on this listing.")


def _check_affordable(session: Session, member_id: int, price: int) -> None:
    # Asked of the ledger's own rule, so a credit limit counts here as it will
    # when acceptance places the hold.
    totals = ledger.totals(session, ledger.member_account(session, member_id))
    if not totals.can_debit(price):
        credit = (
            f" within your credit limit of {totals.credit_limit}"
            if totals.credit_limit
            else ""
        )
        raise InsufficientKarma(
            f"Not enough karma: this costs {price} and you have "
            f"{totals.room} available{credit}."
        )


def _proposal_text(session: Session, engagement: Engagement, listing: Listing) -> str:
    who = session.get(Member, engagement.proposed_by_id).display_name
    verb = "booked your offer" if listing.kind == "offer" else "offered to help with"
    return f"{who} {verb} “{listing.title}”."


# --------------------------------------------------------------------------- act


def act(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    action: object,
    note: object = "",
    slot: object = None,
    clock: Clock = system_clock,
) -> Engagement:
    """A party moves the engagement along; the money side happens with it.
    Accepting a request's answer that proposed times takes the `slot` the
    asker picked."""
    step = parse_action(action)
    if step in (Action.RESOLVE, Action.AUTO_CONFIRM, Action.EXPIRE):
        raise InvalidInput("Disputes are resolved by an operator.", "action")
    engagement = _locked(session, engagement_id, actor_id)
    role = _role(engagement, actor_id)
    if step == Action.ACCEPT:
        _refuse_blocked_pair(session, engagement)
    disputing = step in (Action.DISPUTE, Action.NO_SHOW)
    text = check_note(note, label="Reason" if disputing else "Note")
    if disputing and not text:
        raise InvalidInput("Say what went wrong, so an operator can help.", "note")
    status = Status(engagement.status)
    proposer = _role(engagement, engagement.proposed_by_id)
    if already_done(status, step, role, proposer):
        return engagement  # a second click: the first one did it
    target = move(status, step, role, proposer)
    _check_call_timing(session, engagement, step, slot, clock)
    return _apply(session, engagement, step, target, actor_id, text, clock)


def _check_call_timing(session, engagement, step, slot, clock) -> None:
    """A call's moves follow its clock: it is accepted before it starts (at
    a time the asker picked, for a request's answer), reported as a no-show
    only once it has started, and delivered only once it has ended."""
    if step == Action.ACCEPT:
        calls.pick(session, engagement, slot)
        if engagement.starts_at is not None and engagement.starts_at <= clock.now():
            raise Conflict("That time has passed; decline, and book another time.")
    elif step == Action.DELIVER:
        calls.check_deliverable(engagement, clock)
    elif step == Action.NO_SHOW:
        if engagement.starts_at is None:
            raise Conflict("This engagement has no call to miss.")
        if clock.now() < engagement.starts_at + NO_SHOW_GRACE:
            raise Conflict(
                "The call hasn't started yet: a no-show can be reported from "
                "ten minutes after its start."
            )


def _refuse_blocked_pair(session: Session, engagement: Engagement) -> None:
    """Accepting starts the help (and holds the karma): not between two
    people either of whom blocked the other. Declining or withdrawing the
    proposal still works."""
    if blocks.blocked_between(session, engagement.asker_id, engagement.helper_id):
        raise Conflict("This can't go ahead any more; decline it instead.")


# --------------------------------------------------------------------------- cards


def payment_authenticated(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    clock: Clock = system_clock,
) -> Engagement:
    """The payer's page finished their bank's check (3-D Secure), passed or
    not. Stripe, not the page, says which: if it now holds the card, the
    accept the other side made goes through; if not, nothing is held and
    both are told."""
    engagement = _locked(session, engagement_id, actor_id)
    if actor_id != engagement.asker_id:
        raise NotAuthorized("Only the person paying confirms the payment.")
    if (
        engagement.status != Status.PROPOSED
        or engagement.payment_status != card_payments.NEEDS_AUTH
    ):
        return engagement  # done already: a second click, or another tab
    acceptor = (
        engagement.helper_id
        if engagement.proposed_by_id == engagement.asker_id
        else engagement.asker_id
    )
    _refuse_blocked_pair(session, engagement)
    accepted = _apply(
        session, engagement, Action.ACCEPT, Status.ACCEPTED, acceptor, "", clock
    )
    if accepted.status == Status.ACCEPTED:
        title = session.get(Listing, engagement.listing_id).title
        payer = session.get(Member, actor_id).display_name
        text = f"{payer} confirmed the payment: “{title}” has started."
        _tell(session, engagement, acceptor, text, clock, sender_id=actor_id)
        return accepted
    card_payments.authentication_failed(engagement)
    session.add(engagement)
    _tell_card_wait(session, engagement, actor_id, card_payments.NEEDS_AUTH, clock)
    return engagement


def authentication_secret(
    session: Session, *, actor_id: int, engagement_id: object
) -> tuple[str, str]:
    """(client secret, payment method) for the payer's Stripe.js to show
    their bank's check; nobody else's page gets them."""
    engagement = _locked(session, engagement_id, actor_id)
    if actor_id != engagement.asker_id:
        raise NotFound("No such engagement.")
    return (
        card_payments.authentication_secret(engagement),
        engagement.payment_method_id or "",
    )


def _tell_card_wait(session, engagement, actor_id, before: str, clock) -> None:
    """Tell whoever didn't just act why the card held nothing yet -- once
    per new reason, so clicking accept twice doesn't nag the payer."""
    status = engagement.payment_status
    if status == before == card_payments.NEEDS_AUTH:
        return
    title = session.get(Listing, engagement.listing_id).title
    for member_id in (engagement.asker_id, engagement.helper_id):
        if member_id != actor_id:
            text = card_wait(session, engagement, member_id)
            _tell(
                session,
                engagement,
                member_id,
                f"“{title}”: {text}",
                clock,
                sender_id=actor_id,
                alert="payment",
            )


def card_added(session: Session, member_id: int, clock: Clock = system_clock) -> int:
    """A payer saved a card: everyone whose accept waited on one hears they
    can accept now. Returns how many were told."""
    waiting = session.exec(
        select(Engagement).where(
            Engagement.asker_id == member_id,
            Engagement.status == Status.PROPOSED,
            col(Engagement.payment_status).in_(
                [card_payments.NEEDS_CARD, card_payments.DECLINED]
            ),
        )
    ).all()
    payer = session.get(Member, member_id).display_name
    for engagement in waiting:
        title = session.get(Listing, engagement.listing_id).title
        acceptor = (
            engagement.helper_id
            if engagement.proposed_by_id == member_id
            else engagement.asker_id
        )
        engagement.payment_status = "none"  # ready: the next accept tries it
        session.add(engagement)
        if acceptor != member_id:
            _tell(
                session,
                engagement,
                acceptor,
                f"{payer} added a card: you can accept “{title}” now.",
                clock,
                sender_id=member_id,
            )
    return len(waiting)


def resolve_dispute(
    session: Session,
    *,
    operator_id: int,
    engagement_id: object,
    resolution: object,
    note: object = "",
    clock: Clock = system_clock,
) -> Engagement:
    """An operator settles a dispute: 'refund' voids the hold, 'release' pays it."""
    operator = session.get(Member, operator_id)
    if operator is None or not operator.is_operator:
        raise NotFound("No such engagement.")
    outcome = check_resolution(resolution)
    engagement = _locked(session, engagement_id, None)
    if operator_id in (engagement.asker_id, engagement.helper_id):
        raise NotAuthorized("You can't resolve a dispute you are part of.")
    move(Status(engagement.status), Action.RESOLVE, Role.OPERATOR, None)
    engagement.resolution = outcome
    text = check_note(note, label="Note")
    return _apply(
        session, engagement, Action.RESOLVE, Status.RESOLVED, operator_id, text, clock
    )


def cancel_by_operator(
    session: Session,
    *,
    operator_id: int,
    engagement_id: int,
    why: str,
    clock: Clock = system_clock,
) -> bool:
    """An operator cancels a proposed or accepted engagement (one party was
    suspended: accounts/moderation.py). The money side is the parties' own
    cancel: a proposal's card wait abandoned, an accepted hold voided or its
    card authorization released, through the ledger and the card services.
    Delivered and disputed ones are left to the disputes desk. Returns
    whether it was cancelled."""
    engagement = _locked(session, engagement_id, None)
    source = Status(engagement.status)
    if source not in (Status.PROPOSED, Status.ACCEPTED):
        return False
    calls.release(session, engagement.id)
    if source == Status.PROPOSED:
        card_payments.abandon(engagement)
    else:
        _release_hold(session, engagement, "cancelled by a moderator", clock)
        if engagement.starts_at is not None:
            call_invites.send_cancellation(session, engagement, clock)
    now = clock.now()
    engagement.status = Status.CANCELLED
    engagement.updated_at = now
    session.add(engagement)
    _record(session, engagement, source, operator_id, why, now)
    title = session.get(Listing, engagement.listing_id).title
    for member_id in (engagement.asker_id, engagement.helper_id):
        _tell(
            session,
            engagement,
            member_id,
            f"A moderator cancelled “{title}”: {why}",
            clock,
            sender_id=None,
        )
    return True


def answer_dispute(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    statement: object,
    clock: Clock = system_clock,
) -> Engagement:
    """The helper's side of a dispute, once, for the operator to read beside
    the asker's reason. Kept as a step of the timeline (disputed to
    disputed), so the story stays append-only; anything more goes in the
    messages."""
    engagement = _locked(session, engagement_id, actor_id)
    if actor_id != engagement.helper_id:
        raise NotAuthorized("Only the helper answers a dispute; the asker opened it.")
    if engagement.status != Status.DISPUTED:
        raise Conflict("This engagement isn't disputed; there is nothing to answer.")
    if dispute_answer(session, engagement) is not None:
        raise Conflict("You already gave your side; add anything more as a message.")
    text = check_note(statement, label="Your side")
    if not text:
        raise InvalidInput("Say what happened from your side.", "note")
    session.add(
        EngagementEvent(
            engagement_id=engagement.id,
            from_status=Status.DISPUTED,
            to_status=Status.DISPUTED,
            actor_id=actor_id,
            note=text,
            at=clock.now(),
        )
    )
    _tell_of_answer(session, engagement, actor_id, clock)
    return engagement


def _tell_of_answer(session, engagement, actor_id, clock) -> None:
    """The asker and the operators hear that the helper gave their side."""
    listing = session.get(Listing, engagement.listing_id)
    who = session.get(Member, actor_id).display_name
    text = f"{who} answered the dispute on “{listing.title}”."
    _tell(session, engagement, engagement.asker_id, text, clock, sender_id=actor_id)
    for operator_id in _operators(session, engagement):
        notifications.notify(
            session,
            member_id=operator_id,
            kind="dispute",
            text=text,
            link=DISPUTES,
            clock=clock,
        )


def _operators(session: Session, engagement: Engagement) -> list[int]:
    """Operators who may resolve this dispute (not one of its two people)."""
    operators = session.exec(select(Member.id).where(Member.is_operator)).all()
    parties = (engagement.asker_id, engagement.helper_id)
    return [member_id for member_id in operators if member_id not in parties]


def auto_confirm_due(
    session: Session, *, clock: Clock = system_clock, limit: int = 200
) -> int:
    """Confirm deliveries nobody answered within the quiet period (a scheduler
    runs this; safe to repeat). Returns how many were confirmed."""
    due = session.exec(
        select(Engagement.id)
        .where(
            Engagement.status == Status.DELIVERED,
            col(Engagement.confirm_due_at) <= clock.now(),
        )
        .order_by(Engagement.id)
        .limit(limit)
    ).all()
    done = 0
    for engagement_id in due:
        # one savepoint each: an engagement that can't be paid must not hold
        # back the others (it stays delivered, for its parties to sort out)
        try:
            with session.begin_nested():
                done += _auto_confirm(session, engagement_id, clock)
        except DomainError as refused:
            log.warning("engagement %s not auto-confirmed: %s", engagement_id, refused)
    return done


def _auto_confirm(session: Session, engagement_id: int, clock: Clock) -> int:
    engagement = _locked(session, engagement_id, None)
    if engagement.status != Status.DELIVERED:
        return 0  # confirmed or disputed meanwhile
    move(Status.DELIVERED, Action.AUTO_CONFIRM, Role.SYSTEM, None)
    _apply(session, engagement, Action.AUTO_CONFIRM, Status.CONFIRMED, None, "", clock)
    return 1


def reschedule(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    slot: object,
    clock: Clock = system_clock,
) -> Engagement:
    """Move a call to another of the helper's free slots (calls.reschedule
    says who may, and until when); both calendars get the update."""
    engagement = _locked(session, engagement_id, actor_id)
    standing.require_standing(session, actor_id)
    before = engagement.starts_at
    calls.reschedule(session, engagement, actor_id, slot, clock)
    now = clock.now()
    engagement.updated_at = now
    session.add(engagement)
    who = session.get(Member, actor_id).display_name
    zone_note = f"Moved the call from {before:%Y-%m-%d %H:%M} UTC."
    _record(session, engagement, engagement.status, actor_id, zone_note, now)
    title = session.get(Listing, engagement.listing_id).title
    other = (
        engagement.helper_id if actor_id == engagement.asker_id else engagement.asker_id
    )
    _tell(
        session,
        engagement,
        other,
        f"{who} moved the call for “{title}” to a new time.",
        clock,
        sender_id=actor_id,
    )
    if engagement.status == Status.ACCEPTED:
        call_invites.send_invites(session, engagement, clock)
    return engagement


def expire_passed_calls(
    session: Session, *, clock: Clock = system_clock, limit: int = 200
) -> int:
    """Proposals whose proposed times have all passed unanswered are let go
    (a scheduler runs this; safe to repeat). Returns how many expired."""
    done = 0
    for engagement_id in calls.expired_proposals(session, clock, limit):
        with session.begin_nested():
            engagement = _locked(session, engagement_id, None)
            if engagement.status != Status.PROPOSED:
                continue
            move(Status.PROPOSED, Action.EXPIRE, Role.SYSTEM, None)
            _apply(
                session, engagement, Action.EXPIRE, Status.CANCELLED, None, "", clock
            )
            done += 1
    return done


def _locked(
    session: Session, engagement_id: object, actor_id: int | None
) -> Engagement:
    """The engagement, row-locked; a non-party sees 'not found' (operators, who
    pass actor_id None, see every one)."""
    wanted = check_id(engagement_id, "engagement")
    # the listing and both parties come with it: announcing the step names
    # the listing and the actor, and alerting reads the other's row
    found = session.execute(_locked_query(), {"id": wanted}).first()
    engagement = found[0] if found else None
    if engagement is None or (
        actor_id is not None
        and actor_id not in (engagement.asker_id, engagement.helper_id)
    ):
        raise NotFound("No such engagement.")
    return engagement


@functools.cache
def _locked_query():
    """Only the engagement's row is locked: its listing and parties are read."""
    return (
        threads.with_parties_query()
        .with_for_update(of=Engagement)
        .execution_options(populate_existing=True)
    )


def _role(engagement: Engagement, member_id: int | None) -> Role:
    return Role.ASKER if member_id == engagement.asker_id else Role.HELPER


# --------------------------------------------------------------------------- effects


def _apply(session, engagement, step, target, actor_id, text, clock) -> Engagement:
    now = clock.now()
    source = engagement.status
    if step == Action.ACCEPT:
        waiting = engagement.payment_status
        if not _accept(session, engagement, actor_id, clock):
            # the payer's card must act first: nothing moved, nothing held
            _tell_card_wait(session, engagement, actor_id, waiting, clock)
            session.add(engagement)
            return engagement
    elif step in (Action.DECLINE, Action.CANCEL, Action.EXPIRE) and (
        source == Status.PROPOSED
    ):
        card_payments.abandon(engagement)  # a payment awaiting the payer's bank
        calls.release(session, engagement.id)
    elif step == Action.CANCEL and source == Status.ACCEPTED:
        _cancel_accepted(session, engagement, actor_id, clock)
    elif step == Action.NO_SHOW:
        engagement.dispute_reason = _no_show_reason(session, actor_id, text)
    elif step == Action.DELIVER:
        # set after the hold's reads, which would flush it as an UPDATE of its own
        _renew_lapsed_hold(session, engagement, clock)
        days = get_settings().auto_confirm_days
        engagement.confirm_due_at = now + timedelta(days=days)
    elif step in (Action.CONFIRM, Action.AUTO_CONFIRM):
        _pay(session, engagement, clock)
        _count_the_help(session, engagement, clock)
    elif step == Action.DISPUTE:
        engagement.dispute_reason = text
    elif step == Action.RESOLVE:
        if engagement.resolution == "release":
            _pay(session, engagement, clock)
            _count_the_help(session, engagement, clock)
        else:
            _release_hold(session, engagement, "refunded", clock)
    engagement.status = target
    engagement.updated_at = now
    session.add(engagement)
    _record(session, engagement, source, actor_id, text, now)
    _announce(session, engagement, step, actor_id, clock)
    _update_calendars(session, engagement, step, source, clock)
    return engagement


def _update_calendars(session, engagement, step, source, clock) -> None:
    """An accepted call goes into both calendars; a cancelled one comes out."""
    if engagement.starts_at is None:
        return
    if step == Action.ACCEPT:
        call_invites.send_invites(session, engagement, clock)
    elif step == Action.CANCEL and source == Status.ACCEPTED:
        call_invites.send_cancellation(session, engagement, clock)


def _cancel_accepted(session, engagement, actor_id, clock) -> None:
    """Cancelling started help gives the asker back what was held -- unless
    the asker cancels a call inside the helper's free-cancellation window:
    then the helper's policy pays them, as confirming would have (karma
    posted, card captured, IOU written)."""
    late = actor_id == engagement.asker_id and calls.late_for(engagement, clock)
    calls.release(session, engagement.id)
    if late and engagement.terms != "free":
        # the helper kept the time free; no help happened, so no intro
        # "led to help" and its introducer earns nothing
        _settle(session, engagement, clock)
        return
    _release_hold(session, engagement, "cancelled", clock)


def _no_show_reason(session, actor_id, text) -> str:
    who = session.get(Member, actor_id).display_name
    return f"No-show reported by {who}: {text}"[:500]


def _accept(
    session: Session, engagement: Engagement, actor_id: int, clock: Clock
) -> bool:
    """Start the help: hold what pays for it. False when a paid engagement's
    card can't be held yet (card_payments.NOT_HELD says why)."""
    listing = session.exec(
        select(Listing)
        .where(Listing.id == engagement.listing_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if listings.is_full(listing):
        raise Conflict("This listing is full: every spot is taken.")
    if standing.is_frozen(session, engagement.asker_id):
        # booked before the freeze: nothing of theirs is held or spent now
        raise Conflict("The asker's account is frozen: this can't be accepted now.")
    if engagement.terms == "paid":
        if actor_id == engagement.asker_id and not cards.default_card(
            session, actor_id
        ):
            raise InvalidInput(
                "Add a card in your wallet first: it is held when you accept "
                "and charged once you confirm the help.",
                "card",
            )
        return card_payments.authorize(session, engagement, listing.title, clock)
    if engagement.terms == "iou":
        _reserve_iou(session, engagement, actor_id)
        return True
    if engagement.terms != "karma":
        return True
    try:
        _hold(
            session,
            engagement,
            f"engagement:{engagement.id}:hold",
            engagement.price,
            listing.title,
            clock,
        )
    except InsufficientKarma as refused:
        if actor_id == engagement.asker_id:
            raise InsufficientKarma(
                f"Not enough karma to accept: this needs {engagement.price} "
                f"and {str(refused).split(': ', 1)[-1]}"
            ) from None
        raise InsufficientKarma(
            "They don't have enough karma available to cover this right now; "
            "send them a message, or decline."
        ) from None
    return True


def _hold(
    session, engagement: Engagement, key: str, amount: int, title: str, clock
) -> None:
    """Hold `amount` of the asker's karma for the helper, under `key`, which
    becomes the engagement's `hold_key` (set after the ledger's reads, so
    the engagement's row is written once, with its new status)."""
    ledger.hold(
        session,
        key=key,
        debit_account_id=ledger.member_account(session, engagement.asker_id),
        credit_account_id=ledger.member_account(session, engagement.helper_id),
        amount=amount,
        timeout_seconds=MAX_HOLD_SECONDS,  # the longest the ledger allows
        code="engagement",
        memo=f"Engagement #{engagement.id}: {title}"[:200],
        clock=clock,
    )
    engagement.hold_key = key


def _renew_lapsed_hold(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Delivered after the karma hold ran out (it lasts at most 90 days): hold
    again what the asker has room for now, up to the price, so confirming
    pays the helper; whatever is not held then becomes an IOU (`_pay`)."""
    if engagement.terms != "karma" or engagement.hold_key is None:
        return
    state = ledger.hold_state(session, engagement.hold_key)
    if not state.lapsed(clock.now()):
        return
    if state.resolution is None:
        ledger.expire_hold(session, engagement.hold_key, clock=clock)
    asker = ledger.member_account(session, engagement.asker_id)
    room = ledger.totals(session, asker).room
    amount = min(engagement.price, engagement.price if room is None else room)
    renewed = f"engagement:{engagement.id}:hold:renewed"
    if amount <= 0 or engagement.hold_key == renewed:
        return  # nothing to hold (or renewed once already): all of it an IOU
    title = session.get(Listing, engagement.listing_id).title
    _hold(session, engagement, renewed, amount, f"{title} (renewed at delivery)", clock)


def _reserve_iou(session: Session, engagement: Engagement, actor_id: int) -> None:
    """The asker agrees to owe the price once the help is confirmed: it must
    fit their credit limit now, so that confirming never gets stuck."""
    try:
        reserve_debt(session, engagement.asker_id, engagement.price)
    except OverCreditLimit:
        if actor_id == engagement.asker_id:
            raise
        raise OverCreditLimit(
            "They can't take on that much IOU debt right now (their credit "
            "limit); send them a message, or decline."
        ) from None


def _release_hold(
    session: Session, engagement: Engagement, why: str, clock: Clock
) -> None:
    if engagement.hold_key is None:
        return
    if engagement.terms == "paid":
        card_payments.release(session, engagement, clock)
        return
    state = ledger.hold_state(session, engagement.hold_key)
    if state.lapsed(clock.now()):
        # it ran out: its karma goes back to the asker (now, if the sweep
        # has not released it yet), as a void would have done
        if state.resolution is None:
            ledger.expire_hold(session, engagement.hold_key, clock=clock)
        return
    with suppress(HoldNotPending):  # resolved a moment ago: nothing left to do
        ledger.void_hold(
            session,
            key=f"engagement:{engagement.id}:void",
            hold_key=engagement.hold_key,
            memo=f"Engagement #{engagement.id} {why}",
            clock=clock,
        )


def _pay(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Help confirmed: the helper is paid, and an intro that led here may
    reward its introducer."""
    _settle(session, engagement, clock)
    intros.reward_introducer(session, engagement, clock)  # if an intro led here


def _settle(session: Session, engagement: Engagement, clock: Clock) -> None:
    """The helper gets what the terms say: karma posted, card captured, or
    the IOU written."""
    if engagement.terms == "karma" and engagement.hold_key:
        unpaid = engagement.price - _pay_karma(session, engagement, clock)
        if unpaid > 0:
            _write_iou(session, engagement, clock, unpaid)
    elif engagement.terms == "paid":
        card_payments.capture(session, engagement, clock)
    elif engagement.terms == "iou":
        _write_iou(session, engagement, clock, engagement.price)


def _pay_karma(session: Session, engagement: Engagement, clock: Clock) -> int:
    """Post the hold; return how much karma reached the helper."""
    try:
        return ledger.post_hold(
            session,
            key=f"engagement:{engagement.id}:post",
            hold_key=engagement.hold_key,
            memo=f"Engagement #{engagement.id} confirmed",
            clock=clock,
        ).amount
    except HoldNotPending:
        return _pay_after_hold_ran_out(session, engagement, clock)


def _pay_after_hold_ran_out(session, engagement, clock) -> int:
    """The hold ran out after delivery (a long dispute): its karma went back
    to the asker, so confirming pays what the asker has room for now, up to
    the price, and returns it; the rest becomes an IOU."""
    asker = ledger.member_account(session, engagement.asker_id)
    room = ledger.totals(session, asker).room
    amount = min(engagement.price, engagement.price if room is None else room)
    if amount <= 0:
        return 0
    ledger.transfer(
        session,
        key=f"engagement:{engagement.id}:pay",
        debit_account_id=asker,
        credit_account_id=ledger.member_account(session, engagement.helper_id),
        amount=amount,
        code="engagement",
        memo=f"Engagement #{engagement.id} confirmed",
        clock=clock,
    )
    return amount


def _count_the_help(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Help given and received is the strongest sign of a real relationship:
    it warms the two people's connection now (in this unit of work) and, once
    committed, counts in the graph's give/get balance that who-to-ask ranks by."""
    helper, asker = engagement.helper_id, engagement.asker_id
    interactions.record_interaction(
        session, asker, helper, "engagement", f"engagement:{engagement.id}", clock
    )
    events.publish(session, "help.given", helper_id=helper, asker_id=asker)


def _write_iou(
    session: Session, engagement: Engagement, clock: Clock, amount: int
) -> None:
    """The asker agreed to owe the helper when they accepted the terms (an
    IOU, or karma they could not all pay when the hold ran out), so the IOU
    is written as proposed by the asker (who consents by proposing)."""
    listing = session.get(Listing, engagement.listing_id)
    note = f"For “{listing.title}”"
    if engagement.terms == "karma":
        note = f"Unpaid karma for “{listing.title}”: the hold ran out"
    iou = iou_for_help(
        session,
        debtor_id=engagement.asker_id,
        creditor_id=engagement.helper_id,
        amount=amount,
        note=note[:300],
        clock=clock,
    )
    iou.engagement_id = engagement.id
    session.add(iou)
    session.flush()
    engagement.iou_id = iou.id


def _record(session, engagement, source, actor_id, text, now) -> None:
    session.add(
        EngagementEvent(
            engagement_id=engagement.id,
            from_status=source,
            to_status=engagement.status,
            actor_id=actor_id,
            note=text,
            at=now,
        )
    )


# --------------------------------------------------------------------------- notices

_NEWS = {
    Action.ACCEPT: "{who} accepted “{title}”.",
    Action.DECLINE: "{who} declined “{title}”.",
    Action.CANCEL: "{who} cancelled “{title}”.",
    Action.DELIVER: "{who} marked “{title}” as delivered. Please confirm it.",
    Action.CONFIRM: "{who} confirmed “{title}”. You can leave a review.",
    Action.DISPUTE: "{who} disputed “{title}”. An operator will look at it.",
    Action.RESOLVE: "An operator resolved the dispute on “{title}” ({outcome}).",
    Action.AUTO_CONFIRM: "“{title}” was confirmed automatically. Leave a review?",
    Action.NO_SHOW: "{who} reported a no-show on “{title}”. An operator will "
    "look at it.",
    Action.EXPIRE: "“{title}”: the proposed times passed unanswered, so it expired.",
}


# steps that move karma or money: their alert is a payment's
_SETTLING = (Action.CONFIRM, Action.AUTO_CONFIRM, Action.RESOLVE)


def _announce(session, engagement, step, actor_id, clock) -> None:
    listing = session.get(Listing, engagement.listing_id)
    who = session.get(Member, actor_id).display_name if actor_id else ""
    text = _NEWS[step].format(
        who=who, title=listing.title, outcome=engagement.resolution
    )
    settled = step in _SETTLING and engagement.terms != "free"
    for member_id in (engagement.asker_id, engagement.helper_id):
        if member_id != actor_id:
            _tell(
                session,
                engagement,
                member_id,
                text,
                clock,
                sender_id=actor_id,
                alert="payment" if settled else None,
            )
    if step in (Action.DISPUTE, Action.NO_SHOW):
        for operator_id in _operators(session, engagement):
            notifications.notify(
                session,
                member_id=operator_id,
                kind="dispute",
                text=f"Dispute on “{listing.title}”: {engagement.dispute_reason}",
                link=DISPUTES,
                clock=clock,
            )


def _tell(
    session, engagement, member_id, text, clock, *, sender_id, alert=None
) -> None:
    """Tell one party what the other (or the system: sender None) did;
    `alert`: the kind of email alert, if not a booking's next step."""
    notifications.notify(
        session,
        alert=alert,
        member_id=member_id,
        sender_id=sender_id,
        kind="engagement",
        text=text,
        link=engagement_url(engagement.id),
        clock=clock,
    )
