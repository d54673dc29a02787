"""Reflex configuration: the app, its database and its hardening switches.

Only REFLEX_-prefixed variables are read by Reflex itself (REFLEX_DB_URL,
REFLEX_REDIS_URL, ...); the app's own settings live in marketplace/settings.py.
"""

import os
import sys

import reflex as rx
from reflex.utils import prerequisites

from marketplace.settings import DEFAULT_DB_URL


def _check_schema() -> None:
    """`reflex run`'s start-up schema check, with the app's own rules.

    Reflex compares every table it finds with the models, so it reports the
    full-text search index (raw SQL in a migration, no model) as "schema
    changes" and tells the operator to run `reflex db makemigrations`, which
    would write a migration dropping the index. Migrations here are
    `python -m marketplace migrate`; this says when they are due.
    """
    from marketplace.db import get_engine
    from marketplace.migrations import schema_warning

    try:
        warning = schema_warning(get_engine())
    except Exception as error:  # the app will say more when it first queries
        warning = f"Could not check the database schema: {error}"
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)


prerequisites.check_schema_up_to_date = _check_schema

# Any browser can call any handler: Reflex 0.9+ generates no setters
# (state_auto_setters is off by default); keep it that way.
config = rx.Config(
    app_name="marketplace",
    db_url=os.environ.get("REFLEX_DB_URL", DEFAULT_DB_URL),
    show_built_with_reflex=False,
    telemetry_enabled=False,
    cors_allowed_origins=tuple(
        os.environ.get("REFLEX_CORS_ALLOWED_ORIGINS", "*").split(",")
    ),
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.TailwindV4Plugin(),
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(
                accent_color="indigo",
                gray_color="slate",
                radius="large",
                appearance="light",
            )
        ),
    ],
)
