"""What a party sees of an engagement: status, terms, timeline, the moves open
to them now, and where the reviews stand."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta

from sqlmodel import Session, col, or_, select

from marketplace.accounts import members
from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import (
    MOVES,
    OPEN,
    REVIEWABLE,
    Action,
    Role,
    Status,
    allowed,
)
from marketplace.domain.money import format_money
from marketplace.domain.scheduling import NO_SHOW_GRACE, slot_key
from marketplace.domain.times import local, local_date, local_time
from marketplace.ledger import card_payments, cards
from marketplace.market import calls, listings, reviews
from marketplace.market.threads import MessageView, messages_of, party_engagement
from marketplace.models import (
    Engagement,
    EngagementEvent,
    LedgerTransfer,
    Listing,
    Member,
)
from marketplace.settings import get_settings

# what happened, for the timeline
EVENT_LABELS = {
    Status.PROPOSED: "Proposed",
    Status.ACCEPTED: "Accepted",
    Status.DECLINED: "Declined",
    Status.CANCELLED: "Cancelled",
    Status.DELIVERED: "Marked as delivered",
    Status.CONFIRMED: "Confirmed",
    Status.DISPUTED: "Disputed",
    Status.RESOLVED: "Resolved by an operator",
}
STATUS_LABELS = {
    Status.PROPOSED: "Waiting for an answer",
    Status.ACCEPTED: "Under way",
    Status.DECLINED: "Declined",
    Status.CANCELLED: "Cancelled",
    Status.DELIVERED: "Delivered, waiting for confirmation",
    Status.CONFIRMED: "Confirmed",
    Status.DISPUTED: "Disputed",
    Status.RESOLVED: "Resolved by an operator",
}
BUTTONS = {
    Action.ACCEPT: "Accept",
    Action.DECLINE: "Decline",
    Action.CANCEL: "Cancel engagement",
    Action.DELIVER: "Mark as delivered",
    Action.CONFIRM: "Confirm and pay",
    Action.DISPUTE: "Dispute",
}


@dataclass(frozen=True)
class EngagementView:
    id: int
    listing_id: int
    title: str
    status: str
    status_label: str
    my_role: str  # asker | helper
    other_name: str
    other_handle: str
    terms_label: str
    note: str
    started: str
    updated: str
    confirm_due: str
    dispute_reason: str
    resolution: str
    actions: list[dict[str, str]] = field(default_factory=list)
    # a move only I can make is waiting (cancelling is always open, so it
    # doesn't count)
    needs_me: bool = False
    hint: str = ""  # what happens next, in a sentence
    can_review: bool = False
    my_review: str = ""
    their_review: str = ""
    payment: str = ""  # paid terms: where the card money is, in a sentence
    dispute_answer: str = ""  # the helper's side of a dispute, once given
    # what an operator may do with a dispute, in this engagement's currency
    dispute_hint: str = ""
    card_wait: str = ""  # paid: why it hasn't started yet, if the card is why
    card_step: str = ""  # the payer's way out of it: add_card | authenticate
    # a call: when, how long, where, and on what terms it may move
    call_time: str = ""  # "Tue 8 Dec, 14:00 CET", on my clock
    call_time_other: str = ""  # "13:00 GMT for Lena", when their clock differs
    call_length: str = ""  # "30 minutes"
    meeting_link: str = ""  # once accepted
    call_policy: str = ""
    # a request's answer proposing times: the asker picks one to accept
    proposed_times: list[dict[str, str]] = field(default_factory=list)
    can_move: bool = False  # the "Move the call" section
    can_report_no_show: bool = False
    late_cancel: str = ""  # the asker's cancel now pays the helper: why

    def as_dict(self) -> dict:
        return asdict(self)


def actions_for(engagement: Engagement, member_id: int) -> list[dict[str, str]]:
    """The buttons this party may press now, from the same table `move` uses."""
    role = Role.ASKER if member_id == engagement.asker_id else Role.HELPER
    proposer = (
        Role.ASKER if engagement.proposed_by_id == engagement.asker_id else Role.HELPER
    )
    found = []
    for action, label in BUTTONS.items():
        if any(
            m.source == engagement.status and allowed(m, role, proposer)
            for m in MOVES[action]
        ):
            found.append({"action": str(action), "label": label})
    return found


# What the asker reads above the dispute form: what an operator can do.
DISPUTE_HINTS = {
    "karma": "An operator reads both sides, then gives you the karma back or "
    "pays it to the helper.",
    "paid": "An operator reads both sides, then refunds your card payment or "
    "pays the helper.",
    "iou": "An operator reads both sides, then writes the IOU or cancels it.",
    "free": "An operator reads both sides and closes it.",
}


def next_step_hint(engagement: Engagement, viewer_id: int, other: str) -> str:
    """One sentence on what happens next, from where the viewer stands."""
    status, asker = Status(engagement.status), viewer_id == engagement.asker_id
    held = engagement.terms in ("karma", "paid")
    if status == Status.PROPOSED:
        return _proposal_hint(engagement, viewer_id, other)
    if status == Status.ACCEPTED:
        if asker:
            return f"{other} is on it. When they mark it delivered, you confirm."
        return "Do the work, then mark it delivered."
    if status == Status.DELIVERED:
        if asker:
            pay = f"pay {other}" if held else "close it"
            return f"Confirm to {pay}, or open a dispute if something went wrong."
        return f"Waiting for {other} to confirm."
    if status == Status.DISPUTED:
        if asker:
            return f"An operator is looking at it and hears {other}'s side too."
        return "An operator will decide. Give your side below, so both are heard."
    if status == Status.CONFIRMED and engagement.terms == "iou":
        return f"Done. The IOU for {engagement.price} karma is on the IOUs page."
    return {
        Status.CONFIRMED: "Done. Thank you for helping each other.",
        Status.RESOLVED: "Resolved by an operator.",
    }.get(status, "Closed.")


def _proposal_hint(engagement: Engagement, viewer_id: int, other: str) -> str:
    if viewer_id == engagement.proposed_by_id:
        return f"Waiting for {other} to answer."
    if viewer_id == engagement.asker_id and engagement.terms == "karma":
        return f"Accepting holds {engagement.price} karma until you confirm."
    if viewer_id == engagement.asker_id and engagement.terms == "paid":
        return "Accepting holds the price on your card until you confirm."
    return "Accept to start, or decline."


def engagement_view(
    session: Session,
    viewer_id: int,
    engagement_id: object,
    clock: Clock = system_clock,
) -> EngagementView:
    engagement = party_engagement(session, viewer_id, engagement_id)
    zone = timezone_of(session, viewer_id)
    view = _view(session, engagement, viewer_id, zone, with_reviews=True)
    return replace(view, **_call_fields(session, engagement, view, zone, clock))


def _call_fields(
    session: Session, engagement: Engagement, view: EngagementView, zone, clock
) -> dict:
    """The call's part of the page; nothing for an engagement that is no call."""
    if engagement.starts_at is None and engagement.cancel_free_hours is None:
        return {}  # no time was held at the proposal (calls.fix_policy)
    proposed = calls.proposed_starts(session, engagement.id)
    if engagement.starts_at is None and not proposed:
        return {}
    status, now = Status(engagement.status), clock.now()
    asker = view.my_role == "asker"
    fields: dict = {
        "actions": _call_actions(view.actions, engagement, now),
        "proposed_times": (
            [
                {"value": slot_key(s), "label": calls.slot_label(s, zone)}
                for s in proposed
            ]
            if engagement.starts_at is None and status == Status.PROPOSED
            else []
        ),
    }
    if engagement.starts_at is None or engagement.ends_at is None:
        return fields
    start, end = engagement.starts_at, engagement.ends_at
    other_id = engagement.helper_id if asker else engagement.asker_id
    other_zone = timezone_of(session, other_id)
    late = calls.late_for(engagement, clock)
    fields |= {
        "call_time": calls.slot_label(start, zone),
        "call_time_other": _other_clock(start, zone, other_zone, view.other_name),
        "call_length": f"{int((end - start).total_seconds() // 60)} minutes",
        "meeting_link": _meeting_link(session, engagement),
        "call_policy": _policy(engagement, zone, late),
        "can_move": status in (Status.PROPOSED, Status.ACCEPTED)
        and end > now
        and not (asker and late)
        and engagement.invite_sequence < calls.MAX_MOVES,
        "can_report_no_show": status == Status.ACCEPTED
        and now >= start + NO_SHOW_GRACE,
        "late_cancel": (
            "It's inside their free-cancellation window: cancelling now pays "
            f"{view.other_name} as their policy says."
            if asker
            and late
            and status == Status.ACCEPTED
            and engagement.terms != "free"
            else ""
        ),
    }
    return fields


