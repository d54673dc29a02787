"""Work that must run once per cluster, not once per worker.

Every worker process runs the same lifespan tasks. The sweeps are idempotent,
but running the IOU clearing or the digest in several workers at once wastes
work and races on the same rows. On PostgreSQL a session advisory lock, keyed
by the task's name, lets one process through and the others skip this round.
SQLite is one worker by design (its writers are serialised anyway), so there
the work always runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

from sqlalchemy import text

from marketplace.db import get_engine

log = logging.getLogger(__name__)
T = TypeVar("T")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (pg advisory locks take bigint)."""
    digest = hashlib.blake2b(f"karma:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def leadership(name: str) -> Iterator[bool]:
    """True in the one process of the cluster doing `name` now, else False."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(name)
    with engine.connect() as conn:
        got = bool(
            conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def once_per_cluster(name: str, work: Callable[[], T], skipped: T) -> T:
    """Run `work` if no other process of the cluster is running `name` now;
    otherwise return `skipped` at once (the other one is doing it)."""
    with leadership(name) as leader:
        if not leader:
            log.debug("%s: another worker is on it", name)
            return skipped
        return work()


# --------------------------------------------------------------------------- Redis

STATE_STORE_CHECK_SECONDS = 2.0
EXIT_STATE_STORE_RESTARTED = 75  # EX_TEMPFAIL: try again, a fresh worker will


def state_store_restarted(before: str | None, now: str | None) -> bool:
    """Whether Redis restarted between two looks at its run id (None: it
    did not answer that time)."""
    return before is not None and now is not None and before != now


def redis_run_id(client) -> str | None:
    """Redis's `run_id`: a new one on every start of the server."""
    import redis

    try:
        return str(client.info("server")["run_id"])
    except redis.RedisError:
        return None


def _leave_now(_code: int) -> None:
    # SIGKILL, as if the OOM killer took it: os._exit with Granian's runtime
    # threads alive panicked its Rust side and stopped the whole node.
    os.kill(os.getpid(), signal.SIGKILL)


async def leave_when_state_store_restarts(
    read_run_id: Callable[[], str | None] | None = None,
    leave: Callable[[int], object] = _leave_now,
    every: float = STATE_STORE_CHECK_SECONDS,
    stagger: float = 3.0,
) -> None:
    """A lifespan task: end this worker when Redis restarts under it.

    A restarted Redis has lost every page's state, and Reflex's state manager
    in this worker does not recover its lock subscription: events wait on
    locks nobody announces and fail ("An error occurred") until the worker
    restarts. So the worker leaves at once; Granian starts a fresh one
    (serving.respawn_failed_workers), the pages' sockets reconnect to it and
    hydrate with their session cookie. Nothing to do without Redis."""
    if read_run_id is None:
        url = os.environ.get("REFLEX_REDIS_URL", "")
        if not url:
            return
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        read_run_id = partial(redis_run_id, client)
    known = await asyncio.to_thread(read_run_id)
    while True:
        await asyncio.sleep(every)
        seen = await asyncio.to_thread(read_run_id)
        if state_store_restarted(known, seen):
            log.error("Redis restarted: every page state is gone; restarting worker")
            # Not all workers at once: Granian restarts them one by one.
            await asyncio.sleep(random.uniform(0, stagger))
            leave(EXIT_STATE_STORE_RESTARTED)
            return
        known = seen or known
