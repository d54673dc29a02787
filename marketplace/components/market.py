"""Marketplace pieces shared by pages: listing cards and status badges."""

import reflex as rx

KIND_COLORS = (("offer", "grass"), ("request", "blue"))
STATUS_COLORS = (("open", "green"), ("paused", "amber"), ("closed", "gray"))


def kind_badge(kind, label) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(kind, *KIND_COLORS, "gray"), size="2")


def listing_card(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                kind_badge(item.kind, item.kind_label),
                rx.spacer(),
                rx.text(item.price_label, size="2", weight="bold"),
                width="100%",
                align="center",
            ),
            rx.link(
                rx.heading(item.title, size="4", as_="h3"),
                href="/market/" + item.id.to_string(),
                underline="hover",
                color="inherit",
            ),
            rx.text(
                item.description,
                size="2",
                color_scheme="gray",
                trim="both",
                style={
                    "display": "-webkit-box",
                    "WebkitLineClamp": "2",
                    "WebkitBoxOrient": "vertical",
                    "overflow": "hidden",
                },
            ),
            rx.hstack(
                rx.foreach(
                    item.tags,
                    lambda t: rx.badge(t, variant="soft", color_scheme="gray"),
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.hstack(
                rx.text(
                    "by ",
                    item.author_name,
                    " · ",
                    item.posted,
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    item.deadline != "",
                    rx.text(
                        "· needed by ",
                        item.deadline_label,
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.spacer(),
                rx.cond(
                    item.spots_left > 0,
                    rx.text(
                        item.spots_left,
                        " of ",
                        item.capacity,
                        " spots left",
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.badge("Full", color_scheme="gray"),
                ),
                width="100%",
                wrap="wrap",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
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
