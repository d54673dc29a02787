"""What every member page's navigation shows besides who is signed in: the
unread count on the Inbox link, kept live by a heartbeat (components/heartbeat.py
says why a browser timer). And where `/` leads: the landing page is for
visitors; a member's home is the dashboard."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.inbox.badges import Badges, unread_badges
from marketplace.states.messages import ConversationState, MessagesState
from marketplace.states.session import SessionState

# Badges are checked every 15 s (GitHub's and Gmail's poll slower); an open
# conversation shows new messages every 5 s, as a chat should.
UNREAD_CHECK_SECONDS = 15
CONVERSATION_CHECK_SECONDS = 5
BADGE_MAX = 99  # past this the badge says 99+


class NavState(SessionState):
    unread_count: int = 0
    # conversations with unread direct messages (the Messages link's badge)
    messages_unread: int = 0

    @rx.var
    def messages_label(self) -> str:
        """The Messages link's accessible name, its count in words."""
        if self.messages_unread == 0:
            return "Messages"
        return f"Messages, {self.messages_unread} unread"

    @rx.var
    def unread_badge(self) -> str:
        count = self.unread_count
        return (
            "" if count == 0 else f"{BADGE_MAX}+" if count > BADGE_MAX else str(count)
        )

    @rx.var
    def inbox_label(self) -> str:
        """The Inbox link's accessible name: the badge alone is just a number."""
        if self.unread_count == 0:
            return "Inbox"
        return f"Inbox, {self.unread_count} unread"

    @rx.event
    def check_unread(self):
        """The heartbeat: re-derive the member, count, and change the var only
        when the count moved, so a quiet tick sends no delta.

        A page whose state was lost under it (the state store, Redis,
        restarted) stays signed in: the member comes from the socket's
        cookie, not from the state, and the first tick shows them again."""
        member = self._member()
        badges = Badges(notifications=0, conversations=0)
        if member is not None:
            with read_only() as session:
                badges = unread_badges(session, member.id)
        self._show_unread(badges.notifications)
        return self._show_messages_unread(badges.conversations)

    def _show_messages_unread(self, count: int):
        """A new unread message: the open messages page, if any, shows it
        (its handlers do nothing on other pages)."""
        if count == self.messages_unread:
            return None
        grew = count > self.messages_unread
        self.messages_unread = count
        return [ConversationState.tick, MessagesState.tick] if grew else None

    def _show_unread(self, count: int) -> None:
        if count != self.unread_count:
            self.unread_count = count


class HomeState(SessionState):
    @rx.event
    def show_member(self):
        """on_load of public pages without a state of their own (not found,
        suspended): the navigation for who is signed in. Here, not the
        inherited SessionState.refresh_session: an event of SessionState
        itself loads every page's state below it."""
        self._member()

    @rx.event
    def send_members_on(self):
        """on_load of `/`: a signed-in member goes to the dashboard (the page
        they came for), without leaving `/` in the history to come back to."""
        if self._member() is not None:
            return rx.redirect(routes.DASHBOARD, replace=True)
        return None
