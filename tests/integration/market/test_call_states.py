"""Calls as the pages drive them, and as a hostile browser can: setting my
hours, booking a free time, proposing times on a request, accepting one,
moving a call, reporting a no-show. Forged ids and forged times are refused
with a message and nothing changes. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.scheduling import slot_key
from marketplace.market import calls, engagements
from marketplace.models import (
    Availability,
    AvailabilityWindow,
    BlockedDay,
    BookedSlot,
    CalendarFeed,
    Engagement,
    Member,
)
from marketplace.states.availability import AvailabilityState
from marketplace.states.engagements import EngagementState
from marketplace.states.market import ListingState
from tests.integration.forms import posted, shown
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post
from tests.integration.test_state_security import state_of

ALL_WEEK = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]


@pytest.fixture
def trio(engine):
    return member("ada"), member("bob"), member("cyd")


def hours_form(**changes) -> dict:
    """The availability page's form: Monday to Friday 09:00-17:00."""
    form = {
        "timezone": "Europe/Berlin",
        "buffer_minutes": "10",
        "min_notice_hours": "2",
        "horizon_days": "14",
        "cancel_free_hours": "24",
        "meeting_link": "https://meet.example.com/bob",
    }
    for day in range(5):
        form |= {f"on-{day}": "on", f"start-{day}-1": "09:00", f"end-{day}-1": "17:00"}
    return form | changes


def set_hours(who, windows=ALL_WEEK, **rules) -> None:
    form = {
        "timezone": "UTC",
        "windows": windows,
        "buffer_minutes": 0,
        "min_notice_hours": 0,
        "horizon_days": 14,
        "cancel_free_hours": 24,
        "meeting_link": "https://meet.example.com/call",
    } | rules
    with unit_of_work() as s:
        calls.save_availability(s, actor_id=who.member_id, form=form)


def live_in(who, zone: str) -> None:
    with unit_of_work() as s:
        row = s.get(Member, who.member_id)
        row.timezone = zone
        s.add(row)


def written() -> tuple:
    with read_only() as s:
        return tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (Availability, AvailabilityWindow, BlockedDay, Engagement)
        ) + tuple(
            s.exec(select(BookedSlot.starts_at).order_by(BookedSlot.starts_at)).all()
        )


def call(eid: int) -> Engagement:
    with read_only() as s:
        return s.get(Engagement, eid)


def listing_state(who, listing_id: int):
    state = state_of(ListingState, who.token, url=f"/market/{listing_id}")
    ListingState.load.fn(state)
    return state


def engagement_state(who, eid: int):
    state = state_of(EngagementState, who.token, url=f"/engagements/{eid}")
    EngagementState.load.fn(state)
    return state


def book(state, listing_id: int, **fields) -> None:
    form = {"listing_id": str(listing_id), "note": "Hello"} | fields
    ListingState.propose.fn(state, posted(shown(state, "booking"), "booking", form))


def first_slot(state) -> str:
    return state.slot_days[0].slots[0].value


# ------------------------------------------------------------------ availability


def test_saving_my_hours_shows_them_and_the_times_people_see(trio):
    _, bob, _ = trio
    page = state_of(AvailabilityState, bob.token)
    AvailabilityState.load.fn(page)
    assert page.summary == ""  # not set yet: the page says so
    page.new_block = "2030-01-02"
    AvailabilityState.block_day.fn(page)
    AvailabilityState.save.fn(
        page,
        hours_form(**{"on-0": "on", "start-0-2": "18:00", "end-0-2": "19:00"}),
    )
    assert page.form_error == ""
    assert page.summary.startswith("Mon 09:00–17:00, Mon 18:00–19:00, Tue")
    assert page.summary.endswith("(Europe/Berlin)")
    assert page.preview and all("CE" in label for label in page.preview)
    assert page.blocked == ["2030-01-02"]
    monday = page.days[0]
    assert (monday.on, monday.start2, monday.end2) == (True, "18:00", "19:00")
    assert not page.days[6].on


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"start-0-2": "12:00", "end-0-2": "18:00"},
            "Monday 09:00–17:00 overlaps Monday 12:00–18:00",
        ),
        ({"timezone": "Mars/Olympus"}, "no time zone called 'Mars/Olympus'"),
        ({"start-2-1": "17:00", "end-2-1": "09:00"}, "Wednesday: the window must end"),
        ({"end-3-1": ""}, "Thursday: give both a start and an end"),
        ({"start-1-1": "09:10"}, "quarter hour"),
        ({"buffer_minutes": "-5"}, "Buffer between calls"),
        ({"meeting_link": "javascript:alert(1)"}, "https://"),
    ],
)
def test_bad_hours_are_refused_with_a_message_and_nothing_is_written(
    trio, changes, message
):
    _, bob, _ = trio
    set_hours(bob)
    before = written()
    page = state_of(AvailabilityState, bob.token)
    AvailabilityState.load.fn(page)
    AvailabilityState.save.fn(page, hours_form(**changes))
    assert message in page.form_error
    assert written() == before


