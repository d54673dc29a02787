"""The inbox page: every notification, newest first; unread ones stand out."""

import reflex as rx

from marketplace.components import plain
from marketplace.components.layout import page
from marketplace.components.pager import pager
from marketplace.states.inbox import InboxState


def _action(item) -> rx.Component:
    """Follow the link (which marks the item read), or just mark it read."""
    return rx.cond(
        item.link != "",
        plain.link(
            "Open",
            href=item.link,
            on_click=InboxState.open_item(item.id),
            weight="medium",
        ),
        rx.cond(
            item.unread,
            plain.button(
                "Mark as read",
                size="1",
                variant="ghost",
                on_click=InboxState.open_item(item.id),
            ),
        ),
    )


def _item(item) -> rx.Component:
    """A notification; plain elements (components/plain.py), as the inbox
    repeats it. Unread: tinted, a dot and "New"; read: quieter text."""
    return plain.card(
        plain.stack(
            rx.el.div(
                class_name="size-2 shrink-0 rounded-full mt-[0.45rem]",
                custom_attrs={
                    "style": {
                        "background": rx.cond(
                            item.unread, "var(--accent-9)", "transparent"
                        )
                    }
                },
            ),
            plain.stack(
                plain.stack(
                    rx.cond(item.unread, plain.badge("New", color="", variant="solid")),
                    rx.el.p(
                        item.text,
                        class_name=rx.cond(
                            item.unread,
                            "rt-Text rt-r-size-3 rt-r-weight-medium",
                            "rt-Text rt-r-size-3 rt-r-weight-regular",
                        ),
                        custom_attrs={
                            "style": {
                                "color": rx.cond(
                                    item.unread, "var(--gray-12)", "var(--gray-11)"
                                )
                            }
                        },
                    ),
                    direction="row",
                    align="center",
                    gap="2",
                    wrap=True,
                ),
                plain.stack(
                    plain.text(item.when, size="1", color="gray"),
                    _action(item),
                    direction="row",
                    align="center",
                    gap="4",
                ),
                gap="1",
                class_name="w-full",
            ),
            direction="row",
            class_name="w-full",
        ),
        role="listitem",
        class_name="w-full",
        custom_attrs={
            "style": {
                "background": rx.cond(
                    item.unread, "var(--accent-2)", "var(--color-panel)"
                )
            }
        },
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
