"""Background work runs in one worker of the cluster at a time: while another
process holds a task's lock (a PostgreSQL advisory lock), this one skips the
round and writes nothing; on SQLite (one worker) it always runs."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from marketplace import cluster
from marketplace.cluster import leadership, lock_key, once_per_cluster
from tests.conftest import unavailable


def held_elsewhere(engine, name: str):
    """Another worker's connection, holding `name`'s lock until closed."""
    other = engine.connect()
    other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key(name)})
    other.commit()
    return other


def test_only_one_worker_runs_a_round(engine):
    rounds: list[str] = []

    def clearing() -> int:
        rounds.append("cleared")
        return 3

    if engine.dialect.name != "postgresql":
        assert once_per_cluster("iou clearing", clearing, None) == 3
        assert rounds == ["cleared"]  # one worker: it always runs
        return
    other = held_elsewhere(engine, "iou clearing")
    try:
        assert once_per_cluster("iou clearing", clearing, None) is None
        assert rounds == []
        assert once_per_cluster("daily digest", clearing, None) == 3  # other locks
    finally:
        # that worker finished its round
        other.execute(
            text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("iou clearing")}
        )
        other.close()
    assert once_per_cluster("iou clearing", clearing, None) == 3
    assert rounds == ["cleared", "cleared"]


def test_a_lock_is_given_back_after_the_work_even_when_it_fails(engine):
    with pytest.raises(ZeroDivisionError):
        once_per_cluster("sweep", lambda: 1 / 0, None)
    with leadership("sweep") as leader:
        assert leader
    assert lock_key("sweep") != lock_key("digest")


# --------------------------------------------------------------------------- Redis


def test_a_worker_leaves_when_redis_restarts_under_it():
    """Redis answers with one run id, misses a look, then comes back with a
    new one (a restart lost every page state): the worker leaves so that a
    fresh one takes its pages."""
    looks = iter(["run-1", "run-1", None, "run-2"])
    left: list[int] = []
    asyncio.run(
        cluster.leave_when_state_store_restarts(
            read_run_id=lambda: next(looks),
            leave=left.append,
            every=0,
            stagger=0,
        )
    )
    assert left == [cluster.EXIT_STATE_STORE_RESTARTED]


def test_a_worker_stays_while_redis_keeps_running_or_only_blips():
    looks = iter(["run-1", None, "run-1", "run-1"])
    left: list[int] = []

    async def watch_four_looks():
        task = asyncio.create_task(
            cluster.leave_when_state_store_restarts(
                read_run_id=lambda: next(looks, "run-1"), leave=left.append, every=0
            )
        )
        await asyncio.sleep(0.05)
        task.cancel()

    asyncio.run(watch_four_looks())
    assert left == []


def test_the_run_id_is_read_from_the_real_redis():
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=2)
    try:
        run_id = cluster.redis_run_id(client)
    finally:
        client.close()
    if run_id is None:
        unavailable("Redis is not reachable at 127.0.0.1:6379")
    assert len(run_id) == 40 and run_id == cluster.redis_run_id(
        redis.Redis.from_url("redis://127.0.0.1:6379/0")
    )


def test_a_forked_worker_opens_its_own_database_connections(engine):
    """Granian forks workers from a process that may have queried: a child
    sharing the parent's pooled connection interleaves queries on one socket
    ("SET TRANSACTION ISOLATION LEVEL must be called before any query")."""
    import os

    from marketplace import db

    with db.get_engine().connect() as conn:
        parent_backend = conn.execute(text("SELECT 1")).scalar()
    assert db.get_engine().pool.checkedin() >= 1  # the parent keeps some
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0 if db.get_engine().pool.checkedin() == 0 else 1
        with db.get_engine().connect() as conn:
            code = code or (0 if conn.execute(text("SELECT 1")).scalar() == 1 else 2)
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with db.get_engine().connect() as conn:  # the parent's connection still works
        assert conn.execute(text("SELECT 1")).scalar() == parent_backend
