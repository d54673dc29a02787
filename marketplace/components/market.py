"""Marketplace pieces shared by pages: listing cards and status badges."""

import reflex as rx

from marketplace.components.forms import SELECT_STYLE
from marketplace.components.member_text import member_name, member_text, member_title

KIND_COLORS = (("offer", "grass"), ("request", "blue"))
STATUS_COLORS = (("open", "green"), ("paused", "amber"), ("closed", "gray"))


def kind_badge(kind, label) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(kind, *KIND_COLORS, "gray"), size="2")


def listing_card(item) -> rx.Component:
    """A listing in the market: what, for how much, how many spots, and who
    posted it with their reputation, enough to choose without opening it."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                kind_badge(item.kind, item.kind_label),
                rx.cond(
                    item.duration_label != "",
                    rx.badge(item.duration_label, variant="soft", color_scheme="gray"),
                ),
                rx.spacer(),
                rx.text(item.price_label, size="2", weight="bold"),
                width="100%",
                align="center",
            ),
            rx.link(
                member_title(item.title, size="4", as_="h3"),
                href="/market/" + item.id.to_string(),
                underline="hover",
                color="inherit",
            ),
            member_text(item.description, lines=2, size="2", color_scheme="gray"),
            rx.hstack(
                rx.foreach(
                    item.tags,
                    lambda t: rx.badge(t, variant="soft", color_scheme="gray"),
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                author_block(item),
                rx.vstack(
                    _spots(item),
                    rx.text(
                        "Posted ",
                        item.posted,
                        rx.cond(
                            item.deadline != "",
                            " · needed by " + item.deadline_label,
                            "",
                        ),
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    # under the author on a phone, beside them on wider screens
                    align=rx.breakpoints(initial="start", sm="end"),
                    margin_left=rx.breakpoints(initial="0", sm="auto"),
                ),
                width="100%",
                justify="between",
                align="end",
                wrap="wrap",
                spacing="3",
                padding_top="0.5rem",
                border_top="1px solid var(--gray-a4)",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def author_block(item) -> rx.Component:
    """Who posted a listing: avatar (initials), name, headline and rating."""
    return rx.hstack(
        rx.avatar(fallback=item.author_initials, size="3", radius="full"),
        rx.vstack(
            rx.link(
                member_name(item.author_name, size="2", weight="medium"),
                href="/people/" + item.author_handle,
                color="inherit",
                underline="hover",
                max_width="100%",
            ),
            rx.cond(
                item.author_headline != "",
                member_text(
                    item.author_headline, lines=1, size="1", color_scheme="gray"
                ),
            ),
            rx.text(
                rx.cond(
                    item.author_rating != "",
                    "★ " + item.author_rating,
                    "No reviews yet",
                ),
                size="1",
                color_scheme=rx.cond(item.author_rating != "", "amber", "gray"),
                weight=rx.cond(item.author_rating != "", "medium", "regular"),
            ),
            spacing="0",
            min_width="0",
        ),
        spacing="2",
        align="center",
        min_width="0",
        flex="1 1 14rem",
    )


def _spots(item) -> rx.Component:
    return rx.cond(
        item.spots_left > 0,
        rx.text(
            item.spots_left,
            " of ",
            item.capacity,
            rx.cond(item.capacity == 1, " spot left", " spots left"),
            size="1",
            weight="medium",
        ),
        rx.badge("Full", color_scheme="gray"),
    )


def sort_select(options: dict[str, str], value, on_change) -> rx.Component:
    """A labelled 'Sort by' select that re-sorts as soon as it changes."""
    return rx.hstack(
        rx.el.label(
            "Sort by",
            html_for="sort",
            class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            white_space="nowrap",
        ),
        rx.el.select(
            *[rx.el.option(text, value=key) for key, text in options.items()],
            id="sort",
            name="sort",
            value=value,
            on_change=on_change,
            class_name="rt-reset",
            style=SELECT_STYLE | {"width": "auto", "padding": "0.35rem 0.5rem"},
        ),
        align="center",
        spacing="2",
    )


ENGAGEMENT_COLORS = (
    ("proposed", "amber"),
    ("accepted", "blue"),
    ("delivered", "violet"),
    ("confirmed", "green"),
    ("disputed", "red"),
    ("resolved", "green"),
)


def status_badge(status, label) -> rx.Component:
    return rx.badge(
        label, color_scheme=rx.match(status, *ENGAGEMENT_COLORS, "gray"), variant="soft"
    )
