"""Demo calls: three helpers' hours and a few calls booked this week, so a
newcomer's first start shows help happening on a calendar.

- lena (London) takes 30-minute design-review calls on weekday afternoons;
  priya booked one and lena accepted: it is in both calendars.
- priya (Toronto) gives 15-minute "who sponsors SaaS events" calls on
  Tuesday and Thursday mornings; marcus booked one and it waits for her to
  accept, so her engagements page has a call to answer.
- marcus (Chicago) takes 60-minute fundraising-deck calls; lena booked one
  and he accepted.

Through the services (market/calls.py, market/engagements.py) at the seed's
clock, so every rule holds: the slots are free ones, held and agreed as a
member's would be. Idempotent: once lena has hours, seeding again writes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import DomainError
from marketplace.domain.scheduling import slot_key
from marketplace.inbox import notifications
from marketplace.market import calls, engagements, listings, threads
from marketplace.models import Availability, Listing, Member, Notification

WEEKDAYS = range(5)


@dataclass(frozen=True)
class Helper:
    handle: str
    timezone: str
    days: tuple[int, ...]
    start: str
    end: str
    link: str
    offer: str
    description: str
    tags: str
    minutes: int
    terms: str = "free"
    price: int = 0


HELPERS = (
    Helper(
        "lena",
        "Europe/London",
        tuple(WEEKDAYS),
        "13:00",
        "17:00",
        "https://meet.example.com/lena-design-review",
        "30-minute design review of your product's onboarding",
        "Bring a link or screenshots; I'll walk through what a first-time "
        "user sees and where they stall.",
        "design, onboarding, ux",
        30,
        "karma",
        3,
    ),
    Helper(
        "priya",
        "America/Toronto",
        (1, 3),
        "09:00",
        "11:00",
        "https://meet.example.com/priya-sponsors",
        "15 minutes: who sponsors SaaS events, and how to ask them",
        "I run the Northstar SaaS Summit's sponsorships. A quick call on who "
        "to approach for your event and what they expect back.",
        "events, sponsorship, saas",
        15,
    ),
    Helper(
        "marcus",
        "America/Chicago",
        tuple(WEEKDAYS),
        "10:00",
        "16:00",
        "+1 312 555 0142",
        "An hour on your fundraising deck, from an engineer's eye",
        "I've sat on both sides of seed pitches. We go slide by slide: what "
        "an investor hears, what they'll ask next.",
        "fundraising, pitch deck, startups",
        60,
    ),
)

# what the two say before the call: asker, helper
THREAD = (
    "Here's what I'd like us to look at: the link is in my profile.",
    "Got it, thanks. I'll have a look beforehand so we use the time well.",
)

# (asker, helper, accepted?): the calls of this week
BOOKINGS = (
    ("priya", "lena", True),
    ("marcus", "priya", False),
    ("lena", "marcus", True),
)


def seed_calls(session: Session, clock: Clock = system_clock) -> int:
    """The demo's hours, call offers and booked calls; returns the calls
    booked this time."""
    ids = _ids(session)
    if len(ids) < len(HELPERS) or session.get(Availability, ids["lena"]):
        return 0
    offers = {h.handle: _open_hours(session, ids[h.handle], h, clock) for h in HELPERS}
    before = session.exec(select(func.max(Notification.id))).one() or 0
    booked = 0
    for asker, helper, accept in BOOKINGS:
        booked += _book(session, ids[asker], ids[helper], offers[helper], accept, clock)
    _read_all_but_the_waiting_booking(session, before, clock)
    return booked


def _read_all_but_the_waiting_booking(session, before: int, clock) -> None:
    """The two sides read their messages and acceptances; only bookings
    (marcus's, waiting for priya's answer) stay unread, as a new one would."""
    session.flush()
    written = session.exec(select(Notification).where(Notification.id > before)).all()
    for note in written:
        if "booked your offer" not in note.text:
            notifications.mark_read(
                session, actor_id=note.member_id, notification_id=note.id, clock=clock
            )


def _ids(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Member.handle, Member.id).where(
            Member.handle.in_([h.handle for h in HELPERS])  # type: ignore[attr-defined]
        )
    ).all()
    return dict(rows)


def _open_hours(session: Session, member_id: int, helper: Helper, clock: Clock) -> int:
    """The helper's weekly hours and their call offer; returns its id."""
    calls.save_availability(
        session,
        actor_id=member_id,
        form={
            "timezone": helper.timezone,
            "windows": [
                {"weekday": day, "start": helper.start, "end": helper.end}
                for day in helper.days
            ],
            "buffer_minutes": 15,
            "min_notice_hours": 2,
            "horizon_days": 21,
            "cancel_free_hours": 24,
            "meeting_link": helper.link,
        },
        clock=clock,
    )
    offer = listings.create_listing(
        session,
        actor_id=member_id,
        form={
            "kind": "offer",
            "title": helper.offer,
            "description": helper.description,
            "tags": helper.tags,
            "terms": helper.terms,
            "price": helper.price,
            "capacity": 10,
            "audience": "public",
            "duration": str(helper.minutes),
        },
        clock=clock,
    )
    return offer.id


def _talk(session, engagement, asker_id, helper_id, clock) -> None:
    for author, text in zip((asker_id, helper_id), THREAD, strict=True):
        threads.post_message(
            session,
            actor_id=author,
            engagement_id=engagement.id,
            body=text,
            clock=clock,
        )


def _book(session, asker_id, helper_id, offer_id, accept: bool, clock) -> int:
    """The asker books the helper's second free slot (the first may be
    within hours), and the helper accepts it when `accept`."""
    minutes = calls.call_minutes(session.get(Listing, offer_id))
    slots = calls.open_slots(
        session, helper_id=helper_id, minutes=minutes, asker_id=asker_id, clock=clock
    )
    if len(slots) < 2:
        return 0
    try:
        with session.begin_nested():
            engagement = engagements.propose(
                session,
                actor_id=asker_id,
                listing_id=offer_id,
                note="Looking forward to it. I'll send the link to what we'll look at.",
                slot=slot_key(slots[1]),
                clock=clock,
            )
            _talk(session, engagement, asker_id, helper_id, clock)
            if accept:
                engagements.act(
                    session,
                    actor_id=helper_id,
                    engagement_id=engagement.id,
                    action="accept",
                    clock=clock,
                )
    except DomainError:
        return 0  # a member without room for the karma: no call, no harm
    return 1
