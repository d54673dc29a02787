"""Account settings: password, signed-in devices, log out everywhere."""

import reflex as rx

from marketplace.components.forms import field, form_error
from marketplace.components.layout import page
from marketplace.states.account import AccountState
from marketplace.states.session import SessionState


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"), *children, spacing="4", width="100%"
        ),
        size="3",
        width="100%",
    )


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(AccountState.password_error),
            field(
                "Current password",
                "current_password",
                type="password",
                required=True,
                autocomplete="current-password",
            ),
            field(
                "New password",
                "new_password",
                type="password",
                required=True,
                hint="At least 10 characters. Your other devices will be logged out.",
                autocomplete="new-password",
            ),
            field(
                "New password again",
                "new_password_again",
                type="password",
                required=True,
                autocomplete="new-password",
            ),
            rx.button("Change password", type="submit", size="3"),
            spacing="4",
            width="100%",
            max_width="440px",
        ),
        on_submit=AccountState.change_password,
        reset_on_submit=True,
        key=AccountState.password_form_key,
        width="100%",
    )


def _device(device: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(
                    rx.text(device["what"], weight="bold", size="3"),
                    rx.cond(
                        device["current"] != "",
                        rx.badge("This device", color_scheme="green"),
                    ),
                    wrap="wrap",
                    align="center",
                ),
                rx.text("Signed in ", device["started"], size="2", color_scheme="gray"),
                rx.text(
                    "Last seen ", device["last_seen"], size="2", color_scheme="gray"
                ),
                rx.cond(
                    device["place"] != "",
                    rx.text(
                        "Approximate place: ",
                        device["place"],
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                spacing="1",
            ),
            rx.button(
                "Log out this device",
                on_click=AccountState.log_out_device(device["id"]),
                variant="soft",
                color_scheme="red",
            ),
            justify="between",
            align="center",
            gap="3",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def account_settings_page() -> rx.Component:
    return page(
        rx.heading("Account", size="7", as_="h1"),
        _section("Password", _password_form()),
        _section(
            "Signed-in devices",
            form_error(AccountState.device_error),
            rx.vstack(rx.foreach(AccountState.devices, _device), width="100%"),
            rx.button(
                "Log out everywhere",
                on_click=SessionState.log_out_everywhere,
                color_scheme="red",
                variant="outline",
            ),
        ),
        width="760px",
    )
