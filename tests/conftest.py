"""Shared fixtures: a migrated database per backend, cleaned between tests.

Integration tests take the `engine` fixture and run once on SQLite and once on
PostgreSQL. In CI (CI=true) nothing may be skipped: a missing PostgreSQL or
browser is a failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from marketplace import db, events
from marketplace.migrations import upgrade_to_head
from tests.payments_fixtures import (  # noqa: F401
    fresh_stripe,
    localstripe,
    stripe_env,
    stripe_gateway,
)

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get(
    "MARKETPLACE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_skipped: list[str] = []


def unavailable(reason: str) -> None:
    """Skip on a developer machine that lacks a service; fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI may not skip)")
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def test_only_cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its production cost takes 0.1-0.3 s a hash on these
    machines, and nearly every test signs members up: the suite hashes
    with the same algorithm at its lowest cost instead. The hashes still
    verify against production ones (the parameters are in each hash);
    tests/unit/test_passwords.py checks the production cost itself."""
    from argon2 import PasswordHasher

    from marketplace.adapters import passwords

    with pytest.MonkeyPatch.context() as patch:
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        patch.setattr(passwords, "_hasher", cheap)
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: the app they start lives until the session ends,
    so nothing else should run after it has changed the process's settings."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _skipped:
        print(f"\nCI forbids skipped tests; {len(_skipped)} skipped:")
        for nodeid in _skipped:
            print(f"  {nodeid}")
        session.exitstatus = 1


# --------------------------------------------------------------------------- databases


def _create_pg_database() -> tuple[Engine, str] | None:
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"mk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        return None
    finally:
        admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name)
    return db.make_engine(url.render_as_string(hide_password=False)), name


def _drop_pg_database(name: str) -> None:
    admin = db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "test.db"
    engine = db.make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine | None]:
    created = _create_pg_database()
    if created is None:
        yield None
        return
    engine, name = created
    upgrade_to_head(engine)
    yield engine
    events.stop_following()
    engine.dispose()
    _drop_pg_database(name)


def _clean(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database; the app's unit of work points at it."""
    if request.param == "sqlite":
        engine = request.getfixturevalue("sqlite_engine")
    else:
        engine = request.getfixturevalue("postgres_engine")
        if engine is None:
            unavailable(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    _clean(engine)
    db.use_engine(engine)
    # What memory holds (the graph, remembered sessions) came from another
    # database: every copy starts afresh from this one.
    events.tell_here(events.DATA_REPLACED)
    yield engine
    db.use_engine(None)
    events.tell_here(events.DATA_REPLACED)
    _clean(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work the test commits explicitly (services never commit)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s
