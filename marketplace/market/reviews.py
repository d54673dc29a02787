"""Two-way reviews after the help is confirmed, and the reputation they add up to.

Each party reviews the other once (1-5 stars and a few words) when the
engagement is confirmed, or resolved by an operator. A profile shows the
reviews a member received and a summary: reviews given and received, the
rating and how many different people it comes from (market/reputation.py:
the newest review per reviewer per 90 days, weighted by the reviewer's
trust), and how fast they answer proposals (median, from proposal to their
accept or decline). A review is a considered word about someone, so it also
warms the two people's relationship (domain/strength.py) -- unless the two
are a flagged ring, whose warmth and answers lift nobody (the graph mutes
their tie, and their proposals to each other are left out of the response
time).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from math import ceil
from statistics import median

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace import events
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import REVIEWABLE, Status
from marketplace.domain.errors import Conflict, InvalidInput
from marketplace.domain.text import clean_text
from marketplace.inbox import notifications
from marketplace.market import reputation as reputations
from marketplace.market.listings import visible_to
from marketplace.market.threads import party_engagement
from marketplace.models import Engagement, EngagementEvent, Listing, Member, Review
from marketplace.network import interactions
from marketplace.routes import engagement as engagement_url

REVIEW_MAX = 2000
# what a profile shows instead of the title of a listing hidden from its reader
PRIVATE_LISTING = "a private listing"


@dataclass(frozen=True)
class ReviewView:
    reviewer_name: str
    reviewer_handle: str
    rating: int
    body: str
    listing_title: str
    written: str
    listing_id: int = 0  # 0 when the listing is hidden from the reader
    id: int = 0  # the review's own, for its "Report" button

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reputation:
    given: int
    received: int
    average: str  # the rating, "4.3", or "" when nothing was received yet
    response_time: str  # "within 3 hours" or "" when never asked
    counts: str = ""  # "12 reviews received · 9 given", or "" when none yet
    people: int = 0  # how many different people reviewed them
    from_people: str = ""  # "from 3 different people", or "" when none yet

    def as_dict(self) -> dict:
        return asdict(self)


def check_rating(value: object) -> int:
    if isinstance(value, str) and value.strip() in {"1", "2", "3", "4", "5"}:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(
            "Rating must be a whole number of stars from 1 to 5.", "rating"
        )
    return value


def leave_review(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    rating: object,
    body: object = "",
    clock: Clock = system_clock,
) -> Review:
    engagement = party_engagement(session, actor_id, engagement_id)
    stars = check_rating(rating)
    text = clean_text(
        body, field="body", label="Review", max_length=REVIEW_MAX, multiline=True
    )
    if Status(engagement.status) not in REVIEWABLE:
        raise Conflict("You can review once the help is confirmed.")
    if _already(session, engagement.id, actor_id):
        raise Conflict("You already reviewed this engagement.")
    other = (
        engagement.helper_id if actor_id == engagement.asker_id else engagement.asker_id
    )
    review = Review(
        engagement_id=engagement.id,
        reviewer_id=actor_id,
        reviewee_id=other,
        rating=stars,
        body=text,
        created_at=clock.now(),
    )
    session.add(review)
    session.flush()
    interactions.record_interaction(
        session, actor_id, other, "review", f"engagement:{engagement.id}", clock
    )
    if stars == 5 and reputations.is_ring(session, actor_id, other):
        # the graph mutes their tie from the commit on
        low, high = sorted((actor_id, other))
        events.publish(
            session, "reviews.ring_flagged", member_a_id=low, member_b_id=high
        )
    who = session.get(Member, actor_id).display_name
    # A review stays possible across a block (it is part of finishing the
    # help, and a block must not silence an honest one), but is not announced.
    notifications.notify(
        session,
        member_id=other,
        sender_id=actor_id,
        kind="review",
        text=f"{who} reviewed you: {'★' * stars}{'☆' * (5 - stars)}",
        link=engagement_url(engagement.id),
        clock=clock,
    )
    return review


def _already(session: Session, engagement_id: int, reviewer_id: int) -> bool:
    found = session.exec(
        select(Review.id).where(
            Review.engagement_id == engagement_id, Review.reviewer_id == reviewer_id
        )
    ).first()
    return found is not None


def reviews_received(
    session: Session, member_id: int, limit: int = 20, *, viewer_id: int | None = None
) -> list[ReviewView]:
    """The newest reviews a member received. The reviews are public, but a
    listing's title only shows to a reader who may see the listing (a guest,
    viewer None, sees public ones): a review must not leak a hidden listing."""
    shown = Listing.audience == "public" if viewer_id is None else visible_to(viewer_id)
    rows = session.exec(
        select(Review, Member, Listing, shown.label("shown"))
        .join(Member, Member.id == Review.reviewer_id)
        .join(Engagement, Engagement.id == Review.engagement_id)
        .join(Listing, Listing.id == Engagement.listing_id)
        # hidden by a moderator: off every profile
        .where(Review.reviewee_id == member_id, Review.hidden_at.is_(None))
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
        .limit(limit)
    ).all()
    return [
        ReviewView(
            reviewer_name=m.display_name,
            reviewer_handle=m.handle,
            rating=r.rating,
            body=r.body,
            listing_title=x.title if visible else PRIVATE_LISTING,
            written=r.created_at.strftime("%d %b %Y"),
            listing_id=x.id if visible else 0,
            id=r.id,
        )
        for r, m, x, visible in rows
    ]


def profile_reviews(
    session: Session, member_id: int, *, viewer_id: int | None
) -> tuple[Reputation, list[ReviewView]]:
    """What a profile shows of a member's reviews, as `viewer_id` may see it."""
    return reputation(session, member_id), reviews_received(
        session, member_id, viewer_id=viewer_id
    )


