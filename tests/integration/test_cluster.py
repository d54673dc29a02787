"""Background work runs in one worker of the cluster at a time: while another
process holds a task's lock (a PostgreSQL advisory lock), this one skips the
round and writes nothing; on SQLite (one worker) it always runs."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from marketplace.cluster import leadership, lock_key, once_per_cluster


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
