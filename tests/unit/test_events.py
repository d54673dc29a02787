"""The after-commit event bus: subscribers hear an event once its unit of work
commits, never when it -- or the savepoint it was published in -- rolls back;
in the order they subscribed; and one failing subscriber keeps nobody else
from hearing. On a throwaway SQLite file (no other worker to announce to)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from marketplace import db, events

HAPPENED = "tests.happened"


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'events.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def heard(monkeypatch) -> Iterator[list[events.Event]]:
    """What a subscriber of the test topic was told, in order."""
    topic = events.Topic(HAPPENED, ("thing_id",), "Something happened to a thing.")
    monkeypatch.setitem(events.TOPICS, HAPPENED, topic)
    told: list[events.Event] = []
    events.subscribe(HAPPENED, told.append)
    yield told
    events.unsubscribe(HAPPENED, told.append)


def work(session: Session) -> None:
    session.execute(text("SELECT 1"))  # the unit of work touches the database


def things(told: list[events.Event]) -> list[int]:
    return [event["thing_id"] for event in told]


def test_subscribers_hear_an_event_once_its_unit_of_work_commits(engine, heard):
    with Session(engine) as session:
        work(session)
        events.publish(session, HAPPENED, thing_id=7, colour="teal")
        assert heard == []  # not yet: it may still roll back
        session.commit()
    [event] = heard
    assert (event.topic, event["thing_id"], event["colour"]) == (HAPPENED, 7, "teal")
    assert event.local and event.ids() == (7,)


def test_a_rolled_back_unit_of_work_tells_nobody(engine, heard):
    with Session(engine) as session:
        work(session)
        events.publish(session, HAPPENED, thing_id=1)
        session.rollback()
        work(session)
        session.commit()  # a later transaction of the same session
    assert heard == []


def test_a_rolled_back_savepoint_takes_only_its_own_events(engine, heard):
    with Session(engine) as session:
        work(session)
        events.publish(session, HAPPENED, thing_id=1)
        with pytest.raises(RuntimeError), session.begin_nested():
            events.publish(session, HAPPENED, thing_id=2)
            raise RuntimeError("this step failed; the rest goes on")
        with session.begin_nested():  # released, then committed with the rest
            events.publish(session, HAPPENED, thing_id=3)
        session.commit()
    assert things(heard) == [1, 3]


def test_a_released_savepoint_still_waits_for_the_outer_commit(engine, heard):
    with Session(engine) as session:
        work(session)
        with session.begin_nested():
            events.publish(session, HAPPENED, thing_id=4)
        assert heard == []
        session.rollback()  # the outer transaction fails after all
    assert heard == []


def test_a_session_closed_without_committing_forgets_its_events(engine, heard):
    session = Session(engine)
    work(session)
    events.publish(session, HAPPENED, thing_id=5)
    session.close()
    work(session)  # the same session, used again
    session.commit()
    session.close()
    assert heard == []


def test_subscribers_hear_in_the_order_they_subscribed_events_in_publish_order(
    engine, heard
):
    later: list[int] = []

    def second(event: events.Event) -> None:
        later.append(event["thing_id"])
        assert len(heard) == len(later)  # the first subscriber was told before

    events.subscribe(HAPPENED, second)
    events.subscribe(HAPPENED, second)  # twice: still told once
    try:
        with Session(engine) as session:
            work(session)
            for thing in (3, 1, 2):
                events.publish(session, HAPPENED, thing_id=thing)
            session.commit()
    finally:
        events.unsubscribe(HAPPENED, second)
    assert things(heard) == later == [3, 1, 2]


def test_a_failing_subscriber_is_logged_and_the_others_still_hear(
    engine, heard, caplog
):
    def broken(_event: events.Event) -> None:
        raise RuntimeError("a bug in a subscriber")

    events.unsubscribe(HAPPENED, heard.append)
    events.subscribe(HAPPENED, broken)
    events.subscribe(HAPPENED, heard.append)  # after the broken one
    try:
        with caplog.at_level(logging.ERROR), Session(engine) as session:
            work(session)
            events.publish(session, HAPPENED, thing_id=9)
            session.commit()  # the commit itself stands: no error here
    finally:
        events.unsubscribe(HAPPENED, broken)
    assert things(heard) == [9]
    assert "a subscriber failed" in caplog.text


def test_an_undeclared_topic_or_a_missing_id_is_refused_at_once(engine, heard):
    with Session(engine) as session:
        with pytest.raises(ValueError, match="Undeclared"):
            events.publish(session, "tests.never_declared", thing_id=1)
        with pytest.raises(ValueError, match="thing_id"):
            events.publish(session, HAPPENED, colour="teal")
        with pytest.raises(ValueError, match="thing_id"):
            events.publish(session, HAPPENED, thing_id=True)
        with pytest.raises(ValueError, match="Undeclared"):
            events.subscribe("tests.never_declared", print)
        session.commit()
    assert heard == []


def test_an_event_from_another_worker_carries_only_its_ids(heard):
    events._hear(HAPPENED, [12])
    [event] = heard
    assert not event.local
    assert dict(event.fields) == {"thing_id": 12}


def test_an_announcement_this_build_does_not_know_means_start_afresh(heard):
    missed: list[events.Event] = []
    events.subscribe(events.MISSED, missed.append)
    try:
        events._hear("tests.renamed_since", [1])
        events._hear(HAPPENED, [1, 2])  # the wrong number of ids
    finally:
        events.unsubscribe(events.MISSED, missed.append)
    assert heard == []
    assert [event.topic for event in missed] == [events.MISSED, events.MISSED]


def test_every_declared_topic_names_its_keys_and_says_what_it_means():
    for name, topic in events.TOPICS.items():
        assert topic.name == name and "." in name and " " not in name
        assert topic.meaning.endswith(".")
        assert all(key.endswith("_id") for key in topic.keys)