def _call_actions(actions: list[dict], engagement: Engagement, now) -> list[dict]:
    """'Mark as delivered' once the call has ended, not before."""
    if engagement.ends_at is None or now >= engagement.ends_at:
        return actions
    return [a for a in actions if a["action"] != Action.DELIVER]


def _other_clock(start, zone: str, other_zone: str, name: str) -> str:
    mine, theirs = local(start, zone), local(start, other_zone)
    if mine.utcoffset() == theirs.utcoffset():
        return ""
    return f"{calls.slot_label(start, other_zone)} for {name}"


def _meeting_link(session: Session, engagement: Engagement) -> str:
    """Where the call happens, for both, once it is agreed."""
    if engagement.status not in (Status.ACCEPTED, Status.DELIVERED):
        return ""
    schedule = calls.schedule_of(session, engagement.helper_id)
    return schedule.meeting_link if schedule else ""


def _policy(engagement: Engagement, zone: str, late: bool) -> str:
    hours = engagement.cancel_free_hours or 0
    until = engagement.starts_at - timedelta(hours=hours)
    when = calls.slot_label(until, zone)
    if late:
        return (
            f"The free time to move or cancel ended {when}: a cancel by the "
            "asker now pays the helper, and only the helper can move the call."
        )
    return (
        f"Free to move or cancel until {when}; after that a cancel by the "
        "asker pays the helper."
    )


