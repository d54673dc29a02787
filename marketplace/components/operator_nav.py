"""The operator desk's own tabs: one entry in the top bar ("Operator
desk") leads here, and these move between its pages."""

import reflex as rx

from marketplace import routes

DESK_PAGES = (
    ("Moderation", routes.MODERATION),
    ("Disputes", routes.DISPUTES),
    ("Integrity report", routes.INTEGRITY),
)


def operator_tabs(current: str) -> rx.Component:
    """Links to the desk's pages; `current` (a route) is marked as this page."""
    return rx.el.nav(
        rx.hstack(
            *[_tab(text, href, href == current) for text, href in DESK_PAGES],
            spacing="2",
            wrap="wrap",
        ),
        aria_label="Operator desk",
        width="100%",
    )


def _tab(text: str, href: str, here: bool) -> rx.Component:
    extra = {"aria_current": "page"} if here else {}
    return rx.link(
        rx.badge(
            text,
            size="2",
            variant="solid" if here else "soft",
            color_scheme="iris" if here else "gray",
            radius="full",
            padding_x="0.75rem",
        ),
        href=href,
        underline="none",
        **extra,
    )
