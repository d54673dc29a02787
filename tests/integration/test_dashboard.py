"""The dashboard as its handler serves a tab: the member's own figures are
read on every visit, the network's suggestions at most once a minute -- but
at once when the member's own side of the graph moves (a block, a new
connection, changed tags) or another member signs in on the tab. SQLite and
PostgreSQL."""

from __future__ import annotations

from marketplace.accounts import profiles
from marketplace.db import unit_of_work
from marketplace.states.people import NETWORK_FRESH_SECONDS, DashboardState
from tests.integration.network.test_blocks import block
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of, use_cookie
from tests.members import earn


def gives(person, *tags: str, needs: tuple[str, ...] = ()) -> None:
    with unit_of_work() as s:
        profiles.replace_tags(
            s, person.member_id, {"give": list(tags), "get": list(needs)}
        )


def helpers_on(state) -> list[str]:
    list(DashboardState.load.fn(state))
    return [card.handle for card in state.can_help_me]


def a_minute_passes(state) -> None:
    state._network_read_at -= NETWORK_FRESH_SECONDS + 1


def test_suggestions_hold_for_a_minute_while_her_karma_is_always_current(ada, bo, cy):
    gives(ada, needs=("pricing",))
    gives(bo, "pricing")
    tab = state_of(DashboardState, ada.token)
    assert helpers_on(tab) == ["bob"] and tab.karma == 0
    gives(cy, "pricing")
    with unit_of_work() as s:
        earn(s, ada.member_id, 5)
    assert helpers_on(tab) == ["bob"] and tab.karma == 5
    a_minute_passes(tab)
    assert helpers_on(tab) == ["bob", "cyd"] and tab.can_help_me_count == 2


def test_a_member_she_blocks_leaves_her_suggestions_at_once(ada, bo, cy):
    """A stalker she blocked must not stay on her dashboard for a minute."""
    gives(ada, needs=("pricing",))
    gives(bo, "pricing")
    gives(cy, "pricing")
    tab = state_of(DashboardState, ada.token)
    assert helpers_on(tab) == ["bob", "cyd"]
    block(ada, bo)
    assert helpers_on(tab) == ["cyd"]
    block(cy, ada)  # and one who blocked her
    assert helpers_on(tab) == []


def test_her_new_connection_and_new_tags_show_at_once(ada, bo, cy):
    gives(ada, needs=("pricing",))
    gives(bo, "pricing", needs=("design",))
    tab = state_of(DashboardState, ada.token)
    assert helpers_on(tab) == ["bob"] and tab.i_can_help == []
    gives(ada, "design", needs=("pricing",))
    helpers_on(tab)
    assert [card.handle for card in tab.i_can_help] == ["bob"]
    connected(ada, cy)
    helpers_on(tab)
    assert tab.connections == 1


def test_another_member_signing_in_on_the_tab_never_sees_her_suggestions(ada, bo, cy):
    gives(ada, needs=("pricing",))
    gives(bo, "pricing")
    tab = state_of(DashboardState, ada.token)
    assert helpers_on(tab) == ["bob"]
    use_cookie(tab, cy.token)  # Cyd signs in on the same browser tab
    assert helpers_on(tab) == [] and tab.can_help_me_count == 0