def move_choices(
    session: Session,
    viewer_id: int,
    engagement_id: object,
    clock: Clock = system_clock,
) -> list[calls.SlotDay]:
    """The helper's other free times a party may move the call to, on the
    viewer's clock."""
    engagement = party_engagement(session, viewer_id, engagement_id)
    if engagement.starts_at is None or engagement.ends_at is None:
        return []
    if engagement.status not in (Status.PROPOSED, Status.ACCEPTED):
        return []
    minutes = int((engagement.ends_at - engagement.starts_at).total_seconds() // 60)
    starts = calls.open_slots(
        session,
        helper_id=engagement.helper_id,
        minutes=minutes,
        asker_id=engagement.asker_id,
        but=engagement.id,
        clock=clock,
    )
    starts = [s for s in starts if s != engagement.starts_at]
    return calls.group_slots(starts, timezone_of(session, viewer_id))


def _view(
    session, engagement, viewer_id, zone: str, with_reviews=False
) -> EngagementView:
    """The engagement as `viewer_id` sees it, times on their clock (`zone`)."""
    listing = session.get(Listing, engagement.listing_id)
    other_id = (
        engagement.helper_id
        if viewer_id == engagement.asker_id
        else engagement.asker_id
    )
    other = session.get(Member, other_id)
    mine = theirs = None
    if with_reviews and Status(engagement.status) in REVIEWABLE:  # none before
        written = reviews.reviews_of_engagement(session, engagement.id)
        mine, theirs = written.get(viewer_id), written.get(other_id)
    return EngagementView(
        id=engagement.id,
        listing_id=listing.id,
        title=listing.title,
        status=engagement.status,
        status_label=STATUS_LABELS[Status(engagement.status)],
        my_role="asker" if viewer_id == engagement.asker_id else "helper",
        other_name=other.display_name,
        other_handle=other.handle,
        terms_label=_terms_label(engagement),
        note=engagement.note,
        started=local_date(engagement.created_at, zone),
        updated=local_time(engagement.updated_at, zone),
        confirm_due=(
            local_date(engagement.confirm_due_at, zone)
            if engagement.confirm_due_at and engagement.status == Status.DELIVERED
            else ""
        ),
        dispute_reason=engagement.dispute_reason,
        resolution=engagement.resolution or "",
        # the list shows when a call is; the page's call card adds the rest
        call_time=(
            calls.slot_label(engagement.starts_at, zone) if engagement.starts_at else ""
        ),
        actions=(actions := actions_for(engagement, viewer_id)),
        needs_me=any(a["action"] != Action.CANCEL for a in actions),
        hint=next_step_hint(engagement, viewer_id, other.display_name),
        can_review=with_reviews
        and Status(engagement.status) in REVIEWABLE
        and mine is None,
        my_review=_stars(mine),
        their_review=_stars(theirs),
        payment=_payment(session, engagement) if with_reviews else "",
        dispute_answer=(dispute_answer(session, engagement) or "")
        if with_reviews and engagement.dispute_reason
        else "",
        dispute_hint=DISPUTE_HINTS.get(engagement.terms, DISPUTE_HINTS["free"]),
        card_wait=card_wait(session, engagement, viewer_id) if with_reviews else "",
        card_step=_card_step(session, engagement, viewer_id) if with_reviews else "",
    )


def _terms_label(engagement: Engagement) -> str:
    label = listings.price_label(
        engagement.terms, engagement.price, engagement.currency
    )
    if engagement.terms == "paid" and engagement.hours > 1:
        return f"{label} for {engagement.hours} hours"
    return label


def _payment(session: Session, engagement: Engagement) -> str:
    """Where the card money stands, for both parties to read."""
    if engagement.terms != "paid" or not engagement.currency:
        return ""
    locale = get_settings().locale  # the member's own, once members choose one
    price = format_money(engagement.price, engagement.currency, locale)
    if engagement.payment_status == "paid_out":
        net = session.exec(
            select(LedgerTransfer.amount).where(
                LedgerTransfer.transfer_key == f"engagement:{engagement.id}:payout:net"
            )
        ).first()
        received = format_money(net or 0, engagement.currency, locale)
        return (
            f"Paid: {price} charged; the helper received {received} after the "
            "platform fee."
        )
    return PAYMENT_SENTENCES.get(engagement.payment_status, "").format(price=price)


PAYMENT_SENTENCES = {
    "none": "{price} by card: held at acceptance, charged at confirmation.",
    "authorized": "Card held for {price}: charged when the asker confirms delivery.",
    "captured": "{price} taken from the card and kept in escrow until confirmation.",
    "cancelled": "Card hold released: nothing was charged.",
    "refunded": "{price} refunded to the card.",
    "failed": "The card payment failed; an operator has been alerted.",
}


def card_wait(session: Session, engagement: Engagement, viewer_id: int) -> str:
    """Why a paid booking can't start yet, said to one of its two people
    ("" when nothing waits on the card)."""
    status = _card_status(session, engagement, viewer_id)
    if engagement.status != Status.PROPOSED or status not in card_payments.NOT_HELD:
        return ""
    payer = session.get(Member, engagement.asker_id).display_name
    card = _card_words(session, engagement)
    mine = viewer_id == engagement.asker_id
    return (_PAYER_WAITS if mine else _ACCEPTOR_WAITS)[status].format(
        payer=payer, card=card
    )


_PAYER_WAITS = {
    card_payments.NEEDS_CARD: "Add a card in your wallet so this can be "
    "accepted: it is held at acceptance and charged once you confirm the help.",
    card_payments.NEEDS_AUTH: "Your bank asks you to confirm this payment: "
    "authenticate it to start the engagement. Nothing is held until you do.",
    card_payments.DECLINED: "Your {card} was declined: nothing was held. Add "
    "another card in your wallet (or make one the default), then ask again.",
    card_payments.AUTH_FAILED: "Your bank didn't confirm the payment, so "
    "nothing was held. Try again with another card, or ask your bank.",
    card_payments.ABANDONED: "",
}
_ACCEPTOR_WAITS = {
    card_payments.NEEDS_CARD: "Waiting for {payer} to add a card: you can "
    "accept once they have. We told them.",
    card_payments.NEEDS_AUTH: "Waiting for {payer} to confirm the payment "
    "with their bank; it starts as soon as they do. Nothing is held yet.",
    card_payments.DECLINED: "{payer}'s card was declined, so this hasn't "
    "started and nothing was held. We told them; accept again once they add "
    "another card.",
    card_payments.AUTH_FAILED: "{payer}'s bank didn't confirm the payment, so "
    "this hasn't started and nothing was held. Accept again once they're ready.",
    card_payments.ABANDONED: "",
}


def _card_words(session: Session, engagement: Engagement) -> str:
    card = cards.saved_card(session, engagement.payment_method_id)
    return f"{card.brand.title()} ending {card.last4}" if card else "card"


def _card_status(session: Session, engagement: Engagement, viewer_id: int) -> str:
    """The engagement's payment status, except that a payer who booked paid
    help without a saved card is asked for one before anyone accepts."""
    if (
        engagement.terms == "paid"
        and engagement.payment_status == "none"
        and viewer_id == engagement.asker_id
        and cards.default_card(session, viewer_id) is None
    ):
        return card_payments.NEEDS_CARD
    return engagement.payment_status


def _card_step(session: Session, engagement: Engagement, viewer_id: int) -> str:
    """What the payer can do about a card wait on their page."""
    if viewer_id != engagement.asker_id or engagement.status != Status.PROPOSED:
        return ""
    status = _card_status(session, engagement, viewer_id)
    if status == card_payments.NEEDS_AUTH:
        return "authenticate"
    if status in (card_payments.NEEDS_CARD, card_payments.DECLINED):
        return "add_card"
    return ""


def _stars(review) -> str:
    if review is None:
        return ""
    return f"{'★' * review.rating}{'☆' * (5 - review.rating)} {review.body}".strip()


def timeline(
    session: Session, viewer_id: int, engagement_id: object
) -> list[dict[str, str]]:
    engagement = party_engagement(session, viewer_id, engagement_id)
    return _timeline(session, engagement, timezone_of(session, viewer_id))


def _timeline(
    session: Session, engagement: Engagement, zone: str
) -> list[dict[str, str]]:
    """What happened, oldest first, each moment on the reader's clock."""
    rows = session.exec(
        select(EngagementEvent, Member)
        .join(Member, Member.id == EngagementEvent.actor_id, isouter=True)
        .where(EngagementEvent.engagement_id == engagement.id)
        .order_by(col(EngagementEvent.id))
    ).all()
    return [
        {
            "what": _event_label(e),
            "who": m.display_name if m else "Automatically",
            "when": local_time(e.at, zone),
            "note": e.note,
        }
        for e, m in rows
    ]


def _event_label(event: EngagementEvent) -> str:
    if event.from_status == event.to_status == Status.DISPUTED:
        return "Answered the dispute"
    return EVENT_LABELS[Status(event.to_status)]


def engagements_of(
    session: Session, member_id: int, *, open_only: bool = False
) -> list[EngagementView]:
    """A member's engagements, the ones needing them first, then newest."""
    rows = _rows_of(session, member_id, open_only)
    return _sorted_views(session, rows, member_id)


def open_and_next_calls(
    session: Session, member_id: int, *, clock: Clock = system_clock, limit: int = 3
) -> tuple[list[EngagementView], list[EngagementView]]:
    """The dashboard's two lists from one read: `engagements_of` open ones,
    and `next_calls` (agreed calls are open ones too) unless the open list
    was cut at its length, when they are read on their own."""
    rows = _rows_of(session, member_id, open_only=True)
    if len(rows) >= ROWS_SHOWN:
        shown = _sorted_views(session, rows, member_id)
        return shown, next_calls(session, member_id, clock=clock, limit=limit)
    now = clock.now()
    calls_ahead = sorted(
        (
            e
            for e in rows
            if e.status == Status.ACCEPTED
            and e.starts_at is not None
            and e.ends_at is not None
            and e.ends_at >= now
        ),
        key=lambda e: e.starts_at,
    )[:limit]
    shown = _sorted_views(session, rows, member_id)
    by_id = {view.id: view for view in shown}
    return shown, [by_id[e.id] for e in calls_ahead]


ROWS_SHOWN = 200


def _rows_of(session: Session, member_id: int, open_only: bool) -> list[Engagement]:
    stmt = select(Engagement).where(
        or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id)
    )
    if open_only:
        stmt = stmt.where(col(Engagement.status).in_([str(s) for s in OPEN]))
    order = col(Engagement.updated_at).desc()
    return list(session.exec(stmt.order_by(order).limit(ROWS_SHOWN)).all())


