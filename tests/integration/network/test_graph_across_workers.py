"""Every worker's in-memory graph follows what the other workers commit.

This test process is one worker; `graph_worker.py`, started beside it on the
same PostgreSQL database, is another with its own graph. A connection made
here shows in the other worker's who-to-ask within a second; a rolled-back
change never does; a worker whose feed connection is cut reloads and catches
up. PostgreSQL only: SQLite runs one worker."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from marketplace import db, event_feed
from marketplace.accounts import accounts, profiles
from marketplace.db import unit_of_work
from marketplace.models import MemberTag
from marketplace.network import connections, contexts, graph_index
from tests.conftest import _clean, unavailable
from tests.integration.ledger.test_wallet import PASSWORD, member
from tests.integration.network.test_connections import answer, ask, connected

ROOT = Path(__file__).resolve().parents[3]  # the repository
WITHIN = 1.0  # seconds: the promise


class Worker:
    """The other worker: a child process answering graph queries."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.network.graph_worker", url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._read() == "ready"

    def ask(self, q: str, **args) -> object:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"q": q, **args}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def _read(self) -> object:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the other worker died"
        return json.loads(line)

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


def within(seconds: float, check: Callable[[], bool]) -> float | None:
    """How long until `check()` holds, or None if it did not within `seconds`."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if check():
            return time.perf_counter() - started
        time.sleep(0.01)
    return None


@pytest.fixture
def pg(postgres_engine: Engine | None) -> Iterator[Engine]:
    if postgres_engine is None:
        unavailable("PostgreSQL is not reachable")
    _clean(postgres_engine)
    db.use_engine(postgres_engine)
    graph_index.use_index(None)
    yield postgres_engine
    db.use_engine(None)
    graph_index.use_index(None)
    _clean(postgres_engine)


@pytest.fixture
def people(pg):
    """Ada has no connections yet; Bob is connected to Cyd, who knows pricing."""
    ada, bob, cyd = member("ada"), member("bob"), member("cyd")
    connected(bob, cyd)
    with unit_of_work() as s:
        s.add(MemberTag(member_id=cyd.member_id, kind="give", tag="pricing"))
    return ada, bob, cyd


@pytest.fixture
def other(pg, people) -> Iterator[Worker]:
    worker = Worker(pg.url.render_as_string(hide_password=False))
    yield worker
    worker.close()


def test_a_connection_made_here_reaches_the_other_workers_who_to_ask_within_a_second(
    people, other
):
    ada, bob, cyd = people
    graph_index.index()  # this worker follows too
    assert other.ask("who_to_ask", member=ada.member_id, tags=["pricing"]) == []

    connected(ada, bob)  # through this worker

    took = within(
        WITHIN,
        lambda: (
            cyd.member_id
            in other.ask("who_to_ask", member=ada.member_id, tags=["pricing"])
        ),
    )
    assert took is not None, "the other worker never saw Ada connect to Bob"


def test_profile_edits_and_contexts_reach_the_other_worker(people, other):
    ada, bob, _cyd = people
    connected(ada, bob)
    with unit_of_work() as s:
        profiles.replace_tags(s, bob.member_id, {"give": ["pricing"]})
    assert within(
        WITHIN,
        lambda: (
            bob.member_id
            in other.ask("who_to_ask", member=ada.member_id, tags=["pricing"])
        ),
    )
    with unit_of_work() as s:
        posted = contexts.post_context(
            s,
            actor_id=ada.member_id,
            form={
                "kind": "hiring",
                "title": "Hiring a pricing lead",
                "tags": "pricing",
            },
        ).id
    assert within(
        WITHIN, lambda: posted in other.ask("nudges", member=bob.member_id)
    ), "Bob's worker was not nudged about Ada's new context"
    with unit_of_work() as s:
        contexts.close_context(s, actor_id=ada.member_id, context_id=posted)
    assert within(
        WITHIN, lambda: posted not in other.ask("nudges", member=bob.member_id)
    ), "a closed context still nudged on the other worker"


def test_a_log_out_here_ends_the_session_the_other_worker_remembers(people, other):
    ada, bob, _cyd = people
    with unit_of_work() as s:
        second = accounts.log_in(s, email="ada@example.com", password=PASSWORD)
    # the other worker has served Ada's tabs, so it remembers both sessions
    assert other.ask("signed_in", token=ada.token) == ada.member_id
    assert other.ask("signed_in", token=second.token) == ada.member_id
    assert other.ask("signed_in", token=bob.token) == bob.member_id

    with unit_of_work() as s:
        accounts.log_out(s, ada.token)
    assert within(WITHIN, lambda: other.ask("signed_in", token=ada.token) is None)

    with unit_of_work() as s:
        accounts.revoke_all_sessions(s, ada.member_id)
    assert within(WITHIN, lambda: other.ask("signed_in", token=second.token) is None)
    assert other.ask("signed_in", token=bob.token) == bob.member_id


def test_a_removed_connection_leaves_the_other_workers_graph(people, other):
    _ada, bob, cyd = people
    pair = {"a": bob.member_id, "b": cyd.member_id}
    assert other.ask("connected", **pair) is True
    with unit_of_work() as s:
        connections.remove_connection(s, actor_id=bob.member_id, handle=cyd.handle)
    assert within(WITHIN, lambda: other.ask("connected", **pair) is False)


def test_a_rolled_back_change_is_never_announced(people, other):
    ada, bob, _cyd = people
    request = ask(ada, "bob")
    before = other.ask("feed")["received"]
    with pytest.raises(RuntimeError), unit_of_work() as s:
        connections.answer_request(
            s, actor_id=bob.member_id, connection_id=request, answer="accept"
        )
        raise RuntimeError("the page crashed before the commit")
    time.sleep(0.3)  # time enough for a notification to arrive
    assert other.ask("feed")["received"] == before
    assert other.ask("connected", a=ada.member_id, b=bob.member_id) is False
    assert answer(bob, request, "accept") == "accepted"
    assert within(
        WITHIN, lambda: other.ask("connected", a=ada.member_id, b=bob.member_id)
    )


def test_a_worker_that_lost_its_feed_reloads_and_catches_up(pg, people, other):
    ada, bob, _cyd = people
    assert other.ask("feed")["listening"]
    # Cut the other worker's LISTEN connection, as a PostgreSQL restart would,
    # and change the graph while it is away.
    with pg.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN %' AND datname = current_database()"
            )
        )
        conn.commit()
    connected(ada, bob)
    assert within(
        10, lambda: other.ask("connected", a=ada.member_id, b=bob.member_id)
    ), "the other worker never caught up after losing its feed"
    assert other.ask("feed")["listening"]


def test_announcements_name_the_sender_and_what_changed():
    assert event_feed.parse("host:1:ab connections.changed 3 4") == (
        "host:1:ab",
        "connections.changed",
        [3, 4],
    )
    assert event_feed.parse("host:1:ab data.replaced") == (
        "host:1:ab",
        "data.replaced",
        [],
    )
    assert event_feed.parse("garbage") is None
    assert event_feed.parse("host:1:ab connections.changed x") is None
