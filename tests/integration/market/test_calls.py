"""Calls as two members book them: a helper's hours open slots, a booking
holds one, twenty people racing for it leave exactly one booking, and the
call's clock decides when it can be accepted, moved, cancelled for free,
reported as a no-show or delivered. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.domain.scheduling import slot_key
from marketplace.market import calls, engagement_views, engagements, listings
from marketplace.market.engagement_views import engagement_view, engagements_of
from marketplace.models import (
    Availability,
    AvailabilityWindow,
    BookedSlot,
    Engagement,
    Listing,
    Member,
)
from tests.integration.ledger.test_ledger_concurrency import all_at_once, errors
from tests.integration.ledger.test_wallet import available, member
from tests.integration.market.test_page_queries import counted

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)  # a Friday
EVERY_DAY = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)]


def hours_for(person, clock, **changes) -> None:
    form = {
        "timezone": "UTC",
        "windows": EVERY_DAY,
        "buffer_minutes": 0,
        "min_notice_hours": 0,
        "horizon_days": 14,
        "cancel_free_hours": 24,
        "meeting_link": "https://meet.example.com/bob",
    } | changes
    with unit_of_work() as s:
        calls.save_availability(s, actor_id=person.member_id, form=form, clock=clock)


def call_listing(author, kind="offer", terms="free", price=0, minutes=30) -> int:
    form = {
        "kind": kind,
        "title": "Thirty minutes on your pricing page",
        "description": "A call: bring the page.",
        "tags": "pricing",
        "terms": terms,
        "price": price,
        "capacity": 5,
        "audience": "public",
    }
    with unit_of_work() as s:
        listing = listings.create_listing(s, actor_id=author.member_id, form=form)
        listing.duration_minutes = minutes
        s.add(listing)
        return listing.id


def free(helper, clock, minutes=30, asker=None) -> list[datetime]:
    with read_only() as s:
        return calls.open_slots(
            s,
            helper_id=helper.member_id,
            minutes=minutes,
            asker_id=asker.member_id if asker else None,
            clock=clock,
        )


def book(asker, listing_id, slot, clock) -> int:
    with unit_of_work() as s:
        return engagements.propose(
            s, actor_id=asker.member_id, listing_id=listing_id, slot=slot, clock=clock
        ).id


def act(actor, engagement_id, action, clock, note="", slot=None) -> str:
    with unit_of_work() as s:
        return engagements.act(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            action=action,
            note=note,
            slot=slot,
            clock=clock,
        ).status


def engagement(engagement_id) -> Engagement:
    with read_only() as s:
        return s.get(Engagement, engagement_id)


def held_starts() -> list[datetime]:
    with read_only() as s:
        return list(s.exec(select(BookedSlot.starts_at)).all())


def engagement_count() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(Engagement)).one()


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def booked(ada, bo, clock):
    """Ada booked Bob's 30-minute free call for Monday 09:00 UTC."""
    hours_for(bo, clock)
    offer = call_listing(bo)
    slot = free(bo, clock)[0]
    return book(ada, offer, slot_key(slot), clock), offer, slot


# ------------------------------------------------------------------------ booking


def test_a_booking_holds_its_slot_and_a_decline_lets_it_go(ada, bo, cy, clock, booked):
    engagement_id, _offer, slot = booked
    assert slot == datetime(2027, 1, 2, 9, tzinfo=UTC)  # Saturday: every day
    assert slot not in free(bo, clock)
    assert engagement(engagement_id).starts_at == slot
    assert engagement(engagement_id).ends_at == slot + timedelta(minutes=30)
    act(bo, engagement_id, "decline", clock)
    assert slot in free(bo, clock) and held_starts() == []


def test_twenty_people_racing_for_one_slot_leave_exactly_one_booking(bo, clock):
    hours_for(bo, clock)
    offer = call_listing(bo)
    slot = slot_key(free(bo, clock)[0])
    askers = [member(f"racer{i}") for i in range(20)]
    results = all_at_once(lambda i: book(askers[i], offer, slot, clock), n=20)
    refused = errors(results)
    assert len(refused) == 19, refused
    assert all(isinstance(r, Conflict) for r in refused), refused
    assert "isn't free any more" in str(refused[0])
    assert len(held_starts()) == 1 and engagement_count() == 1


@pytest.mark.parametrize(
    ("slot", "error", "says"),
    [
        ("tomorrow at ten", InvalidInput, "Pick a time from the list"),
        ("2026-12-31T09:00:00Z", InvalidInput, "has passed"),
        ("2027-01-02T15:00:00Z", Conflict, "isn't free"),  # outside 09-12
        ("2027-01-02T09:07:00Z", Conflict, "isn't free"),  # not a slot start
        ("2027-06-01T09:00:00Z", Conflict, "isn't free"),  # past the horizon
        ("", InvalidInput, "Pick a time for the call"),
        (["2027-01-02T09:00:00Z"] * 4, InvalidInput, "at most 3"),
    ],
)
def test_a_forged_slot_is_refused_and_books_nothing(ada, bo, clock, slot, error, says):
    hours_for(bo, clock)
    offer = call_listing(bo)
    with pytest.raises(error, match=says):
        book(ada, offer, slot, clock)
    assert engagement_count() == 0 and held_starts() == []