def reviews_of_engagement(session: Session, engagement_id: int) -> dict[int, Review]:
    """The engagement's reviews by reviewer id."""
    rows = session.exec(select(Review).where(Review.engagement_id == engagement_id))
    return {r.reviewer_id: r for r in rows}


def reputation(session: Session, member_id: int) -> Reputation:
    given = session.exec(
        select(func.count()).where(Review.reviewer_id == member_id)
    ).one()
    received = session.exec(
        select(func.count()).where(
            Review.reviewee_id == member_id, Review.hidden_at.is_(None)
        )
    ).one()
    rating = reputations.rating(session, member_id)
    return Reputation(
        given=given,
        received=received,
        average=rating.label if rating else "",
        response_time=_response_time(session, member_id),
        counts=_counts(given, received),
        people=rating.people if rating else 0,
        from_people=rating.from_people if rating else "",
    )


def _counts(given: int, received: int) -> str:
    noun = "review" if received == 1 else "reviews"
    if received:
        return f"{received} {noun} received" + (f" · {given} given" if given else "")
    return f"{given} review{'' if given == 1 else 's'} given" if given else ""


def _response_time(session: Session, member_id: int) -> str:
    """Median time from a proposal made to this member to their answer;
    proposals from someone they are a flagged ring with don't count (a
    partner's hundred quick answers would say "within an hour")."""
    partners = reputations.ring_partners(session, member_id)
    answered = session.exec(
        select(Engagement.created_at, EngagementEvent.at)
        .join(EngagementEvent, EngagementEvent.engagement_id == Engagement.id)
        .where(
            EngagementEvent.actor_id == member_id,
            EngagementEvent.from_status == Status.PROPOSED,
            col(EngagementEvent.to_status).in_([Status.ACCEPTED, Status.DECLINED]),
            Engagement.proposed_by_id != member_id,
            col(Engagement.proposed_by_id).not_in(partners),
        )
    ).all()
    if not answered:
        return ""
    hours = median((at - made).total_seconds() / 3600 for made, at in answered)
    return describe_hours(hours)


def describe_hours(hours: float) -> str:
    """Rounded up: an answer after exactly 3 hours came "within 3 hours"."""
    if hours <= 1:
        return "within an hour"
    if hours < 24:
        return f"within {ceil(hours)} hours"
    days = ceil(hours / 24)
    return f"within {days} days" if days > 1 else "within a day"
