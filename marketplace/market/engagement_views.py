"""What a party sees of an engagement: status, terms, timeline, the moves open
to them now, and where the reviews stand."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import Session, col, or_, select

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
from marketplace.market import listings, reviews
from marketplace.market.threads import party_engagement
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


def next_step_hint(engagement: Engagement, viewer_id: int, other: str) -> str:
    """One sentence on what happens next, from where the viewer stands."""
    status, asker = Status(engagement.status), viewer_id == engagement.asker_id
    held = engagement.terms == "karma"
    if status == Status.PROPOSED:
        if viewer_id == engagement.proposed_by_id:
            return f"Waiting for {other} to answer."
        if asker and held:
            return f"Accepting holds {engagement.price} karma until you confirm."
        return "Accept to start, or decline."
    if status == Status.ACCEPTED:
        if asker:
            return f"{other} is on it. When they mark it delivered, you confirm."
        return "Do the work, then mark it delivered."
    if status == Status.DELIVERED:
        if asker:
            pay = f"pay {other}" if held else "close it"
            return f"Confirm to {pay}, or open a dispute if something went wrong."
        return f"Waiting for {other} to confirm."
    if status == Status.CONFIRMED and engagement.terms == "iou":
        return f"Done. The IOU for {engagement.price} points is on the IOUs page."
    return {
        Status.CONFIRMED: "Done. Thank you for helping each other.",
        Status.DISPUTED: "An operator is looking at it.",
        Status.RESOLVED: "Resolved by an operator.",
    }.get(status, "Closed.")


def engagement_view(
    session: Session, viewer_id: int, engagement_id: object
) -> EngagementView:
    engagement = party_engagement(session, viewer_id, engagement_id)
    return _view(session, engagement, viewer_id, with_reviews=True)


def _view(session, engagement, viewer_id, with_reviews=False) -> EngagementView:
    listing = session.get(Listing, engagement.listing_id)
    other_id = (
        engagement.helper_id
        if viewer_id == engagement.asker_id
        else engagement.asker_id
    )
    other = session.get(Member, other_id)
    mine = theirs = None
    if with_reviews:
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
        started=engagement.created_at.strftime("%d %b %Y"),
        updated=engagement.updated_at.strftime("%d %b %Y %H:%M"),
        confirm_due=(
            engagement.confirm_due_at.strftime("%d %b %Y")
            if engagement.confirm_due_at and engagement.status == Status.DELIVERED
            else ""
        ),
        dispute_reason=engagement.dispute_reason,
        resolution=engagement.resolution or "",
        actions=(actions := actions_for(engagement, viewer_id)),
        needs_me=any(a["action"] != Action.CANCEL for a in actions),
        hint=next_step_hint(engagement, viewer_id, other.display_name),
        can_review=with_reviews
        and Status(engagement.status) in REVIEWABLE
        and mine is None,
        my_review=_stars(mine),
        their_review=_stars(theirs),
        payment=_payment(session, engagement) if with_reviews else "",
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


def _stars(review) -> str:
    if review is None:
        return ""
    return f"{'★' * review.rating}{'☆' * (5 - review.rating)} {review.body}".strip()


def timeline(
    session: Session, viewer_id: int, engagement_id: object
) -> list[dict[str, str]]:
    engagement = party_engagement(session, viewer_id, engagement_id)
    rows = session.exec(
        select(EngagementEvent, Member)
        .join(Member, Member.id == EngagementEvent.actor_id, isouter=True)
        .where(EngagementEvent.engagement_id == engagement.id)
        .order_by(col(EngagementEvent.id))
    ).all()
    return [
        {
            "what": EVENT_LABELS[Status(e.to_status)],
            "who": m.display_name if m else "Automatically",
            "when": e.at.strftime("%d %b %Y %H:%M"),
            "note": e.note,
        }
        for e, m in rows
    ]


def engagements_of(
    session: Session, member_id: int, *, open_only: bool = False
) -> list[EngagementView]:
    """A member's engagements, the ones needing them first, then newest."""
    stmt = select(Engagement).where(
        or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id)
    )
    if open_only:
        stmt = stmt.where(col(Engagement.status).in_([str(s) for s in OPEN]))
    rows = session.exec(
        stmt.order_by(col(Engagement.updated_at).desc()).limit(200)
    ).all()
    found = [_view(session, e, member_id) for e in rows]
    return sorted(found, key=lambda v: (not v.needs_me, v.status not in OPEN))


def proposals_for_listing(
    session: Session, author_id: int, listing_id: int
) -> list[EngagementView]:
    """Engagements on the author's own listing, for its page."""
    rows = session.exec(
        select(Engagement)
        .where(Engagement.listing_id == listing_id)
        .order_by(col(Engagement.created_at).desc())
    ).all()
    return [
        _view(session, e, author_id)
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


def disputes(session: Session) -> list[dict]:
    """Open disputes, oldest first, for the operator page."""
    rows = session.exec(
        select(Engagement, Listing)
        .join(Listing, Listing.id == Engagement.listing_id)
        .where(Engagement.status == Status.DISPUTED)
        .order_by(col(Engagement.updated_at))
    ).all()
    names = {
        m.id: m.display_name
        for m in session.exec(
            select(Member).where(
                col(Member.id).in_(
                    {e.asker_id for e, _ in rows} | {e.helper_id for e, _ in rows}
                )
            )
        )
    }
    return [
        {
            "id": e.id,
            "title": x.title,
            "asker": names[e.asker_id],
            "helper": names[e.helper_id],
            "terms": listings.price_label(e.terms, e.price),
            "reason": e.dispute_reason,
            "since": e.updated_at.strftime("%d %b %Y"),
        }
        for e, x in rows
    ]
