"""Nudges: the suggestions on a member's dashboard, how they rank, and how a
member's answers to them (dismiss, snooze, act) change what comes next.

Four kinds, each with a stable key that feedback refers to:

    ask        ask a connection about my open request
               key ask:listing:<listing id>:member:<member id>
    intro      ask X to introduce me to Y (2nd degree) for my open request
               key intro:listing:<listing id>:member:<target id>
    give       a context, or an open request, I could help with
               key context:<context id> or give:listing:<listing id>
    reconnect  a relationship going cold, and a reason to reach out now
               key reconnect:<member id>; or a private contact whose
               logged conversations have faded (keep in touch), key
               contact:<contact id>, only ever in its owner's feed

Ranking. Every nudge arrives with a score in 0..1 from the graph (who-to-ask,
context fit, path strength, how much a tie mattered). The feed multiplies it
by the kind's weight (`KIND_WEIGHTS`: my own open need first, then the intro
that serves it, then helping others, then reconnecting) and by the member's
*taste* for that kind, learnt from feedback:

    taste(kind) = clamp(1 - 0.15 * dismissed + 0.05 * acted, 0.4, 1.2)

counting distinct nudges of that kind dismissed (acted on) in the last 180
days. Four dismissed reconnect nudges take that kind down to the floor, 0.4:
a member who keeps waving a kind away sees less of it, but a very strong one
still gets through; acting on a kind earns it back, slowly. Old
feedback ages out of the window, so taste can change. Snoozing says "not
now", not "not this kind", and does not count.

A *strong* nudge -- a context near me asking for what I know (domain.graph
STRONG_FIT), the kind I am told about in my inbox when it is posted -- leads
the feed whatever the other scores, so what reached my inbox is never
buried below the fold.

Visibility. A dismissed key is never shown again; a snoozed one is hidden
until its `until`; one acted on is hidden for `ACTED_QUIET_DAYS` (the member
did the thing; the graph catches up meanwhile). At most `KIND_SHARE` of the
feed goes to one kind while others wait, so one busy kind cannot crowd out
the rest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from marketplace.domain.contexts import humanize
from marketplace.domain.errors import InvalidInput

KIND_LABELS = {
    "ask": "Ask",
    "intro": "Intro",
    "give": "Give",
    "reconnect": "Reconnect",
}
# Why this order: an open request of mine is a need now; an intro serves the
# same need but spends a third person's goodwill; helping others is the point
# of the network but nobody is waiting on me yet; reconnecting can wait a day.
KIND_WEIGHTS = {"ask": 1.0, "intro": 0.9, "give": 0.85, "reconnect": 0.75}
ACTIONS = ("dismissed", "snoozed", "acted")
DISMISS_STEP = 0.15
ACT_STEP = 0.05
TASTE_FLOOR = 0.4
TASTE_CEILING = 1.2
FEEDBACK_WINDOW_DAYS = 180
ACTED_QUIET_DAYS = 30
SNOOZE_MIN_DAYS, SNOOZE_MAX_DAYS = 1, 90
KIND_SHARE = 0.6  # of the feed, for one kind, while other kinds have nudges
KEY_MAX = 80
MAX_ID = 2**31 - 1
_KEY = re.compile(
    r"(?P<kind>context|reconnect|contact|give:listing|ask:listing|intro:listing)"
    r":(?P<first>[1-9][0-9]{0,9})(?::member:(?P<second>[1-9][0-9]{0,9}))?"
)
_KIND_OF_PREFIX = {
    "context": "give",
    "give:listing": "give",
    "reconnect": "reconnect",
    "contact": "reconnect",
    "ask:listing": "ask",
    "intro:listing": "intro",
}
_TWO_IDS = {"ask:listing", "intro:listing"}

# give: an open request of someone near me -- fit with what I know counts
# most, then how close they are, then how soon they need it.
REQUEST_WEIGHTS = {"fit": 0.5, "path": 0.3, "soon": 0.2}
DEADLINE_HORIZON_DAYS = 30  # a deadline further out than this is not urgent
UNDATED_URGENCY = 0.5
# reconnect: how much the tie mattered, how far it faded, and how good the
# reason to reach out is (something they are doing now beats old history).
RECONNECT_WEIGHTS = {"mattered": 0.4, "faded": 0.2, "reason": 0.4}
REASON_STRENGTH = {"context": 1.0, "request": 0.9, "iou": 0.7, "history": 0.4}


# --------------------------------------------------------------------------- keys


def check_key(key: object) -> str:
    """A nudge key as the feed makes them, or InvalidInput: feedback on a
    made-up key would only clutter the member's own rows, but a malformed one
    is a bug or a forgery and is refused."""
    if not isinstance(key, str) or not key or len(key) > KEY_MAX:
        raise InvalidInput("That is not a nudge.", "key")
    found = _KEY.fullmatch(key)
    if found is None or (found["second"] is not None) != (found["kind"] in _TWO_IDS):
        raise InvalidInput("That is not a nudge.", "key")
    ids = [int(found["first"]), int(found["second"] or 1)]
    if any(i > MAX_ID for i in ids):
        raise InvalidInput("That is not a nudge.", "key")
    return key


def kind_of(key: str) -> str:
    """ask | intro | give | reconnect, from a (checked) key."""
    found = _KEY.fullmatch(key)
    if found is None:
        raise InvalidInput("That is not a nudge.", "key")
    return _KIND_OF_PREFIX[found["kind"]]


def ask_key(listing_id: int, member_id: int) -> str:
    return f"ask:listing:{listing_id}:member:{member_id}"


def intro_key(listing_id: int, target_id: int) -> str:
    return f"intro:listing:{listing_id}:member:{target_id}"


def give_key(listing_id: int) -> str:
    return f"give:listing:{listing_id}"


def reconnect_key(member_id: int) -> str:
    return f"reconnect:{member_id}"


def contact_key(contact_id: int) -> str:
    return f"contact:{contact_id}"


def check_snooze_days(days: object) -> int:
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not SNOOZE_MIN_DAYS <= days <= SNOOZE_MAX_DAYS
    ):
        raise InvalidInput(
            f"Snooze for {SNOOZE_MIN_DAYS} to {SNOOZE_MAX_DAYS} days.", "days"
        )
    return days


# --------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """One answer a member gave to a nudge."""

    key: str
    action: str  # dismissed | snoozed | acted
    at: datetime
    until: datetime | None = None


@dataclass(frozen=True)
class Preferences:
    """What feedback means for the next feed: keys to hide, and each kind's
    taste multiplier (1.0 when the member never answered that kind)."""

    hidden: frozenset[str]
    taste: dict[str, float]

    def weight(self, kind: str) -> float:
        return KIND_WEIGHTS[kind] * self.taste.get(kind, 1.0)


def preferences(history: Iterable[Feedback], now: datetime) -> Preferences:
    """Hidden keys and per-kind taste from a member's feedback (any order)."""
    latest_snooze: dict[str, Feedback] = {}
    hidden: set[str] = set()
    dismissed: dict[str, set[str]] = {}
    acted: dict[str, set[str]] = {}
    window_start = now - timedelta(days=FEEDBACK_WINDOW_DAYS)
    for item in history:
        kind = _kind_or_none(item.key)
        if item.action == "dismissed":
            hidden.add(item.key)
            if kind and item.at >= window_start:
                dismissed.setdefault(kind, set()).add(item.key)
        elif item.action == "acted":
            if item.at + timedelta(days=ACTED_QUIET_DAYS) > now:
                hidden.add(item.key)
            if kind and item.at >= window_start:
                acted.setdefault(kind, set()).add(item.key)
        elif item.action == "snoozed":
            known = latest_snooze.get(item.key)
            if known is None or item.at >= known.at:
                latest_snooze[item.key] = item
    hidden.update(k for k, s in latest_snooze.items() if s.until and s.until > now)
    kinds = dismissed.keys() | acted.keys()
    return Preferences(
        frozenset(hidden),
        {k: taste(len(dismissed.get(k, ())), len(acted.get(k, ()))) for k in kinds},
    )


