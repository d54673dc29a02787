"""Calendar files for calls: the invite each person's calendar takes in, and
the private feed a calendar app subscribes to.

An invite (RFC 5546 iTIP) is one VEVENT with METHOD:REQUEST when a call is
agreed or moved, and METHOD:CANCEL when it is called off. Calendars match
the three by their UID, stable for an engagement, and apply the one with
the highest SEQUENCE: so a reschedule (the sequence raised) updates the
event in place instead of adding a second one, and the cancel removes it.

The feed is a plain published calendar (no organizer, no attendees: a
subscriber's calendar shows it read-only) with the same UIDs, so a call
already taken in from an invite isn't shown twice by clients that merge.

Members' words (titles, names) are text in the file: icalendar escapes
commas, semicolons and newlines in values; a parameter (CN="...") can't be
escaped, so names used there lose their line breaks and quotes.

Pure: plain dataclasses in, bytes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText, vUri

PRODID = "-//Karma Market-Network//Calls//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"
METHODS = (REQUEST, CANCEL)
NAME_MAX = 80
TITLE_MAX = 120
FEED_NAME = "Karma: my calls"
FEED_REFRESH = timedelta(hours=1)  # how often a subscriber fetches again


@dataclass(frozen=True)
class Person:
    """One side of a call: how their calendar names and addresses them."""

    name: str
    email: str


@dataclass(frozen=True)
class Call:
    """An agreed call, as the invite and the feed tell it."""

    engagement_id: int
    title: str  # the listing's
    helper: Person
    asker: Person
    starts_at: datetime  # aware; written in UTC
    ends_at: datetime
    sequence: int
    meeting_link: str  # an https URL, an E.164 phone number, or ""
    page_url: str  # the engagement's page, absolute


def call_uid(engagement_id: int, host: str) -> str:
    """The one UID of an engagement's call, in every invite and feed."""
    return f"engagement-{int(engagement_id)}@{host or 'localhost'}"


def plain_name(name: str, limit: int = NAME_MAX) -> str:
    """A name fit for a CN parameter: one line, no double quote (it would
    end the quoted value), cut to `limit`."""
    flat = "".join(" " if ord(ch) < 0x20 or ch in '"\x7f' else ch for ch in name)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_phone(link: str) -> bool:
    """A meeting 'link' that is a phone number (E.164, as availability keeps it)."""
    return link.startswith("+")


def meeting_uri(link: str) -> str:
    """Where to join as a URI: the video link, or tel:+4930... for a phone."""
    if not link:
        return ""
    return f"tel:{link}" if is_phone(link) else link


def summary(call: Call, other: Person) -> str:
    return f"{plain_text(call.title, TITLE_MAX)} with {plain_name(other.name)}"


def plain_text(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def description(call: Call, other: Person) -> str:
    """What a calendar shows under the event: where to join, and the page."""
    lines = [f"A call with {plain_name(other.name)} on Karma."]
    uri = meeting_uri(call.meeting_link)
    if uri:
        verb = "Phone" if is_phone(call.meeting_link) else "Join"
        lines.append(f"{verb}: {uri}")
    else:
        lines.append("Where to meet: agree it in your messages on Karma.")
    lines.append(f"Details, moving or cancelling: {call.page_url}")
    return "\n".join(lines)


def invite(
    call: Call, *, method: str, recipient: Person, host: str, stamp: datetime
) -> bytes:
    """The invite `recipient` (the helper or the asker) gets: METHOD:REQUEST
    (new or moved) or METHOD:CANCEL, organised by the helper."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    other = call.asker if recipient == call.helper else call.helper
    calendar = _calendar()
    calendar.add("method", method)
    status = "CANCELLED" if method == CANCEL else "CONFIRMED"
    event = _event(call, other, host, stamp, status)
    event.add("organizer", _address(call.helper))
    event.add("attendee", _address(call.helper, role="CHAIR"))
    event.add("attendee", _address(call.asker, role="REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()


def feed(calls: Iterable[tuple[Call, Person]], *, host: str, stamp: datetime) -> bytes:
    """A member's subscribable calendar: each (call, the other person)."""
    calendar = _calendar()
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", FEED_NAME)
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for it
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    for call, other in calls:
        calendar.add_component(_event(call, other, host, stamp))
    return calendar.to_ical()


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _event(
    call: Call, other: Person, host: str, stamp: datetime, status: str = "CONFIRMED"
) -> Event:
    event = Event()
    event.add("uid", call_uid(call.engagement_id, host))
    event.add("sequence", max(0, int(call.sequence)))
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(call.starts_at))
    event.add("dtend", _utc(call.ends_at))
    event.add("summary", summary(call, other))
    event.add("description", description(call, other))
    if call.meeting_link:
        event.add("location", call.meeting_link)
        feature = "PHONE" if is_phone(call.meeting_link) else "VIDEO"
        event.add(
            "conference",
            vUri(meeting_uri(call.meeting_link)),
            parameters={"VALUE": "URI", "FEATURE": feature},
        )
    if call.page_url:
        event.add("url", vUri(call.page_url))
    event.add("status", status)
    event.add("transp", "OPAQUE")
    return event


def _address(person: Person, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(plain_name(person.name))
    if role is not None:
        address.params["ROLE"] = vText(role)
        # agreed in the app already: nothing for a calendar to answer
        address.params["PARTSTAT"] = vText("ACCEPTED")
        address.params["RSVP"] = vText("FALSE")
    return address


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
