"""What an event costs in states: Reflex's Redis state manager loads (and
unpickles, and saves back when changed) the handler's state, its parents, all
its substates, and every state with a computed var that reads one of those
states' vars. A page's event should load its own state and the session above
it, not the other pages' states (benchmarks/README.md, "Load": one computed
var reading `my_handle` loaded the whole profile page for every event)."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.manager.redis import StateManagerRedis

import marketplace.marketplace  # noqa: F401  (every page's state, as the app has them)
from marketplace.states.inbox import InboxState
from marketplace.states.nav import NavState
from marketplace.states.session import SessionState


def loaded_with(state_cls: type[rx.State]) -> set[str]:
    """The states Reflex's Redis manager fetches for an event of `state_cls`."""
    manager = StateManagerRedis.__new__(StateManagerRedis)  # no connection needed
    found = manager._get_required_state_classes(state_cls, subclasses=True)
    return {cls.get_name() for cls in found}


def own_family(state_cls: type[rx.State]) -> set[str]:
    """The state, its parents up to the root, and its own substates."""
    family = {cls.get_name() for cls in _substates(state_cls)}
    parent = state_cls
    while parent is not None:
        family.add(parent.get_name())
        parent = parent.get_parent_state()
    return family


def _substates(state_cls: type[rx.State]) -> list[type[rx.State]]:
    found = [state_cls]
    for sub in state_cls.get_substates():
        found += _substates(sub)
    return found


PAGE_STATES = sorted(
    _substates(SessionState)[1:], key=lambda cls: cls.get_name()
)  # every member-aware state below the session


@pytest.mark.parametrize("state_cls", PAGE_STATES, ids=lambda c: c.__name__)
def test_an_event_loads_its_own_state_and_the_session_only(state_cls):
    extra = loaded_with(state_cls) - own_family(state_cls)
    assert not extra, f"{state_cls.__name__}'s events also load {sorted(extra)}"


def test_the_heartbeat_loads_no_page_state():
    """NavState.check_unread runs every few seconds on every page."""
    assert (
        loaded_with(NavState)
        == own_family(NavState)
        == {
            rx.State.get_name(),
            SessionState.get_name(),
            NavState.get_name(),
        }
    )
    assert InboxState.get_parent_state() is SessionState


def test_no_page_loads_through_the_session_state_itself():
    """An event of SessionState loads every page's state: no page's on_load
    may run there (an inherited handler runs on the state that defines it)."""
    from marketplace.marketplace import app

    targets = {
        handler.state_full_name: handler.fn.__qualname__
        for page_loads in app._load_events.values()
        for handler in page_loads
    }
    assert SessionState.get_full_name() not in targets
    assert all(target in PAGE_TARGETS for target in targets), targets


PAGE_TARGETS = {cls.get_full_name() for cls in PAGE_STATES}
