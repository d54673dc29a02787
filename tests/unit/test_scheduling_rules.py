"""Availability and free slots: wall-clock windows in the helper's zone,
counted in real minutes across daylight-saving changes, kept clear of busy
calls by the buffer, and every bad form field refused with a clear message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.domain.errors import InvalidInput
from marketplace.domain.scheduling import (
    Busy,
    Schedule,
    Window,
    check_duration,
    check_meeting_link,
    check_schedule,
    free_slots,
    is_late,
    parse_slot,
    slot_key,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY, SUNDAY = 0, 6


def hours(weekday: int, start: str, end: str) -> dict:
    return {"weekday": weekday, "start": start, "end": end}


def form(**changes) -> dict:
    return {
        "timezone": "Europe/Berlin",
        "windows": [hours(MONDAY, "09:00", "12:00")],
        "buffer_minutes": "0",
        "min_notice_hours": "0",
        "horizon_days": "14",
        "cancel_free_hours": "24",
        "blocked_days": "",
        "meeting_link": "",
    } | changes


def schedule(*windows: Window, zone="Europe/Berlin", **fields) -> Schedule:
    return Schedule(timezone=zone, windows=windows, min_notice_hours=0, **fields)


def local_starts(slots, zone) -> list[str]:
    return [s.astimezone(zone).strftime("%a %d %b %H:%M %Z") for s in slots]


# ----------------------------------------------------------------- wall clock


def test_a_monday_morning_in_berlin_is_the_same_local_hours_either_side_of_dst():
    # Berlin springs forward on Sunday 28 March 2027
    mornings = schedule(Window(MONDAY, 9 * 60, 11 * 60))
    slots = free_slots(
        mornings, 60, busy=[], now=datetime(2027, 3, 20, tzinfo=UTC), limit=100
    )
    shown = local_starts(slots, BERLIN)
    assert shown[:3] == [
        "Mon 22 Mar 09:00 CET",
        "Mon 22 Mar 09:30 CET",
        "Mon 22 Mar 10:00 CET",
    ]
    assert shown[3:6] == [
        "Mon 29 Mar 09:00 CEST",
        "Mon 29 Mar 09:30 CEST",
        "Mon 29 Mar 10:00 CEST",
    ]
    # the same local hour is an hour earlier in UTC once summer time starts
    assert slots[0].hour == 8 and slots[3].hour == 7


def test_the_night_the_clocks_spring_forward_has_an_hour_less_to_book():
    night = schedule(Window(SUNDAY, 1 * 60, 4 * 60))
    slots = free_slots(night, 60, busy=[], now=datetime(2027, 3, 27, tzinfo=UTC))
    on_the_day = [s for s in slots if s.astimezone(BERLIN).date() == date(2027, 3, 28)]
    # 01:00-04:00 local is only two real hours that night: 01:00, 01:30, 03:00
    assert local_starts(on_the_day, BERLIN) == [
        "Sun 28 Mar 01:00 CET",
        "Sun 28 Mar 01:30 CET",
        "Sun 28 Mar 03:00 CEST",
    ]
    assert all(
        s + timedelta(hours=1) <= datetime(2027, 3, 28, 2, tzinfo=UTC)
        for s in on_the_day
    )


def test_the_night_the_clocks_fall_back_has_an_hour_more_to_book():
    night = schedule(Window(SUNDAY, 1 * 60, 4 * 60))
    slots = free_slots(night, 60, busy=[], now=datetime(2027, 10, 30, tzinfo=UTC))
    on_the_day = [s for s in slots if s.astimezone(BERLIN).date() == date(2027, 10, 31)]
    # four real hours: seven 60-minute starts, half an hour apart
    assert len(on_the_day) == 7
    assert len(set(on_the_day)) == 7  # the repeated 02:xx hour is two real hours


def test_a_viewer_in_new_york_reads_a_berlin_helpers_slot_on_their_own_clock():
    slots = free_slots(
        schedule(Window(MONDAY, 9 * 60, 10 * 60)),
        30,
        busy=[],
        now=datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert local_starts(slots[:1], NEW_YORK) == ["Mon 04 Jan 03:00 EST"]
    assert slot_key(slots[0]) == "2027-01-04T08:00:00Z"


def test_a_window_to_midnight_takes_a_call_that_ends_at_midnight():
    late = schedule(Window(MONDAY, 23 * 60, 1440), zone="UTC")
    slots = free_slots(late, 60, busy=[], now=datetime(2027, 1, 1, tzinfo=UTC))
    assert slots[0] == datetime(2027, 1, 4, 23, tzinfo=UTC)


# ----------------------------------------------------------------- what takes a slot


def test_a_booked_call_and_its_buffer_take_the_slots_around_it():
    day = schedule(Window(MONDAY, 9 * 60, 12 * 60), zone="UTC", buffer_minutes=15)
    booked = Busy(
        datetime(2027, 1, 4, 10, tzinfo=UTC), datetime(2027, 1, 4, 10, 30, tzinfo=UTC)
    )
    slots = free_slots(day, 30, busy=[booked], now=datetime(2027, 1, 1, tzinfo=UTC))
    monday = [s.strftime("%H:%M") for s in slots if s.day == 4]
    # 09:30 would end at 10:00, inside the 15 minutes before; 10:30 starts
    # inside the 15 minutes after
    assert monday == ["09:00", "11:00", "11:30"]


def test_notice_and_horizon_bound_how_soon_and_how_far_a_call_can_be():
    now = datetime(2027, 1, 4, 8, tzinfo=UTC)  # a Monday
    every_day = tuple(Window(d, 9 * 60, 10 * 60) for d in range(7))
    plan = Schedule(
        timezone="UTC", windows=every_day, min_notice_hours=26, horizon_days=3
    )
    days = sorted({s.date() for s in free_slots(plan, 60, busy=[], now=now)})
    # not today nor tomorrow 09:00 (25 h away); nothing after the horizon
    assert days == [date(2027, 1, 6), date(2027, 1, 7)]


def test_a_blocked_day_has_no_slots_whatever_the_weekly_hours_say():
    plan = schedule(
        Window(MONDAY, 9 * 60, 10 * 60),
        zone="UTC",
        blocked_days=frozenset({date(2027, 1, 4)}),
    )
    slots = free_slots(plan, 30, busy=[], now=datetime(2027, 1, 1, tzinfo=UTC))
    assert slots[0].date() == date(2027, 1, 11)


def test_short_calls_start_every_quarter_hour_and_long_ones_every_half_hour():
    plan = schedule(Window(MONDAY, 9 * 60, 10 * 60), zone="UTC")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    quarter = [s.minute for s in free_slots(plan, 15, busy=[], now=now)[:4]]
    assert quarter == [0, 15, 30, 45]
    assert [s.minute for s in free_slots(plan, 30, busy=[], now=now)[:2]] == [0, 30]


def test_inside_the_free_cancellation_window_is_late():
    call = datetime(2027, 1, 4, 10, tzinfo=UTC)
    assert not is_late(call, call - timedelta(hours=25), 24)
    assert is_late(call, call - timedelta(hours=23), 24)
    assert not is_late(call, call - timedelta(minutes=1), 0)


# ----------------------------------------------------------------- bad input


def test_a_good_form_reads_as_the_schedule_it_describes():
    plan = check_schedule(
        form(
            windows=[hours(2, "14:00", "17:00"), hours(MONDAY, "09:00", "12:00")],
            blocked_days="2027-01-11, 2027-01-12",
            meeting_link="+49 30 1234567",
        ),
        today=date(2027, 1, 1),
    )
    assert [w.label for w in plan.windows] == [
        "Monday 09:00–12:00",
        "Wednesday 14:00–17:00",
    ]
    assert plan.blocked_days == {date(2027, 1, 11), date(2027, 1, 12)}
    assert plan.meeting_link == "+49301234567"


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "no time zone called"),
        ({"timezone": ""}, "timezone", "Choose your time zone"),
        (
            {"windows": [hours(0, "09:00", "12:00"), hours(0, "11:00", "14:00")]},
            "windows",
            "Monday 09:00–12:00 overlaps Monday 11:00–14:00",
        ),
        ({"windows": [hours(1, "12:00", "09:00")]}, "windows", "must end after"),
        ({"windows": [hours(7, "09:00", "10:00")]}, "windows", "Monday to Sunday"),
        ({"windows": [hours(1, "9am", "10:00")]}, "windows", "a time like 09:00"),
        ({"windows": [hours(1, "09:07", "10:00")]}, "windows", "quarter hour"),
        ({"windows": [hours(1, "25:00", "26:00")]}, "windows", "isn't a time of day"),
        ({"windows": "mondays"}, "windows", "malformed"),
        (
            {"windows": [hours(d % 7, "09:00", "09:15") for d in range(15)]},
            "windows",
            "At most",
        ),
        (
            {
                "windows": [
                    hours(2, "08:00", "09:00"),
                    hours(2, "10:00", "11:00"),
                    hours(2, "12:00", "13:00"),
                ]
            },
            "windows",
            "Wednesday: at most 2 windows a day",
        ),
        ({"buffer_minutes": "-5"}, "buffer_minutes", "whole number"),
        ({"buffer_minutes": "500"}, "buffer_minutes", "between 0 and 120"),
        ({"horizon_days": "0"}, "horizon_days", "between 1 and 90"),
        ({"min_notice_hours": True}, "min_notice_hours", "whole number"),
        ({"blocked_days": "next friday"}, "blocked_days", "isn't a date"),
        ({"meeting_link": "javascript:alert(1)"}, "meeting_link", "https://"),
        ({"meeting_link": "http://meet.example.com"}, "meeting_link", "https://"),
        ({"meeting_link": "+1 555"}, "meeting_link", "phone number"),
    ],
)
def test_a_bad_availability_form_is_refused_naming_the_field(changes, field, says):
    with pytest.raises(InvalidInput) as refused:
        check_schedule(form(**changes), today=date(2027, 1, 1))
    assert refused.value.field == field
    assert says in str(refused.value)


def test_days_off_that_already_passed_are_let_go_not_refused():
    plan = check_schedule(form(blocked_days=["2026-12-01"]), today=date(2027, 1, 1))
    assert plan.blocked_days == frozenset()


@pytest.mark.parametrize(
    "value",
    ["", "tomorrow", "2027-01-04 10:00", "2027-01-04T10:00:00+01:00", 12, None, ["x"]],
)
def test_a_slot_that_is_not_a_utc_start_from_the_list_is_refused(value):
    with pytest.raises(InvalidInput, match="Pick a time from the list"):
        parse_slot(value)


def test_a_slot_round_trips_through_its_form_value():
    start = datetime(2027, 1, 4, 8, 30, tzinfo=UTC)
    assert parse_slot(slot_key(start)) == start


@pytest.mark.parametrize("value", ["45", 90, "sixty", True])
def test_a_call_lasts_fifteen_thirty_or_sixty_minutes(value):
    with pytest.raises(InvalidInput, match="15, 30 or 60"):
        check_duration(value)


def test_no_duration_means_no_calendar():
    assert check_duration("") is None and check_duration("30") == 30


def test_a_video_link_is_kept_as_given():
    link = "https://meet.example.com/abc-defg-hij"
    assert check_meeting_link(link) == link
