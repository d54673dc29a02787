"""Reflex configuration: the app, its database and its hardening switches.

Only REFLEX_-prefixed variables are read by Reflex itself (REFLEX_DB_URL,
REFLEX_REDIS_URL, ...); the app's own settings live in marketplace/settings.py.
"""

import os

import reflex as rx

from marketplace import serving
from marketplace.settings import DEFAULT_DB_URL

serving.install()  # reflex run's schema check and worker respawn: see serving.py

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
