"""The motivation graph: how much a member gives and receives, and what kind
of contributor that makes them -- said with care.

Adam Grant (Give and Take, 2013) sorts people by how they trade help:
*givers* give more than they take, *matchers* keep it even, *takers* take
more than they give. Here the counts are confirmed help: an engagement where
the member was the helper is help given, one where they asked is help
received.

The style is shown only to the member, never on a public page, and it is
built to encourage, not to judge:

- fewer than MIN_EXCHANGES (3) exchanges say nothing about anyone: the style
  is "just getting started", whatever the split;
- giver when at least GIVER_SHARE (60 %) of exchanges were help given;
- taker only when less than TAKER_SHARE (a third) were -- received more than
  twice as often as given. The band between is matcher, wider on the taker
  side on purpose: a doubtful case is called even, not selfish;
- the taker label itself reads "Mostly receiving, for now", and its sentence
  thanks the network and points at a way to give, rather than scolding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from marketplace.domain.errors import InvalidInput

MIN_EXCHANGES = 3
GIVER_SHARE = 0.6
TAKER_SHARE = 1 / 3
MAX_MONTHS = 36
LABELS = {
    "starting": "Just getting started",
    "giver": "Giver",
    "matcher": "Matcher",
    "taker": "Mostly receiving, for now",
}


@dataclass(frozen=True)
class Balance:
    """A member's give/get style over a period, in words fit to show them."""

    style: str  # starting | giver | matcher | taker
    label: str
    sentence: str
    given: int
    received: int
    given_share: float  # 0..1 of exchanges that were help given; 0.5 with none


def style_of(given: int, received: int) -> str:
    """starting | giver | matcher | taker, by the thresholds above."""
    given, received = _count(given, "given"), _count(received, "received")
    total = given + received
    if total < MIN_EXCHANGES:
        return "starting"
    share = given / total
    if share >= GIVER_SHARE:
        return "giver"
    if share < TAKER_SHARE:
        return "taker"
    return "matcher"


def balance(given: int, received: int, period: str = "this year") -> Balance:
    """The style with its label and a kind sentence, e.g. "You've given help
    9 times and received it 4 times this year — thank you." `period` ends the
    first clause ("this year", "in the last 12 months")."""
    style = style_of(given, received)
    total = given + received
    return Balance(
        style=style,
        label=LABELS[style],
        sentence=_sentence(style, given, received, period),
        given=given,
        received=received,
        given_share=given / total if total else 0.5,
    )


def _sentence(style: str, given: int, received: int, period: str) -> str:
    if given == received == 0:
        return (
            "No help given or received yet — ask for some, or offer what you "
            "know, and this fills in."
        )
    counts = f"{_counts(given, received)} {period}".strip()
    return {
        "starting": f"{counts} — every exchange counts, and it's early days.",
        "giver": f"{counts} — thank you. Ask too: people like to return a favour.",
        "matcher": f"{counts} — a fair balance of giving and getting.",
        "taker": (
            f"{counts}. Your network has been there for you; when you're ready, "
            "someone near you needs what you know."
        ),
    }[style]


def _counts(given: int, received: int) -> str:
    if given and received:
        return f"You've given help {times(given)} and received it {times(received)}"
    if given:
        return f"You've given help {times(given)}"
    return f"You've received help {times(received)}"


def times(count: int) -> str:
    """once, twice, 3 times."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{field} must be a whole number, zero or more.", field)
    return value


# --------------------------------------------------------------------------- months


def month_keys(now: datetime, months: int = 12) -> list[str]:
    """The last `months` calendar months up to now's, oldest first: "2026-11"."""
    if isinstance(months, bool) or not isinstance(months, int):
        raise InvalidInput(f"Months must be 1 to {MAX_MONTHS}.", "months")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"Months must be 1 to {MAX_MONTHS}.", "months")
    index = now.year * 12 + now.month - 1
    return [
        f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - months + 1, index + 1)
    ]


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def month_label(key: str) -> str:
    """ "2026-11" -> "Nov 26", as the wallet's chart labels months."""
    return datetime(int(key[:4]), int(key[5:]), 1).strftime("%b %y")


def first_day(key: str, like: datetime) -> datetime:
    """The first moment of month `key`, in `like`'s time zone."""
    return datetime(int(key[:4]), int(key[5:]), 1, tzinfo=like.tzinfo)


@dataclass(frozen=True)
class BarRow:
    """One group of a given-and-received bar chart: the counts, each as its
    share of the chart's largest count (a CSS length, "40%"), and a sentence
    that says both for those who cannot see the bars."""

    label: str
    given: int
    received: int
    given_share: str
    received_share: str
    summary: str


def bar_rows(rows: Sequence[tuple[str, int, int]]) -> list[BarRow]:
    """Chart rows from (label, given, received), scaled to the largest count
    of either series so the two can be compared."""
    top = max((max(given, received) for _, given, received in rows), default=0)

    def share(count: int) -> str:
        return f"{round(100 * count / top)}%" if top else "0%"

    return [
        BarRow(
            label=label,
            given=given,
            received=received,
            given_share=share(given),
            received_share=share(received),
            summary=f"{label}: given {given}, received {received}",
        )
        for label, given, received in rows
    ]