def test_a_call_offer_cannot_be_booked_before_its_helper_sets_hours(ada, bo, clock):
    offer = call_listing(bo)
    with pytest.raises(Conflict, match="haven't set the hours"):
        book(ada, offer, "2027-01-02T09:00:00Z", clock)
    assert engagement_count() == 0


def test_a_slot_sent_to_a_listing_that_is_not_a_call_is_refused(ada, bo, clock):
    with unit_of_work() as s:
        plain = listings.create_listing(
            s,
            actor_id=bo.member_id,
            form={
                "kind": "offer",
                "title": "Written notes on your deck",
                "terms": "free",
                "capacity": 1,
                "audience": "public",
            },
        ).id
    with pytest.raises(InvalidInput, match="isn't booked as a call"):
        book(ada, plain, "2027-01-02T09:00:00Z", clock)


def test_the_asker_can_not_be_booked_twice_at_once(ada, bo, cy, clock):
    hours_for(bo, clock)
    hours_for(cy, clock)
    first = book(ada, call_listing(bo), "2027-01-02T09:00:00Z", clock)
    assert first
    # Cy has the same hours, but Ada is already on a call then
    assert datetime(2027, 1, 2, 9, tzinfo=UTC) not in free(cy, clock, asker=ada)
    with pytest.raises(Conflict):
        book(ada, call_listing(cy), "2027-01-02T09:00:00Z", clock)


def test_saving_overlapping_hours_is_refused_and_keeps_the_old_ones(bo, clock):
    hours_for(bo, clock)
    overlapping = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 0, "start": "11:30", "end": "13:00"},
    ]
    with pytest.raises(InvalidInput, match="overlaps"):
        hours_for(bo, clock, windows=overlapping)
    with pytest.raises(InvalidInput, match="no time zone called"):
        hours_for(bo, clock, timezone="Atlantis/Lost_City")
    with read_only() as s:
        assert len(s.exec(select(AvailabilityWindow)).all()) == 7
        assert s.get(Availability, bo.member_id).timezone == "UTC"


# ------------------------------------------------------------------ a request's answer


def test_a_helper_proposes_three_times_and_the_asker_picks_one(ada, bo, clock):
    hours_for(bo, clock)
    request = call_listing(ada, kind="request")
    times = [slot_key(s) for s in free(bo, clock)[:6:2]]
    answer = book(bo, request, times, clock)
    assert len(held_starts()) == 3 and engagement(answer).starts_at is None
    with pytest.raises(InvalidInput, match="Pick one of the times"):
        act(ada, answer, "accept", clock)
    with pytest.raises(InvalidInput, match="Pick one of the times"):
        act(ada, answer, "accept", clock, slot="2027-01-05T09:00:00Z")
    assert act(ada, answer, "accept", clock, slot=times[1]) == "accepted"
    agreed = engagement(answer)
    assert slot_key(agreed.starts_at) == times[1]
    assert [slot_key(s) for s in held_starts()] == [times[1]]


def test_proposing_overlapping_times_is_refused(ada, bo, clock):
    hours_for(bo, clock)
    request = call_listing(ada, kind="request")
    with pytest.raises(InvalidInput, match="overlap"):
        book(bo, request, ["2027-01-02T09:00:00Z", "2027-01-02T09:15:00Z"], clock)


# ---------------------------------------------------------------------- the clock


def test_delivered_is_offered_only_once_the_call_has_ended(ada, bo, clock, booked):
    engagement_id, _offer, slot = booked
    act(bo, engagement_id, "accept", clock)
    with pytest.raises(Conflict, match="once it has ended"):
        act(bo, engagement_id, "deliver", clock)
    clock.advance(slot + timedelta(minutes=30) - NOW)
    assert act(bo, engagement_id, "deliver", clock) == "delivered"


def test_a_no_show_goes_to_the_disputes_desk_once_the_call_has_started(
    ada, bo, clock, booked
):
    engagement_id, _offer, slot = booked
    act(bo, engagement_id, "accept", clock)
    with pytest.raises(InvalidInput, match="Say what went wrong"):
        act(ada, engagement_id, "no_show", clock)
    with pytest.raises(Conflict, match="hasn't started yet"):
        act(ada, engagement_id, "no_show", clock, note="Nobody came")
    clock.advance(slot + timedelta(minutes=12) - NOW)
    assert act(ada, engagement_id, "no_show", clock, note="Nobody came") == "disputed"
    assert engagement(engagement_id).dispute_reason == (
        "No-show reported by Ada: Nobody came"
    )