def _sorted_views(
    session: Session, rows: list[Engagement], member_id: int
) -> list[EngagementView]:
    _load_parts(session, rows, member_id)
    zone = timezone_of(session, member_id)
    found = [_view(session, e, member_id, zone) for e in rows]
    return sorted(found, key=lambda v: (not v.needs_me, v.status not in OPEN))


def next_calls(
    session: Session, member_id: int, *, clock: Clock = system_clock, limit: int = 3
) -> list[EngagementView]:
    """A member's agreed calls not yet over, soonest first: the dashboard's
    "Your next calls"."""
    rows = [
        e
        for e in calls.upcoming_calls(session, member_id, since=clock.now())
        if e.status == Status.ACCEPTED
    ][:limit]
    _load_parts(session, rows, member_id)
    zone = timezone_of(session, member_id)
    return [_view(session, e, member_id, zone) for e in rows]


def _load_parts(session: Session, rows: list[Engagement], member_id: int) -> None:
    """The listings and the other parties of `rows`, in two queries, so
    that each row's view finds them loaded (db._hold) instead of asking
    twice per engagement."""
    listing_ids = {e.listing_id for e in rows}
    if listing_ids:
        session.exec(select(Listing).where(col(Listing.id).in_(listing_ids))).all()
    others = {e.helper_id if e.asker_id == member_id else e.asker_id for e in rows}
    members.by_id(session, others | {member_id})  # the reader's: their time zone