def _kind_or_none(key: str) -> str | None:
    found = _KEY.fullmatch(key)
    return _KIND_OF_PREFIX[found["kind"]] if found else None


def taste(dismissed: int, acted: int) -> float:
    """The multiplier a member's feedback puts on one kind (see module doc)."""
    raw = 1.0 - DISMISS_STEP * dismissed + ACT_STEP * acted
    return min(TASTE_CEILING, max(TASTE_FLOOR, raw))


# --------------------------------------------------------------------------- ranking


class Rankable(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> float: ...


R = TypeVar("R", bound=Rankable)


def _order(pair: tuple[float, Rankable]) -> tuple:
    """Strong fits first (a context asking for what I know, domain.graph
    STRONG_FIT: it was worth telling me at once, so it leads the feed too),
    then by final score; ties by key, so the same inputs give the same feed."""
    final, draft = pair
    return (not getattr(draft, "strong", False), -final, draft.key)


def rank(drafts: Iterable[R], prefs: Preferences, limit: int) -> list[tuple[float, R]]:
    """The feed: (final score, draft) best first -- strong fits ahead of the
    rest --, hidden keys left out, one draft per key (the best), at most
    `KIND_SHARE` of the places per kind while other kinds still have nudges
    to show."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise InvalidInput("Limit must be a whole number from 1 to 100.", "limit")
    best: dict[str, tuple[float, R]] = {}
    for draft in drafts:
        if draft.key in prefs.hidden:
            continue
        final = max(0.0, draft.score) * prefs.weight(draft.kind)
        if draft.key not in best or final > best[draft.key][0]:
            best[draft.key] = (final, draft)
    ordered = sorted(best.values(), key=_order)
    return _spread(ordered, limit)


def _spread(ordered: list[tuple[float, R]], limit: int) -> list[tuple[float, R]]:
    """Take the best, but no more than a share per kind; fill any places left
    with what the share held back, still best first."""
    cap = max(2, math.ceil(limit * KIND_SHARE))
    taken: list[tuple[float, R]] = []
    held_back: list[tuple[float, R]] = []
    per_kind: Counter[str] = Counter()
    for pair in ordered:
        if per_kind[pair[1].kind] < cap:
            per_kind[pair[1].kind] += 1
            taken.append(pair)
        else:
            held_back.append(pair)
    taken = taken[:limit]
    taken += held_back[: limit - len(taken)]
    return sorted(taken, key=_order)


# --------------------------------------------------------------------------- scores


def request_score(fit: float, path: float, deadline: date | None, today: date) -> float:
    """How good a nudge to help with someone's open request is, in 0..1."""
    w = REQUEST_WEIGHTS
    return (
        w["fit"] * _unit(fit)
        + w["path"] * _unit(path)
        + w["soon"] * _soon(deadline, today)
    )


def _soon(deadline: date | None, today: date) -> float:
    """1 when it is due now, fading to 0 for a deadline a month away."""
    if deadline is None:
        return UNDATED_URGENCY
    days = (deadline - today).days
    return 1.0 if days <= 0 else max(0.0, 1.0 - days / DEADLINE_HORIZON_DAYS)


def reconnect_score(past: float, current: float, reason: str) -> float:
    """How good a nudge to reconnect is, in 0..1: a tie that mattered a lot,
    faded far, with a fresh reason to call, ranks first."""
    if reason not in REASON_STRENGTH:
        raise InvalidInput(f"Unknown reason {reason!r} to reconnect.", "reason")
    past, current = _unit(past), _unit(current)
    faded = (past - current) / past if past > 0 else 0.0
    w = RECONNECT_WEIGHTS
    return (
        w["mattered"] * past
        + w["faded"] * _unit(faded)
        + w["reason"] * REASON_STRENGTH[reason]
    )


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


# --------------------------------------------------------------------------- words


def first_name(display_name: str) -> str:
    """ "Marcus Webb" -> "Marcus": nudges speak like a colleague would."""
    parts = display_name.split()
    return parts[0] if parts else display_name


def how_long_ago(days: float) -> str:
    """A quiet spell in words: "3 weeks ago", "5 months ago", "2 years ago"."""
    days = max(0.0, days)
    if days < 14:
        return "recently"
    if days < 60:
        return _plural(round(days / 7), "week") + " ago"
    if days < 548:
        return _plural(round(days / 30.44), "month") + " ago"
    return _plural(round(days / 365.25), "year") + " ago"


def ask_reason(
    matched: Iterable[str], owes_me: int, given: int, received: int, availability: str
) -> str:
    """Why ask this person, in a few words: "knows fundraising, owes you a
    favour, has limited time"."""
    words = [f"knows {humanize(matched)}"]
    if owes_me:
        words.append(
            "owes you a favour" if owes_me == 1 else f"owes you {owes_me} favours"
        )
    if given > received:
        words.append(f"has helped {_plural(given, 'time')}")
    if availability == "limited":
        words.append("has limited time")
    return ", ".join(words)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def points(count: int) -> str:
    """An amount of karma (IOUs are counted in karma too)."""
    return f"{count} karma"
