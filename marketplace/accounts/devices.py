"""Signed-in devices: the sessions a member has open, and ending one of them.

Each session records, when the browser takes it over (api.py), the browser's
user agent, the prefix of its address (the /24 of IPv4, the /48 of IPv6:
never the whole address) and when it was last seen. The list shows the
browser and system read simply from the user agent; the address prefix only
when the operator turns `MARKETPLACE_DEVICES_SHOW_PLACE` on. No geo lookup.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from marketplace import events
from marketplace.accounts import accounts
from marketplace.accounts.accounts import BrowserSession, hash_token
from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.domain.times import local_time
from marketplace.models import AuthSession
from marketplace.settings import get_settings

log = logging.getLogger(__name__)
USER_AGENT_MAX = 300
# how stale "last seen" may get before a page's event writes it again
SEEN_EVERY = timedelta(minutes=5)
NOT_YOURS = "That device is not signed in to your account."

# first match wins: Edge and Opera also say "Chrome", Chrome also says "Safari"
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


@dataclass(frozen=True)
class Device:
    session_id: int
    browser: str
    system: str
    started_at: datetime
    last_seen_at: datetime
    place: str  # '' unless the operator shows places
    current: bool
    # the two moments on the member's own clock (their profile's time zone)
    started: str = ""
    last_seen: str = ""


def describe(user_agent: str) -> tuple[str, str]:
    """(browser, system) from a user agent, 'Unknown browser/system' if unsure."""
    browser = next((n for key, n in _BROWSERS if key in user_agent), "Unknown browser")
    system = next((n for key, n in _SYSTEMS if key in user_agent), "Unknown system")
    return browser, system


def address_prefix(client: object) -> str:
    """The network an address is in, never the address: 203.0.113.0/24."""
    try:
        address = ipaddress.ip_address(str(client).strip())
    except ValueError:
        return ""
    bits = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def clean_user_agent(raw: object) -> str:
    text = raw if isinstance(raw, str) else ""
    return re.sub(r"[\x00-\x1f\x7f]", "", text)[:USER_AGENT_MAX]


def record_start(
    auth: AuthSession, user_agent: object, client: object, now: datetime
) -> None:
    """What the browser that takes a session over tells about itself."""
    auth.user_agent = clean_user_agent(user_agent)
    auth.address_prefix = address_prefix(client)
    auth.last_seen_at = now


def signed_in_devices(
    session: Session, member_id: int, current_token: str, clock: Clock = system_clock
) -> list[Device]:
    """The member's live sessions, the most recently seen first, their times
    on the member's clock."""
    now = clock.now()
    current = hash_token(current_token) if current_token else ""
    show_place = get_settings().devices_show_place
    zone = timezone_of(session, member_id)
    rows = session.exec(
        select(AuthSession).where(
            AuthSession.member_id == member_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
    ).all()
    devices = [_device(row, current, show_place, zone) for row in rows]
    return sorted(devices, key=lambda d: (not d.current, -d.last_seen_at.timestamp()))


def _device(row: AuthSession, current: str, show_place: bool, zone: str) -> Device:
    browser, system = describe(row.user_agent)
    last_seen = row.last_seen_at or row.created_at
    return Device(
        session_id=row.id,
        browser=browser,
        system=system,
        started_at=row.created_at,
        last_seen_at=last_seen,
        place=row.address_prefix if show_place else "",
        current=row.token_hash == current,
        started=local_time(row.created_at, zone),
        last_seen=local_time(last_seen, zone),
    )


def log_out_device(
    session: Session, member_id: int, session_id: object, clock: Clock = system_clock
) -> None:
    """End one of the member's own sessions; another member's is refused as
    if it did not exist."""
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise InvalidInput(NOT_YOURS, "session_id")
    auth = session.get(AuthSession, session_id)
    if auth is None or auth.member_id != member_id or auth.revoked_at is not None:
        raise InvalidInput(NOT_YOURS, "session_id")
    auth.revoked_at = clock.now()
    session.add(auth)
    events.publish(session, "sessions.ended", member_id=member_id)
    session.flush()


def note_seen(token: object, clock: Clock = system_clock) -> None:
    """Move a session's "last seen" forward, at most every SEEN_EVERY: called
    when a worker reads the session afresh, not on every event. A failure
    here must never sign anyone out, so it is only logged."""
    if not isinstance(token, str) or not token:
        return
    now = clock.now()
    try:
        with unit_of_work() as session:
            session.exec(
                update(AuthSession)
                .where(
                    AuthSession.token_hash == hash_token(token),
                    or_(
                        AuthSession.last_seen_at.is_(None),
                        AuthSession.last_seen_at < now - SEEN_EVERY,
                    ),
                )
                .values(last_seen_at=now)
            )
    except Exception:
        log.warning("could not note when a session was last seen", exc_info=True)


def take_over(
    session: Session,
    ticket: object,
    *,
    user_agent: object,
    client: object,
    clock: Clock = system_clock,
) -> BrowserSession | None:
    """`accounts.take_over`, recording the browser that takes the session."""
    browser = accounts.take_over(session, ticket, clock)
    if browser is None:
        return None
    auth = session.exec(
        select(AuthSession).where(AuthSession.token_hash == hash_token(browser.token))
    ).one()
    record_start(auth, user_agent, client, clock.now())
    session.add(auth)
    session.flush()
    return browser
