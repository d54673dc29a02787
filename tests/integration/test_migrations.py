"""The schema: a fresh database reaches head, upgrading again is harmless, and
the models match the migrations exactly, on SQLite and PostgreSQL.

These tests make their own empty databases instead of using the shared,
already-migrated `engine` fixture."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from marketplace import db
from marketplace.migrations import (
    ROOT,
    SEARCH_PREFIX,
    current_revision,
    head_revision,
    is_modelled,
    schema_drift,
    schema_warning,
    upgrade_to_head,
)
from marketplace.models import Member
from tests.conftest import (
    PG_ADMIN_URL,
    _create_pg_database,
    _drop_pg_database,
    unavailable,
)

MODEL_TABLES = set(SQLModel.metadata.tables)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """A brand-new database with no tables at all."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    created = _create_pg_database()
    if created is None:
        unavailable(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    engine, name = created
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_pg_database(name)


def tables(engine: Engine) -> set[str]:
    """The modelled tables (the search index has its own raw-SQL tables)."""
    names = inspect(engine).get_table_names()
    return {name for name in names if not name.startswith(SEARCH_PREFIX)}


def add_member(engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as s:
        s.add(
            Member(
                handle="ada",
                email="ada@example.com",
                display_name="Ada",
                password_hash="x",
                created_at=now,
                updated_at=now,
            )
        )
        s.commit()


def test_a_fresh_database_reaches_head_with_every_table(empty_engine):
    assert current_revision(empty_engine) is None
    upgrade_to_head(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == MODEL_TABLES | {"alembic_version"}


def test_the_search_index_exists_after_upgrade(empty_engine):
    upgrade_to_head(empty_engine)
    if empty_engine.dialect.name == "sqlite":
        found = "SELECT name FROM sqlite_master WHERE name LIKE 'listing_fts%'"
        expected = {f"listing_fts_{t}" for t in ("insert", "delete", "update")}
        expected.add("listing_fts")
    else:
        found = "SELECT indexname FROM pg_indexes WHERE tablename = 'listing'"
        expected = {"listing_fts_vector_gin"}
    with empty_engine.connect() as conn:
        assert expected <= set(conn.execute(text(found)).scalars())


def test_upgrading_again_changes_nothing_and_keeps_the_data(empty_engine):
    upgrade_to_head(empty_engine)
    add_member(empty_engine)
    before = tables(empty_engine)
    upgrade_to_head(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == before
    with Session(empty_engine) as s:
        assert s.exec(select(Member.handle)).all() == ["ada"]


def test_the_models_match_the_migrated_schema_with_no_drift(empty_engine):
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": is_modelled}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_the_start_up_check_says_when_migrations_are_due_and_not_otherwise(
    empty_engine,
):
    """`reflex run` warns with this; Reflex's own check called the search
    index "schema changes" and suggested a migration that would drop it."""
    assert "run `python -m marketplace migrate`" in schema_warning(empty_engine)
    upgrade_to_head(empty_engine)
    assert schema_drift(empty_engine) == []
    assert schema_warning(empty_engine) is None


def test_nodes_starting_together_migrate_one_at_a_time(empty_engine):
    """Every node of a deployment runs `migrate` as it starts (scripts/serve);
    two at once must not both create the tables."""
    url = empty_engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "REFLEX_DB_URL": url}
    nodes = [
        subprocess.Popen(
            [sys.executable, "-m", "marketplace", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for node in nodes:
        _out, err = node.communicate(timeout=180)
        assert node.returncode == 0, err
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == MODEL_TABLES | {"alembic_version"}


def test_an_operator_can_run_alembic_upgrade_head_from_the_shell(tmp_path):
    path = tmp_path / "operator.db"
    env = {**os.environ, "REFLEX_DB_URL": f"sqlite:///{path}"}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine = db.make_engine(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == head_revision()
        assert tables(engine) == MODEL_TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_a_new_sqlite_file_opened_while_another_process_writes_it_waits(tmp_path):
    """SQLite refuses the switch to WAL at once, busy timeout or not, while
    another connection that opened the file first is writing (a second node
    starting during the first one's migration); the app waits for it."""
    path = tmp_path / "new.db"
    first = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    first.execute("BEGIN IMMEDIATE")
    first.execute("CREATE TABLE early (x)")
    threading.Timer(0.5, first.execute, ("COMMIT",)).start()
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        early = conn.exec_driver_sql("SELECT count(*) FROM early").scalar()
    engine.dispose()
    first.close()
    assert (mode, early) == ("wal", 0)
