"""Events reach the other workers only when they commit: on PostgreSQL the
announcement is a NOTIFY sent inside the unit of work, so a rolled-back
transaction or savepoint announces nothing. Heard here on a plain LISTEN
connection, as another worker's feed hears it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import Engine

from marketplace import db, event_feed, events
from marketplace.db import unit_of_work
from tests.conftest import unavailable


@pytest.fixture
def feed(postgres_engine: Engine | None) -> Iterator[psycopg.Connection]:
    """Another worker's ear on the feed."""
    if postgres_engine is None:
        unavailable("PostgreSQL is not reachable")
    db.use_engine(postgres_engine)
    conn = psycopg.connect(event_feed.conninfo(postgres_engine), autocommit=True)
    conn.execute(f"LISTEN {event_feed.CHANNEL}")
    yield conn
    conn.close()
    db.use_engine(None)


def announced(feed: psycopg.Connection) -> list[tuple[str, list[int]]]:
    """(topic, ids) of what reached the feed, in commit order."""
    found = []
    for note in feed.notifies(timeout=0.3, stop_after=20):
        sender, topic, ids = event_feed.parse(note.payload)
        assert sender == event_feed.origin()
        found.append((topic, ids))
    return found


def test_only_committed_events_are_announced_with_their_ids_alone(feed):
    with pytest.raises(RuntimeError), unit_of_work() as s:
        events.publish(s, "sessions.ended", member_id=1)
        raise RuntimeError("the page crashed before the commit")
    with unit_of_work() as s:
        events.publish(s, "ious.changed", debtor_id=2, creditor_id=3, open_ious=4)
        with pytest.raises(RuntimeError), s.begin_nested():
            events.publish(s, "sessions.ended", member_id=5)
            raise RuntimeError("this step failed; the rest goes on")
        with s.begin_nested():
            events.publish(s, "contexts.closed", context_id=6)
    assert announced(feed) == [("ious.changed", [2, 3]), ("contexts.closed", [6])]
