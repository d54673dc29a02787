"""Reputation in SQL: the reviews that count, the rating they add up to, and
the reciprocal five-star rings (the rules: domain/reputation.py).

Everything a page shows or sorts by is computed here from `review` and
`member_trust`, on both databases, so the profile, the market's cards and
its "best rated" order agree: the newest review per reviewer per reviewee
per 90-day window counts, weighted by the reviewer's trust (0 when never
scored), in a Bayesian average with the prior of domain/reputation.py.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    cast,
    exists,
    extract,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from marketplace.domain.reputation import (
    PRIOR_STARS,
    PRIOR_WEIGHT,
    RING_REVIEWS,
    SECONDS_PER_WINDOW,
    WINDOW_DAYS,
    WINDOW_EPOCH,
    Rating,
    bayesian_rating,
)
from marketplace.models import MemberTrust, Review

# WINDOW_EPOCH as SQLite's julianday() counts days
_JULIAN_EPOCH = 2440587.5 + WINDOW_EPOCH.timestamp() / 86_400


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _window(column, dialect: str):
    """SQL: the window a review's time falls in (domain.reputation.window_of)."""
    if dialect == "postgresql":
        seconds = extract("epoch", column) - WINDOW_EPOCH.timestamp()
        return func.floor(seconds / SECONDS_PER_WINDOW)
    # SQLite: reviews are stored as UTC text julianday() reads; times after
    # the epoch are positive, so the cast rounds down as floor() would.
    return cast((func.julianday(column) - _JULIAN_EPOCH) / WINDOW_DAYS, Integer)


def _counts(review, dialect: str):
    """SQL: `review` is the newest its reviewer wrote of its reviewee in its
    window (a tie in time goes to the later row)."""
    newer = aliased(Review)
    return ~exists().where(
        newer.reviewer_id == review.reviewer_id,
        newer.reviewee_id == review.reviewee_id,
        _window(newer.created_at, dialect) == _window(review.created_at, dialect),
        or_(
            newer.created_at > review.created_at,
            and_(newer.created_at == review.created_at, newer.id > review.id),
        ),
    )


def ratings(session: Session, member_ids: Iterable[int]) -> dict[int, Rating]:
    """The rating of each of `member_ids` who received a review."""
    wanted = sorted(set(member_ids))
    if not wanted:
        return {}
    rows = session.execute(_ratings_query(dialect_of(session)), {"wanted": wanted})
    return {
        member: Rating(bayesian_rating(float(w or 0), float(stars or 0)), people)
        for member, people, w, stars in rows.all()
    }


@functools.cache
def _ratings_query(dialect: str):
    """Built once per dialect (a page asks for it every time, and building
    the window and the aliases cost five times running it); the members
    travel as an expanding bind parameter."""
    review = aliased(Review)
    weight = func.coalesce(MemberTrust.score, 0.0)
    return (
        select(
            review.reviewee_id,
            func.count(func.distinct(review.reviewer_id)),
            func.sum(weight),
            func.sum(weight * review.rating),
        )
        .outerjoin(MemberTrust, MemberTrust.member_id == review.reviewer_id)
        .where(
            review.reviewee_id.in_(bindparam("wanted", expanding=True)),
            review.hidden_at.is_(None),  # a moderator hid it: it counts for nothing
            _counts(review, dialect),
        )
        .group_by(review.reviewee_id)
    )


def rating(session: Session, member_id: int) -> Rating | None:
    """The member's rating; None before anyone reviewed them."""
    return ratings(session, [member_id]).get(member_id)


def rating_of(member_column, dialect: str):
    """SQL, for ORDER BY: the rating of the member in `member_column` (NULL
    when nobody reviewed them), the same number `ratings` computes."""
    review = aliased(Review)
    weight = func.coalesce(MemberTrust.score, 0.0)
    return (
        select(
            (PRIOR_WEIGHT * PRIOR_STARS + func.sum(weight * review.rating))
            / (PRIOR_WEIGHT + func.sum(weight))
        )
        .select_from(review)
        .outerjoin(MemberTrust, MemberTrust.member_id == review.reviewer_id)
        .where(
            review.reviewee_id == member_column,
            review.hidden_at.is_(None),
            _counts(review, dialect),
        )
        .scalar_subquery()
    )


def people_of(member_column):
    """SQL: how many different people reviewed the member in `member_column`."""
    return (
        select(func.count(func.distinct(Review.reviewer_id)))
        .where(Review.reviewee_id == member_column, Review.hidden_at.is_(None))
        .scalar_subquery()
    )


# ----------------------------------------------------------------------- rings


def ring_pairs_query(member_id: int | Collection[int] | None = None):
    """SQL: the flagged pairs (low id, high id): each reviewed the other five
    stars at least RING_REVIEWS times. Given `member_id` (or several ids),
    only theirs."""
    fives = select(Review.reviewer_id.label("a"), Review.reviewee_id.label("b")).where(
        Review.rating == 5
    )
    if isinstance(member_id, int):
        fives = fives.where(
            or_(Review.reviewer_id == member_id, Review.reviewee_id == member_id)
        )
    elif member_id is not None:
        ids = list(member_id)
        fives = fives.where(
            or_(col(Review.reviewer_id).in_(ids), col(Review.reviewee_id).in_(ids))
        )
    one = (
        fives.group_by(Review.reviewer_id, Review.reviewee_id)
        .having(func.count() >= RING_REVIEWS)
        .subquery()
    )
    back = aliased(one)
    return (
        select(one.c.a, one.c.b)
        .join(back, and_(back.c.a == one.c.b, back.c.b == one.c.a))
        .where(one.c.a < one.c.b)
    )


def ring_partners(session: Session, member_id: int) -> set[int]:
    """Whom the member is flagged with."""
    rows = session.execute(ring_pairs_query(member_id)).all()
    return {b if a == member_id else a for a, b in rows}


def is_ring(session: Session, a: int, b: int) -> bool:
    """Whether a and b are a flagged pair."""
    return b in ring_partners(session, a)