def test_a_proposal_nobody_answered_expires_when_its_time_passes(
    ada, bo, clock, booked
):
    engagement_id, _offer, slot = booked
    with unit_of_work() as s:
        assert engagements.expire_passed_calls(s, clock=clock) == 0
    clock.advance(slot - NOW + timedelta(minutes=1))
    with unit_of_work() as s:
        assert engagements.expire_passed_calls(s, clock=clock) == 1
    assert engagement(engagement_id).status == "cancelled" and held_starts() == []
    with pytest.raises(InvalidInput):  # nobody may expire one by hand
        act(ada, engagement_id, "expire", clock)


def test_accepting_after_the_time_passed_is_refused(ada, bo, clock, booked):
    engagement_id, _offer, slot = booked
    clock.advance(slot - NOW + timedelta(minutes=1))
    with pytest.raises(Conflict, match="time has passed"):
        act(bo, engagement_id, "accept", clock)
    assert engagement(engagement_id).status == "proposed"


# ------------------------------------------------------------------ policy: money


def karma_call(ada, bo, clock, price=4) -> tuple[int, datetime]:
    hours_for(bo, clock, min_notice_hours=0)
    offer = call_listing(bo, terms="karma", price=price)
    slot = free(bo, clock)[0]
    engagement_id = book(ada, offer, slot_key(slot), clock)
    act(bo, engagement_id, "accept", clock)
    return engagement_id, slot


def test_the_asker_cancelling_inside_the_window_pays_the_helper(ada, bo, clock):
    engagement_id, _slot = karma_call(ada, bo, clock)
    assert available(ada.member_id) == -4
    # NOW is 12:00 Friday, the call 09:00 Saturday: 21 hours, policy 24
    assert act(ada, engagement_id, "cancel", clock) == "cancelled"
    assert available(ada.member_id) == -4 and available(bo.member_id) == 4
    assert held_starts() == []


def test_a_cancel_before_the_window_is_free(ada, bo, clock):
    hours_for(bo, clock, cancel_free_hours=2)
    offer = call_listing(bo, terms="karma", price=4)
    engagement_id = book(ada, offer, slot_key(free(bo, clock)[0]), clock)
    act(bo, engagement_id, "accept", clock)
    act(ada, engagement_id, "cancel", clock)
    assert available(ada.member_id) == 0 and available(bo.member_id) == 0


def test_the_helper_cancelling_late_never_charges_the_asker(ada, bo, clock):
    engagement_id, _slot = karma_call(ada, bo, clock)
    act(bo, engagement_id, "cancel", clock)
    assert available(ada.member_id) == 0 and available(bo.member_id) == 0


def test_the_policy_agreed_at_booking_holds_after_the_helper_changes_it(ada, bo, clock):
    hours_for(bo, clock, cancel_free_hours=2)
    offer = call_listing(bo, terms="karma", price=4)
    engagement_id = book(ada, offer, slot_key(free(bo, clock)[0]), clock)
    hours_for(bo, clock, cancel_free_hours=48)  # stricter, afterwards
    act(bo, engagement_id, "accept", clock)
    act(ada, engagement_id, "cancel", clock)
    assert available(ada.member_id) == 0  # still free, as agreed


# ------------------------------------------------------------------------ reschedule


def move(actor, engagement_id, slot, clock) -> Engagement:
    with unit_of_work() as s:
        return engagements.reschedule(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            slot=slot,
            clock=clock,
        )


def test_moving_a_call_frees_the_old_slot_and_raises_the_sequence(ada, bo, clock):
    hours_for(bo, clock, cancel_free_hours=2)
    offer = call_listing(bo)
    first, later = free(bo, clock)[0], free(bo, clock)[4]
    engagement_id = book(ada, offer, slot_key(first), clock)
    act(bo, engagement_id, "accept", clock)
    moved = move(ada, engagement_id, slot_key(later), clock)
    assert moved.starts_at == later and moved.invite_sequence == 1
    assert first in free(bo, clock) and later not in free(bo, clock)
    assert held_starts() == [later]


def test_the_asker_cannot_move_a_call_inside_the_window_but_the_helper_can(
    ada, bo, clock, booked
):
    engagement_id, _offer, slot = booked  # 21 h ahead, policy 24 h
    act(bo, engagement_id, "accept", clock)
    other = slot_key(free(bo, clock)[3])
    with pytest.raises(NotAuthorized, match="too late to move"):
        move(ada, engagement_id, other, clock)
    assert engagement(engagement_id).starts_at == slot
    assert move(bo, engagement_id, other, clock).invite_sequence == 1


