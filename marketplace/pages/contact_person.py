"""A contact's page (/network/contacts/<id>), for its owner: who they are,
how to reach them, when we last talked, and the private section to log a
conversation and keep notes. Anyone else sees "Contact not found"."""

import reflex as rx

from marketplace import routes
from marketplace.components.layout import page
from marketplace.components.touchpoints import private_section
from marketplace.states.contact_person import ContactPersonState


def _lines(title: str, items) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.hstack(
            rx.text(title, size="2", color_scheme="gray", min_width="4em"),
            rx.vstack(
                rx.foreach(items, lambda v: rx.text(v, size="2")),
                spacing="0",
            ),
            spacing="3",
            align="start",
        ),
    )


def _card() -> rx.Component:
    c = ContactPersonState.contact
    return rx.card(
        rx.vstack(
            rx.heading(c.name, size="7", as_="h1"),
            rx.cond(
                (c.position != "") | (c.company != ""),
                rx.text(
                    c.position,
                    rx.cond((c.position != "") & (c.company != ""), " at ", ""),
                    c.company,
                    size="3",
                ),
            ),
            _lines("Email", c.emails),
            _lines("Phone", c.phones),
            rx.text(
                rx.cond(
                    c.last_talked != "", c.last_talked, "No conversation logged yet"
                ),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                c.member_handle != "",
                rx.link(
                    "They are a member: see their profile",
                    href=routes.PEOPLE + "/" + c.member_handle,
                ),
            ),
            rx.text(
                "Your contacts are private: nobody else sees them.",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def contact_person_page() -> rx.Component:
    return page(
        rx.cond(
            ContactPersonState.not_found,
            rx.vstack(
                rx.heading("Contact not found", size="7", as_="h1"),
                rx.link("Back to your contacts", href=routes.CONTACTS),
            ),
            rx.cond(
                ContactPersonState.contact.id > 0,
                rx.vstack(
                    rx.link("Back to your contacts", href=routes.CONTACTS, size="2"),
                    _card(),
                    private_section(ContactPersonState),
                    spacing="5",
                    width="100%",
                ),
                rx.spinner(aria_label="Loading"),
            ),
        ),
        width="800px",
    )
