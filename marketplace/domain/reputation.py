"""Reputation that counts people, not reviews (docs/design/karma-trust.md).

Two accounts that run a hundred one-karma engagements and review each other
five stars each time must not look like a member a hundred people vouch
for. So:

- one review per reviewer per reviewee per window counts, the newest in it.
  Windows are consecutive `WINDOW_DAYS`-day periods counted from
  `WINDOW_EPOCH`, so the databases can number them (`window_of`) and a whole
  ring run within one window counts once;
- each counted review weighs as much as its reviewer is trusted (0..1), so
  accounts the network does not vouch for add almost nothing;
- the rating is a Bayesian average that starts from a prior of
  `PRIOR_STARS` worth `PRIOR_WEIGHT` reviews: `(2 * 4.0 + sum(w * stars)) /
  (2 + sum(w))`. One glowing review moves it a little; many trusted people
  move it a lot;
- it is shown with how many different people reviewed.

Pairs that review each other five stars again and again (`RING_REVIEWS`
times or more, each way) are flagged: their warmth and response times lift
nobody in who-to-ask or intro paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

PRIOR_STARS = 4.0
PRIOR_WEIGHT = 2.0
WINDOW_DAYS = 90
WINDOW_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SECONDS_PER_WINDOW = WINDOW_DAYS * 86_400
# five-star reviews each way that flag a pair as a reciprocal ring
RING_REVIEWS = 3


@dataclass(frozen=True)
class Rating:
    """A member's rating and how many different people it comes from."""

    value: float
    people: int

    @property
    def label(self) -> str:
        return rating_label(self.value)

    @property
    def from_people(self) -> str:
        return from_people(self.people)


def window_of(moment: datetime) -> int:
    """Which window a review written at `moment` falls in (0 from the epoch)."""
    elapsed = (moment - WINDOW_EPOCH).total_seconds()
    return int(elapsed // SECONDS_PER_WINDOW)


def bayesian_rating(weight: float, weighted_stars: float) -> float:
    """The rating shown: the prior pulled towards the weighted reviews.
    `weight` is the sum of the counted reviews' weights, `weighted_stars`
    the sum of weight * stars."""
    total = PRIOR_WEIGHT + max(0.0, weight)
    return (PRIOR_WEIGHT * PRIOR_STARS + max(0.0, weighted_stars)) / total


def rating_label(rating: float) -> str:
    """'4.3': one decimal, as a member reads it."""
    return f"{rating:.1f}"


def from_people(people: int) -> str:
    """'from 1 different person', 'from 12 different people'."""
    if people == 1:
        return "from 1 different person"
    return f"from {people} different people"
