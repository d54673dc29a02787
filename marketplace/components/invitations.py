"""Inviting people I know: the form (my contacts who could be invited, or a
name and an address typed in, and a personal note) and the invitations I
sent with their status. Shown on its own page and on the contacts page."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error, text_area
from marketplace.network.invitations import NOTE_MAX
from marketplace.states.invitations import (
    CONTACT_FIELD,
    EMAIL_FIELD,
    NAME_FIELD,
    NOTE_FIELD,
    InvitationsState,
)


def _contact_choice(contact) -> rx.Component:
    box_id = f"{CONTACT_FIELD}{contact.id}"
    return rx.hstack(
        rx.el.input(type="checkbox", id=box_id, name=box_id, value="on"),
        rx.el.label(
            rx.text(contact.name, weight="medium", as_="span"),
            rx.text(" · ", contact.email, color_scheme="gray", as_="span"),
            html_for=box_id,
        ),
        align="center",
        spacing="2",
    )


def _contacts() -> rx.Component:
    return rx.cond(
        InvitationsState.invitable.length() > 0,
        rx.el.fieldset(
            rx.el.legend(
                "Your contacts who are not here yet",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            ),
            rx.vstack(
                rx.foreach(InvitationsState.invitable, _contact_choice),
                spacing="1",
                max_height="16rem",
                overflow_y="auto",
                padding_top="0.25rem",
            ),
            style={"border": "none", "padding": 0, "margin": 0},
        ),
        rx.text(
            "No contacts to invite. Import your contacts, or type a name and "
            "an address below.",
            size="2",
            color_scheme="gray",
        ),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(InvitationsState.invite_error),
            rx.cond(
                InvitationsState.invite_result != "",
                rx.callout(
                    InvitationsState.invite_result,
                    icon="mail",
                    color_scheme="green",
                    role="status",
                    width="100%",
                ),
            ),
            _contacts(),
            rx.flex(
                field("Their name", NAME_FIELD, max_length=200, autocomplete="off"),
                field(
                    "Their email",
                    EMAIL_FIELD,
                    type="email",
                    max_length=254,
                    autocomplete="off",
                ),
                spacing="3",
                width="100%",
                direction={"initial": "column", "sm": "row"},
            ),
            text_area(
                "A personal note",
                NOTE_FIELD,
                hint="Sent with each invitation. Plain text.",
                max_length=NOTE_MAX,
                rows="3",
            ),
            rx.text(
                "At most ",
                InvitationsState.batch_max,
                " people at a time, and nobody twice.",
                size="1",
                color_scheme="gray",
            ),
            rx.button("Send invitations", type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=InvitationsState.send,
        reset_on_submit=False,
        key=InvitationsState.invite_form_version,
        width="100%",
    )


def _sent_row(invitation) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(invitation.name, size="2", weight="medium"),
            # an address may break anywhere; the other columns keep their words
            rx.text(
                invitation.email,
                size="1",
                color_scheme="gray",
                style={"overflow_wrap": "anywhere"},
            ),
        ),
        rx.table.cell(invitation.sent_on, white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                invitation.status == "joined",
                rx.cond(
                    invitation.joined_handle != "",
                    rx.link(
                        rx.badge("Joined", color_scheme="grass"),
                        href=routes.PEOPLE + "/" + invitation.joined_handle,
                    ),
                    rx.badge("Joined", color_scheme="grass"),
                ),
                rx.badge("Sent", color_scheme="gray"),
            )
        ),
    )


def _sent() -> rx.Component:
    return rx.cond(
        InvitationsState.sent.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Person"),
                    rx.table.column_header_cell("Sent"),
                    rx.table.column_header_cell("Status"),
                )
            ),
            rx.table.body(rx.foreach(InvitationsState.sent, _sent_row)),
            variant="ghost",
            width="100%",
            style={"overflow_wrap": "normal"},
        ),
        rx.text("You haven't invited anyone yet.", size="2", color_scheme="gray"),
    )


def invite_section() -> rx.Component:
    """Invite people you know, then see who joined (InvitationsState.load
    must run on the page's load)."""
    return rx.el.section(
        rx.vstack(
            rx.card(
                rx.vstack(
                    rx.heading("Invite someone", size="4", as_="h2"),
                    rx.text(
                        "Joining through your invitation connects you at once.",
                        size="2",
                        color_scheme="gray",
                    ),
                    _form(),
                    spacing="3",
                    width="100%",
                ),
                size="3",
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.heading("Invitations you sent", size="4", as_="h2"),
                    _sent(),
                    spacing="3",
                    width="100%",
                ),
                size="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        aria_label="Invitations",
        width="100%",
    )
