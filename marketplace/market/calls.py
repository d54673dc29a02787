"""Calls: a helper's availability, the free slots it opens, and the slot an
engagement holds, from proposal to the call.

- `save_availability` writes a helper's weekly windows, days off, buffer,
  notice, horizon, meeting link and cancellation policy.
- `open_slots` lists the next free starts of a call on an offer, in UTC;
  pages show them in the viewer's zone.
- `hold` (at proposal) takes the helper's Availability row lock first, then
  checks each wanted start is still free and writes its `BookedSlot`; the
  unique start per helper is the last guard. So of two bookings of one
  slot, on SQLite (one writer at a time) or PostgreSQL (the row lock), one
  wins and the other hears the time was just taken.
- `pick` (at acceptance of a request's answer) keeps the slot the asker
  chose and lets the others go; `release` (declined, withdrawn, cancelled,
  expired) lets every slot go.
- `reschedule` moves an agreed call to another free slot, inside the
  helper's free-cancellation window (the helper may always move their own
  call); the invite's SEQUENCE goes up so calendars update it.
- `expire_passed` cancels proposals whose every slot has passed unanswered.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, func, or_, select

from marketplace.accounts import members
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import Status
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized
from marketplace.domain.scheduling import (
    HOURLY_DURATION,
    MAX_PROPOSED,
    Busy,
    Schedule,
    Window,
    check_schedule,
    free_slots,
    is_free,
    is_late,
    parse_slot,
    slot_key,
)
from marketplace.domain.times import local
from marketplace.market.listings import visible_listing
from marketplace.models import (
    Availability,
    AvailabilityWindow,
    BlockedDay,
    BookedSlot,
    Engagement,
    Listing,
)

SHOWN_SLOTS = 60  # the most a slot picker lists
MAX_MOVES = 3  # reschedules of one call (its invite's SEQUENCE counts them)


# ---------------------------------------------------------------------- availability


def schedule_of(session: Session, member_id: int) -> Schedule | None:
    """A member's availability, or None if they never set one."""
    row = session.get(Availability, member_id)
    if row is None:
        return None
    windows = session.exec(
        select(AvailabilityWindow).where(AvailabilityWindow.member_id == member_id)
    ).all()
    days = session.exec(
        select(BlockedDay.day).where(BlockedDay.member_id == member_id)
    ).all()
    return Schedule(
        timezone=row.timezone,
        windows=tuple(
            sorted(Window(w.weekday, w.start_minute, w.end_minute) for w in windows)
        ),
        buffer_minutes=row.buffer_minutes,
        min_notice_hours=row.min_notice_hours,
        horizon_days=row.horizon_days,
        cancel_free_hours=row.cancel_free_hours,
        blocked_days=frozenset(days),
        meeting_link=row.meeting_link,
    )


def default_schedule(session: Session, member_id: int) -> Schedule:
    """What the availability form starts from: their profile's zone, no hours."""
    return Schedule(timezone=members.timezone_of(session, member_id))


def save_availability(
    session: Session, *, actor_id: int, form: object, clock: Clock = system_clock
) -> Schedule:
    """Replace the actor's availability with the form's, all of it or none.
    Calls already booked stay booked; new bookings follow the new hours."""
    now = clock.now()
    schedule = check_schedule(form, today=local(now, _zone_in(form)).date())
    row = _locked_availability(session, actor_id)
    if row is None:
        row = Availability(member_id=actor_id, updated_at=now)
    for name in (
        "timezone",
        "buffer_minutes",
        "min_notice_hours",
        "horizon_days",
        "cancel_free_hours",
        "meeting_link",
    ):
        setattr(row, name, getattr(schedule, name))
    row.updated_at = now
    session.add(row)
    session.exec(
        delete(AvailabilityWindow).where(AvailabilityWindow.member_id == actor_id)
    )
    session.exec(delete(BlockedDay).where(BlockedDay.member_id == actor_id))
    session.add_all(
        AvailabilityWindow(
            member_id=actor_id,
            weekday=w.weekday,
            start_minute=w.start,
            end_minute=w.end,
        )
        for w in schedule.windows
    )
    session.add_all(
        BlockedDay(member_id=actor_id, day=d) for d in schedule.blocked_days
    )
    session.flush()
    return schedule


def _zone_in(form: object) -> str:
    zone = form.get("timezone") if isinstance(form, dict) else None
    return zone if isinstance(zone, str) else "UTC"


