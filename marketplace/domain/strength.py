"""Relationship strength: how warm two members are, from what they did together.

Every interaction adds *warmth* by its kind (`WEIGHTS`): helping each other
counts for more than exchanging a message. Warmth fades with time: with
nothing new it halves every `half_life_days` (exponential decay, like a
personal CRM's "keep in touch" cadence but continuous). *Strength* maps warmth
onto 0..1 with 1 - exp(-warmth): one engagement alone gives 0.63, two 0.86,
and no amount of activity reaches 1. Strangers, or a connection nobody used,
are near 0.

A relationship is stored as one pair (warmth, warmth_at): the warmth as it was
at warmth_at. Decaying it to any later time needs nothing else, and adding an
interaction is decay-then-add, so the database keeps a two-column cache per
connection instead of replaying every interaction.

A relationship *goes cold* when it mattered (its strength right after the last
interaction was high) and has since decayed below a threshold: that is the
moment to reach out, before it is gone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from marketplace.domain.errors import InvalidInput


class Kind(StrEnum):
    ENGAGEMENT = "engagement"
    INTRO = "intro"
    REVIEW = "review"
    IOU = "iou"
    MESSAGE = "message"
    CONNECT = "connect"
    # a conversation that happened elsewhere, logged by a member (coffee, a
    # call, WhatsApp...): network/touchpoints.py
    LOGGED = "logged"


# Warmth each kind of interaction adds. Help given or received (an engagement)
# is the strongest signal of a real relationship; an intro spends social
# capital on someone, a review is a considered word about them, an IOU is
# trust extended; a message is cheap and frequent, and accepting a connection
# only says "we know each other". A conversation a member logged (coffee, a
# call elsewhere) is real time spent together but only one side's word: about
# a quarter of confirmed help, below an IOU. Ordered: engagement > intro >
# review > iou > logged > message > connect.
WEIGHTS: dict[Kind, float] = {
    Kind.ENGAGEMENT: 1.0,
    Kind.INTRO: 0.6,
    Kind.REVIEW: 0.4,
    Kind.IOU: 0.3,
    Kind.LOGGED: 0.25,
    Kind.MESSAGE: 0.1,
    Kind.CONNECT: 0.05,
}
DEFAULT_HALF_LIFE_DAYS = 90.0
MAX_HALF_LIFE_DAYS = 3650.0
# Below this a relationship that once mattered counts as going cold...
COLD_THRESHOLD = 0.25
# ...and it mattered when its strength right after the last interaction was
# at least this (about one engagement, or an intro and a review).
MATTERED = 0.5
# A private contact (not a member) needs a nudge sooner: one logged talk is
# never a tie that "mattered", so a contact is due a keep-in-touch reminder
# once the warmth of what was logged has faded below this strength (one
# coffee: after about two months at the default half-life).
KEEP_IN_TOUCH = 0.15
# Strength stays below 1 even for enormous warmth (float rounding would reach it).
MAX_STRENGTH = 1.0 - 1e-9
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Warmth:
    """Warmth as it was at a moment; `at` is None for a relationship with none."""

    value: float
    at: datetime | None


@dataclass(frozen=True)
class Tie:
    """One relationship seen from a member: the other person and its cache."""

    other_id: int
    warmth: float
    warmth_at: datetime | None


@dataclass(frozen=True)
class ColdTie:
    """A relationship going cold: how strong it was, how strong it is now."""

    other_id: int
    past_strength: float
    current_strength: float
    quiet_days: float


def check_half_life(half_life_days: float) -> float:
    if not isinstance(half_life_days, int | float) or not (
        0 < half_life_days <= MAX_HALF_LIFE_DAYS
    ):
        raise InvalidInput(
            f"The half-life must be between 0 and {MAX_HALF_LIFE_DAYS:g} days.",
            "half_life_days",
        )
    return float(half_life_days)


def check_kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in Kind)
        raise InvalidInput(
            f"Unknown interaction {kind!r}; one of: {allowed}.", "kind"
        ) from None


def _check_warmth(warmth: float) -> float:
    if not isinstance(warmth, int | float) or not (0 <= warmth < math.inf):
        raise InvalidInput("Warmth must be a finite number, zero or more.", "warmth")
    return float(warmth)


def decayed(
    warmth: float,
    since: datetime | None,
    now: datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> float:
    """`warmth` as it was at `since`, faded to `now`. A `now` before `since`
    changes nothing: warmth never grows by itself."""
    warmth = _check_warmth(warmth)
    half_life_days = check_half_life(half_life_days)
    if since is None or warmth == 0.0:
        return warmth
    elapsed = max(0.0, (now - since).total_seconds())
    return warmth * 0.5 ** (elapsed / (half_life_days * SECONDS_PER_DAY))


def add_interaction(
    current: Warmth,
    kind: str,
    at: datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    weight: float | None = None,
) -> Warmth:
    """The warmth after one more interaction of `kind` at `at` (its weight from
    WEIGHTS unless given). An interaction recorded late -- older than the
    cache -- counts as decayed from when it happened, so the result does not
    depend on the order interactions arrive in."""
    added = WEIGHTS[check_kind(kind)] if weight is None else _check_warmth(weight)
    if current.at is None or at >= current.at:
        return Warmth(
            decayed(current.value, current.at, at, half_life_days) + added, at
        )
    late = decayed(added, at, current.at, half_life_days)
    return Warmth(_check_warmth(current.value) + late, current.at)


def warmth_from(
    interactions: Iterable[tuple[float, datetime]],
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> Warmth:
    """The warmth cache re-derived from (weight, at) interactions, any order."""
    total = Warmth(0.0, None)
    for weight, at in sorted(interactions, key=lambda pair: pair[1]):
        total = add_interaction(total, Kind.CONNECT, at, half_life_days, weight)
    return total


def strength_of(warmth: float) -> float:
    """Warmth (already decayed) onto 0..1: 1 - exp(-warmth), below 1 always."""
    return min(-math.expm1(-_check_warmth(warmth)), MAX_STRENGTH)


def strength(
    warmth: float,
    since: datetime | None = None,
    now: datetime | None = None,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> float:
    """The strength of a relationship whose warmth was `warmth` at `since`,
    seen at `now` (undecayed when either is None), in [0, 1)."""
    if since is not None and now is not None:
        warmth = decayed(warmth, since, now, half_life_days)
    return strength_of(warmth)


def is_going_cold(
    past_strength: float,
    current_strength: float,
    threshold: float = COLD_THRESHOLD,
    mattered: float = MATTERED,
) -> bool:
    """True when a relationship mattered (past strength >= `mattered`) and has
    faded below `threshold`. One that never mattered is not "going" anywhere."""
    if not 0.0 < threshold <= mattered < 1.0:
        raise InvalidInput(
            "Need 0 < threshold <= mattered < 1 to tell cold from never warm.",
            "threshold",
        )
    return past_strength >= mattered and current_strength < threshold


def going_cold(
    ties: Iterable[Tie],
    now: datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    threshold: float = COLD_THRESHOLD,
    mattered: float = MATTERED,
) -> list[ColdTie]:
    """The ties going cold, the ones that mattered most first. Past strength is
    the strength right after the last interaction (the cache, undecayed)."""
    cold = []
    for tie in ties:
        if tie.warmth_at is None:
            continue
        past = strength_of(tie.warmth)
        now_strength = strength(tie.warmth, tie.warmth_at, now, half_life_days)
        if is_going_cold(past, now_strength, threshold, mattered):
            quiet = (now - tie.warmth_at).total_seconds() / SECONDS_PER_DAY
            cold.append(ColdTie(tie.other_id, past, now_strength, quiet))
    cold.sort(key=lambda c: (-c.past_strength, c.other_id))
    return cold


def keep_in_touch(
    ties: Iterable[Tie],
    now: datetime,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    below: float = KEEP_IN_TOUCH,
) -> list[ColdTie]:
    """The ties someone once logged a conversation with (`warmth_at` set)
    whose strength has faded below `below`: time to get back in touch. The
    longest quiet first."""
    due = []
    for tie in ties:
        if tie.warmth_at is None:
            continue
        now_strength = strength(tie.warmth, tie.warmth_at, now, half_life_days)
        if now_strength < below:
            quiet = (now - tie.warmth_at).total_seconds() / SECONDS_PER_DAY
            past = strength_of(tie.warmth)
            due.append(ColdTie(tie.other_id, past, now_strength, quiet))
    due.sort(key=lambda c: (-c.quiet_days, c.other_id))
    return due


def ordered_pair(a: int, b: int) -> tuple[int, int]:
    """The pair as interactions store it (smaller id first); refuses a pair of
    one member, who cannot interact with themselves."""
    if a == b:
        raise InvalidInput("An interaction needs two different members.", "member")
    return (a, b) if a < b else (b, a)
