"""/messages (my conversations, message requests, search) and
/messages/<handle> (one conversation, or how to start one).

Every handler re-derives the member from the session; the other member comes
from the page's path or a handler's argument, and the services decide what
the member may read or write (network/conversations.py). The navigation's
heartbeat calls `tick` here when the unread count moved, so an open page
shows new messages without a second timer (states/nav.py).
"""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.accounts import members
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.domain.outreach import needs_confirmation
from marketplace.network import conversations
from marketplace.network.conversations import (
    ConversationSummary,
    DirectMessageView,
    MessageRequestView,
    SearchHit,
)
from marketplace.states.session import SessionState, SignedIn, member_only


class MessagesState(SessionState):
    conversations: list[ConversationSummary] = []
    requests: list[MessageRequestView] = []
    query: str = ""
    hits: list[SearchHit] = []
    messages_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.messages_error, self.query, self.hits = "", "", []
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            self.conversations = conversations.conversations_of(session, member_id)
            self.requests = conversations.incoming_requests(session, member_id)

    @rx.event
    def tick(self):
        """The heartbeat saw the unread count move: refresh if this page is
        the one open."""
        if self.router.url.path.rstrip("/") != routes.MESSAGES:
            return
        member = self._member()
        if member is not None:
            self._refresh(member.id)

    @rx.event
    @member_only
    def search(self, member: SignedIn, form: dict):
        query = form.get("q", "") if isinstance(form, dict) else None
        try:
            with read_only() as session:
                hits = conversations.search_messages(
                    session, member_id=member.id, query=query
                )
        except DomainError as error:
            self.messages_error = str(error)
            return rx.toast.error(str(error))
        self.messages_error, self.query, self.hits = "", str(query).strip(), hits
        return None

    @rx.event
    def mark_read(self, conversation_id: int):
        attempt = self._attempt(
            lambda s, me: conversations.mark_read(
                s, actor_id=me, conversation_id=conversation_id
            ),
            "messages_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return None

    @rx.event
    def answer_request(self, request_id: int, answer: str):
        attempt = self._attempt(
            lambda s, me: _answer(s, me, request_id, answer), "messages_error"
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        handle, status = attempt.result
        if status == "accepted":
            return rx.redirect(routes.conversation(handle))
        if status == "blocked":
            return rx.toast.success("Blocked. They won't be told.")
        return rx.toast.success("Ignored. They won't be told.")


def _answer(session, me: int, request_id: object, answer: object) -> tuple[str, str]:
    request = conversations.answer_message_request(
        session, actor_id=me, request_id=request_id, answer=answer
    )
    return members.by_id(session, [request.sender_id])[
        request.sender_id
    ].handle, request.status


class ConversationState(SessionState):
    handle: str = ""
    name: str = ""
    headline: str = ""
    action: str = ""  # conversations.MessageOption.action
    why: str = ""
    messages: list[DirectMessageView] = []
    can_write: bool = False
    notice: str = ""
    shared: str = ""
    mutual: list[str] = []
    missing: str = ""  # why there is nothing to show
    conversation_error: str = ""

    @rx.var
    def cold(self) -> bool:
        """Nothing in common: the request form asks to confirm."""
        return needs_confirmation(self.shared)

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.conversation_error = ""
        self._show_forms("message", "message_request")
        handle = routes.conversation_handle_from_path(self.router.url.path)
        self._open(member.id, handle)

    def _open(self, member_id: int, handle: object) -> None:
        """Show the conversation with `handle` and mark it read."""
        try:
            with unit_of_work() as session:
                view = conversations.open_conversation(
                    session, viewer_id=member_id, handle=handle
                )
                if view.conversation_id:
                    conversations.mark_read(
                        session,
                        actor_id=member_id,
                        conversation_id=view.conversation_id,
                    )
        except DomainError as error:
            self.missing, self.handle, self.messages = str(error), "", []
            return
        self.missing = ""
        self.handle, self.name, self.headline = view.handle, view.name, view.headline
        self.action, self.why = view.option.action, view.option.why
        self.messages, self.can_write, self.notice = (
            view.messages,
            view.can_write,
            view.notice,
        )
        self.shared, self.mutual = view.shared, view.mutual

    @rx.event
    def tick(self):
        """The heartbeat saw the unread count move: show what arrived, if
        this conversation is the page open."""
        here = routes.conversation_handle_from_path(self.router.url.path)
        if not self.handle or here.lower() != self.handle:
            return
        member = self._member()
        if member is not None:
            self._open(member.id, self.handle)

    @rx.event
    def send(self, form: dict):
        form = form if isinstance(form, dict) else {}
        handle = self.handle
        attempt = self._submit_once(
            "message",
            form,
            lambda s, me: (
                conversations.send_message(
                    s, actor_id=me, handle=handle, body=form.get("body")
                ).id
            ),
            "conversation_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._open(attempt.member_id, handle)
        return None

    @rx.event
    def request(self, form: dict):
        """A message request: the reason, and when we have nothing in
        common, the box that says the sender saw that."""
        form = form if isinstance(form, dict) else {}
        handle = self.handle
        attempt = self._submit_once(
            "message_request",
            form,
            lambda s, me: _request(s, me, handle, form),
            "conversation_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._open(attempt.member_id, handle)
        return rx.toast.success("Request sent. They'll see it in Messages.")


def _request(session, me: int, handle: str, form: dict) -> int:
    conversations.check_confirmed(session, me, handle, form.get("confirm"))
    return conversations.send_message_request(
        session, actor_id=me, handle=handle, reason=form.get("reason")
    ).id


class MessageButtonState(SessionState):
    """A profile's "Message" button (what it will do, or why not) and what
    we share, shown before a connection request (network/outreach.py)."""

    button_action: str = ""
    button_label: str = "Message"
    button_why: str = ""
    button_href: str = ""
    shared: str = ""
    cold: bool = False
    note_required: bool = False

    @rx.event
    def load(self):
        """on_load of /people/<handle>, beside the profile's own."""
        member = self._member()
        handle = routes.handle_from_path(self.router.url.path)
        self.button_action, self.shared, self.cold = "", "", False
        if member is None or not handle:
            return
        try:
            with read_only() as session:
                other = members.active_member(
                    session, handle, missing="", field="handle"
                )
                option = conversations.message_option(session, member.id, other)
                ahead = conversations.approach(session, member.id, other.id)
        except DomainError:
            return
        if option.action == "self":
            return
        self.button_action, self.button_label = option.action, option.label
        self.button_why = option.why
        self.button_href = (
            routes.MESSAGES
            if option.action == "answer"
            else routes.conversation(handle)
        )
        self.shared, self.cold = ahead.shared, ahead.cold
        self.note_required = ahead.note_required