def proposals_for_listing(
    session: Session, author_id: int, listing_id: int
) -> list[EngagementView]:
    """Engagements on the author's own listing, for its page."""
    rows = session.exec(
        select(Engagement)
        .where(Engagement.listing_id == listing_id)
        .order_by(col(Engagement.created_at).desc())
    ).all()
    zone = timezone_of(session, author_id)
    return [
        _view(session, e, author_id, zone)
        for e in rows
        if author_id in (e.asker_id, e.helper_id)
    ]


def my_open_engagement(session: Session, member_id: int, listing_id: int) -> int:
    """The id of my engagement under way on a listing, or 0."""
    found = session.exec(
        select(Engagement.id).where(
            Engagement.listing_id == listing_id,
            or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id),
            col(Engagement.status).in_([str(s) for s in OPEN]),
        )
    ).first()
    return found or 0


def is_operator(session: Session, member_id: int) -> bool:
    operator = session.exec(select(Member.is_operator).where(Member.id == member_id))
    return bool(operator.first())


@dataclass(frozen=True)
class DisputeView:
    """An open dispute as the operator's desk shows it: both sides in their
    own words, the thread and the timeline, and what each outcome does."""

    id: int
    title: str
    asker: str
    asker_handle: str
    helper: str
    helper_handle: str
    terms: str
    since: str
    reason: str  # the asker's side, written when disputing
    answer: str  # the helper's side ("" until they give it)
    refund_means: str
    release_means: str
    messages: list[MessageView] = field(default_factory=list)
    timeline: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def dispute_answer(session: Session, engagement: Engagement) -> str | None:
    """What the helper said about the dispute, or None if nothing yet: a
    timeline step from disputed to disputed (market/engagements.py)."""
    return session.exec(
        select(EngagementEvent.note).where(
            EngagementEvent.engagement_id == engagement.id,
            EngagementEvent.from_status == Status.DISPUTED,
            EngagementEvent.to_status == Status.DISPUTED,
        )
    ).first()


