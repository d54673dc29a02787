"""Engine and the unit of work: the single place where a transaction commits.

Services receive a Session and never commit; `unit_of_work()` commits on success
and rolls back on any exception, so a multi-step operation is all-or-nothing.
SQLite gets WAL, foreign keys and `BEGIN IMMEDIATE` so that a write transaction
takes the write lock up front instead of failing half-way on upgrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from marketplace.settings import get_settings

_engine: Engine | None = None
_READ_ONLY = "marketplace_read_only"


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend behind `url`."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _tune_sqlite(engine: Engine) -> None:
    # pysqlite's own BEGIN handling defers the lock; take control of it.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Readers stay deferred so they never queue behind the writer (WAL).
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().db_url)
    return _engine


def use_engine(engine: Engine | None) -> None:
    """Point the app at another engine (tests, operator commands)."""
    global _engine
    _engine = engine


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: commit if the block succeeds, roll back if it raises."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only() -> Iterator[Session]:
    """A session for reads; nothing it does is committed."""
    bind = get_engine().execution_options(**{_READ_ONLY: True})
    # Closing (not rolling back) keeps loaded objects readable after the block.
    with Session(bind, expire_on_commit=False) as session:
        yield session
