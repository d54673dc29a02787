"""A worker's short memory of who is behind each session token.

Every event of a signed-in page asks who the member is (`SessionState._member`):
under load that was one read transaction per event for an answer that rarely
changes. This worker remembers it for `TTL_SECONDS`, and never past the
session's own expiry.

What ends or changes a session forgets it everywhere, not after the TTL: log
out and log out everywhere publish "sessions.ended", a profile edit
"profiles.edited" (the navigation shows the name), a followed verification
link "emails.verified" (the banner). This module subscribes to
both (`marketplace.events`): when the transaction commits, this worker `drop`s
the member's entries, and the other workers, told through the cluster feed,
drop theirs within milliseconds. A worker that may have missed some (its feed
dropped) or whose database was replaced forgets everything (`clear`). Only a
change made behind the services' back -- an operator's SQL, or a command-line
process on SQLite, which has no feed -- waits for the TTL. Guests and forged
tokens are not remembered: they cost a lookup each time.

A worker remembers only while it hears the others (`signed_in`): one deaf to
them could keep answering for a session another worker ended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from marketplace import events

if TYPE_CHECKING:
    from marketplace.accounts.accounts import SignedIn

TTL_SECONDS = 30.0
MAX_ENTRIES = 50_000  # open tabs of one worker; past it, start afresh

# token -> (member, session expires at, remembered at: time.monotonic())
_entries: dict[str, tuple[SignedIn, datetime, float]] = {}
_lock = threading.Lock()
# Counts forgettings. A read that began before one may have seen the session
# still live: `remember` refuses it rather than keep that answer for the TTL.
_generation = 0


def recall(token: str, now: datetime) -> SignedIn | None:
    """The member remembered for `token`, if it is fresh and the session live."""
    entry = _entries.get(token)
    if entry is None:
        return None
    member, expires_at, remembered_at = entry
    if expires_at <= now or time.monotonic() - remembered_at > TTL_SECONDS:
        return None
    return member


def generation() -> int:
    """Take it before reading a session from the database; give it to `remember`."""
    return _generation


def remember(token: str, member: SignedIn, expires_at: datetime, read_at: int) -> None:
    """Keep what a read that began at generation `read_at` found, unless
    something was forgotten since (the read may predate that log-out)."""
    with _lock:
        if read_at != _generation:
            return
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[token] = (member, expires_at, time.monotonic())


def drop(member_ids: Iterable[int]) -> None:
    """Forget these members' sessions in this worker."""
    global _generation
    gone = set(member_ids)
    with _lock:
        _generation += 1
        for token in [t for t, e in _entries.items() if e[0].id in gone]:
            del _entries[token]


def clear() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()


def _forget_member(event: events.Event) -> None:
    drop([event["member_id"]])


def _forget_everyone(_event: events.Event) -> None:
    clear()


# Subscribed on import: a worker remembers sessions only through this module.
events.subscribe("sessions.ended", _forget_member)
events.subscribe("profiles.edited", _forget_member)
events.subscribe("emails.verified", _forget_member)  # the banner goes
events.subscribe("members.suspended", _forget_member)  # no answer for them
events.subscribe("members.role_changed", _forget_member)  # the operator's menu
events.subscribe(events.DATA_REPLACED, _forget_everyone)
events.subscribe(events.MISSED, _forget_everyone)
