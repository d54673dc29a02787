"""Reflex configuration: the app, its database and its hardening switches.

Only REFLEX_-prefixed variables are read by Reflex itself (REFLEX_DB_URL,
REFLEX_REDIS_URL, ...); the app's own settings live in marketplace/settings.py.
"""

import os

import reflex as rx

from marketplace import serving
from marketplace.frontend_build import SharedUiChunk
from marketplace.settings import refuse_unsafe_start

# Every Reflex process (reflex run, each Granian worker, reflex db) imports this
# module first: a setting of the wrong type and, outside development, a
# placeholder secret, a `*` CORS origin or a local base URL stop it here,
# naming the setting (settings.py).
settings = refuse_unsafe_start()
serving.install()  # reflex run's schema check and worker respawn: see serving.py


def _pages_beside_the_api() -> dict[str, str]:
    api_url = os.environ.get("REFLEX_API_URL", "").strip()
    return {"deploy_url": api_url} if api_url else {}


# Any browser can call any handler: Reflex 0.9+ generates no setters
# (state_auto_setters is off by default); keep it that way.
config = rx.Config(
    app_name="marketplace",
    db_url=settings.db_url,
    # Where the pages are: /api/session/* send the browser back there after
    # setting the session cookie. One port in production (`--single-port`), so
    # the public address of the API is that of the pages, unless
    # REFLEX_DEPLOY_URL (read by Reflex itself) says otherwise.
    **_pages_beside_the_api(),
    show_built_with_reflex=False,
    telemetry_enabled=False,
    # "*" is for development only: refuse_unsafe_start refuses it elsewhere
    cors_allowed_origins=settings.cors_allowed_origins,
    plugins=[
        rx.plugins.SitemapPlugin(),
        SharedUiChunk(),  # one script file for the UI every page shares
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
