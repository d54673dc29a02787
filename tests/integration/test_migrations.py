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
import sqlalchemy as sa
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


# ------------------------------------------------------- 0021: grants retired


def upgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    from marketplace.migrations import alembic_config

    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def old_member(s: Session, handle: str, *, closed: bool = False) -> int:
    """A member row with only the columns every revision since 0019 has (the
    model has grown since: freezing came in 0023)."""
    now = datetime.now(UTC)
    member = sa.table(
        "member",
        *(
            sa.column(name)
            for name in (
                "id", "handle", "email", "email_canonical", "display_name",
                "headline", "bio", "location", "timezone", "availability",
                "password_hash", "status", "is_operator", "clearing_opt_out",
                "digest_opt_in", "email_verified_at", "created_at", "updated_at",
            )
        ),
    )  # fmt: skip
    row = {
        "handle": handle,
        "email": f"{handle}@example.com",
        "email_canonical": f"{handle}@example.com",
        "display_name": handle.title(),
        "headline": "",
        "bio": "",
        "location": "",
        "timezone": "UTC",
        "availability": "open",
        "password_hash": "x",
        "status": "closed" if closed else "active",
        "is_operator": False,
        "clearing_opt_out": False,
        "digest_opt_in": False,
        "email_verified_at": now,
        "created_at": now,
        "updated_at": now,
    }
    return s.execute(sa.insert(member).values(row).returning(member.c.id)).scalar_one()


def test_upgrading_retires_every_signup_grant_as_far_as_credit_allows(empty_engine):
    """As the ledger stood before issue 20: each member got 10 karma on
    joining; bob and eve spent 7 of theirs, and only bob has trust (so a
    credit limit of 10) by the time the grants are retired."""
    from marketplace.ledger.audit import audit_ledger
    from marketplace.ledger.signup_grants import retire_signup_grants
    from marketplace.models import LedgerAccount, LedgerTransfer, MemberTrust

    upgrade_to(empty_engine, "0020")
    now = datetime.now(UTC)
    with Session(empty_engine) as s:
        ids = {h: old_member(s, h) for h in ("ada", "bob", "cyd", "eve")}
        ids["dan"] = old_member(s, "dan", closed=True)
        s.add(MemberTrust(member_id=ids["bob"], score=0.5, computed_at=now))
        pool = LedgerAccount(
            code="signup_grant",
            name="signup_grant",
            currency="KARMA",
            credit_limit=None,
            debits_posted=50,
            created_at=now,
        )
        s.add(pool)
        spent = {"bob": 7, "eve": 7, "cyd": -14, "dan": 10}  # dan closed, returned
        accounts = {}
        for handle, member_id in ids.items():
            accounts[handle] = LedgerAccount(
                code="member",
                member_id=member_id,
                currency="KARMA",
                credits_posted=10 + max(0, -spent.get(handle, 0)),
                debits_posted=max(0, spent.get(handle, 0)),
                created_at=now,
                closed_at=now if handle == "dan" else None,
            )
        s.add_all(accounts.values())
        s.flush()
        pool.credits_posted = 10  # dan's karma, back to the pool when he left
        for handle, account in accounts.items():
            s.add(
                LedgerTransfer(
                    transfer_key=f"signup-grant:{ids[handle]}",
                    debit_account_id=pool.id,
                    credit_account_id=account.id,
                    amount=10,
                    currency="KARMA",
                    kind="single",
                    code="signup_grant",
                    memo="Welcome to Karma",
                    created_at=now,
                )
            )
        for payer in ("bob", "eve"):
            s.add(
                LedgerTransfer(
                    transfer_key=f"gift-{payer}",
                    debit_account_id=accounts[payer].id,
                    credit_account_id=accounts["cyd"].id,
                    amount=7,
                    currency="KARMA",
                    kind="single",
                    code="gift",
                    memo="",
                    created_at=now,
                )
            )
        s.add(
            LedgerTransfer(
                transfer_key="close-dan",
                debit_account_id=accounts["dan"].id,
                credit_account_id=pool.id,
                amount=10,
                currency="KARMA",
                kind="single",
                code="account_closed",
                memo="",
                created_at=now,
            )
        )
        s.commit()
        assert audit_ledger(s).ok, audit_ledger(s).breaches

    upgrade_to_head(empty_engine)

    with Session(empty_engine) as s:
        retired = s.exec(
            select(LedgerTransfer).where(LedgerTransfer.code == "signup_grant_retired")
        ).all()
        by_member = {
            s.get(LedgerAccount, t.debit_account_id).member_id: t for t in retired
        }
        amounts = {h: by_member[i].amount for h, i in ids.items() if i in by_member}
        assert amounts == {"ada": 10, "bob": 10, "cyd": 10, "eve": 3}
        assert all("retired" in t.memo for t in retired)
        assert {t.transfer_key for t in retired} == {
            f"signup-retired:{ids[h]}" for h in amounts
        }
        report = audit_ledger(s)
        assert report.ok, report.breaches
        assert report.grants_retired == {"members": 4, "karma": 33}
        assert report.unretired_grants == {"eve": 7}  # spent, and no credit
        balances = {
            h: a.credits_posted - a.debits_posted
            for h in ids
            for a in [
                s.exec(
                    select(LedgerAccount).where(LedgerAccount.member_id == ids[h])
                ).one()
            ]
        }
        assert balances == {"ada": 0, "bob": -7, "cyd": 14, "eve": 0, "dan": 0}
        # keyed once per member: running it again takes nothing more
        assert retire_signup_grants(s).members == 0
