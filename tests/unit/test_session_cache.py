"""A worker's memory of signed-in sessions: fresh answers only, never past
the session's expiry, and nothing kept from a read that a log-out overtook."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace import events
from marketplace.accounts import session_cache
from marketplace.accounts.accounts import SignedIn

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ADA = SignedIn(1, "ada", "Ada Lovelace")
BOB = SignedIn(2, "bob", "Bob Byte")


@pytest.fixture(autouse=True)
def empty():
    session_cache.clear()
    yield
    session_cache.clear()


def remember(token: str, member: SignedIn, expires_at=NOW + timedelta(days=1)):
    session_cache.remember(token, member, expires_at, session_cache.generation())


def test_a_remembered_session_is_recalled_until_it_expires():
    remember("t-ada", ADA, expires_at=NOW + timedelta(minutes=5))
    assert session_cache.recall("t-ada", NOW) == ADA
    assert session_cache.recall("t-ada", NOW + timedelta(minutes=5)) is None
    assert session_cache.recall("t-unknown", NOW) is None


def test_dropping_a_member_forgets_all_their_sessions_and_only_theirs():
    remember("t-ada-laptop", ADA)
    remember("t-ada-phone", ADA)
    remember("t-bob", BOB)
    session_cache.drop([ADA.id])
    assert session_cache.recall("t-ada-laptop", NOW) is None
    assert session_cache.recall("t-ada-phone", NOW) is None
    assert session_cache.recall("t-bob", NOW) == BOB


def test_a_read_overtaken_by_a_log_out_is_not_kept():
    read_at = session_cache.generation()  # a worker starts reading ada's session
    session_cache.drop([ADA.id])  # ada logs out meanwhile, announced and applied
    session_cache.remember("t-ada", ADA, NOW + timedelta(days=1), read_at)
    assert session_cache.recall("t-ada", NOW) is None


def test_an_answer_older_than_the_ttl_is_read_again(monkeypatch):
    remember("t-ada", ADA)
    later = session_cache.time.monotonic() + session_cache.TTL_SECONDS + 1
    monkeypatch.setattr(session_cache.time, "monotonic", lambda: later)
    assert session_cache.recall("t-ada", NOW) is None


def test_ended_sessions_and_edited_profiles_are_forgotten_when_they_commit():
    remember("t-ada", ADA)
    remember("t-bob", BOB)
    events.tell_here("sessions.ended", member_id=ADA.id)
    assert session_cache.recall("t-ada", NOW) is None
    assert session_cache.recall("t-bob", NOW) == BOB
    events.tell_here("profiles.edited", member_id=BOB.id, availability="away")
    assert session_cache.recall("t-bob", NOW) is None  # the navigation shows names


def test_a_worker_that_may_have_missed_events_forgets_everyone():
    remember("t-ada", ADA)
    remember("t-bob", BOB)
    events.tell_here(events.MISSED)
    assert session_cache.recall("t-ada", NOW) is None
    assert session_cache.recall("t-bob", NOW) is None
