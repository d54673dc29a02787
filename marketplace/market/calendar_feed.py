"""A member's private calendar feed link (STAND-IN for the UI worktree only:
replace with the calendar-feed helper's version at merge; the UI uses only
`has_feed`, `new_feed_link` and `revoke_feed`)."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session

from marketplace.adapters.clock import Clock, system_clock
from marketplace.models import CalendarFeed
from marketplace.settings import get_settings


def has_feed(session: Session, member_id: int) -> bool:
    return session.get(CalendarFeed, member_id) is not None


def new_feed_link(
    session: Session, *, actor_id: int, clock: Clock = system_clock
) -> str:
    """A fresh secret link (any older one stops working); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    row = session.get(CalendarFeed, actor_id) or CalendarFeed(
        member_id=actor_id, token_hash="", created_at=clock.now()
    )
    row.token_hash = hashlib.sha256(token.encode()).hexdigest()
    row.created_at = clock.now()
    session.add(row)
    session.flush()
    return f"{get_settings().base_url}/api/calendar/{token}.ics"


def revoke_feed(session: Session, *, actor_id: int) -> bool:
    row = session.get(CalendarFeed, actor_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