def test_a_forged_blocked_day_is_refused_and_nothing_is_written(trio):
    _, bob, _ = trio
    page = state_of(AvailabilityState, bob.token)
    AvailabilityState.load.fn(page)
    page.new_block = "not-a-date"
    AvailabilityState.block_day.fn(page)
    AvailabilityState.save.fn(page, hours_form())
    assert "isn't a date" in page.form_error
    assert written()[:3] == (0, 0, 0)


def test_the_calendar_link_is_shown_once_and_a_revoked_one_is_gone(trio):
    ada, bob, _ = trio
    page = state_of(AvailabilityState, bob.token)
    AvailabilityState.load.fn(page)
    assert not page.feed_on
    AvailabilityState.make_feed_link.fn(page)
    link = page.feed_link
    assert link.endswith(".ics") and "/api/calendar/" in link
    with read_only() as s:
        stored = s.get(CalendarFeed, bob.member_id).token_hash
    assert stored not in link  # only its hash is kept
    AvailabilityState.load.fn(page)  # come back later: the link isn't shown again
    assert (page.feed_on, page.feed_link) == (True, "")
    AvailabilityState.revoke_feed_link.fn(page)
    assert (page.feed_on, page.feed_link) == (False, "")
    AvailabilityState.load.fn(page)
    assert (page.feed_on, page.feed_link) == (False, "")
    # Ada's page never shows Bob's link
    other = state_of(AvailabilityState, ada.token)
    AvailabilityState.load.fn(other)
    assert (other.feed_on, other.feed_link) == (False, "")


# ------------------------------------------------------------------ slot picker


def test_a_call_offer_shows_free_times_in_my_zone_and_books_one(trio):
    ada, bob, _ = trio
    set_hours(bob)
    live_in(ada, "Asia/Kolkata")
    listing_id = post(bob, kind="offer", duration="30")
    page = listing_state(ada, listing_id)
    assert page.is_call and page.can_book
    assert page.slot_zone == "Asia/Kolkata"
    assert "IST" in page.slot_days[0].slots[0].label
    assert page.slot_policy == "Free cancellation until 24 hours before."
    slot = first_slot(page)
    book(page, listing_id, slot=slot)
    assert page.action_error == ""
    with read_only() as s:
        booked = s.exec(select(Engagement)).one()
    assert slot_key(booked.starts_at) == slot
    assert booked.ends_at - booked.starts_at == timedelta(minutes=30)


def test_without_hours_an_offer_has_no_book_button_and_its_author_is_told(trio):
    ada, bob, _ = trio
    listing_id = post(bob, kind="offer", duration="30")
    page = listing_state(ada, listing_id)
    assert page.is_call and not page.helper_has_hours and not page.can_book
    assert listing_state(bob, listing_id).listing.needs_hours
    set_hours(bob)
    assert not listing_state(bob, listing_id).listing.needs_hours


