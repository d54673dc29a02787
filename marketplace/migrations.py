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
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
# The full-text search index (an FTS5 table on SQLite, a GIN index on
# PostgreSQL) is made by raw SQL in a revision and has no model.
SEARCH_PREFIX = "listing_fts"


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
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
