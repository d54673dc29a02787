"""The demo tests' seeded databases: one per size and backend per session
(tests/integration/demo/seeded.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace import events
from tests.integration.demo.seeded import Demo, SeededDemos


@pytest.fixture(scope="session")
def seeded_demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededDemos]:
    demos = SeededDemos(tmp_path_factory.mktemp("demo"))
    yield demos
    demos.close()


@pytest.fixture
def demo(engine, seeded_demos: SeededDemos) -> Iterator[Demo]:
    """`demo.shared(30)`: read the session's demo of 30; `demo.fresh(30)`:
    the test's own database becomes a copy of it."""
    yield Demo(engine, seeded_demos)
    # a graph load on a shared demo follows that database's event feed
    events.stop_following()
