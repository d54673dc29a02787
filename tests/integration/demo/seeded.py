"""Seeded demo databases, made once per test session and backend.

Seeding the demo network takes seconds (fifty members: ten on PostgreSQL),
and most demo tests only read what it wrote. So each demo size is seeded once
per backend, into a database of its own -- a file for SQLite, a database used
as a template on PostgreSQL -- and a test either

- reads that database itself (`Demo.shared`), opened read-only: a test that
  writes fails at once instead of changing what the next test reads; or
- gets its own copy of it in the test's database (`Demo.fresh`), for a test
  that goes on to write (seed again, sign in, spend karma).

Both return the report the seeding run made, as the test's own run would have.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from marketplace import db, events
from marketplace.adapters.clock import FixedClock
from marketplace.demo.seed import SeedReport, seed_network
from marketplace.migrations import upgrade_to_head
from marketplace.settings import get_settings
from tests.conftest import PG_ADMIN_URL

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)  # the demo tests' "now"


@dataclass
class Seeded:
    """One seeded demo: its report, where it lives, and a read-only engine."""

    report: SeedReport
    source: str  # the SQLite file, or the PostgreSQL template database's name
    reader: Engine


class SeededDemos:
    """The session's seeded demos, by backend, size and settings. Each starts
    as a copy of one migrated, empty database per backend (migrating takes
    seconds too)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._seeded: dict[tuple, Seeded] = {}
        self._blanks: dict[str, str] = {}  # backend -> its migrated, empty database
        self._made: list[tuple[str, str]] = []  # (backend, database) to remove

    def get(self, engine: Engine, members: int, seed: int) -> Seeded:
        # settings shape the plan (credit terms): a test that changes them
        # gets a demo of its own
        key = (engine.dialect.name, members, seed, get_settings())
        if key not in self._seeded:
            self._seeded[key] = self._make(engine, members, seed)
        return self._seeded[key]

    def copy_into(self, engine: Engine, seeded: Seeded) -> None:
        """Replace everything in `engine`'s database by a copy of `seeded`."""
        # a PostgreSQL template may have no connections: not the pool's, nor
        # the event feed's that a graph load on the shared demo started
        events.stop_following()
        seeded.reader.dispose()
        engine.dispose()
        _copy_database(engine, seeded.source, engine.url.database)

    def close(self) -> None:
        events.stop_following()
        for seeded in self._seeded.values():
            seeded.reader.dispose()
        for backend, name in self._made:
            if backend == "postgresql":
                with _pg_admin() as admin:
                    _drop_pg_database(admin, name)

    def _make(self, engine: Engine, members: int, seed: int) -> Seeded:
        blank = self._blank(engine)
        source = self._new_database(engine, f"demo{len(self._made)}", like=blank)
        writer = db.make_engine(_url(engine, source))
        try:
            report = _seed_into(writer, engine, members, seed)
        finally:
            writer.dispose()
        return Seeded(report, source, _reader(_url(engine, source)))

    def _blank(self, engine: Engine) -> str:
        """The migrated, empty database of `engine`'s backend."""
        backend = engine.dialect.name
        if backend not in self._blanks:
            name = self._new_database(engine, "blank")
            writer = db.make_engine(_url(engine, name))
            try:
                upgrade_to_head(writer)
            finally:
                writer.dispose()
            self._blanks[backend] = name
        return self._blanks[backend]

    def _new_database(self, engine: Engine, suffix: str, like: str = "") -> str:
        """A database of `engine`'s backend: empty, or a copy of `like`."""
        backend = engine.dialect.name
        if backend == "sqlite":
            name = str(self._folder / f"{suffix}.db")
            if like:
                _sqlite_copy(like, name)
        else:
            name = f"{engine.url.database}_{suffix}"
            template = f' TEMPLATE "{like}"' if like else ""
            with _pg_admin() as admin:
                admin.execute(text(f'CREATE DATABASE "{name}"{template}'))
        self._made.append((backend, name))
        return name


def _url(engine: Engine, database: str) -> str:
    """`engine`'s URL, on another database (a file for SQLite)."""
    url = engine.url.set(database=database)
    return url.render_as_string(hide_password=False)


def _copy_database(engine: Engine, source: str, target: str | None) -> None:
    """Make `target` (of `engine`'s backend) a copy of `source`; nobody may be
    connected to `source` on PostgreSQL, nor to `target` (forced off)."""
    if engine.dialect.name == "sqlite":
        _sqlite_copy(source, target)
        return
    with _pg_admin() as admin:
        _drop_pg_database(admin, str(target))
        admin.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))


def _drop_pg_database(admin: Connection, name: str) -> None:
    admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _seed_into(target: Engine, back_to: Engine, members: int, seed: int) -> SeedReport:
    """Seed `target` as the demo tests' `seed()` does, then point the app back."""
    db.use_engine(target)
    events.tell_here(events.DATA_REPLACED)
    try:
        with db.unit_of_work() as s:
            return seed_network(s, members=members, seed=seed, clock=FixedClock(NOW))
    finally:
        db.use_engine(back_to)
        events.tell_here(events.DATA_REPLACED)


def _reader(url: str) -> Engine:
    """An engine on `url` that refuses to write: SQLite through `query_only`
    (and deferred transactions, which it allows), PostgreSQL through read-only
    transactions."""
    engine = db.make_engine(url)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _query_only(dbapi_conn, _record) -> None:
            dbapi_conn.execute("PRAGMA query_only=ON")

    return db.read_only_engine(engine)


def _sqlite_copy(source: str, target: str | None) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@contextmanager
def _pg_admin() -> Iterator[Connection]:
    """An autocommit connection to the suite's admin database."""
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            yield conn
    finally:
        admin.dispose()


class Demo:
    """What a demo test asks for: the demo of `members`, shared or its own."""

    def __init__(self, engine: Engine, demos: SeededDemos) -> None:
        self.engine = engine
        self._demos = demos

    def shared(self, members: int, seed: int = 7) -> SeedReport:
        """Point the app at the session's seeded demo, read-only."""
        seeded = self._demos.get(self.engine, members, seed)
        db.use_engine(seeded.reader)
        events.tell_here(events.DATA_REPLACED)
        return copy.deepcopy(seeded.report)

    def fresh(self, members: int, seed: int = 7) -> SeedReport:
        """Make the test's own database a copy of the seeded demo."""
        seeded = self._demos.get(self.engine, members, seed)
        self._demos.copy_into(self.engine, seeded)
        db.use_engine(self.engine)
        events.tell_here(events.DATA_REPLACED)
        return copy.deepcopy(seeded.report)
