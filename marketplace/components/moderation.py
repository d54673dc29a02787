"""The "Report" button with its dialog, and the operators' password check."""

import reflex as rx

from marketplace.components.forms import SELECT_STYLE, form_error
from marketplace.states.moderation import (
    REASON_OPTIONS,
    THANKS,
    ReauthState,
    ReportState,
)
from marketplace.states.session import SessionState

WHAT = {
    "member": "this member",
    "listing": "this listing",
    "review": "this review",
    "message": "this message",
    "dm": "this message",
}


def _label(text: str, html_for) -> rx.Component:
    return rx.el.label(
        text, html_for=html_for, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
    )


def report_button(kind: str, item) -> rx.Component:
    """A quiet "Report" button for signed-in members that opens a dialog:
    a reason from the fixed list and an optional note. `item` is the item's
    id (a member's handle for "member"), as a Var or text."""
    key = rx.Var.create(kind + ":").to(str) + rx.Var.create(item).to(str)
    uid = rx.Var.create(f"report-{kind}-").to(str) + rx.Var.create(item).to(str)
    what = WHAT[kind]
    return rx.cond(
        SessionState.signed_in,
        rx.dialog.root(
            rx.dialog.trigger(
                rx.button(
                    rx.icon("flag", size=14, aria_hidden="true"),
                    "Report",
                    aria_label=f"Report {what}",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                ),
            ),
            rx.dialog.content(
                rx.dialog.title(f"Report {what}"),
                rx.dialog.description(
                    "Tell the operators what is wrong. Nobody you report is "
                    "ever told who reported them.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    ReportState.report_sent == key,
                    rx.vstack(
                        rx.callout(
                            THANKS, icon="check", color_scheme="green", role="status"
                        ),
                        rx.dialog.close(rx.button("Close", type="button")),
                        align="end",
                        spacing="3",
                        margin_top="1rem",
                    ),
                    rx.form(
                        rx.el.input(type="hidden", name="kind", value=kind),
                        rx.el.input(type="hidden", name="item", value=item),
                        rx.vstack(
                            _label("Reason", uid + "-reason"),
                            rx.el.select(
                                *[
                                    rx.el.option(text, value=value)
                                    for value, text in REASON_OPTIONS.items()
                                ],
                                id=uid + "-reason",
                                name="reason",
                                class_name="rt-reset",
                                style=SELECT_STYLE,
                            ),
                            _label("Note (optional)", uid + "-note"),
                            rx.text_area(
                                id=uid + "-note",
                                name="note",
                                max_length=500,
                                width="100%",
                            ),
                            form_error(ReportState.report_error),
                            rx.hstack(
                                rx.dialog.close(
                                    rx.button(
                                        "Cancel",
                                        type="button",
                                        variant="soft",
                                        color_scheme="gray",
                                    )
                                ),
                                rx.button(
                                    "Send report", type="submit", color_scheme="red"
                                ),
                                justify="end",
                                width="100%",
                            ),
                            spacing="2",
                            width="100%",
                            margin_top="1rem",
                        ),
                        on_submit=ReportState.send,
                        reset_on_submit=True,
                    ),
                ),
                max_width="440px",
            ),
            on_open_change=ReportState.dialog_changed,
        ),
    )


def password_check() -> rx.Component:
    """ "Confirm your password to act": operator actions need it, in this
    session, within 15 minutes."""
    return rx.card(
        rx.cond(
            ReauthState.confirmed_until != "",
            rx.hstack(
                rx.icon("shield-check", color="var(--grass-10)", aria_hidden="true"),
                rx.text(
                    "Password confirmed: you can act until ",
                    ReauthState.confirmed_until,
                    ".",
                    size="2",
                ),
                align="center",
            ),
            rx.form(
                rx.vstack(
                    rx.text(
                        "Confirm your password to act. Operator actions need it "
                        "within the last 15 minutes.",
                        size="2",
                    ),
                    rx.hstack(
                        rx.vstack(
                            _label("Your password", "reauth-password"),
                            rx.input(
                                id="reauth-password",
                                name="password",
                                type="password",
                                auto_complete="current-password",
                                required=True,
                                width="100%",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        rx.button("Confirm password", type="submit"),
                        align="end",
                        width="100%",
                    ),
                    form_error(ReauthState.reauth_error),
                    spacing="2",
                    width="100%",
                ),
                on_submit=ReauthState.confirm,
                reset_on_submit=True,
                width="100%",
            ),
        ),
        width="100%",
    )
