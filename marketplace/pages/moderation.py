"""The moderation desk (operators), and the page a suspended member sees."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import SELECT_STYLE, form_error
from marketplace.components.layout import page
from marketplace.components.moderation import password_check
from marketplace.components.operator_nav import operator_tabs
from marketplace.states.auth import LoginState
from marketplace.states.moderation import ModerationState

ACTIONS = {
    "dismiss": "Dismiss: nothing wrong",
    "hide": "Hide the content",
    "warn": "Warn the member",
    "suspend": "Suspend the member",
}


def _label(text, html_for) -> rx.Component:
    return rx.el.label(
        text, html_for=html_for, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
    )


def _neighbour(m) -> rx.Component:
    return rx.box(
        rx.text(
            rx.text.strong(m.author),
            ": ",
            m.body,
            size="2",
            white_space="pre-wrap",
        ),
        padding="0.4rem 0.6rem",
        border_left=rx.cond(
            m.reported, "3px solid var(--red-9)", "3px solid var(--gray-5)"
        ),
        background=rx.cond(m.reported, "var(--red-2)", "transparent"),
        width="100%",
    )


def _content(item) -> rx.Component:
    return rx.vstack(
        rx.text(item.title, weight="medium", size="3"),
        rx.cond(
            item.context.length() > 0,
            rx.vstack(
                rx.foreach(item.context, _neighbour),
                spacing="1",
                width="100%",
            ),
            rx.blockquote(item.content, size="2", white_space="pre-wrap"),
        ),
        spacing="2",
        width="100%",
    )


def _action_form(item) -> rx.Component:
    uid = "desk-" + item.kind.to(str) + "-" + item.item_id.to(str)
    return rx.form(
        rx.el.input(type="hidden", name="kind", value=item.kind),
        rx.el.input(type="hidden", name="item_id", value=item.item_id),
        rx.flex(
            rx.vstack(
                _label("Action", uid + "-action"),
                rx.el.select(
                    *[
                        rx.el.option(text, value=value)
                        for value, text in ACTIONS.items()
                    ],
                    id=uid + "-action",
                    name="action",
                    class_name="rt-reset",
                    style=SELECT_STYLE,
                ),
                spacing="1",
                min_width="200px",
            ),
            rx.vstack(
                _label("Reason (the member sees it)", uid + "-reason"),
                # size 3: as tall as the native select beside it, so the two
                # labels line up
                rx.input(
                    id=uid + "-reason",
                    name="reason",
                    max_length=300,
                    width="100%",
                    size="3",
                ),
                spacing="1",
                flex="1",
                min_width="220px",
            ),
            rx.button("Apply to these reports", type="submit", size="3"),
            spacing="3",
            align="end",
            wrap="wrap",
            width="100%",
        ),
        on_submit=ModerationState.act,
        reset_on_submit=True,
        width="100%",
    )


def _queue_item(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.badge(item.kind, color_scheme="gray"),
                rx.badge(
                    rx.cond(
                        item.reports == 1, "1 report", item.reports.to(str) + " reports"
                    ),
                    color_scheme="red",
                ),
                rx.link(
                    item.display_name,
                    " (@",
                    item.handle,
                    ")",
                    href=routes.PEOPLE + "/" + item.handle.to(str),
                ),
                rx.cond(item.suspended, rx.badge("Suspended", color_scheme="red")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            _content(item),
            rx.text("Reasons: ", item.reasons, size="2"),
            rx.foreach(
                item.notes,
                lambda n: rx.text("“", n, "”", size="2", color_scheme="gray"),
            ),
            rx.text(
                "Reported by ",
                item.reporters,
                " · @",
                item.handle,
                ": ",
                item.history,
                size="1",
                color_scheme="gray",
            ),
            _action_form(item),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _appeal(a) -> rx.Component:
    uid = "appeal-" + a["id"].to(str)
    return rx.card(
        rx.vstack(
            rx.text(
                rx.text.strong("@", a["handle"]),
                " appealed on ",
                a["at"],
                ". Suspended for: ",
                a["suspended_reason"],
                size="2",
            ),
            rx.blockquote(a["body"], size="2", white_space="pre-wrap"),
            rx.flex(
                rx.form(
                    rx.el.input(type="hidden", name="member_id", value=a["member_id"]),
                    rx.hstack(
                        rx.vstack(
                            _label("Why unsuspend", uid + "-yes"),
                            rx.input(id=uid + "-yes", name="reason", required=True),
                            spacing="1",
                        ),
                        rx.button("Unsuspend @", a["handle"], type="submit"),
                        align="end",
                    ),
                    on_submit=ModerationState.unsuspend,
                    reset_on_submit=True,
                ),
                rx.form(
                    rx.el.input(type="hidden", name="appeal_id", value=a["id"]),
                    rx.hstack(
                        rx.vstack(
                            _label("Why keep the suspension", uid + "-no"),
                            rx.input(id=uid + "-no", name="reason", required=True),
                            spacing="1",
                        ),
                        rx.button(
                            "Keep suspended",
                            type="submit",
                            variant="soft",
                            color_scheme="gray",
                        ),
                        align="end",
                    ),
                    on_submit=ModerationState.keep_suspended,
                    reset_on_submit=True,
                ),
                spacing="4",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _log_row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["at"]),
        rx.table.cell(row["operator"]),
        rx.table.cell(row["action"]),
        rx.table.cell(row["on"]),
        rx.table.cell(row["member"]),
        rx.table.cell(row["reason"]),
    )


def _log() -> rx.Component:
    return rx.vstack(
        rx.heading("Operator log", size="5", as_="h2"),
        rx.cond(
            ModerationState.log.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in (
                                "When",
                                "Operator",
                                "Action",
                                "On",
                                "Member",
                                "Why",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(ModerationState.log, _log_row)),
                width="100%",
                size="1",
            ),
            rx.text("Nothing done yet.", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def moderation_page() -> rx.Component:
    return page(
        rx.heading("Moderation desk", size="7", as_="h1"),
        rx.cond(
            ModerationState.allowed,
            rx.vstack(
                operator_tabs(routes.MODERATION),
                rx.text(
                    "Reports members sent, grouped by what they report. Whoever "
                    "you act on hears your reason, never who reported them.",
                    color_scheme="gray",
                ),
                password_check(),
                form_error(ModerationState.desk_error),
                rx.heading("Open reports", size="5", as_="h2"),
                rx.cond(
                    ModerationState.queue.length() > 0,
                    rx.vstack(
                        rx.foreach(ModerationState.queue, _queue_item),
                        spacing="3",
                        width="100%",
                    ),
                    rx.text("No open reports.", color_scheme="gray"),
                ),
                rx.cond(
                    ModerationState.appeals.length() > 0,
                    rx.vstack(
                        rx.heading("Appeals", size="5", as_="h2"),
                        rx.foreach(ModerationState.appeals, _appeal),
                        spacing="3",
                        width="100%",
                    ),
                ),
                _log(),
                spacing="4",
                width="100%",
            ),
            rx.text("This page is for operators."),
        ),
        width="1000px",
    )


def suspended_page() -> rx.Component:
    return page(
        rx.heading("Your account is suspended", size="7", as_="h1"),
        rx.cond(
            LoginState.suspension_reason != "",
            rx.vstack(
                rx.callout(
                    rx.text(
                        "The operators gave this reason: ", LoginState.suspension_reason
                    ),
                    icon="octagon_alert",
                    color_scheme="red",
                    role="status",
                    width="100%",
                ),
                rx.text(
                    "While it is suspended you can't log in, your listings are "
                    "paused and nobody finds you in search. If you think this is "
                    "a mistake, tell the operators why below: an operator reads "
                    "every appeal."
                ),
                rx.cond(
                    LoginState.appeal_sent,
                    rx.callout(
                        "Your appeal is with the operators. Log in again later "
                        "to see if it was granted.",
                        icon="mail",
                        color_scheme="green",
                        role="status",
                        width="100%",
                    ),
                    rx.form(
                        rx.vstack(
                            _label("Your appeal", "appeal"),
                            rx.text_area(
                                id="appeal",
                                name="appeal",
                                required=True,
                                max_length=1000,
                                rows="5",
                                width="100%",
                            ),
                            form_error(LoginState.appeal_error),
                            rx.button("Send my appeal", type="submit"),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=LoginState.appeal,
                        width="100%",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            rx.text(
                "If your account was suspended, ",
                rx.link("log in", href=routes.LOGIN),
                " to see why and how to appeal.",
            ),
        ),
        width="640px",
    )