def test_a_third_member_can_not_move_someone_elses_call(ada, bo, cy, clock, booked):
    engagement_id, _offer, slot = booked
    with pytest.raises(NotFound):
        move(cy, engagement_id, slot_key(free(bo, clock)[2]), clock)
    with pytest.raises(NotFound):
        act(cy, engagement_id, "no_show", clock, note="forged")
    assert engagement(engagement_id).starts_at == slot


def test_moving_to_a_taken_or_the_same_time_is_refused(ada, bo, cy, clock, booked):
    engagement_id, offer, slot = booked
    taken = free(bo, clock)[0]
    book(cy, offer, slot_key(taken), clock)
    with pytest.raises(Conflict, match="isn't free"):
        move(bo, engagement_id, slot_key(taken), clock)
    with pytest.raises(InvalidInput, match="already agreed"):
        move(bo, engagement_id, slot_key(slot), clock)
    with read_only() as s:
        assert s.get(Listing, offer).duration_minutes == 30
    assert engagement(engagement_id).invite_sequence == 0


def test_the_engagements_list_says_when_each_call_is_on_my_clock(
    ada, bo, clock, booked
):
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "Europe/Berlin"
    with read_only() as s:
        (mine,) = engagements_of(s, ada.member_id)
        (theirs,) = engagements_of(s, bo.member_id)
    assert mine.call_time == "Sat 2 Jan, 10:00 CET"  # 09:00 UTC
    assert theirs.call_time == "Sat 2 Jan, 09:00 UTC"


def test_the_dashboard_lists_my_next_agreed_calls_soonest_first(
    ada, bo, cy, clock, monkeypatch
):
    from marketplace.states.people import DashboardState
    from tests.integration.test_state_security import state_of

    hours_for(bo, clock)
    offer = call_listing(bo)
    later, sooner = free(bo, clock)[6], free(bo, clock)[0]
    first = book(ada, offer, slot_key(later), clock)
    second = book(cy, offer, slot_key(sooner), clock)
    waiting = book(ada, call_listing(bo), slot_key(free(bo, clock)[9]), clock)
    for engagement_id in (first, second):
        act(bo, engagement_id, "accept", clock)
    board = state_of(DashboardState, bo.token)
    list(DashboardState.load.fn(board))
    assert [c.id for c in board.next_calls] == [second, first]  # not `waiting`
    assert board.next_calls[0].call_time == "Sat 2 Jan, 09:00 UTC"
    assert waiting not in [c.id for c in board.next_calls]
    theirs = state_of(DashboardState, ada.token)
    list(DashboardState.load.fn(theirs))
    assert [c.id for c in theirs.next_calls] == [first]
    # drawn from the open engagements it read anyway, unless that list was
    # cut at its length: then the calls are read on their own
    with read_only() as s, counted() as found:
        engagement_views.open_and_next_calls(s, bo.member_id)
    assert not [q for q in found if "engagement.starts_at IS NOT NULL" in q]
    monkeypatch.setattr(engagement_views, "ROWS_SHOWN", 1)
    list(DashboardState.load.fn(board))
    assert [c.id for c in board.next_calls] == [second, first]


def test_a_call_moves_at_most_three_times_so_invites_cannot_flood(ada, bo, clock):
    hours_for(bo, clock, cancel_free_hours=0)
    engagement_id = book(ada, call_listing(bo), slot_key(free(bo, clock)[0]), clock)
    act(bo, engagement_id, "accept", clock)
    for n in (2, 4, 6):
        move(ada, engagement_id, slot_key(free(bo, clock)[n]), clock)
    before = engagement(engagement_id).starts_at
    with pytest.raises(Conflict, match="moved 3 times already"):
        move(ada, engagement_id, slot_key(free(bo, clock)[8]), clock)
    assert engagement(engagement_id).starts_at == before
    assert engagement(engagement_id).invite_sequence == 3
    with read_only() as s:
        shown = engagement_view(s, ada.member_id, engagement_id, clock=clock)
    assert not shown.can_move  # the page no longer offers "Move the call"


def test_booking_alone_never_shows_the_helpers_phone_number(ada, bo, clock):
    """A stranger can't book a call just to read where it happens (a phone
    number, a private room): the link shows once the helper accepts."""
    hours_for(bo, clock, meeting_link="+49 30 1234567")
    engagement_id = book(ada, call_listing(bo), slot_key(free(bo, clock)[0]), clock)
    with read_only() as s:
        waiting = engagement_view(s, ada.member_id, engagement_id, clock=clock)
    assert waiting.call_time and waiting.meeting_link == ""
    act(bo, engagement_id, "accept", clock)
    with read_only() as s:
        agreed = engagement_view(s, ada.member_id, engagement_id, clock=clock)
    assert agreed.meeting_link == "+49301234567"
