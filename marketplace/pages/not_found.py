"""The page for an address the app has no page for: in the app's own frame,
with a way home (the dashboard for a member, the landing page otherwise)."""

import reflex as rx

from marketplace import routes
from marketplace.components.buttons import link_button
from marketplace.components.layout import LOGO, page
from marketplace.states.session import SessionState


def not_found_page() -> rx.Component:
    return page(
        rx.center(
            rx.vstack(
                rx.image(src=LOGO, alt="", width="64px", height="64px"),
                rx.heading("Page not found", size="8", as_="h1"),
                rx.text(
                    "There is no page at this address. The link may be old, "
                    "or mistyped.",
                    size="4",
                    color_scheme="gray",
                    text_align="center",
                ),
                rx.cond(
                    SessionState.signed_in,
                    rx.hstack(
                        link_button("Go to your dashboard", routes.DASHBOARD, size="3"),
                        link_button(
                            "Browse the market", routes.MARKET, size="3", variant="soft"
                        ),
                        spacing="3",
                        wrap="wrap",
                        justify="center",
                    ),
                    rx.hstack(
                        link_button("Go to the home page", routes.HOME, size="3"),
                        link_button(
                            "Browse people", routes.PEOPLE, size="3", variant="soft"
                        ),
                        spacing="3",
                        wrap="wrap",
                        justify="center",
                    ),
                ),
                spacing="4",
                align="center",
                max_width="520px",
            ),
            width="100%",
            padding_y="3rem",
        ),
    )
