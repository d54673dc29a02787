"""The demo's trust side: vouches between people who know each other, and a
planted review ring for the integrity report to find.

A newcomer's first look at the operator pages should find something real:
two accounts that joined seven weeks ago, booked each other's one-karma
offers again and again and reviewed each other five stars every time (the
shape of issue 20's reputation ring). Their profiles show what the ring
bought them -- one reviewer, a rating near the prior -- and
`python -m marketplace ledger audit` and /operator/integrity name them.
Everyone else in the demo is honest, and the report leaves them alone.

The vouches (data/integrity.json) show on both profiles: Marcus stakes part
of his credit on Lena, Priya on the newest member she knows.

Written through the services, in time order, so the ledger, reviews and
notifications are the app's own; skipped when already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from marketplace.adapters.clock import Clock, FixedClock
from marketplace.demo.files import read_json
from marketplace.demo.market import settle_inbox
from marketplace.demo.members import DEMO_HANDLES, Link, MemberSpec, NetworkPlan
from marketplace.domain.errors import DomainError
from marketplace.ledger import vouches
from marketplace.market import engagements, listings, reviews
from marketplace.models import Listing, Notification, Vouch

_DATA = read_json("integrity.json")


@dataclass(frozen=True)
class Offer:
    title: str
    description: str
    tags: str

    def form(self) -> dict:
        return {
            "kind": "offer",
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "terms": "karma",
            "price": 1,
            "currency": "",
            "rate_kind": "",
            "capacity": 5,
            "deadline": "",
            "audience": "public",
            "chosen": "",
        }


@dataclass(frozen=True)
class RingPlan:
    """Two accounts, connected to each other and (one of them) to a demo
    account, taking turns to book each other's offers."""

    members: tuple[MemberSpec, ...]
    links: tuple[Link, ...]
    offers: tuple[Offer, ...]
    rounds: int
    first_round_days_ago: float
    last_round_days_ago: float
    review: str


@dataclass(frozen=True)
class VouchPlan:
    voucher: str
    vouchee: str  # a handle, or "priya~newest": the newest member she knows
    stake: int
    days_ago: float


@dataclass
class IntegrityReport:
    ring_members_created: int = 0  # accounts of its own, not the network's
    ring_engagements_created: int = 0
    ring_reviews_created: int = 0
    vouches_created: int = 0
    vouches_skipped: list[str] = field(default_factory=list)


def plan_ring() -> RingPlan:
    ring = _DATA["ring"]
    members = tuple(
        MemberSpec(
            **{
                **row,
                **{k: tuple(row[k]) for k in ("give", "get", "background")},
            }
        )
        for row in ring["members"]
    )
    first, second = (m.handle for m in members)
    days = ring["linked_days_ago"]
    return RingPlan(
        members=members,
        links=(
            Link(first, second, days),
            Link(first, ring["attack_edge"], days - 1, "Loved your talk!"),
        ),
        offers=tuple(Offer(**offer) for offer in ring["offers"]),
        rounds=ring["rounds"],
        first_round_days_ago=ring["first_round_days_ago"],
        last_round_days_ago=ring["last_round_days_ago"],
        review=ring["review"],
    )


def plan_vouches(plan: NetworkPlan) -> list[VouchPlan]:
    """The vouches, with "x~newest" cast as the generated member who joined
    last among those x knew by the day of the vouch (a newcomer is who a
    vouch helps most)."""
    joined = {m.handle: m.joined_days_ago for m in plan.members}
    known: dict[str, list[tuple[str, float]]] = {}
    for link in plan.links:
        if link.addressee in DEMO_HANDLES and link.requester not in DEMO_HANDLES:
            known.setdefault(link.addressee, []).append((link.requester, link.days_ago))
    planned = []
    for row in _DATA["vouches"]:
        vouchee = row["vouchee"]
        if vouchee.endswith("~newest"):
            circle = [
                handle
                for handle, since in known.get(vouchee.removesuffix("~newest"), [])
                if since > row["days_ago"]
            ]
            if not circle:
                continue  # a network too small for the part
            vouchee = min(circle, key=lambda h: (joined[h], h))
        planned.append(
            VouchPlan(row["voucher"], vouchee, row["stake"], row["days_ago"])
        )
    return planned


