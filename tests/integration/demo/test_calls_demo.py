"""The demo's calls: three helpers with hours in their own zones, call
offers that show free slots, and calls booked this week -- two agreed, one
waiting for priya -- each holding its slot; seeding again writes nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.demo.calls import seed_calls
from marketplace.market import calls
from marketplace.models import Availability, BookedSlot, Engagement, Listing, Member
from tests.integration.demo.seeded import NOW

CLOCK = FixedClock(NOW)


def test_the_demo_has_hours_offers_and_calls_this_week(demo):
    demo.fresh(30)
    with read_only() as s:
        handles = dict(s.exec(select(Member.id, Member.handle)).all())
        zones = {handles[a.member_id]: a.timezone for a in s.exec(select(Availability))}
        booked = s.exec(
            select(Engagement).where(Engagement.starts_at.is_not(None))  # type: ignore[union-attr]
        ).all()
        slots = s.exec(select(BookedSlot)).all()
        offers = s.exec(
            select(Listing).where(Listing.duration_minutes.is_not(None))  # type: ignore[union-attr]
        ).all()
        lena = next(k for k, v in handles.items() if v == "lena")
        open_now = calls.open_slots(s, helper_id=lena, minutes=30, clock=CLOCK)
    assert zones == {
        "lena": "Europe/London",
        "priya": "America/Toronto",
        "marcus": "America/Chicago",
    }
    assert sorted(o.duration_minutes for o in offers) == [15, 30, 60]
    story = sorted(
        (handles[e.asker_id], handles[e.helper_id], e.status) for e in booked
    )
    assert story == [
        ("lena", "marcus", "accepted"),
        ("marcus", "priya", "proposed"),
        ("priya", "lena", "accepted"),
    ]
    assert all(e.starts_at > NOW for e in booked)
    assert all((e.starts_at - NOW).days < 7 for e in booked)  # this week
    assert len(slots) == 3 and open_now  # lena still has free times to book
    with unit_of_work() as s:
        assert seed_calls(s, CLOCK) == 0