def disputes(session: Session, operator_id: int) -> list[DisputeView]:
    """Open disputes, oldest first, for the operator's desk (the caller has
    checked that `operator_id` is an operator); times on their clock."""
    rows = session.exec(
        select(Engagement, Listing)
        .join(Listing, Listing.id == Engagement.listing_id)
        .where(Engagement.status == Status.DISPUTED)
        .order_by(col(Engagement.updated_at))
        .limit(100)
    ).all()
    people = members.by_id(
        session, {e.asker_id for e, _ in rows} | {e.helper_id for e, _ in rows}
    )
    zone = timezone_of(session, operator_id)
    return [
        _dispute(session, e, x, people[e.asker_id], people[e.helper_id], zone)
        for e, x in rows
    ]


def _dispute(session, engagement, listing, asker, helper, zone) -> DisputeView:
    refund, release = outcomes(engagement, asker.display_name, helper.display_name)
    return DisputeView(
        id=engagement.id,
        title=listing.title,
        asker=asker.display_name,
        asker_handle=asker.handle,
        helper=helper.display_name,
        helper_handle=helper.handle,
        terms=_terms_label(engagement),
        since=local_date(engagement.updated_at, zone),
        reason=engagement.dispute_reason,
        answer=dispute_answer(session, engagement) or "",
        refund_means=refund,
        release_means=release,
        # The operator reads both sides' words: `mine` is neither of theirs.
        messages=messages_of(session, engagement, 0, zone),
        timeline=_timeline(session, engagement, zone),
    )


def outcomes(engagement: Engagement, asker: str, helper: str) -> tuple[str, str]:
    """What refunding and what releasing does here, in a sentence each."""
    price = _terms_label(engagement)
    if engagement.terms == "karma":
        return (
            f"{asker} gets the {price} held back; {helper} gets nothing.",
            f"{helper} is paid the {price} held by {asker}.",
        )
    if engagement.terms == "paid":
        return (
            f"{asker}'s card is released, or refunded if it was charged: "
            f"{helper} gets no money.",
            f"{asker}'s card is charged {price} and {helper} is paid, less the "
            "platform fee.",
        )
    if engagement.terms == "iou":
        return (
            f"No IOU is written: {asker} owes {helper} nothing.",
            f"{asker} owes {helper} an {price}.",
        )
    return (
        "The help is closed as not given.",
        f"The help is closed as given by {helper}.",
    )
