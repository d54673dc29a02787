"""Three members most marketplace tests need: Ada asks, Bob helps, Cyd is the
third member who must be refused. Each starts with the 10-karma welcome grant."""

from __future__ import annotations

import pytest

from marketplace.settings import get_settings
from tests.integration.ledger.test_wallet import member
from tests.payments_fixtures import STRIPE_SETTINGS


@pytest.fixture(autouse=True)
def no_stripe_unless_asked(monkeypatch):
    """Card payments are off unless a test asks for them (`stripe_env`), so
    neither a developer's shell nor another fixture decides what a test sees."""
    for name in STRIPE_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def ada(engine):
    return member("ada")


@pytest.fixture
def bo(engine):
    return member("bob")


@pytest.fixture
def cy(engine):
    return member("cyd")