def test_an_hourly_offer_reloads_longer_slots_when_the_hours_change(trio, monkeypatch):
    ada, bob, _ = trio
    set_hours(bob, windows=[{"weekday": d, "start": "09:00", "end": "12:00"}
                            for d in range(7)])  # fmt: skip
    listing_id = post(bob, kind="offer", duration="60")
    with unit_of_work() as s:  # paid hourly, without a card set-up
        from marketplace.models import Listing

        row = s.get(Listing, listing_id)
        row.terms, row.rate_kind, row.currency = "paid", "hourly", "usd"
        s.add(row)
    page = listing_state(ada, listing_id)
    one_hour = sum(len(d.slots) for d in page.slot_days)
    ListingState.change_hours.fn(page, "3")
    three_hours = sum(len(d.slots) for d in page.slot_days)
    assert 0 < three_hours < one_hour
    ListingState.change_hours.fn(page, "99")
    assert "Book between 1 and 8 hours" in page.action_error


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ("2020-01-06T09:00:00Z", "That time has passed"),
        ("not a time", "Pick a time from the list"),
        ("", "Pick a time for the call"),
        ("2999-01-07T09:00:00Z", "isn't free any more"),  # beyond the horizon
        ("odd-hour", "isn't free any more"),  # outside the helper's hours
    ],
)
def test_a_forged_time_on_a_booking_gets_a_message_and_books_nothing(
    trio, slot, message
):
    ada, bob, _ = trio
    set_hours(bob, windows=[{"weekday": d, "start": "09:00", "end": "12:00"}
                            for d in range(7)])  # fmt: skip
    listing_id = post(bob, kind="offer", duration="30")
    page = listing_state(ada, listing_id)
    if slot == "odd-hour":  # 03:00 UTC tomorrow: outside 09:00-12:00
        tomorrow = datetime.now(UTC).date() + timedelta(days=1)
        slot = f"{tomorrow.isoformat()}T03:00:00Z"
    before = written()
    book(page, listing_id, slot=slot)
    assert message in page.action_error
    assert written() == before


def test_a_helper_proposes_up_to_three_of_their_times_and_no_more(trio):
    ada, bob, _ = trio
    set_hours(bob)
    listing_id = post(ada, kind="request", duration="30")
    page = listing_state(bob, listing_id)
    assert page.is_call and page.can_book  # an answer may propose no time
    values = [slot.value for day in page.slot_days for slot in day.slots]
    before = written()
    book(page, listing_id, **{f"slot:{v}": "on" for v in values[:10]})
    assert "Propose at most 3 times" in page.action_error
    assert written() == before
    book(page, listing_id, **{f"slot:{v}": "on" for v in values[:4:2]})
    assert page.action_error == ""
    with read_only() as s:
        eid = s.exec(select(Engagement.id)).one()
        assert len(calls.proposed_starts(s, eid)) == 2


# -------------------------------------------------------------- engagement page


def booked_call(ada, bob, *, clock=None, terms="free", price=0, days=3) -> int:
    """Ada books Bob's 30-minute call at his first free time `days` ahead
    (outside his free-cancellation window); Bob accepts."""
    listing_id = post(bob, kind="offer", duration="30", terms=terms, price=price)
    extra = {"clock": clock} if clock else {}
    with unit_of_work() as s:
        now = (clock or FixedClock(datetime.now(UTC))).now()
        start = next(
            t
            for t in calls.open_slots(
                s,
                helper_id=bob.member_id,
                minutes=30,
                asker_id=ada.member_id,
                limit=10_000,
                **extra,
            )
            if t >= now + timedelta(days=days)
        )
        eid = engagements.propose(
            s,
            actor_id=ada.member_id,
            listing_id=listing_id,
            slot=slot_key(start),
            **extra,
        ).id
    with unit_of_work() as s:
        engagements.act(
            s, actor_id=bob.member_id, engagement_id=eid, action="accept", **extra
        )
    return eid


def test_the_call_shows_its_time_on_both_clocks_its_link_and_policy(trio):
    ada, bob, _ = trio
    set_hours(bob)
    live_in(ada, "America/New_York")
    eid = booked_call(ada, bob)
    page = engagement_state(ada, eid)
    e = page.engagement
    assert ("EST" in e.call_time) and e.call_time_other.endswith("UTC for Bob")
    assert e.call_length == "30 minutes"
    assert e.meeting_link == "https://meet.example.com/call"
    assert e.call_policy.startswith("Free to move or cancel until ")
    assert e.can_move and not e.can_report_no_show
    assert "deliver" not in [a["action"] for a in engagement_state(bob, eid)
                             .engagement.actions]  # fmt: skip
    assert page.move_days


def test_a_party_moves_the_call_and_another_member_cannot(trio):
    ada, bob, cyd = trio
    set_hours(bob)
    eid = booked_call(ada, bob)
    page = engagement_state(ada, eid)
    target = page.move_days[1].slots[0].value
    before = call(eid).starts_at

    intruder = engagement_state(cyd, eid)
    assert intruder.not_found
    EngagementState.reschedule.fn(intruder, {"engagement_id": str(eid), "slot": target})
    assert "No such engagement" in intruder.move_error
    assert call(eid).starts_at == before

    for forged in ("garbage", "2020-01-01T09:00:00Z", slot_key(before)):
        EngagementState.reschedule.fn(page, {"engagement_id": str(eid), "slot": forged})
        assert page.move_error
        assert call(eid).starts_at == before

    EngagementState.reschedule.fn(page, {"engagement_id": str(eid), "slot": target})
    assert page.move_error == ""
    assert slot_key(call(eid).starts_at) == target
    assert call(eid).invite_sequence == 1


