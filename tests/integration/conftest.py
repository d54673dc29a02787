"""Three members most marketplace tests need: Ada asks, Bob helps, Cyd is the
third member who must be refused. Each starts with the 10-karma welcome grant."""

from __future__ import annotations

import pytest

from tests.integration.test_wallet import member


@pytest.fixture
def ada(engine):
    return member("ada")


@pytest.fixture
def bo(engine):
    return member("bob")


@pytest.fixture
def cy(engine):
    return member("cyd")
