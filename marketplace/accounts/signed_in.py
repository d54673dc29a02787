"""Who is behind a session cookie, as every event of a page asks it: the
server-side session, remembered by this worker (session_cache says for how
long and how a revocation reaches every worker)."""

from __future__ import annotations

from marketplace import events
from marketplace.accounts import accounts, devices, session_cache
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import read_only


def member_for(token: object, clock: Clock = system_clock) -> accounts.SignedIn | None:
    """The member behind a live session token; None if expired, revoked or forged."""
    if isinstance(token, str) and (member := session_cache.recall(token, clock.now())):
        return member
    # Hear the other workers before reading: a log-out one of them commits
    # meanwhile then reaches this worker, and `remember` refuses the answer.
    # A worker deaf to them (its feed down) remembers nothing.
    hearing = events.follow_other_workers()
    read_at = session_cache.generation()
    with read_only() as session:
        live = accounts.live_session(session, token, clock)
    if live is None:
        return None
    devices.note_seen(token, clock)  # a fresh read: at most once per cache TTL
    if hearing and events.hears_other_workers():
        session_cache.remember(str(token), *live, read_at=read_at)
    return live[0]
