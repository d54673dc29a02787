"""The inbox page: every notification, newest first; unread ones stand out."""

import reflex as rx

from marketplace.components.layout import page
from marketplace.components.pager import pager
from marketplace.states.inbox import InboxState


def _action(item) -> rx.Component:
    """Follow the link (which marks the item read), or just mark it read."""
    return rx.cond(
        item.link != "",
        rx.link(
            "Open",
            href=item.link,
            on_click=InboxState.open_item(item.id),
            weight="medium",
        ),
        rx.cond(
            item.unread,
            rx.button(
                "Mark as read",
                size="1",
                variant="ghost",
                on_click=InboxState.open_item(item.id),
            ),
        ),
    )


def _item(item) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.box(
                width="8px",
                height="8px",
                border_radius="50%",
                flex_shrink="0",
                margin_top="0.45rem",
                background=rx.cond(item.unread, "var(--accent-9)", "transparent"),
            ),
            rx.vstack(
                rx.hstack(
                    rx.cond(item.unread, rx.badge("New", variant="solid")),
                    rx.text(
                        item.text,
                        size="3",
                        weight=rx.cond(item.unread, "medium", "regular"),
                        color=rx.cond(item.unread, "var(--gray-12)", "var(--gray-11)"),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    rx.text(item.when, size="1", color_scheme="gray"),
                    _action(item),
                    spacing="4",
                    align="center",
                ),
                spacing="1",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        role="listitem",
        width="100%",
        # Unread: tinted and marked "New"; read: the plain card, quieter text.
        background=rx.cond(item.unread, "var(--accent-2)", "var(--color-panel)"),
    )


def _items() -> rx.Component:
    return rx.cond(
        InboxState.total > 0,
        rx.vstack(
            rx.vstack(
                rx.foreach(InboxState.items, _item),
                role="list",
                aria_label="Notifications",
                spacing="2",
                width="100%",
            ),
            rx.cond(InboxState.pages > 1, pager(InboxState)),
            spacing="4",
            width="100%",
        ),
        rx.card(
            rx.text(
                "Nothing here yet. When someone answers, books or writes to you, "
                "you will see it here.",
                color_scheme="gray",
            ),
            size="3",
            width="100%",
        ),
    )


def inbox_page() -> rx.Component:
    return page(
        rx.hstack(
            rx.vstack(
                rx.heading("Inbox", size="8", as_="h1"),
                rx.text(
                    rx.cond(
                        InboxState.unread > 0,
                        InboxState.unread.to_string() + " unread",
                        "You are all caught up.",
                    ),
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(
                "Mark all as read",
                variant="soft",
                on_click=InboxState.mark_all_read,
                disabled=InboxState.unread == 0,
            ),
            align="end",
            width="100%",
            wrap="wrap",
        ),
        _items(),
        width="820px",
    )