def _locked_availability(session: Session, member_id: int) -> Availability | None:
    return session.exec(
        select(Availability)
        .where(Availability.member_id == member_id)
        .with_for_update()
    ).first()


# --------------------------------------------------------------------------- slots


def call_minutes(listing: Listing, hours: int = 1) -> int | None:
    """How long a booking of `listing` takes on the calendar, or None when it
    is not a call. An hourly paid rate books its hours."""
    if listing.duration_minutes is None:
        return None
    if listing.terms == "paid" and listing.rate_kind == "hourly":
        return HOURLY_DURATION * hours
    return listing.duration_minutes


def busy_for(
    session: Session, helper_id: int, asker_id: int | None, *, but: int | None = None
) -> list[Busy]:
    """Every stretch held for the helper, as helper or as asker (they can't
    take two calls at once either), and for the asker when named; `but`
    leaves one engagement's own slots out (a reschedule)."""
    people = [helper_id] + ([asker_id] if asker_id else [])
    query = select(BookedSlot).where(
        or_(
            col(BookedSlot.helper_id).in_(people),
            col(BookedSlot.asker_id).in_(people),
        )
    )
    if but is not None:
        query = query.where(BookedSlot.engagement_id != but)
    return [Busy(s.starts_at, s.ends_at) for s in session.exec(query).all()]


def open_slots(
    session: Session,
    *,
    helper_id: int,
    minutes: int,
    asker_id: int | None = None,
    but: int | None = None,
    clock: Clock = system_clock,
    limit: int = SHOWN_SLOTS,
) -> list[datetime]:
    """The next free starts for a call of `minutes` with the helper."""
    schedule = schedule_of(session, helper_id)
    if schedule is None or not schedule.windows:
        return []
    busy = busy_for(session, helper_id, asker_id, but=but)
    return free_slots(schedule, minutes, busy=busy, now=clock.now(), limit=limit)


def hold(
    session: Session,
    engagement: Engagement,
    wanted: object,
    minutes: int,
    clock: Clock = system_clock,
) -> list[datetime]:
    """Hold the wanted start(s) of the helper's time for `engagement`: one
    for a booking, up to three for a request's answer. Refused, with
    nothing written, if any is not free now."""
    starts = _parse_wanted(wanted)
    if _locked_availability(session, engagement.helper_id) is None:
        raise Conflict("They haven't set the hours they take calls yet.")
    _check_free(session, engagement, starts, minutes, clock)
    for start in starts:
        session.add(
            BookedSlot(
                engagement_id=engagement.id,
                helper_id=engagement.helper_id,
                asker_id=engagement.asker_id,
                starts_at=start,
                ends_at=start + timedelta(minutes=minutes),
            )
        )
    session.flush()  # the unique start refuses here, inside this transaction
    if len(starts) == 1:
        _agree(engagement, starts[0], minutes)
    return starts


def _parse_wanted(wanted: object) -> list[datetime]:
    raw = wanted if isinstance(wanted, list) else [wanted]
    raw = [value for value in raw if value not in (None, "")]
    if not raw:
        raise InvalidInput("Pick a time for the call.", "slot")
    if len(raw) > MAX_PROPOSED:
        raise InvalidInput(f"Propose at most {MAX_PROPOSED} times.", "slot")
    starts = sorted({parse_slot(value) for value in raw})
    if len(starts) != len(raw):
        raise InvalidInput("You picked the same time twice.", "slot")
    return starts


def _check_free(
    session: Session,
    engagement: Engagement,
    starts: list[datetime],
    minutes: int,
    clock: Clock,
    *,
    but: int | None = None,
) -> None:
    now = clock.now()
    for start in starts:
        if start <= now:
            raise InvalidInput("That time has passed; pick another.", "slot")
    if len(starts) > 1 and _overlapping(starts, minutes):
        raise InvalidInput("The times you propose overlap; pick separate ones.", "slot")
    schedule = schedule_of(session, engagement.helper_id)
    busy = busy_for(session, engagement.helper_id, engagement.asker_id, but=but)
    for start in starts:
        if schedule is None or not is_free(
            schedule, minutes, start, busy=busy, now=now
        ):
            raise Conflict(
                "That time isn't free any more (just taken, or outside their "
                "hours); pick another."
            )


def _overlapping(starts: list[datetime], minutes: int) -> bool:
    length = timedelta(minutes=minutes)
    return any(b < a + length for a, b in itertools.pairwise(starts))


