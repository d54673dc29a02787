"""The cluster feed: how one worker process hears what the others committed,
over PostgreSQL LISTEN/NOTIFY.

Several worker processes each keep things in memory (the relationship graph,
who is behind a session token). When a unit of work publishes an event
(`events`), the event is also `announce`d here: its topic and a few ids,
e.g. "connections.changed 12 34", sent with `pg_notify` inside the same
transaction. PostgreSQL delivers a notification only if that transaction
commits (and drops it with a rolled-back savepoint), in commit order, to every
listening session: exactly the after-commit semantics the local delivery has,
with no second system to keep consistent. Each worker's `Listener` thread
receives the others' announcements and hands them to the event bus, whose
subscribers re-read the named rows -- a message carries no values that could
be stale, so hearing one twice is harmless.

A listener that loses its connection (PostgreSQL restarted, network blip)
cannot know what it missed: when it is back it calls `on_gap`. SQLite is one
worker by design, so there is nothing to announce.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence

import psycopg
from sqlalchemy import Engine, text
from sqlmodel import Session

# Renamed from "karma_graph" when the feed began to carry every event: a
# worker of the old build and one of the new never mistake each other's words.
CHANNEL = "karma_events"
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
POLL_SECONDS = 0.5  # how often the listener looks up to see if it should stop
log = logging.getLogger(__name__)


def _new_origin() -> str:
    # Forked workers inherit module globals: the pid keeps them apart.
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


_origin = _new_origin()


def origin() -> str:
    """This process's name on the feed (its own announcements come back to it
    and are ignored: it delivered them itself when it committed)."""
    return _origin


def is_shared(engine: Engine) -> bool:
    """Whether several processes may share this database (and need the feed)."""
    return engine.dialect.name == "postgresql"


def announce(session: Session, topic: str, ids: Sequence[int]) -> None:
    """Tell the other workers, when this session's transaction commits, that
    `topic` happened to `ids`. Does nothing on SQLite."""
    if not is_shared(session.get_bind()):
        return
    payload = " ".join([origin(), topic, *(str(int(i)) for i in ids)])
    session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": payload},
    )


def parse(payload: str) -> tuple[str, str, list[int]] | None:
    """(origin, topic, ids) from a notification, or None if it is malformed."""
    parts = payload.split(" ")
    if len(parts) < 2:
        return None
    try:
        return parts[0], parts[1], [int(p) for p in parts[2:]]
    except ValueError:
        return None


def conninfo(engine: Engine) -> str:
    """A libpq URI for a plain psycopg connection to the engine's database."""
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Listener(threading.Thread):
    """A daemon thread holding one autocommit connection that LISTENs on the
    channel and hands every other process's announcement to `on_change`."""

    def __init__(
        self,
        dsn: str,
        on_change: Callable[[str, list[int]], None],
        on_gap: Callable[[], None],
    ) -> None:
        super().__init__(name="event-feed", daemon=True)
        self.dsn = dsn
        self.on_change = on_change
        self.on_gap = on_gap
        self.listening = threading.Event()
        self.received = 0
        self._halt = threading.Event()

    def stop(self, wait: float = 2.0) -> None:
        self._halt.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(wait)

    def run(self) -> None:
        attempt = 0
        while not self._halt.is_set():
            try:
                self._listen(reconnected=attempt > 0)
            except psycopg.Error as error:
                self.listening.clear()
                delay = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.warning("event feed lost (%s); retrying in %.1fs", error, delay)
                attempt += 1
                self._halt.wait(delay)

    def _listen(self, reconnected: bool) -> None:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            if reconnected:
                # Whatever was announced while we were away is lost.
                log.info("event feed back; whatever it missed is read afresh")
                self.on_gap()
            while not self._halt.is_set():
                for note in conn.notifies(timeout=POLL_SECONDS):
                    self._deliver(note.payload)

    def _deliver(self, payload: str) -> None:
        message = parse(payload)
        if message is None:
            log.warning("event feed: ignoring %r", payload)
            return
        sender, topic, ids = message
        if sender == origin():
            return
        self.received += 1
        try:
            self.on_change(topic, ids)
        except Exception:
            log.exception(
                "event feed: %s %s was not heard; starting afresh", topic, ids
            )
            self.on_gap()


def _after_fork() -> None:
    global _origin
    _origin = _new_origin()


os.register_at_fork(after_in_child=_after_fork)
