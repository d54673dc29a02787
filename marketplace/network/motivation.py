"""A member's motivation graph: help given and received per month and per
tag, and their giver / matcher / taker balance (domain/motivation.py).

Help counts as the relationship graph counts it (graph_index): an
engagement confirmed, or disputed and released to the helper. It is dated
when that happened (its confirming or resolving event) and tagged with its
listing's tags. The charts may be shown to anyone the page is shown to; the
balance is only ever returned to the member themself (`viewer_id`).

Read-only; plain dataclasses a chart can take as they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import motivation as rules
from marketplace.domain.errors import NotFound
from marketplace.models import Engagement, EngagementEvent, ListingTag, Member

TAGS_SHOWN = 12
HELP_DONE = ("confirmed", "resolved")  # the event statuses that close help


@dataclass(frozen=True)
class MonthHelp:
    month: str  # "Nov 26", for the chart's axis
    key: str  # "2026-11"
    given: int
    received: int


@dataclass(frozen=True)
class TagHelp:
    tag: str
    given: int
    received: int


@dataclass(frozen=True)
class BalanceView:
    style: str  # starting | giver | matcher | taker
    label: str  # "Giver", "Just getting started", "Mostly receiving, for now"
    # "You've given help 9 times and received it 4 times in the past year — …"
    sentence: str
    given: int
    received: int
    given_share: float  # 0..1, for a balance bar


@dataclass(frozen=True)
class MotivationView:
    member_id: int
    months: list[MonthHelp]  # oldest first, every month present
    tags: list[TagHelp]  # most exchanged first, at most TAGS_SHOWN
    given: int  # over the months shown
    received: int
    balance: BalanceView | None = None  # only for the member themself
    all_time_given: int = 0
    all_time_received: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Help:
    listing_id: int
    gave: bool  # the member was the helper
    at: datetime


def motivation(
    session: Session,
    *,
    member_id: int,
    viewer_id: int,
    clock: Clock = system_clock,
    months: int = 12,
) -> MotivationView:
    """Given vs received over the last `months` calendar months (this one
    included) and by tag; the balance only when the viewer is the member."""
    member_id = _member(session, member_id)
    now = clock.now()
    keys = rules.month_keys(now, months)
    everything = _help_of(session, member_id)
    start = rules.first_day(keys[0], now)
    recent = [h for h in everything if h.at >= start]
    by_month = _per_month(recent, keys)
    given = sum(m.given for m in by_month)
    received = sum(m.received for m in by_month)
    period = "in the past year" if months == 12 else f"in the last {months} months"
    return MotivationView(
        member_id=member_id,
        months=by_month,
        tags=_per_tag(session, recent),
        given=given,
        received=received,
        balance=(
            _balance(rules.balance(given, received, period))
            if viewer_id == member_id
            else None
        ),
        all_time_given=sum(1 for h in everything if h.gave),
        all_time_received=sum(1 for h in everything if not h.gave),
    )


def _member(session: Session, member_id: object) -> int:
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise NotFound("No such member.")
    if not 0 < member_id < 2**31 or session.get(Member, member_id) is None:
        raise NotFound("No such member.")
    return member_id


def _help_of(session: Session, member_id: int) -> list[_Help]:
    """Every piece of help the member gave or received, dated when it was
    confirmed (or released after a dispute)."""
    e = Engagement
    done_at = (
        select(func.max(EngagementEvent.at))
        .where(
            EngagementEvent.engagement_id == e.id,
            col(EngagementEvent.to_status).in_(HELP_DONE),
        )
        .correlate(Engagement)
        .scalar_subquery()
    )
    helped = (e.status == "confirmed") | (
        (e.status == "resolved") & (e.resolution == "release")
    )
    rows = session.exec(
        select(e.listing_id, e.helper_id, done_at, e.updated_at).where(
            helped, or_(e.helper_id == member_id, e.asker_id == member_id)
        )
    ).all()
    return [
        _Help(listing_id, helper == member_id, _aware(at or updated, updated))
        for listing_id, helper, at, updated in rows
    ]


def _aware(at: datetime | str, like: datetime) -> datetime:
    """A timestamp from an aggregate comes back untyped on SQLite: make it an
    aware datetime like the model's columns."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=like.tzinfo)
    return at


def _per_month(help_done: list[_Help], keys: list[str]) -> list[MonthHelp]:
    given, received = Counter(), Counter()
    for h in help_done:
        (given if h.gave else received)[rules.month_of(h.at)] += 1
    return [MonthHelp(rules.month_label(k), k, given[k], received[k]) for k in keys]


def _per_tag(session: Session, help_done: list[_Help]) -> list[TagHelp]:
    """Per listing tag, how often the member gave and received help on it."""
    ids = {h.listing_id for h in help_done}
    tags: dict[int, list[str]] = {}
    if ids:
        for lid, tag in session.exec(
            select(ListingTag.listing_id, ListingTag.tag).where(
                col(ListingTag.listing_id).in_(ids)
            )
        ):
            tags.setdefault(lid, []).append(tag)
    given, received = Counter(), Counter()
    for h in help_done:
        (given if h.gave else received).update(tags.get(h.listing_id, ()))
    ranked = sorted(
        given.keys() | received.keys(), key=lambda t: _busiest(t, given, received)
    )
    return [TagHelp(t, given[t], received[t]) for t in ranked[:TAGS_SHOWN]]


def _busiest(tag: str, given: Counter, received: Counter) -> tuple[int, str]:
    return (-(given[tag] + received[tag]), tag)


def _balance(found: rules.Balance) -> BalanceView:
    return BalanceView(
        style=found.style,
        label=found.label,
        sentence=found.sentence,
        given=found.given,
        received=found.received,
        given_share=round(found.given_share, 3),
    )
