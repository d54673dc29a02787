"""Calendar files for calls, read back by two parsers (icalendar and
vobject) as a calendar app would: the method, one UID for the call, the
sequence, the times in UTC, who organises and attends, where to join; and
members' words that can't break out of their property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from marketplace.domain.calendar_invites import (
    CANCEL,
    REQUEST,
    Call,
    Person,
    call_uid,
    feed,
    invite,
    plain_name,
)

HOST = "karma.example"
BOB = Person("Bob Helper", "bob@example.com")
ADA = Person("Ada Asker", "ada@example.com")
START = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
STAMP = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def call(**changes) -> Call:
    fields = {
        "engagement_id": 42,
        "title": "Review my pricing page",
        "helper": BOB,
        "asker": ADA,
        "starts_at": START,
        "ends_at": START + timedelta(minutes=30),
        "sequence": 0,
        "meeting_link": "https://meet.example.com/abc",
        "page_url": f"https://{HOST}/engagements/42",
    } | changes
    return Call(**fields)


def parsed(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_an_invite_is_a_request_organised_by_the_helper_with_both_attending():
    data = invite(call(), method=REQUEST, recipient=ADA, host=HOST, stamp=STAMP)
    calendar, event = parsed(data)
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert str(event["UID"]) == "engagement-42@karma.example"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=30)
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert b"DTSTART:20261208T130000Z" in data  # UTC, no zone to resolve
    assert str(event["ORGANIZER"]) == "mailto:bob@example.com"
    assert event["ORGANIZER"].params["CN"] == "Bob Helper"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:bob@example.com", "mailto:ada@example.com"}
    assert attendees["mailto:ada@example.com"]["ROLE"] == "REQ-PARTICIPANT"
    assert event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "https://meet.example.com/abc"
    assert "https://meet.example.com/abc" in event["DESCRIPTION"]
    assert str(event["URL"]) == "https://karma.example/engagements/42"
    # each person's copy names the other
    assert event["SUMMARY"] == "Review my pricing page with Bob Helper"
    bobs = parsed(invite(call(), method=REQUEST, recipient=BOB, host=HOST, stamp=STAMP))
    assert bobs[1]["SUMMARY"] == "Review my pricing page with Ada Asker"


def test_request_update_and_cancel_share_the_uid_with_a_rising_sequence():
    files = [
        invite(call(sequence=0), method=REQUEST, recipient=ADA, host=HOST, stamp=STAMP),
        invite(
            call(sequence=1, starts_at=START + timedelta(days=1)),
            method=REQUEST,
            recipient=ADA,
            host=HOST,
            stamp=STAMP,
        ),
        invite(call(sequence=2), method=CANCEL, recipient=ADA, host=HOST, stamp=STAMP),
    ]
    read = [vobject.readOne(f.decode()) for f in files]
    assert [c.method.value for c in read] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {c.vevent.uid.value for c in read} == {call_uid(42, HOST)}
    assert [int(c.vevent.sequence.value) for c in read] == [0, 1, 2]
    assert read[1].vevent.dtstart.value == START + timedelta(days=1)
    assert read[2].vevent.status.value == "CANCELLED"


def test_a_second_parser_reads_the_same_times_people_and_place():
    data = invite(call(), method=REQUEST, recipient=BOB, host=HOST, stamp=STAMP)
    event = vobject.readOne(data.decode()).vevent
    assert event.dtstart.value == START and event.dtstart.value.utcoffset() == (
        timedelta(0)
    )
    assert event.dtend.value == START + timedelta(minutes=30)
    assert event.organizer.value == "mailto:bob@example.com"
    assert sorted(a.value for a in event.attendee_list) == [
        "mailto:ada@example.com",
        "mailto:bob@example.com",
    ]
    assert event.location.value == "https://meet.example.com/abc"


def test_a_local_start_is_written_in_utc():
    berlin = START.astimezone(ZoneInfo("Europe/Berlin"))
    data = invite(
        call(starts_at=berlin, ends_at=berlin + timedelta(hours=1)),
        method=REQUEST,
        recipient=ADA,
        host=HOST,
        stamp=STAMP,
    )
    assert b"DTSTART:20261208T130000Z" in data and b"DTEND:20261208T140000Z" in data


def test_a_phone_number_is_dialled_through_tel():
    data = invite(
        call(meeting_link="+493012345678"),
        method=REQUEST,
        recipient=ADA,
        host=HOST,
        stamp=STAMP,
    )
    _, event = parsed(data)
    assert event["LOCATION"] == "+493012345678"
    assert "tel:+493012345678" in event["DESCRIPTION"]
    assert b"CONFERENCE;FEATURE=PHONE;VALUE=URI:tel:+493012345678" in data


def test_no_meeting_link_says_to_agree_one():
    _, event = parsed(
        invite(
            call(meeting_link=""), method=REQUEST, recipient=ADA, host=HOST, stamp=STAMP
        )
    )
    assert "LOCATION" not in event
    assert "agree it in your messages" in event["DESCRIPTION"]


def test_members_words_cannot_break_out_of_their_property():
    sly = Person('Mallory "x"\r\nATTENDEE:mailto:evil@example.com', "m@example.com")
    data = invite(
        call(asker=sly, title="Pricing\r\nMETHOD:CANCEL; a, b"),
        method=REQUEST,
        recipient=BOB,
        host=HOST,
        stamp=STAMP,
    )
    calendar, event = parsed(data)
    assert calendar["METHOD"] == "REQUEST"
    assert len(event["ATTENDEE"]) == 2
    assert all("evil" not in str(a) for a in event["ATTENDEE"])
    assert b"\r\nMETHOD:CANCEL" not in data and b"\r\nATTENDEE:mailto:evil" not in data
    assert event["SUMMARY"].startswith("Pricing METHOD:CANCEL; a, b with Mallory")
    assert vobject.readOne(data.decode()).vevent.summary.value == event["SUMMARY"]


def test_plain_name_is_one_line_without_quotes_and_bounded():
    assert plain_name('Bo "the" \n Helper') == "Bo the Helper"
    assert len(plain_name("x" * 500)) == 80


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError):
        invite(call(), method="PUBLISH", recipient=ADA, host=HOST, stamp=STAMP)


def test_the_feed_lists_each_call_with_the_invites_uid():
    later = call(
        engagement_id=43,
        starts_at=START + timedelta(days=2),
        ends_at=START + timedelta(days=2, minutes=30),
    )
    data = feed([(call(), BOB), (later, BOB)], host=HOST, stamp=STAMP)
    calendar = Calendar.from_ical(data)
    assert calendar["X-WR-CALNAME"] and calendar.get("METHOD") in (None, "PUBLISH")
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [call_uid(42, HOST), call_uid(43, HOST)]
    assert all("ORGANIZER" not in e and "ATTENDEE" not in e for e in events)
    assert events[0]["SUMMARY"] == "Review my pricing page with Bob Helper"
    read = vobject.readOne(data.decode())
    assert [e.dtstart.value for e in read.vevent_list] == [
        START,
        START + timedelta(days=2),
    ]


def test_an_empty_feed_is_still_a_calendar():
    calendar = Calendar.from_ical(feed([], host=HOST, stamp=STAMP))
    assert calendar.walk("VEVENT") == [] and calendar["VERSION"] == "2.0"
