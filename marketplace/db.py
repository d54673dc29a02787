"""Engine and the unit of work: the single place where a transaction commits.

Services receive a Session and never commit; `unit_of_work()` commits on success
and rolls back on any exception, so a multi-step operation is all-or-nothing.
SQLite gets WAL, foreign keys and `BEGIN IMMEDIATE` so that a write transaction
takes the write lock up front instead of failing half-way on upgrade.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from marketplace.settings import get_settings

_engine: Engine | None = None
_READ_ONLY = "marketplace_read_only"
_HELD = "marketplace_held_rows"
_READ_ONLY_COPY = "_marketplace_read_only_copy"  # kept on the engine itself
T = TypeVar("T")
# PostgreSQL gave up on the transaction: serialization_failure, deadlock_detected.
_RETRY_SQLSTATES = {"40001", "40P01"}
# SQLite could not get its lock in time: SQLITE_BUSY, SQLITE_LOCKED (any variant).
_RETRY_SQLITE_CODES = {5, 6}
PREPARE_AFTER_RUNS = 2  # psycopg's prepare_threshold: prepared on the third run


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend behind `url`."""
    if url.startswith("sqlite"):
        _make_room_for(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}
        )
        _tune_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip per transaction (15% of a transfer).
    # After a server restart the first use of a stale connection fails once and
    # SQLAlchemy then drops the whole pool; idempotent transfer ids make the
    # retry safe. Recycling bounds how stale a pooled connection can get.
    # Last in, first out: the connection used last serves the next read, so
    # a few warm connections carry a worker. A statement is prepared on its
    # third run on a connection (psycopg waits for the fifth): a worker's
    # connections see each of the app's statements often, and PostgreSQL
    # then skips planning it (benchmarks/README.md, "Prepared statements").
    return create_engine(
        url,
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_size=10,
        max_overflow=20,
        pool_use_lifo=True,
        connect_args={"prepare_threshold": PREPARE_AFTER_RUNS},
    )


def _make_room_for(url: str) -> None:
    """SQLite creates the file but not its directory (the default is .data/)."""
    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _use_wal(cursor, wait: float = 30.0) -> None:
    """Switch the file to WAL, waiting for another process's lock: SQLite
    refuses the switch at once, busy timeout or not, while a process that
    opened the file before it was WAL writes (two nodes migrating a new file)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05 + 0.05 * random.random())


def _tune_sqlite(engine: Engine) -> None:
    # pysqlite's own BEGIN handling defers the lock; take control of it.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
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


def _after_fork() -> None:
    """A forked worker must not use the parent's pooled connections: two
    processes on one socket interleave their queries (Granian forks workers
    from a supervisor that may have queried, e.g. `reflex run`'s schema
    check). Forget them without closing them -- they are the parent's."""
    if _engine is not None:
        _engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)


@event.listens_for(Session, "loaded_as_persistent")
def _hold(session: Session, instance: object) -> None:
    """Keep every row a session loads for as long as the session lives.
    SQLAlchemy's identity map holds rows weakly: a row the code no longer
    refers to is forgotten, and the next `session.get` of it (the actor's
    member row, the engagement, the listing: a write asks for each several
    times) queries again. Sessions here live for one handler."""
    session.info.setdefault(_HELD, []).append(instance)


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


def run_in_transaction(
    work: Callable[[Session], T], *, retries: int = 3, backoff: float = 0.05
) -> T:
    """`work(session)` in one unit of work, run again from the start (at most
    `retries` more times) when the database abandons the transaction: a deadlock
    or serialization failure on PostgreSQL, a lock wait that timed out on SQLite.
    Several transfers in one transaction lock their accounts in the order they
    come, so two such transactions can deadlock; a retry then finishes both.
    `work` must only touch the database (it may run more than once)."""
    for attempt in range(retries + 1):
        try:
            with unit_of_work() as session:
                return work(session)
        except Exception as error:  # wrapped by SQLAlchemy, or raw from the driver
            if attempt == retries or not _is_transient(error):
                raise
        time.sleep(backoff * 2**attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")


def _is_transient(error: Exception) -> bool:
    cause = error.orig if isinstance(error, DBAPIError) else error
    if getattr(cause, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    code = getattr(cause, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in _RETRY_SQLITE_CODES


def read_only_engine(engine: Engine | None = None) -> Engine:
    """`engine` (the app's by default) set up for reads: SQLite begins a
    deferred transaction (no write lock), PostgreSQL a read-only one."""
    engine = engine or get_engine()
    # Made once per engine: an option engine is a copy with its own event
    # listeners, and making one cost a read a tenth of its time.
    found = getattr(engine, _READ_ONLY_COPY, None)
    if found is None:
        options: dict = {_READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            # One snapshot for the whole read, so totals and history agree.
            options |= {
                "isolation_level": "REPEATABLE READ",
                "postgresql_readonly": True,
            }
        found = engine.execution_options(**options)
        setattr(engine, _READ_ONLY_COPY, found)
    return found


@contextmanager
def read_only() -> Iterator[Session]:
    """A session for reads; nothing it does is committed."""
    # Closing (not rolling back) keeps loaded objects readable after the block.
    with Session(
        read_only_engine(), expire_on_commit=False, info={_READ_ONLY: {}}
    ) as session:
        yield session
        _end_read(session)


def _end_read(session: Session) -> None:
    """End a read with COMMIT where it wrote nothing: the same as a rollback
    for a read, but psycopg forgets every statement it prepared on a
    rollback, and PostgreSQL then plans each query afresh (a third of its
    CPU on the engagement page's read). A session whose rows the code changed
    (only to show them) still rolls back."""
    changed = session.new or session.deleted or session.identity_map.check_modified()
    if not changed and session.in_transaction():
        session.commit()


def remembered(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, once per `read_only()` session for `key`: a page's reads
    see one snapshot, so what one part of the page looked up (the viewer's
    connections, members' privacy choices) holds for every other part. In
    a unit of work, which may change it, it is computed every time."""
    memo = session.info.get(_READ_ONLY)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def recalled(session: Session, key: Hashable) -> object | None:
    """What `remembered` holds for `key` in this `read_only()` session, or
    None when nothing computed it yet (and always in a unit of work)."""
    memo = session.info.get(_READ_ONLY)
    return None if memo is None else memo.get(key)


def dialect_insert(on: Session | Connection):
    """The INSERT of the database behind a session or connection, which
    knows ON CONFLICT (both ours do; SQLAlchemy's generic one does not)."""
    bind = on.get_bind() if isinstance(on, Session) else on
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
