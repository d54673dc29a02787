"""Browser fixtures: the real app (reflex.testing.AppHarness) on a fresh
database, driven by Playwright in Debian's headless Chromium.

The app's backing services follow MARKETPLACE_BROWSER_BACKING: `sqlite` (the
default: an embedded file, state in memory) or `postgresql+redis` (the
production backing: a fresh PostgreSQL database, and the Reflex state manager
in Redis). scripts/test runs the browser tests once on each.

Tests find elements by role, label and text, as a person does.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from marketplace import db, events
from marketplace.migrations import upgrade_to_head
from marketplace.settings import get_settings
from tests.conftest import _create_pg_database, _drop_pg_database, unavailable
from tests.payments_fixtures import (
    TEST_PUBLISHABLE_KEY,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MARKETPLACE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic",
]  # fmt: skip
ARTIFACTS = ROOT / "test-artifacts"
# Shared, noisy machines: a dev-mode event can take seconds under load. A person
# would wait that long too; 5 s (Playwright's default) made CI flaky.
expect.set_options(timeout=15_000)


BACKING = os.environ.get("MARKETPLACE_BROWSER_BACKING", "sqlite")
BACKINGS = ("sqlite", "postgresql+redis")
REDIS_URL = os.environ.get("MARKETPLACE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the app under test, then put them back."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def app_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database the in-process backend will use, per BACKING."""
    if BACKING not in BACKINGS:
        pytest.fail(f"MARKETPLACE_BROWSER_BACKING must be one of {BACKINGS}")
    # every browser signs up from 127.0.0.1 with @example.com addresses
    with environment(**SIGNUP_LIMITS):
        yield from _app_database(tmp_path_factory)


SIGNUP_LIMITS = {
    "MARKETPLACE_SIGNUPS_PER_ADDRESS_HOUR": "100000",
    "MARKETPLACE_SIGNUPS_PER_DOMAIN_HOUR": "100000",
}


def _app_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKING == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.db'}"
        with environment(REFLEX_DB_URL=url):
            yield from _migrated(url)
        return
    created = _create_pg_database()
    if created is None:
        unavailable("PostgreSQL is not reachable for the browser tests")
    engine, name = created
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    with (
        _fresh_redis() as redis_url,
        environment(REFLEX_DB_URL=url, REFLEX_REDIS_URL=redis_url),
    ):
        yield from _migrated(url)
    _drop_pg_database(name)


def _migrated(url: str) -> Iterator[str]:
    db.use_engine(None)
    upgrade_to_head(db.get_engine())
    yield url
    events.stop_following()
    db.use_engine(None)


@contextmanager
def _fresh_redis() -> Iterator[str]:
    """The test's own Redis database, empty before and after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="session")
def app_stripe(localstripe: str) -> Iterator[str]:
    """The app under test takes card payments through localstripe (the
    in-process backend reads these settings when it starts); card forms
    load localstripe's stand-in Stripe.js."""
    with environment(
        MARKETPLACE_STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        MARKETPLACE_STRIPE_API_BASE=localstripe,
        MARKETPLACE_STRIPE_WEBHOOK_SECRET=TEST_WEBHOOK_SECRET,
        MARKETPLACE_STRIPE_PUBLISHABLE_KEY=TEST_PUBLISHABLE_KEY,
        MARKETPLACE_STRIPE_JS_URL=f"{localstripe}/js.stripe.com/v3/",
    ):
        yield localstripe


@pytest.fixture(scope="session")
def mailbox() -> Iterator[object]:
    """A real SMTP server on loopback that catches every mail the app sends
    (aiosmtpd), for tests that click the links in them."""
    from aiosmtpd.controller import Controller

    from marketplace.settings import get_settings
    from tests.browser import mail
    from tests.integration.inbox.test_digest import MailSink, free_port

    sink, port = MailSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with environment(MARKETPLACE_SMTP_PORT=str(port)):
        get_settings.cache_clear()
        mail.SINK = sink
        yield sink
        mail.SINK = None
    controller.stop()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def app_url(app_database: str, app_stripe: str, mailbox: object) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("bun") is None:
        unavailable("bun is not on PATH (scripts/test installs it)")
    from reflex.testing import AppHarness

    with AppHarness.create(root=ROOT, app_name="marketplace") as harness:
        assert harness.frontend_url is not None
        yield _beside_the_backend(harness.frontend_url)


def _beside_the_backend(frontend_url: str) -> str:
    """Pages on the backend's host: the HttpOnly session cookie the backend
    sets must come back on the page's socket, and a page at `localhost` is
    another site than a backend at `127.0.0.1` (session_cookie.py)."""
    from reflex.config import get_config

    config = get_config()
    backend, front = urlsplit(config.api_url), urlsplit(frontend_url)
    url = front._replace(netloc=f"{backend.hostname}:{front.port}").geturl()
    config.deploy_url = url.rstrip("/")  # where /api/session/* send the browser
    return url.rstrip("/")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, app_url, request):
    """Open pages in fresh browser contexts (separate cookie jars = separate
    people); screenshot each on failure into test-artifacts/."""
    contexts = []

    def open_page(path: str = "/"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(app_url + path)
        return page

    yield open_page
    failed = getattr(request.node, "rep_call", None)
    for i, context in enumerate(contexts):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{i}.png"))
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
