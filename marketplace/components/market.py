"""Marketplace pieces shared by pages: listing cards and status badges."""

import reflex as rx

from marketplace.components import plain
from marketplace.components.forms import SELECT_STYLE

KIND_COLORS = (("offer", "grass"), ("request", "blue"))
STATUS_COLORS = (("open", "green"), ("paused", "amber"), ("closed", "gray"))


def kind_badge(kind, label) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(kind, *KIND_COLORS, "gray"), size="2")


def listing_card(item) -> rx.Component:
    """A listing in the market: what, for how much, how many spots, and who
    posted it with their reputation, enough to choose without opening it.
    Drawn with plain elements (components/plain.py): a page repeats it."""
    return plain.card(
        plain.stack(
            plain.stack(
                plain.badge(
                    item.kind_label,
                    color=rx.match(item.kind, *KIND_COLORS, "gray"),
                    size="2",
                ),
                rx.cond(item.duration_label != "", plain.badge(item.duration_label)),
                plain.text(item.price_label, weight="bold", class_name="ml-auto"),
                direction="row",
                align="center",
                gap="3",
                class_name="w-full",
            ),
            plain.link(
                plain.heading(item.title, size="4"),
                href="/market/" + item.id.to_string(),
                underline="hover",
                inherit=True,
            ),
            plain.text(
                item.description,
                color="gray",
                title=item.description,
                class_name="line-clamp-2 " + plain.CUT_TEXT,
            ),
            plain.stack(
                rx.foreach(item.tags, lambda tag: plain.badge(tag)),
                direction="row",
                gap="1",
                wrap=True,
            ),
            plain.stack(
                author_block(item),
                plain.stack(
                    _spots(item),
                    plain.text(
                        "Posted ",
                        item.posted,
                        rx.cond(
                            item.deadline != "",
                            " · needed by " + item.deadline_label,
                            "",
                        ),
                        size="1",
                        color="gray",
                    ),
                    gap="1",
                    # under the author on a phone, beside them on wider screens
                    class_name="sm:rt-r-ai-end md:ml-auto",
                ),
                direction="row",
                align="end",
                justify="between",
                wrap=True,
                gap="3",
                class_name="w-full pt-2 border-t border-[var(--gray-a4)]",
            ),
            class_name="w-full",
            gap="2",
        ),
        class_name="w-full",
    )


def author_block(item) -> rx.Component:
    """Who posted a listing: avatar (initials), name, headline and rating."""
    return plain.stack(
        plain.avatar(item.author_initials),
        plain.stack(
            plain.link(
                plain.text(
                    item.author_name,
                    weight="medium",
                    title=item.author_name,
                    class_name="truncate min-w-0 max-w-full",
                ),
                href="/people/" + item.author_handle,
                underline="hover",
                inherit=True,
                class_name="max-w-full",
            ),
            rx.cond(
                item.author_headline != "",
                plain.text(
                    item.author_headline,
                    size="1",
                    color="gray",
                    title=item.author_headline,
                    class_name="line-clamp-1 " + plain.CUT_TEXT,
                ),
            ),
            rx.cond(
                item.author_rating != "",
                plain.text(
                    "★ " + item.author_rating, size="1", color="amber", weight="medium"
                ),
                plain.text("No reviews yet", size="1", color="gray"),
            ),
            gap="0",
            class_name="min-w-0",
        ),
        direction="row",
        align="center",
        class_name="min-w-0 flex-[1_1_14rem]",
        gap="2",
    )


def _spots(item) -> rx.Component:
    return rx.cond(
        item.spots_left > 0,
        plain.text(
            item.spots_left,
            " of ",
            item.capacity,
            rx.cond(item.capacity == 1, " spot left", " spots left"),
            size="1",
            weight="medium",
        ),
        plain.badge("Full"),
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
