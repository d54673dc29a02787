"""A call booked as two members would: the helper sets their hours, offers
30 minutes, the asker books a free slot, the helper accepts."""

from __future__ import annotations

from datetime import UTC, datetime

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.scheduling import slot_key
from marketplace.market import calls, engagements
from marketplace.models import Listing
from tests.integration.market.test_engagements import post

# a Monday; every test moves its own clock from here
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LINK = "https://meet.example.com/abc"


def clock_at(moment: datetime = MONDAY) -> FixedClock:
    return FixedClock(moment)


def take_calls(helper, clock, link: str = LINK) -> None:
    form = {
        "timezone": "UTC",
        "windows": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        "buffer_minutes": 0,
        "min_notice_hours": 0,
        "horizon_days": 14,
        "cancel_free_hours": 24,
        "meeting_link": link,
    }
    with unit_of_work() as s:
        calls.save_availability(s, actor_id=helper.member_id, form=form, clock=clock)


def call_offer(helper, clock, minutes: int = 30) -> int:
    take_calls(helper, clock)
    listing_id = post(helper, kind="offer", terms="free", price=0)
    with unit_of_work() as s:
        s.get(Listing, listing_id).duration_minutes = minutes
    return listing_id


def book(asker, listing_id: int, clock, at: datetime) -> int:
    """The asker books the offer's slot starting `at` (it must be free)."""
    with read_only() as s:
        listing = s.get(Listing, listing_id)
        free = calls.open_slots(
            s,
            helper_id=listing.author_id,
            minutes=listing.duration_minutes,
            asker_id=asker.member_id,
            clock=clock,
            limit=1000,
        )
    assert at in free, f"{at} is not free"
    with unit_of_work() as s:
        return engagements.propose(
            s,
            actor_id=asker.member_id,
            listing_id=listing_id,
            slot=slot_key(at),
            clock=clock,
        ).id


def act(actor, engagement_id: int, action: str, clock) -> str:
    with unit_of_work() as s:
        return engagements.act(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            action=action,
            clock=clock,
        ).status


def agreed_call(asker, helper, clock, at: datetime, listing_id=None) -> int:
    """A call booked at `at` and accepted: both have the invite."""
    listing_id = listing_id or call_offer(helper, clock)
    engagement_id = book(asker, listing_id, clock, at)
    assert act(helper, engagement_id, "accept", clock) == "accepted"
    return engagement_id


def move(actor, engagement_id: int, to: datetime, clock) -> None:
    with unit_of_work() as s:
        engagements.reschedule(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            slot=slot_key(to),
            clock=clock,
        )
