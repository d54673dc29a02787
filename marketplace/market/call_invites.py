"""Calendar invites for calls: mailed to both people when a call is agreed,
updated when it moves, withdrawn when it is cancelled.

The invite is the booking itself, not an alert: it goes whatever a member
chose for their alert emails (but never to a suspended or closed account).
Each is a mail in the outbox (inbox/outbox.py) written in the same unit of
work as the move, so a move rolled back sends nothing.

One UID per engagement (domain/calendar_invites.call_uid) and its
`invite_sequence` make the three mails one event to a calendar: the
reschedule raised the sequence (market/calls.py), so the new REQUEST
updates it; `send_cancellation` raises it once more and sends CANCEL.

A member's email is private to their connections by default (privacy
settings). In the other's copy of the invite, a party whose address the
other may not see is named with the app's own sending address instead, so
an invite never gives away what the profile keeps.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlmodel import Session

from marketplace import routes
from marketplace.accounts import privacy
from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock
from marketplace.adapters.mailer import Attachment
from marketplace.domain.calendar_invites import (
    CANCEL,
    REQUEST,
    Call,
    Person,
    invite,
    is_phone,
)
from marketplace.domain.times import local
from marketplace.inbox import outbox
from marketplace.models import Availability, Engagement, Listing, Member
from marketplace.settings import get_settings

MAIL_KIND = "invite"
FILENAME = "invite.ics"
CONTENT_TYPE = "text/calendar"


def send_invites(session: Session, engagement: Engagement, clock: Clock) -> None:
    """METHOD:REQUEST to both parties at the engagement's invite_sequence."""
    _send(session, engagement, REQUEST, clock)


def send_cancellation(session: Session, engagement: Engagement, clock: Clock) -> None:
    """METHOD:CANCEL to both parties; raises invite_sequence first."""
    engagement.invite_sequence += 1
    session.add(engagement)
    _send(session, engagement, CANCEL, clock)


# --------------------------------------------------------------------------- shared


def public_host() -> str:
    """The app's public host name: the right half of every call's UID."""
    return urlsplit(get_settings().base_url.strip()).hostname or "localhost"


def page_url(engagement_id: int) -> str:
    return get_settings().base_url.rstrip("/") + routes.engagement(engagement_id)


def meeting_link(session: Session, helper_id: int) -> str:
    """Where the helper takes calls (their availability's link), or ''."""
    row = session.get(Availability, helper_id)
    return row.meeting_link if row else ""


def call_of(
    session: Session, engagement: Engagement, helper: Person, asker: Person
) -> Call:
    listing = session.get(Listing, engagement.listing_id)
    return Call(
        engagement_id=engagement.id,
        title=listing.title,
        helper=helper,
        asker=asker,
        starts_at=engagement.starts_at,
        ends_at=engagement.ends_at,
        sequence=engagement.invite_sequence,
        meeting_link=meeting_link(session, engagement.helper_id),
        page_url=page_url(engagement.id),
    )


def when_label(moment: datetime, zone: str) -> str:
    """'Tue 8 Dec 14:00 CET': short enough for a subject line."""
    at = local(moment, zone)
    return f"{at:%a} {at.day} {at:%b %H:%M} {at.tzname()}"


# --------------------------------------------------------------------------- mails


def _send(session: Session, engagement: Engagement, method: str, clock: Clock) -> None:
    if engagement.starts_at is None or engagement.ends_at is None:
        return  # not a call, or no time agreed yet
    helper = session.get(Member, engagement.helper_id)
    asker = session.get(Member, engagement.asker_id)
    for recipient, other in ((helper, asker), (asker, helper)):
        if recipient.status != "active":
            continue  # a suspended or closed account gets no mail
        _send_one(session, engagement, method, recipient, other, clock)


def _send_one(session, engagement, method, recipient, other, clock) -> None:
    me = Person(recipient.display_name, recipient.email)
    them = Person(other.display_name, _address_for(session, recipient.id, other))
    helper, asker = (me, them) if recipient.id == engagement.helper_id else (them, me)
    call = call_of(session, engagement, helper, asker)
    data = invite(
        call, method=method, recipient=me, host=public_host(), stamp=clock.now()
    )
    zone = timezone_of(session, recipient.id)
    outbox.queue(
        session,
        member_id=recipient.id,
        kind=MAIL_KIND,
        to=recipient.email,
        subject=_subject(call, method, zone),
        body=_body(call, method, me, them, zone),
        attachment=Attachment(FILENAME, CONTENT_TYPE, data),
        clock=clock,
    )


def _address_for(session: Session, viewer_id: int, member: Member) -> str:
    """`member`'s address as `viewer_id` may see it, else the app's own."""
    if privacy.may_see(session, viewer_id, member.id, "email"):
        return member.email
    return parseaddr(get_settings().mail_from)[1] or f"calls@{public_host()}"


def _subject(call: Call, method: str, zone: str) -> str:
    if method == CANCEL:
        word = "Cancelled"
    elif call.sequence > 0:
        word = "Updated invitation"
    else:
        word = "Invitation"
    return f"{word}: {call.title} — {when_label(call.starts_at, zone)}"


def _body(call: Call, method: str, me: Person, them: Person, zone: str) -> str:
    start, end = local(call.starts_at, zone), local(call.ends_at, zone)
    when = f"{start:%A} {start.day} {start:%B %Y, %H:%M}–{end:%H:%M} {end.tzname()}"
    if method == CANCEL:
        news = f"Your call “{call.title}” with {them.name} is cancelled."
        after = "The attached file takes it out of your calendar."
    elif call.sequence > 0:
        news = f"Your call “{call.title}” with {them.name} has moved to a new time."
        after = "The attached invite updates the event in your calendar."
    else:
        news = f"Your call “{call.title}” with {them.name} is booked."
        after = "The attached invite adds it to your calendar."
    lines = [f"Hello {me.name},", "", news, "", f"When: {when}"]
    if call.meeting_link and method != CANCEL:
        where = "Phone" if is_phone(call.meeting_link) else "Join"
        lines.append(f"{where}: {call.meeting_link}")
    lines += [f"Details: {call.page_url}", "", after]
    return "\n".join(lines) + "\n"
