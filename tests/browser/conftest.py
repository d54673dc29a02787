"""Browser fixtures: the real app (reflex.testing.AppHarness) on a fresh SQLite
file, driven by Playwright in Debian's headless Chromium.

Tests find elements by role, label and text, as a person does.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace import db
from marketplace.migrations import upgrade_to_head
from marketplace.settings import get_settings
from tests.conftest import unavailable
from tests.payments_fixtures import (
    STRIPE_SETTINGS,
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


@pytest.fixture(scope="session")
def app_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated SQLite file the in-process backend will use."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.db'}"
    previous = os.environ.get("REFLEX_DB_URL")
    os.environ["REFLEX_DB_URL"] = url
    get_settings.cache_clear()
    db.use_engine(None)
    upgrade_to_head(db.get_engine())
    yield url
    db.use_engine(None)
    if previous is None:
        os.environ.pop("REFLEX_DB_URL", None)
    else:
        os.environ["REFLEX_DB_URL"] = previous
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def app_stripe(localstripe: str) -> Iterator[str]:
    """The app under test takes card payments through localstripe (the
    in-process backend reads these settings when it starts)."""
    saved = {name: os.environ.get(name) for name in STRIPE_SETTINGS}
    os.environ.update(
        {
            "MARKETPLACE_STRIPE_SECRET_KEY": TEST_SECRET_KEY,
            "MARKETPLACE_STRIPE_API_BASE": localstripe,
            "MARKETPLACE_STRIPE_WEBHOOK_SECRET": TEST_WEBHOOK_SECRET,
        }
    )
    get_settings.cache_clear()
    yield localstripe
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def app_url(app_database: str, app_stripe: str) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if shutil.which("bun") is None:
        unavailable("bun is not on PATH (scripts/test installs it)")
    from reflex.testing import AppHarness

    with AppHarness.create(root=ROOT, app_name="marketplace") as harness:
        assert harness.frontend_url is not None
        yield harness.frontend_url.rstrip("/")


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
