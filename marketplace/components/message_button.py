"""A profile's "Message" button: it says what will happen (write, send a
message request, wait for an answer) or, disabled, why not."""

import reflex as rx

from marketplace.components.buttons import link_button
from marketplace.states.messages import MessageButtonState

OPEN = ("message", "request", "answer")


def message_button() -> rx.Component:
    state = MessageButtonState
    usable = (
        (state.button_action == OPEN[0])
        | (state.button_action == OPEN[1])
        | (state.button_action == OPEN[2])
    )
    return rx.cond(
        state.button_action != "",
        rx.vstack(
            rx.cond(
                usable,
                link_button(
                    rx.hstack(
                        rx.icon("message-circle", size=16, aria_hidden="true"),
                        state.button_label,
                        spacing="2",
                        align="center",
                    ),
                    state.button_href,
                    variant="soft",
                    width="100%",
                ),
                rx.button(
                    state.button_label, disabled=True, variant="soft", width="100%"
                ),
            ),
            rx.cond(
                state.button_why != "",
                rx.text(state.button_why, size="1", color_scheme="gray"),
            ),
            spacing="1",
            width="100%",
            align="center",
        ),
    )


def shared_ground_line() -> rx.Component:
    """What we share, before a connection request; amber when nothing."""
    state = MessageButtonState
    return rx.cond(
        state.shared != "",
        rx.callout(
            rx.text("What you share: ", rx.text.strong(state.shared)),
            icon="users",
            size="1",
            color_scheme=rx.cond(state.cold, "amber", "grass"),
            width="100%",
        ),
    )


def cold_confirm() -> rx.Component:
    """The box a request to someone with nothing in common must tick."""
    return rx.cond(
        MessageButtonState.cold,
        rx.el.label(
            rx.el.input(type="checkbox", name="confirm", id="connect-confirm"),
            " We have nothing in common yet; I still want to ask.",
            html_for="connect-confirm",
            class_name="rt-Text rt-r-size-2",
        ),
    )
