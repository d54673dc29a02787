"""The inbox: a member's notifications, newest first, read and unread."""

from __future__ import annotations

import reflex as rx

from marketplace.adapters.clock import system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.inbox import notifications
from marketplace.inbox.notifications import NotificationView
from marketplace.states.nav import NavState
from marketplace.states.session import SessionState, SignedIn, member_only


class InboxState(SessionState):
    """A sibling of NavState, not its child: Reflex loads a state with all
    its substates, and the navigation's heartbeat, every few seconds on
    every page, would load this page's items with it. Marking things read
    asks the navigation to count again, so its badge moves at once."""

    items: list[NotificationView] = []
    total: int = 0
    page: int = 1
    unread: int = 0  # what this page says; the navigation's badge counts too

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // notifications.PAGE_SIZE))

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        return self._refresh(member.id, 1)

    @rx.event
    @member_only
    def go_to_page(self, member: SignedIn, page: int):
        return self._refresh(member.id, page)

    @rx.event
    @member_only
    def open_item(self, member: SignedIn, notification_id: int):
        """The member followed an item's link (the browser navigates by the
        link's href): mark it read. Only the id comes from the client, and
        only one of the member's own notifications is ever touched."""
        try:
            with unit_of_work() as session:
                notifications.mark_read(
                    session,
                    actor_id=member.id,
                    notification_id=notification_id,
                    clock=system_clock,
                )
        except DomainError as error:
            return rx.toast.error(str(error))
        return self._refresh(member.id, self.page) or NavState.check_unread

    @rx.event
    @member_only
    def mark_all_read(self, member: SignedIn):
        with unit_of_work() as session:
            changed = notifications.mark_all_read(session, actor_id=member.id)
        self._refresh(member.id, self.page)
        noun = "notification" if changed == 1 else "notifications"
        return [
            rx.toast.info(f"Marked {changed} {noun} as read."),
            NavState.check_unread,
        ]

    def _refresh(self, member_id: int, page: object):
        try:
            with read_only() as session:
                items, total, unread = notifications.inbox_page(
                    session, member_id, page
                )
        except DomainError as error:
            return rx.toast.error(str(error))
        self.items, self.total, self.page = items, total, int(page)  # validated
        self.unread = unread