def _agree(engagement: Engagement, start: datetime, minutes: int) -> None:
    engagement.starts_at = start
    engagement.ends_at = start + timedelta(minutes=minutes)


def proposed_starts(session: Session, engagement_id: int) -> list[datetime]:
    return list(
        session.exec(
            select(BookedSlot.starts_at)
            .where(BookedSlot.engagement_id == engagement_id)
            .order_by(BookedSlot.starts_at)
        ).all()
    )


def pick(session: Session, engagement: Engagement, wanted: object) -> None:
    """At acceptance: the asker's choice among a request answer's proposed
    slots is kept, the others are let go. A booking's single slot is
    already agreed; accepting it needs no pick."""
    if engagement.starts_at is None and engagement.cancel_free_hours is None:
        return  # no time was held at the proposal (fix_policy): not a call
    held = session.exec(
        select(BookedSlot).where(BookedSlot.engagement_id == engagement.id)
    ).all()
    if not held:
        return  # not a call
    if engagement.starts_at is not None and len(held) == 1:
        return
    if wanted in (None, ""):
        raise InvalidInput("Pick one of the times they proposed.", "slot")
    start = parse_slot(wanted)
    chosen = [slot for slot in held if slot.starts_at == start]
    if not chosen:
        raise InvalidInput("Pick one of the times they proposed.", "slot")
    for slot in held:
        if slot is not chosen[0]:
            session.delete(slot)
    minutes = int((chosen[0].ends_at - chosen[0].starts_at).total_seconds() // 60)
    _agree(engagement, start, minutes)


def release(session: Session, engagement_id: int) -> None:
    """Let every slot of the engagement go (declined, cancelled, expired)."""
    session.exec(delete(BookedSlot).where(BookedSlot.engagement_id == engagement_id))


# --------------------------------------------------------------------------- policy


def late_for(engagement: Engagement, clock: Clock) -> bool:
    """Inside the helper's free-cancellation window of an agreed call."""
    if engagement.starts_at is None:
        return False
    return is_late(engagement.starts_at, clock.now(), engagement.cancel_free_hours or 0)


def fix_policy(session: Session, engagement: Engagement) -> None:
    """Copy the helper's cancellation window onto the engagement when it is
    booked: changing the policy later doesn't change what was agreed."""
    row = session.get(Availability, engagement.helper_id)
    engagement.cancel_free_hours = row.cancel_free_hours if row else 0


def check_deliverable(engagement: Engagement, clock: Clock) -> None:
    """'Delivered' comes once the call has ended, not before."""
    if engagement.ends_at is not None and clock.now() < engagement.ends_at:
        raise Conflict(
            "The call hasn't happened yet: you can mark it delivered once it has ended."
        )


def reschedule(
    session: Session,
    engagement: Engagement,
    actor_id: int,
    wanted: object,
    clock: Clock = system_clock,
) -> datetime:
    """Move an agreed call to another free slot of the helper's. The asker
    may until the free-cancellation window; the helper may always (it is
    their time), and the asker may then cancel for free."""
    if engagement.status not in (Status.PROPOSED, Status.ACCEPTED):
        raise Conflict(
            f"This engagement is {engagement.status}; its call can't move now."
        )
    if engagement.starts_at is None or engagement.ends_at is None:
        raise Conflict("This engagement has no agreed call time to move.")
    if actor_id == engagement.asker_id and late_for(engagement, clock):
        hours = engagement.cancel_free_hours
        raise NotAuthorized(
            f"It's less than {hours} hours before the call: too late to move "
            "it. Message them, or cancel (their policy charges a late cancel)."
        )
    if engagement.invite_sequence >= MAX_MOVES:
        # each move mails both an updated invite: not a way to flood them
        raise Conflict(
            f"This call has moved {MAX_MOVES} times already; agree a time in "
            "messages, or cancel and book again."
        )
    start = parse_slot(wanted)
    if start == engagement.starts_at:
        raise InvalidInput("That's the time already agreed; pick another.", "slot")
    minutes = int((engagement.ends_at - engagement.starts_at).total_seconds() // 60)
    _locked_availability(session, engagement.helper_id)
    _check_free(session, engagement, [start], minutes, clock, but=engagement.id)
    release(session, engagement.id)
    session.flush()
    session.add(
        BookedSlot(
            engagement_id=engagement.id,
            helper_id=engagement.helper_id,
            asker_id=engagement.asker_id,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
        )
    )
    _agree(engagement, start, minutes)
    engagement.invite_sequence += 1
    session.flush()
    return start


def expired_proposals(session: Session, clock: Clock, limit: int = 200) -> list[int]:
    """Proposals whose every held slot has started: nobody answered in time."""
    return list(
        session.exec(
            select(BookedSlot.engagement_id)
            .join(Engagement, col(Engagement.id) == BookedSlot.engagement_id)
            .where(Engagement.status == Status.PROPOSED)
            .group_by(BookedSlot.engagement_id)
            .having(func.max(BookedSlot.starts_at) <= clock.now())
            .order_by(BookedSlot.engagement_id)
            .limit(limit)
        ).all()
    )


def upcoming_calls(
    session: Session, member_id: int, *, since: datetime
) -> list[Engagement]:
    """A member's agreed calls (accepted, or done but not yet past) from
    `since`, soonest first: the calendar feed's rows."""
    mine = or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id)
    query = (
        select(Engagement)
        .where(
            mine,
            col(Engagement.starts_at).is_not(None),
            col(Engagement.ends_at) >= since,
            col(Engagement.status).in_(
                [Status.ACCEPTED, Status.DELIVERED, Status.CONFIRMED]
            ),
        )
        .order_by(col(Engagement.starts_at))
    )
    return list(session.exec(query).all())


# ------------------------------------------------------------------ slot pickers


@dataclass(frozen=True)
class SlotChoice:
    value: str  # scheduling.slot_key: what the form sends back
    label: str  # "Tue 8 Dec, 14:00 CET", on the viewer's clock
    time: str  # "14:00", under the day's heading


@dataclass(frozen=True)
class SlotDay:
    day: str  # "Tuesday 8 December"
    slots: list[SlotChoice] = field(default_factory=list)


@dataclass(frozen=True)
class SlotPicker:
    """The free times a viewer may pick, grouped by their own local day."""

    days: list[SlotDay] = field(default_factory=list)
    zone: str = "UTC"  # the viewer's
    policy: str = ""  # "Free cancellation until 24 hours before."
    horizon_days: int = 0
    minutes: int = 0
    has_hours: bool = False  # the helper has set weekly hours at all


def slot_label(start: datetime, zone: str) -> str:
    at = local(start, zone)
    return f"{at:%a} {at.day} {at:%b}, {at:%H:%M} {at.tzname()}"


def group_slots(starts: list[datetime], zone: str) -> list[SlotDay]:
    days: dict[str, list[SlotChoice]] = {}
    for start in starts:
        at = local(start, zone)
        heading = f"{at:%A} {at.day} {at:%B}"
        days.setdefault(heading, []).append(
            SlotChoice(slot_key(start), slot_label(start, zone), f"{at:%H:%M}")
        )
    return [SlotDay(day, slots) for day, slots in days.items()]


def policy_sentence(hours: int) -> str:
    if not hours:
        return "Free to move or cancel until the call starts."
    return f"Free cancellation until {hours} hours before."


def slot_choices(
    session: Session,
    *,
    viewer_id: int,
    listing_id: object,
    hours: int = 1,
    clock: Clock = system_clock,
) -> SlotPicker:
    """What a slot picker shows `viewer_id` on a listing they may see: an
    offer's author's free times (to book one), or, on a request with a call,
    the viewer's own free times (to propose some). Empty when it is not a
    call or the viewer is the offer's author."""
    listing = visible_listing(session, viewer_id, listing_id)
    minutes = call_minutes(listing, hours)
    if minutes is None or (listing.kind == "offer" and listing.author_id == viewer_id):
        return SlotPicker()
    if listing.kind == "offer":
        helper, asker = listing.author_id, viewer_id
    else:
        helper, asker = viewer_id, listing.author_id
    schedule = schedule_of(session, helper)
    zone = members.timezone_of(session, viewer_id)
    starts = open_slots(
        session, helper_id=helper, minutes=minutes, asker_id=asker, clock=clock
    )
    return SlotPicker(
        days=group_slots(starts, zone),
        zone=zone,
        policy=policy_sentence(schedule.cancel_free_hours) if schedule else "",
        horizon_days=schedule.horizon_days if schedule else 0,
        minutes=minutes,
        has_hours=bool(schedule and schedule.windows),
    )
