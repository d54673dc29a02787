"""Work that must run once per cluster, not once per worker.

Every worker process runs the same lifespan tasks. The sweeps are idempotent,
but running the IOU clearing or the digest in several workers at once wastes
work and races on the same rows. On PostgreSQL a session advisory lock, keyed
by the task's name, lets one process through and the others skip this round.
SQLite is one worker by design (its writers are serialised anyway), so there
the work always runs.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
