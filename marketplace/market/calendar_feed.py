"""A member's private calendar feed: one secret URL that Google, Apple or
Outlook subscribe to, listing the member's calls.

The secret is shown once, when made: only its SHA-256 is kept
(CalendarFeed.token_hash), so a copy of the database opens nobody's
calendar. Making a new link replaces the old one (rotation); revoking
deletes the row. Either way the old URL then finds nothing, and says so
with the same answer as a token that never existed.

A calendar app fetches the feed without a session: the token alone is the
key, so it is long (256 bits) and compared by its hash through the unique
index.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlmodel import Session, delete, select

from marketplace import routes
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.calendar_invites import Person, feed
from marketplace.domain.errors import NotFound
from marketplace.inbox.alerts import api_base_url
from marketplace.market import calls
from marketplace.market.call_invites import call_of, public_host
from marketplace.models import CalendarFeed, Member

GONE = "This calendar link was revoked or never existed."
PAST_DAYS = 30  # a subscriber still sees last month's calls
# what secrets.token_urlsafe makes: anything else is refused unread
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_feed(session: Session, member_id: int) -> bool:
    return session.get(CalendarFeed, member_id) is not None


def feed_link(session: Session, member_id: int) -> str | None:
    """None when the member has no feed; '' when they have one (its URL
    can't be shown again: only its hash is kept; make a new one to see it)."""
    return "" if has_feed(session, member_id) else None


def new_feed_link(
    session: Session, *, actor_id: int, clock: Clock = system_clock
) -> str:
    """Make the actor's feed secret, replacing any before it (the old URL
    stops working), and return its URL: shown this once."""
    token = secrets.token_urlsafe(32)
    row = session.get(CalendarFeed, actor_id)
    if row is None:
        row = CalendarFeed(member_id=actor_id, token_hash="", created_at=clock.now())
    row.token_hash = token_hash(token)
    row.created_at = clock.now()
    session.add(row)
    session.flush()
    return feed_url(token)


def feed_url(token: str) -> str:
    return api_base_url() + routes.calendar_feed(token)


def revoke_feed(session: Session, *, actor_id: int) -> bool:
    """Stop the actor's feed; False when there was none."""
    result = session.exec(
        delete(CalendarFeed).where(CalendarFeed.member_id == actor_id)
    )
    return bool(result.rowcount)


def feed_owner(session: Session, token: object) -> int:
    """The member whose feed `token` opens, or NotFound (one answer for a
    malformed, revoked or made-up token)."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise NotFound(GONE)
    owner = session.exec(
        select(CalendarFeed.member_id).where(
            CalendarFeed.token_hash == token_hash(token)
        )
    ).first()
    if owner is None:
        raise NotFound(GONE)
    return owner


def feed_ics(session: Session, token: object, clock: Clock = system_clock) -> bytes:
    """The feed `token` opens: the owner's calls from a month ago on."""
    member_id = feed_owner(session, token)
    since = clock.now() - timedelta(days=PAST_DAYS)
    rows = []
    for engagement in calls.upcoming_calls(session, member_id, since=since):
        helper = _person(session, engagement.helper_id)
        asker = _person(session, engagement.asker_id)
        other = asker if member_id == engagement.helper_id else helper
        rows.append((call_of(session, engagement, helper, asker), other))
    return feed(rows, host=public_host(), stamp=clock.now())


def _person(session: Session, member_id: int) -> Person:
    # the feed names no addresses (no organizer or attendees): only names
    return Person(session.get(Member, member_id).display_name, "")