def test_a_no_show_is_offered_after_the_start_and_only_to_the_two(trio):
    ada, bob, cyd = trio
    set_hours(bob)
    past = FixedClock(datetime.now(UTC) - timedelta(days=2))
    eid = booked_call(ada, bob, clock=past, days=0)
    page = engagement_state(ada, eid)
    assert page.engagement.can_report_no_show and not page.engagement.can_move

    intruder = engagement_state(cyd, eid)
    EngagementState.act.fn(
        intruder,
        {"engagement_id": str(eid), "action": "no_show", "note": "Nobody came"},
    )
    assert "No such engagement" in intruder.action_error
    assert call(eid).status == "accepted"

    EngagementState.act.fn(page, {"engagement_id": str(eid), "action": "no_show"})
    assert "Say what went wrong" in page.action_error
    assert call(eid).status == "accepted"

    EngagementState.act.fn(
        page, {"engagement_id": str(eid), "action": "no_show", "note": "Nobody came"}
    )
    assert call(eid).status == "disputed"
    assert "No-show reported by Ada: Nobody came" in call(eid).dispute_reason


def test_a_no_show_before_the_call_is_refused(trio):
    ada, bob, _ = trio
    set_hours(bob)
    eid = booked_call(ada, bob)
    page = engagement_state(ada, eid)
    assert not page.engagement.can_report_no_show
    EngagementState.act.fn(
        page, {"engagement_id": str(eid), "action": "no_show", "note": "Nope"}
    )
    assert "hasn't started yet" in page.action_error
    assert call(eid).status == "accepted"


def test_the_asker_accepts_one_of_the_proposed_times_and_no_one_else_can(trio):
    ada, bob, cyd = trio
    set_hours(bob)
    listing_id = post(ada, kind="request", duration="30")
    answer = listing_state(bob, listing_id)
    values = [slot.value for day in answer.slot_days for slot in day.slots][:6:2]
    book(answer, listing_id, **{f"slot:{v}": "on" for v in values})
    with read_only() as s:
        eid = s.exec(select(Engagement.id)).one()

    page = engagement_state(ada, eid)
    assert [t["value"] for t in page.engagement.proposed_times] == values
    assert "accept" in [a["action"] for a in page.engagement.actions]

    intruder = engagement_state(cyd, eid)
    EngagementState.act.fn(
        intruder, {"engagement_id": str(eid), "action": "accept", "slot": values[1]}
    )
    assert "No such engagement" in intruder.action_error
    # the helper who proposed can't pick for the asker
    mine = engagement_state(bob, eid)
    EngagementState.act.fn(
        mine, {"engagement_id": str(eid), "action": "accept", "slot": values[1]}
    )
    assert mine.action_error
    for forged in (None, "garbage", "2031-01-01T09:00:00Z", [values[0], values[1]]):
        EngagementState.act.fn(
            page, {"engagement_id": str(eid), "action": "accept", "slot": forged}
        )
        assert page.action_error
        assert call(eid).status == "proposed" and call(eid).starts_at is None

    EngagementState.act.fn(
        page, {"engagement_id": str(eid), "action": "accept", "slot": values[1]}
    )
    assert call(eid).status == "accepted"
    assert slot_key(call(eid).starts_at) == values[1]
    with read_only() as s:
        assert calls.proposed_starts(s, eid) == [call(eid).starts_at]
    view = engagement_state(ada, eid).engagement
    assert view.proposed_times == [] and view.call_time


def test_a_late_cancel_by_the_asker_is_said_before_it_is_made(trio):
    ada, bob, _ = trio
    set_hours(bob, cancel_free_hours=24 * 7)
    eid = booked_call(ada, bob, terms="karma", price=1)
    asker = engagement_state(ada, eid).engagement
    assert "cancelling now pays Bob" in asker.late_cancel
    assert not asker.can_move  # too late for the asker to move it
    helper = engagement_state(bob, eid).engagement
    assert helper.late_cancel == "" and helper.can_move  # their own time
