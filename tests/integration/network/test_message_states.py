"""The messages pages' handlers, called the way a hostile browser can: a third
member sending someone else's conversation or request ids, or opening a
conversation that isn't theirs, is refused and nothing changes; the
members' own clicks work, and the navigation's heartbeat shows the unread
count and refreshes an open conversation. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.models import DirectMessage, Intro, MessageRequest
from marketplace.network import conversations
from marketplace.states.messages import (
    ConversationState,
    MessageButtonState,
    MessagesState,
)
from marketplace.states.nav import NavState
from tests.integration.forms import posted
from tests.integration.network.test_connections import connected
from tests.integration.network.test_conversations import REASON, request, write
from tests.integration.test_state_security import state_of

SITE = "http://localhost:3000"


def conversation_page(viewer, handle: str) -> ConversationState:
    page = state_of(ConversationState, viewer.token, url=f"{SITE}/messages/{handle}")
    ConversationState.load.fn(page)
    return page


def messages_page(viewer) -> MessagesState:
    page = state_of(MessagesState, viewer.token, url=f"{SITE}/messages")
    MessagesState.load.fn(page)
    return page


def sent() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(DirectMessage)).one()


def unread(who) -> int:
    with read_only() as s:
        return conversations.unread_conversations(s, who.member_id)


def request_status() -> list[str]:
    with read_only() as s:
        return list(s.exec(select(MessageRequest.status)))


@pytest.mark.parametrize("forged", [None, 999, "1", -3, "x"])
def test_a_third_member_can_not_mark_someone_elses_conversation_read(
    ada, bo, cy, forged
):
    connected(ada, bo)
    ours = write(ada, "bob", "Hi Bob")
    page = messages_page(cy)
    for wrong in (forged, ours):
        MessagesState.mark_read.fn(page, wrong)
        assert page.messages_error == "No such conversation."
    assert unread(bo) == 1


@pytest.mark.parametrize("forged", [None, 999, "1", -3])
def test_a_third_member_can_not_answer_someone_elses_message_request(
    ada, bo, cy, forged
):
    connected(ada, bo)
    connected(bo, cy)
    asked = request(cy, "ada")
    page = messages_page(bo)
    for wrong in (forged, asked):
        MessagesState.answer_request.fn(page, wrong, "accept")
        assert page.messages_error == "No such message request."
    assert request_status() == ["pending"]


def test_a_stranger_opening_a_conversation_sees_why_not_and_can_not_write(ada, bo, cy):
    connected(ada, bo)
    write(ada, "bob", "Private words")
    page = conversation_page(cy, "bob")  # Cyd knows nobody
    assert page.messages == []
    assert page.action == "none"
    assert "share a connection with them" in page.why
    ConversationState.send.fn(page, posted(page, "message", {"body": "Hello"}))
    assert "write only to your connections" in page.conversation_error
    ConversationState.request.fn(
        page, posted(page, "message_request", {"reason": "Hi", "confirm": "on"})
    )
    assert "share a connection with them" in page.conversation_error
    assert sent() == 1
    assert request_status() == []


@pytest.mark.parametrize("path", ["nobody", "", "%3Cscript%3E"])
def test_a_forged_handle_in_the_path_shows_nothing(ada, path):
    page = conversation_page(ada, path)
    assert page.missing != ""
    assert page.handle == ""
    ConversationState.send.fn(page, posted(page, "message", {"body": "Hello"}))
    assert page.conversation_error == "Say who to write to."
    assert sent() == 0


def test_a_signed_out_browser_is_sent_to_log_in(ada, bo):
    connected(ada, bo)
    ours = write(ada, "bob", "Hi Bob")
    page = state_of(MessagesState, "", url=f"{SITE}/messages")
    assert "login" in str(MessagesState.mark_read.fn(page, ours))
    assert unread(bo) == 1


def test_a_round_trip_through_the_pages_and_the_heartbeat(ada, bo):
    connected(ada, bo)
    asker = conversation_page(ada, "bob")
    assert asker.can_write and asker.messages == []
    ConversationState.send.fn(asker, posted(asker, "message", {"body": "Hi Bob"}))
    assert asker.conversation_error == ""
    assert [m.body for m in asker.messages] == ["Hi Bob"]

    nav = state_of(NavState, bo.token, url=f"{SITE}/dashboard")
    refresh = NavState.check_unread.fn(nav)
    assert nav.messages_unread == 1
    assert nav.messages_label == "Messages, 1 unread"
    assert refresh  # the open messages page, if any, refreshes
    assert NavState.check_unread.fn(nav) is None  # a quiet tick sends nothing

    listing = messages_page(bo)
    assert [(c.handle, c.unread) for c in listing.conversations] == [("ada", 1)]
    reader = conversation_page(bo, "ada")
    assert [m.body for m in reader.messages] == ["Hi Bob"]
    assert unread(bo) == 0
    write(ada, "bob", "Are you there?")
    ConversationState.tick.fn(reader)  # the heartbeat's refresh
    assert [m.body for m in reader.messages] == ["Hi Bob", "Are you there?"]
    assert unread(bo) == 0  # shown on an open page: read


def test_a_message_request_through_the_pages(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    button = state_of(MessageButtonState, cy.token, url=f"{SITE}/people/ada")
    MessageButtonState.load.fn(button)
    assert button.button_label == "Send a message request"
    assert button.button_href == "/messages/ada"
    page = conversation_page(cy, "ada")
    assert page.action == "request"
    assert "1 mutual connection" in page.shared
    ConversationState.request.fn(
        page, posted(page, "message_request", {"reason": REASON})
    )
    assert page.conversation_error == ""
    assert page.action == "requested"

    inbox = messages_page(ada)
    assert [r.reason for r in inbox.requests] == [REASON]
    answer = MessagesState.answer_request.fn(inbox, inbox.requests[0].id, "accept")
    assert "/messages/cyd" in str(answer)
    assert inbox.requests == []
    assert [m.body for m in conversation_page(ada, "cyd").messages] == [REASON]


def test_a_request_to_someone_with_nothing_in_common_must_be_confirmed(ada, bo, cy):
    with unit_of_work() as s:
        s.add(
            Intro(
                requester_id=ada.member_id,
                via_id=bo.member_id,
                target_id=cy.member_id,
                status="accepted",
                created_at=datetime.now(UTC),
            )
        )
    page = conversation_page(ada, "cyd")
    assert page.cold
    ConversationState.request.fn(
        page, posted(page, "message_request", {"reason": REASON})
    )
    assert "nothing in common yet" in page.conversation_error
    assert request_status() == []
    ConversationState.request.fn(
        page, posted(page, "message_request", {"reason": REASON, "confirm": "on"})
    )
    assert request_status() == ["pending"]
