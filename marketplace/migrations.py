"""Bring a database to the newest schema, from code (CLI, tests, start-up).

Wraps alembic so the same revisions run whether an operator types
`python -m marketplace migrate`, `alembic upgrade head` or the run script does.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
# The full-text search index (an FTS5 table on SQLite, a GIN index on
# PostgreSQL) is made by raw SQL in a revision and has no model.
SEARCH_PREFIX = "listing_fts"
MIGRATION_LOCK = 0x6B61726D61  # "karma": an advisory lock key of our own


def is_modelled(obj, name, type_, reflected, compare_to) -> bool:
    """alembic `include_object`: leave the search index out of comparisons."""
    return not (name or "").startswith(SEARCH_PREFIX)


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False)
        )
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every revision the database does not have yet (a no-op at head)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Nodes of a deployment all migrate as they start: one at a time,
            # and the later ones find the schema at head already.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema_drift(engine: Engine) -> list:
    """What autogenerate would change to make the database match the models,
    leaving out the search index (made by raw SQL, with no model)."""
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    from marketplace import models  # noqa: F401  (registers the tables)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": is_modelled}
        )
        return compare_metadata(context, SQLModel.metadata)


def schema_warning(engine: Engine) -> str | None:
    """What an operator starting the app should hear about its schema: behind
    the code (run the migrations), or drifted from the models; else None."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        return (
            f"The database is at revision {current or 'none'}, the code needs "
            f"{head}: run `python -m marketplace migrate`."
        )
    if schema_drift(engine):
        return "The database schema differs from the models at head; see alembic/."
    return None