# -------------------------------------------------------------------- the service


def seed_integrity(
    session: Session,
    ring: RingPlan,
    planned_vouches: Sequence[VouchPlan],
    ids: dict[str, int],
    clock: Clock,
) -> IntegrityReport:
    report = IntegrityReport()
    now = clock.now()
    before = session.execute(select(func.max(Notification.id))).scalar() or 0
    for plan in planned_vouches:  # the vouches came first, the ring later
        _seed_vouch(session, plan, ids, now, report)
    _seed_ring(session, ring, ids, now, report)
    settle_inbox(session, before, now)  # all of it weeks ago: read since
    return report


def _seed_ring(
    session: Session, ring: RingPlan, ids: dict[str, int], now: datetime, report
) -> None:
    people = [ids.get(m.handle) for m in ring.members]
    if None in people or _already_posted(session, people[0], ring.offers[0].title):
        return
    posted_at = _at(now, ring.first_round_days_ago + 1)
    offers = [
        listings.create_listing(
            session, actor_id=author, form=offer.form(), clock=posted_at
        )
        for author, offer in zip(people, ring.offers, strict=True)
    ]
    span = ring.first_round_days_ago - ring.last_round_days_ago
    for turn in range(ring.rounds):
        helper = turn % 2  # they take turns: each pays the other back
        asker = 1 - helper
        when = ring.first_round_days_ago - turn * span / max(1, ring.rounds - 1)
        _one_round(session, people, offers[helper], asker, helper, now, when, ring)
        report.ring_engagements_created += 1
        report.ring_reviews_created += 2


def _one_round(session, people, offer, asker, helper, now, days_ago, ring) -> None:
    clock = _at(now, days_ago)
    engagement = engagements.propose(
        session,
        actor_id=people[asker],
        listing_id=offer.id,
        note="Same again?",
        clock=clock,
    )
    for who, action in ((helper, "accept"), (helper, "deliver"), (asker, "confirm")):
        engagements.act(
            session,
            actor_id=people[who],
            engagement_id=engagement.id,
            action=action,
            clock=clock,
        )
    for who in (asker, helper):
        reviews.leave_review(
            session,
            actor_id=people[who],
            engagement_id=engagement.id,
            rating=5,
            body=ring.review,
            clock=clock,
        )


def _already_posted(session: Session, author_id: int, title: str) -> bool:
    found = session.execute(
        select(Listing.id).where(Listing.author_id == author_id, Listing.title == title)
    ).first()
    return found is not None


def _seed_vouch(
    session: Session,
    plan: VouchPlan,
    ids: dict[str, int],
    now: datetime,
    report: IntegrityReport,
) -> None:
    voucher, vouchee = ids.get(plan.voucher), ids.get(plan.vouchee)
    if voucher is None or vouchee is None or _vouched(session, voucher, vouchee):
        return
    try:
        with session.begin_nested():  # a refusal leaves the rest of the seed
            vouches.vouch(
                session,
                actor_id=voucher,
                vouchee_handle=plan.vouchee,
                stake=plan.stake,
                clock=_at(now, plan.days_ago),
            )
        report.vouches_created += 1
    except DomainError as refused:  # e.g. the voucher's credit is spent
        report.vouches_skipped.append(f"{plan.voucher} -> {plan.vouchee}: {refused}")


def _vouched(session: Session, voucher: int, vouchee: int) -> bool:
    found = session.execute(
        select(Vouch.id).where(Vouch.voucher_id == voucher, Vouch.vouchee_id == vouchee)
    ).first()
    return found is not None


def _at(now: datetime, days_ago: float) -> FixedClock:
    return FixedClock(now - timedelta(days=days_ago))
