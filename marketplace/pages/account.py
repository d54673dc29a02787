"""Account settings: email and work addresses, password, signed-in devices,
log out everywhere."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error
from marketplace.components.layout import page, section_card
from marketplace.components.people import verified_at
from marketplace.states.account import AccountState
from marketplace.states.session import SessionState


def _sent(message) -> rx.Component:
    """A link's answer, kept on the page: go and read your mail."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="mail-check",
            color_scheme="green",
            role="status",
            width="100%",
        ),
    )


def _waiting(address, sent) -> rx.Component:
    """Where a link waits, once the answer that sent it has gone."""
    return rx.cond(
        (address != "") & (sent == ""),
        rx.text(
            "A link is waiting at ",
            rx.text.strong(address),
            ". Follow it within 48 hours, or ask for a new one below.",
            size="2",
            color_scheme="gray",
        ),
    )


def _link_form(
    on_submit,
    key,
    error,
    *,
    label: str,
    name: str,
    hint: str,
    password: str,
    password_hint: str,
) -> rx.Component:
    """An address and the current password, for a link to that address."""
    return rx.form(
        rx.vstack(
            form_error(error),
            field(
                label,
                name,
                type="email",
                required=True,
                hint=hint,
                max_length=254,
                autocomplete="email",
            ),
            field(
                "Current password",
                password,
                type="password",
                required=True,
                hint=password_hint,
                autocomplete="current-password",
            ),
            rx.button("Send a confirmation link", type="submit", size="3"),
            spacing="4",
            width="100%",
            max_width="440px",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        key=key,
        width="100%",
    )


def _emailsection_card() -> rx.Component:
    state = AccountState
    return section_card(
        "Email address",
        rx.flex(
            rx.text(state.email, weight="bold", size="3"),
            rx.cond(
                state.email_verified,
                rx.badge("Verified", color_scheme="green"),
                rx.badge("Not verified yet", color_scheme="amber"),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        _waiting(state.pending_email, state.email_sent),
        _sent(state.email_sent),
        _link_form(
            state.change_email,
            state.email_form_key,
            state.email_error,
            label="New email address",
            name="new_email",
            hint="We mail a link there. Your address changes when you follow "
            "it, and we tell your current address.",
            password="email_password",
            password_hint="So that nobody else at this screen can move your account.",
        ),
    )


def _work_address() -> rx.Component:
    """The verified work address, as the profile shows it, and its removal."""
    return rx.card(
        rx.flex(
            rx.vstack(
                verified_at(AccountState.work_domain),
                rx.text(
                    AccountState.work_email,
                    " (only you see the address)",
                    size="2",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
            rx.button(
                "Remove work address",
                on_click=AccountState.remove_work_email,
                variant="soft",
                color_scheme="red",
            ),
            justify="between",
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _worksection_card() -> rx.Component:
    state = AccountState
    return section_card(
        "Work address",
        rx.text(
            "Show where you work: verify an address at your company and your "
            "profile shows the domain, never the address. Free mail such as "
            "Gmail or Outlook doesn't count.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(state.work_domain != "", _work_address()),
        _waiting(state.pending_work_email, state.work_sent),
        rx.cond(
            (state.work_domain == "") & (state.pending_work_email != ""),
            rx.button(
                "Cancel the link",
                on_click=state.remove_work_email,
                variant="ghost",
                color_scheme="gray",
                size="1",
            ),
        ),
        _sent(state.work_sent),
        _link_form(
            state.add_work_email,
            state.work_form_key,
            state.work_error,
            label="Work email address",
            name="work_email",
            hint="We mail a link there; your profile shows the domain once "
            "you follow it.",
            password="work_password",
            password_hint="So that nobody else at this screen can add one for you.",
        ),
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
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def account_settings_page() -> rx.Component:
    return page(
        rx.heading("Account", size="7", as_="h1"),
        rx.text(
            "Who sees your email and the rest of your profile: ",
            rx.link("Privacy", href=routes.SETTINGS_PRIVACY),
            ". When people can book calls with you: ",
            rx.link("When I take calls", href=routes.SETTINGS_AVAILABILITY),
            ".",
            size="2",
            color_scheme="gray",
        ),
        _emailsection_card(),
        _worksection_card(),
        section_card("Password", _password_form()),
        section_card(
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
