"""The landing page: what Karma is, in one screen."""

import reflex as rx

from marketplace import routes
from marketplace.components.buttons import link_button
from marketplace.components.layout import page
from marketplace.components.people import people_grid
from marketplace.states.people import PeopleState


def _step(icon: str, title: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=22),
                background="var(--accent-3)",
                color="var(--accent-11)",
                border_radius="10px",
                width="44px",
                height="44px",
            ),
            rx.heading(title, size="4", as_="h3"),
            rx.text(text, color_scheme="gray", size="2"),
            spacing="2",
        ),
        size="3",
    )


def home_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.badge(
                "A give/get network, not a resume graph",
                size="2",
                radius="full",
                variant="surface",
            ),
            rx.heading(
                "Give help. Get help. Pay it forward.",
                size="9",
                as_="h1",
                max_width="760px",
            ),
            rx.text(
                "List what you can give and what you need. Settle help in karma or "
                "an honest \u201cI owe you one\u201d. Your network tells you who can "
                "help, whom to help, and which relationships are going cold.",
                size="5",
                color_scheme="gray",
                max_width="720px",
            ),
            rx.hstack(
                link_button("Join Karma", routes.SIGNUP, size="4"),
                link_button("Browse people", routes.PEOPLE, size="4", variant="soft"),
                spacing="3",
            ),
            spacing="5",
            padding_y="2rem",
        ),
        rx.grid(
            _step(
                "gift",
                "Give",
                "Offer what you know: a pricing review, an intro, "
                "30 minutes on SEO. Earn karma every time you help.",
            ),
            _step(
                "hand-helping",
                "Get",
                "Ask your first two degrees. Spend karma, or "
                "leave an IOU that you settle later.",
            ),
            _step(
                "network",
                "Grow warm",
                "See the warmest path to anyone, and nudges "
                "when a connection needs exactly what you can give.",
            ),
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="4",
            width="100%",
        ),
        rx.heading(
            PeopleState.total.to_string() + " professionals giving help",
            size="5",
            as_="h2",
            padding_top="1rem",
        ),
        people_grid(PeopleState.people[:6]),
    )
