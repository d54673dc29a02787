"""Sign-up and login pages."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error
from marketplace.components.layout import page
from marketplace.states.auth import (
    ForgotPasswordState,
    LoginState,
    ResetPasswordState,
    SignupState,
    VerifyState,
)


def _auth_card(title: str, subtitle: str, form: rx.Component, footer: rx.Component):
    return page(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.heading(title, size="7", as_="h1"),
                    rx.text(subtitle, color_scheme="gray", size="3"),
                    form,
                    footer,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width="440px",
            ),
            width="100%",
            padding_top="2rem",
        ),
    )


def _auth_form(
    on_submit: rx.EventHandler, submit: str, *children: rx.Component, **props
) -> rx.Component:
    """A card's form: its fields, then one full-width submit button."""
    return rx.form(
        rx.vstack(
            *children,
            rx.button(submit, type="submit", size="3", width="100%"),
            spacing="4",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
        **props,
    )


def signup_page() -> rx.Component:
    form = _auth_form(
        SignupState.sign_up,
        "Create account",
        form_error(SignupState.signup_error),
        field(
            "Name",
            "display_name",
            placeholder="Ada Lovelace",
            default_value=SignupState.invited_name,
            required=True,
            max_length=80,
            autocomplete="name",
        ),
        field(
            "Email",
            "email",
            type="email",
            placeholder="ada@example.com",
            default_value=SignupState.invited_email,
            required=True,
            autocomplete="email",
        ),
        field(
            "Handle",
            "handle",
            placeholder="ada",
            hint="Your public address: karma/people/<handle>. "
            "Lowercase letters, digits, - and _.",
            default_value=SignupState.invited_handle,
            required=True,
            max_length=30,
            autocomplete="username",
        ),
        field(
            "Password",
            "password",
            type="password",
            required=True,
            hint="At least 10 characters.",
            autocomplete="new-password",
        ),
        rx.cond(
            SignupState.invited_by != "",
            # a member's invitation link: its token goes with the form unseen
            # (the same id: the form reads the field's value by its id)
            rx.el.input(
                type="hidden",
                id="invite_code",
                name="invite_code",
                value=SignupState.invite_code,
            ),
            field(
                "Invitation code (optional)",
                "invite_code",
                hint="Invited by your group? The code claims your handle "
                "and the IOUs recorded for you.",
                default_value=SignupState.invite_code,
                max_length=100,
                autocomplete="off",
            ),
        ),
        # Re-mount when an invitation from the link arrives so its values fill in.
        key=SignupState.invite_code,
    )
    footer = rx.text(
        "Already a member? ", rx.link("Log in", href=SignupState.login_link), size="2"
    )
    return _auth_card(
        "Join Karma",
        "Ask for help before you have given any: once your email is verified "
        "and people here know you, you can go below zero to pay for it.",
        rx.vstack(
            notice(SignupState.invited_notice),  # a member's invitation link
            rx.cond(SignupState.signup_notice != "", _mailbox_panel(), form),
            spacing="3",
            width="100%",
        ),
        footer,
    )


def _mailbox_panel() -> rx.Component:
    """What every sign-up hears once the form is sent (states/auth.py)."""
    return rx.vstack(
        notice(SignupState.signup_notice),
        rx.text(
            "The link works for 48 hours and signs you in. Nothing there? "
            "Look in your spam folder.",
            size="2",
            color_scheme="gray",
        ),
        rx.button(
            "Use another address",
            on_click=SignupState.clear,
            variant="soft",
            size="2",
        ),
        spacing="3",
        width="100%",
    )


def login_page() -> rx.Component:
    form = _auth_form(
        LoginState.log_in,
        "Log in",
        form_error(LoginState.login_error),
        field("Email", "email", type="email", required=True, autocomplete="email"),
        field(
            "Password",
            "password",
            type="password",
            required=True,
            autocomplete="current-password",
        ),
        rx.link("Forgot password?", href=routes.FORGOT_PASSWORD, size="2"),
    )
    footer = rx.text(
        "New here? ",
        rx.link("Create an account", href=LoginState.signup_link),
        size="2",
    )
    return _auth_card("Log in", "Welcome back to your give/get network.", form, footer)


def notice(message) -> rx.Component:
    """A calm callout that something was sent, announced to screen readers."""
    return rx.cond(
        message != "",
        rx.callout(
            message, icon="mail", color_scheme="green", role="status", width="100%"
        ),
    )


def forgot_password_page() -> rx.Component:
    form = _auth_form(
        ForgotPasswordState.ask_for_link,
        "Send me a link",
        form_error(ForgotPasswordState.forgot_error),
        notice(ForgotPasswordState.forgot_sent),
        field("Email", "email", type="email", required=True, autocomplete="email"),
    )
    footer = rx.text("Remembered it? ", rx.link("Log in", href=routes.LOGIN), size="2")
    return _auth_card(
        "Forgot your password?",
        "We'll email you a link to choose a new one. It works once, for an hour.",
        form,
        footer,
    )


def reset_password_page() -> rx.Component:
    form = _auth_form(
        ResetPasswordState.set_new_password,
        "Set my new password",
        form_error(ResetPasswordState.reset_error),
        field(
            "New password",
            "password",
            type="password",
            required=True,
            hint="At least 10 characters.",
            autocomplete="new-password",
        ),
        field(
            "New password again",
            "password_again",
            type="password",
            required=True,
            autocomplete="new-password",
        ),
    )
    bad_link = rx.vstack(
        rx.callout(
            "That link has expired or was already used.",
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            width="100%",
        ),
        rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD, size="3"),
        spacing="3",
        width="100%",
    )
    footer = rx.cond(
        ResetPasswordState.link_works,
        rx.text(
            "Every device signed in to your account will be logged out.",
            size="2",
            color_scheme="gray",
        ),
    )
    return _auth_card(
        "Choose a new password",
        "Pick one you don't use anywhere else.",
        rx.cond(ResetPasswordState.link_works, form, bad_link),
        footer,
    )


def verify_page() -> rx.Component:
    """Where a verification link lands; works logged out."""
    return _auth_card(
        "Verify your email",
        "Following the link we mailed you proves the address is yours.",
        rx.cond(
            VerifyState.verified,
            rx.callout(VerifyState.verify_message, icon="check", color_scheme="green"),
            rx.callout(
                VerifyState.verify_message, icon="triangle_alert", color_scheme="red"
            ),
        ),
        rx.hstack(
            rx.link("Go to your dashboard", href=routes.DASHBOARD),
            rx.link("Log in", href=routes.LOGIN),
            spacing="4",
        ),
    )
