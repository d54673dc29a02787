"""After-commit events: how one part of the app tells the others what just
happened, once it is true.

Some parts of the app keep a copy of the database in memory: the relationship
graph (`network/graph_index`), a worker's memory of who is behind a session
token (`accounts/session_cache`). A service that changes what such a copy shows
does not call the copy; it `publish`es an event in its own unit of work -- a
named topic and a few fields:

    events.publish(session, "sessions.ended", member_id=member.id)

Nothing happens yet. When the unit of work commits, every subscriber of the
topic is called with the event, in the order they subscribed. If the
transaction -- or the savepoint the event was published in -- rolls back, the
event is dropped: nobody hears of what the database does not hold. A
subscriber that fails is logged and skipped; the commit stands, the other
subscribers are still told, and a subscriber whose copy may now be wrong starts
afresh on its own (the graph reloads).

Other worker processes hear it too. On PostgreSQL `publish` also announces the
event on the cluster feed (`event_feed`: LISTEN/NOTIFY, sent inside the same
transaction, so delivered only on commit). An announcement carries the topic
and its key fields only -- ids, never values that could be stale by the time
they arrive -- so a subscriber told by another worker (`event.local` is False)
re-reads what it needs. A worker whose feed dropped may have missed events: it
is told `MISSED` and starts afresh.

Every topic is declared once, below (`TOPICS`): its name, its key fields and
what it means; publishing an undeclared topic, or one without its keys, is a
programming error caught at once.

Subscribers subscribe when their module is imported (`events.subscribe(...)`
at the bottom of it). That is as deterministic as the copies themselves: a
process keeps a copy only after importing the module that holds it, and that
same import installs the subscriber -- in a web worker, a command-line process
or a test alike. A process that never imported the graph has no graph to keep
in step, and its commits still reach the other workers through the feed.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event as orm_event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from marketplace import event_feed
from marketplace.db import get_engine

log = logging.getLogger(__name__)
FEED_READY_SECONDS = 5.0
_PENDING = "events.pending"  # session.info key: [(transaction, event), ...]


@dataclass(frozen=True)
class Topic:
    """A kind of event: `keys` name the rows it concerns (ids, announced to
    the other workers); anything else an event carries stays in this process."""

    name: str
    keys: tuple[str, ...]
    meaning: str


MISSED = "events.missed"
DATA_REPLACED = "data.replaced"

TOPICS: dict[str, Topic] = {
    topic.name: topic
    for topic in (
        Topic(
            "sessions.ended",
            ("member_id",),
            "A member logged out, or out everywhere: no worker may go on "
            "answering for those sessions.",
        ),
        Topic(
            "profiles.edited",
            ("member_id",),
            "A member edited their profile: name, headline, availability "
            "(detail: availability).",
        ),
        Topic(
            "trust.recomputed",
            ("member_id",),
            "Every member's trust was computed afresh (member_id 0: all of them); "
            "what trust bounds follows (credit limits).",
        ),
        Topic(
            "members.frozen",
            ("member_id",),
            "An operator froze or unfroze a member (accounts/standing.py).",
        ),
        Topic(
            "members.suspended",
            ("member_id",),
            "An operator suspended or unsuspended a member at the moderation "
            "desk (accounts/moderation.py): their sessions are ended.",
        ),
        Topic(
            "members.role_changed",
            ("member_id",),
            "A member was appointed or dismissed as an operator (the command "
            "line): what their navigation shows follows.",
        ),
        Topic(
            "emails.verified",
            ("member_id",),
            "A member followed a verification link: their address, new or "
            "changed, is proven.",
        ),
        Topic(
            "profiles.tags_replaced",
            ("member_id",),
            "A member's tags were replaced (details: expertise, background).",
        ),
        Topic(
            "connections.changed",
            ("requester_id", "addressee_id"),
            "A connection was accepted, removed, blocked... (details: status, "
            "warmth, warmth_at).",
        ),
        Topic(
            "connections.warmed",
            ("requester_id", "addressee_id"),
            "Two connected members did something together (details: warmth, "
            "warmth_at).",
        ),
        Topic(
            "help.given",
            ("helper_id", "asker_id"),
            "An engagement was confirmed, or released to the helper after a dispute.",
        ),
        Topic(
            "ious.changed",
            ("debtor_id", "creditor_id"),
            "The open IOUs a debtor owes a creditor changed (detail: open_ious).",
        ),
        Topic(
            "reviews.ring_flagged",
            ("member_a_id", "member_b_id"),
            "Two members reviewed each other five stars again and again: their "
            "tie and their help to each other lift nobody from now on.",
        ),
        Topic(
            "contexts.posted",
            ("context_id",),
            "A context was posted or edited (detail: signal, a ContextSignal).",
        ),
        Topic("contexts.closed", ("context_id",), "A context was closed or deleted."),
        Topic(
            DATA_REPLACED,
            (),
            "Rows changed in bulk behind the services' back (a demo seed; tests "
            "pointing the app at another database): read everything afresh.",
        ),
        Topic(
            MISSED,
            (),
            "This worker may have missed other workers' events (its feed "
            "dropped): read everything afresh. Told by the feed, never published.",
        ),
    )
}


@dataclass(frozen=True)
class Event:
    """Something that happened: a topic and its fields. `local` is False when
    another worker committed it: then only the key fields are there."""

    topic: str
    fields: Mapping[str, Any]
    local: bool = True

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def ids(self) -> tuple[int, ...]:
        """The key fields, in the order the topic declares them."""
        return tuple(self.fields[key] for key in TOPICS[self.topic].keys)


Subscriber = Callable[[Event], None]
_subscribers: dict[str, list[Subscriber]] = {}
_subscribers_lock = threading.Lock()


# ----------------------------------------------------------------------- subscribing


def subscribe(topic: str, subscriber: Subscriber) -> None:
    """Call `subscriber(event)` after every commit that published `topic`,
    here or in another worker, after those who subscribed before it. The same
    function subscribed twice is called once."""
    _declared(topic)
    with _subscribers_lock:
        current = _subscribers.setdefault(topic, [])
        if subscriber not in current:
            current.append(subscriber)


def unsubscribe(topic: str, subscriber: Subscriber) -> None:
    with _subscribers_lock:
        if subscriber in _subscribers.get(topic, []):
            _subscribers[topic].remove(subscriber)


def subscribers(topic: str) -> tuple[Subscriber, ...]:
    return tuple(_subscribers.get(topic, ()))


def _declared(topic: str) -> Topic:
    found = TOPICS.get(topic)
    if found is None:
        raise ValueError(f"Undeclared event topic {topic!r}: add it to events.TOPICS")
    return found


# ------------------------------------------------------------------------ publishing


def publish(session: Session, topic: str, **fields: Any) -> None:
    """Tell the subscribers of `topic`, here and in every other worker, once
    this session's transaction commits; never if it, or the savepoint this
    was published in, rolls back."""
    event = _event(topic, fields)
    _pending(session).append((_innermost_transaction(session), event))
    event_feed.announce(session, topic, event.ids())


def _event(topic: str, fields: dict[str, Any]) -> Event:
    for key in _declared(topic).keys:
        value = fields.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{topic} needs {key} as an id, got {value!r}")
    return Event(topic, dict(fields))


def _innermost_transaction(session: Session) -> SessionTransaction:
    """The savepoint or transaction whose rollback would undo this event
    (beginning the transaction if the session has not yet)."""
    return (
        session.get_nested_transaction() or session.get_transaction() or session.begin()
    )


def _pending(session: Session) -> list[tuple[SessionTransaction, Event]]:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        orm_event.listen(session, "after_commit", _deliver_pending)
        orm_event.listen(session, "after_soft_rollback", _drop_rolled_back)
        orm_event.listen(session, "after_transaction_end", _forget_unfinished)
    return pending


def _deliver_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction may still fail
    pending = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    for _transaction, event in pending:
        _deliver(event)


def _drop_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    pending = session.info.get(_PENDING) or []
    session.info[_PENDING] = [
        (transaction, event)
        for transaction, event in pending
        if not _within(transaction, rolled_back)
    ]


def _forget_unfinished(session: Session, ended: SessionTransaction) -> None:
    """A transaction that ended without a commit (the session was closed
    mid-way) takes its events with it."""
    if ended.parent is None:
        session.info[_PENDING] = []


def _within(transaction: SessionTransaction | None, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


# ------------------------------------------------------------------------ delivering


def tell_here(topic: str, **fields: Any) -> None:
    """Deliver an event to this process's subscribers now: no transaction, no
    other worker told. For what only this process knows: its feed dropped, or
    it was pointed at another database."""
    _deliver(_event(topic, fields))


def _deliver(event: Event) -> None:
    for subscriber in subscribers(event.topic):
        try:
            subscriber(event)
        except Exception:
            # The transaction has committed: the database is right. Whoever
            # keeps a copy recovers by itself; the others must still hear.
            log.exception("%s: a subscriber failed on %s", event.topic, event.ids())


def _hear(topic: str, ids: list[int]) -> None:
    """An announcement from another worker: the topic and its key ids."""
    declared = TOPICS.get(topic)
    if declared is None or len(declared.keys) != len(ids) or topic == MISSED:
        log.warning("event feed: %r %s is not an event of this build", topic, ids)
        tell_here(MISSED)
        return
    _deliver(Event(topic, dict(zip(declared.keys, ids, strict=True)), local=False))


def _missed() -> None:
    tell_here(MISSED)


# ------------------------------------------------------------------- other workers

_listener: event_feed.Listener | None = None
_listener_lock = threading.Lock()


def follow_other_workers(engine: Engine | None = None) -> bool:
    """Start hearing the other workers' events, if this process does not yet
    (a worker's first graph load, its first remembered session). True once
    it hears them; alone on SQLite, always."""
    engine = engine or get_engine()
    if not event_feed.is_shared(engine):
        stop_following()
        return True
    listener, started = _listening_to(event_feed.conninfo(engine))
    # Wait only for a listener just started, not on every call while a
    # lost feed reconnects.
    if started and not listener.listening.wait(FEED_READY_SECONDS):
        log.warning("event feed not listening yet; going on without it")
    return listener.listening.is_set()


def _listening_to(dsn: str) -> tuple[event_feed.Listener, bool]:
    global _listener
    with _listener_lock:
        current = _listener
        if current is not None and current.dsn == dsn and current.is_alive():
            return current, False
        if current is not None:
            current.stop()
        _listener = event_feed.Listener(dsn, _hear, _missed)
        _listener.start()
        return _listener, True


def hears_other_workers() -> bool:
    """Whether what other workers announce reaches this one now: alone on
    SQLite it always does; on PostgreSQL while the feed listens."""
    if not event_feed.is_shared(get_engine()):
        return True
    current = _listener
    return current is not None and current.is_alive() and current.listening.is_set()


def stop_following() -> None:
    """Stop hearing other workers (tests, or the app pointed elsewhere)."""
    global _listener
    with _listener_lock:
        if _listener is not None:
            _listener.stop()
            _listener = None


def listener() -> event_feed.Listener | None:
    """The feed listener of this process, if it follows other workers."""
    return _listener


def _after_fork() -> None:
    """A forked worker has no listener (threads do not survive a fork) and
    locks no thread of the parent can be holding."""
    global _listener, _listener_lock, _subscribers_lock
    _listener, _listener_lock = None, threading.Lock()
    _subscribers_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
