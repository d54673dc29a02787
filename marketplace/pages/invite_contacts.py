"""Invite people you know, at /network/contacts/invite."""

import reflex as rx

from marketplace.components.invitations import invite_section
from marketplace.components.layout import page


def invite_contacts_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Invite people you know", size="7", as_="h1"),
            rx.text(
                "A few at a time, with a note of your own. Whoever joins through "
                "your invitation is connected with you at once.",
                color_scheme="gray",
            ),
            spacing="2",
        ),
        invite_section(),
        width="880px",
    )
