"""A page navigation through Reflex's own event processor, as the socket
delivers it: the page's load handler runs inside `on_load_internal`
(marketplace.states.page_load), so the page's data and the hydrated flag
come back from the navigation's own event, not from two more queued ones."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import OnLoadInternalState
from reflex_base.event import Event
from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from marketplace import session_cookie
from marketplace.db import unit_of_work
from marketplace.marketplace import app
from marketplace.states import page_load, people
from marketplace.states.people import DashboardState
from tests.members import earn

STATE = "reflex___state____state"
HYDRATE = f"{STATE}.hydrate_and_load"
HYDRATED = "is_hydrated_rx_state_"


@dataclass
class RecordingSocket:
    """Stands in for the Socket.IO namespace: keeps what would go to the tab."""

    deltas: list[dict] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)

    async def emit_update(self, update, token: str) -> None:
        if update.delta:
            self.deltas.append(dict(update.delta))
        self.events.extend(update.events or ())

    def merged(self) -> dict[str, dict]:
        view: dict[str, dict] = {}
        for delta in self.deltas:
            for substate, changes in delta.items():
                view.setdefault(substate, {}).update(changes)
        return view

    def hydrated(self) -> bool:
        return self.merged().get(STATE, {}).get(HYDRATED) is True


class CountingProcessor(BaseStateEventProcessor):
    """Reflex's processor, counting the events it runs (each one takes the
    tab's state lock and loads and saves its states)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ran: list[str] = []

    async def _execute_event(self, *, entry, registered_handler) -> None:
        self.ran.append(entry.event.name.rpartition(".")[2])
        await super()._execute_event(entry=entry, registered_handler=registered_handler)


def open_page(path: str, cookie: str = "") -> tuple[RecordingSocket, list[str]]:
    """A tab opening `path`: its socket (the cookie in its handshake) connects
    with the hydrate event, which chains the page's `on_load_internal`; what reached
    the tab and which events ran."""

    async def run() -> tuple[RecordingSocket, list[str]]:
        socket = RecordingSocket()
        processor = CountingProcessor(
            middleware=app, backend_exception_handler=app.backend_exception_handler
        )
        token = str(uuid.uuid4())
        # the socket's handshake headers, as Reflex adds them to each event
        headers = {"cookie": f"{session_cookie.NAME}={cookie}"} if cookie else {}
        router = {"pathname": path, "asPath": path, "headers": headers}
        async with processor.configure(
            state_manager=StateManagerMemory(), event_namespace=socket
        ):
            future = await processor.enqueue(
                token, Event(name=HYDRATE, payload={}, router_data=router)
            )
            await asyncio.wait_for(future.wait_all(), 10)
        return socket, processor.ran

    return asyncio.run(run())


def redirects(socket: RecordingSocket) -> list[str]:
    return [e.payload.get("path") for e in socket.events if e.name == "_redirect"]


def test_the_dashboard_arrives_with_the_page_load_event_itself(ada):
    with unit_of_work() as s:
        earn(s, ada.member_id, 10)
    socket, ran = open_page("/dashboard", ada.token)
    # Reflex alone: ... on_load_internal, load, set_is_hydrated
    assert ran == ["hydrate_and_load", "on_load_internal"]
    dashboard = socket.merged()[DashboardState.get_full_name()]
    assert dashboard["karma_rx_state_"] == 10  # what she earned
    assert socket.hydrated()
    assert redirects(socket) == []


def test_a_guest_on_a_private_page_is_sent_to_log_in(engine):
    socket, _ran = open_page("/dashboard")
    assert redirects(socket) == ["/login?next=%2Fdashboard"]  # and back after
    assert socket.hydrated()


def test_a_failing_load_handler_shows_the_error_and_the_page_still_hydrates(
    ada, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(people.wallet, "balances", broken)
    socket, _ran = open_page("/dashboard", ada.token)
    assert socket.hydrated()
    shown = " ".join(str(e.payload) for e in socket.events)
    assert "An error occurred" in shown


def test_a_newer_navigation_still_cancels_an_unfinished_page_load():
    """Reflex cancels a superseded on_load chain (a member clicking on before
    the page came) by a marker on the handler's function, which the swap keeps:
    without it a busy worker would finish every abandoned page load."""
    handler = OnLoadInternalState.event_handlers["on_load_internal"]
    assert handler.fn is page_load.on_load_internal
    assert handler.supersedes is True
    assert handler.is_background is False


def test_a_listing_arrives_with_the_page_load_event_for_member_and_visitor(ada):
    """The listing route's load picks the member's page or the visitor's and
    runs it in the navigation's own event, as every other page does."""
    from marketplace.states.market import ListingState
    from marketplace.states.public_listing import PublicListingState
    from tests.integration.market.test_engagements import post

    listing_id = post(ada, kind="offer", title="An hour on your pricing page")
    member_socket, ran = open_page(f"/market/{listing_id}", ada.token)
    assert ran == ["hydrate_and_load", "on_load_internal"]
    shown = member_socket.merged()[ListingState.get_full_name()]
    assert shown["listing_rx_state_"].title == "An hour on your pricing page"
    assert member_socket.hydrated() and redirects(member_socket) == []

    visitor_socket, ran = open_page(f"/market/{listing_id}")
    assert ran == ["hydrate_and_load", "on_load_internal"]
    public = visitor_socket.merged()[PublicListingState.get_full_name()]
    assert public["status_rx_state_"] == "shown"
    assert public["listing_rx_state_"].title == "An hour on your pricing page"
    assert redirects(visitor_socket) == []
