"""The operators' integrity report: who looks like a karma farm, and freezing."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error
from marketplace.components.layout import page
from marketplace.components.moderation import password_check
from marketplace.components.operator_nav import operator_tabs
from marketplace.states.integrity import IntegrityState


def _finding(f: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.badge(f["signal"], color_scheme="amber"),
                rx.link(
                    "@", f["handle"], href=routes.PEOPLE + "/" + f["handle"].to(str)
                ),
                rx.cond(f["frozen"], rx.badge("Frozen", color_scheme="red")),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.text(f["detail"], size="2"),
            rx.cond(
                f["involved"] != "",
                rx.text("With: ", f["involved"], size="2", color_scheme="gray"),
            ),
            rx.cond(
                f["frozen"],
                rx.button(
                    "Unfreeze @",
                    f["handle"],
                    on_click=IntegrityState.unfreeze(f["member_id"].to(str)),
                    variant="soft",
                ),
                rx.form(
                    rx.flex(
                        rx.el.input(
                            type="hidden", name="member_id", value=f["member_id"]
                        ),
                        field(
                            "Why freeze @" + f["handle"].to(str),
                            "reason",
                            required=True,
                            max_length=200,
                        ),
                        rx.button(
                            "Freeze @", f["handle"], type="submit", color_scheme="red"
                        ),
                        spacing="3",
                        align="end",
                        wrap="wrap",
                        width="100%",
                    ),
                    on_submit=IntegrityState.freeze,
                    reset_on_submit=True,
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def integrity_page() -> rx.Component:
    return page(
        rx.heading("Integrity report", size="7", as_="h1"),
        rx.cond(
            IntegrityState.allowed,
            rx.vstack(
                operator_tabs(routes.INTEGRITY),
                rx.text(
                    "Patterns karma farms leave behind. A finding is a reason to "
                    "look, not a verdict: a frozen member keeps their login and "
                    "their history, but cannot spend, give, post or owe.",
                    color_scheme="gray",
                ),
                password_check(),
                form_error(IntegrityState.freeze_error),
                rx.cond(
                    IntegrityState.findings.length() > 0,
                    rx.vstack(
                        rx.foreach(IntegrityState.findings, _finding),
                        spacing="3",
                        width="100%",
                    ),
                    rx.text("No sign of karma farming.", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text("This page is for operators."),
        ),
        width="1000px",
    )
