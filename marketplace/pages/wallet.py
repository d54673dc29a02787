"""The wallet page: balances, a monthly chart, paying forward, holds, history."""

import reflex as rx

from marketplace.components.card_payments import money_from_paid_help
from marketplace.components.cards import cards_section
from marketplace.components.forms import field, form_error
from marketplace.components.layout import page
from marketplace.components.pager import pager
from marketplace.states.wallet import WalletState

RECEIVED_COLOR = "var(--grass-9)"
GIVEN_COLOR = "var(--indigo-9)"
WIDE_ONLY = rx.breakpoints(initial="none", sm="table-cell")


def _balance(label: str, value, hint: str, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                background="var(--accent-3)",
                color="var(--accent-11)",
                border_radius="10px",
                width="40px",
                height="40px",
            ),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.text(value, " karma", size="6", weight="bold"),
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        size="3",
        width="100%",
        role="group",
        aria_label=label,
    )


def _earnings() -> rx.Component:
    """Money from paid help, after the platform fee (only for consultants)."""
    return rx.card(
        rx.hstack(
            rx.icon("banknote", size=20, color="var(--grass-11)"),
            rx.text("Earned from paid help", size="2", color_scheme="gray"),
            rx.foreach(
                WalletState.earnings,
                lambda amount: rx.text(amount, size="5", weight="bold"),
            ),
            rx.text("after the platform fee", size="1", color_scheme="gray"),
            rx.spacer(),
            rx.match(
                WalletState.payout_state,
                (
                    "set_up",
                    rx.text("Paid out to your bank through Stripe", size="1"),
                ),
                (
                    "not_set_up",
                    rx.button(
                        "Set up payouts",
                        size="2",
                        variant="soft",
                        on_click=WalletState.set_up_payouts,
                    ),
                ),
                rx.text("Kept here for now", size="1", color_scheme="gray"),
            ),
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        size="2",
        width="100%",
        role="group",
        aria_label="Earned from paid help",
    )


def _chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Karma received and given, last 12 months", size="4", as_="h2"),
            rx.recharts.bar_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                rx.recharts.x_axis(data_key="month"),
                rx.recharts.y_axis(allow_decimals=False, width=40),
                rx.recharts.tooltip(),
                rx.recharts.legend(),
                rx.recharts.bar(
                    data_key="received",
                    name="Received",
                    fill=RECEIVED_COLOR,
                    radius=[4, 4, 0, 0],
                    is_animation_active=False,
                ),
                rx.recharts.bar(
                    data_key="given",
                    name="Given",
                    fill=GIVEN_COLOR,
                    radius=[4, 4, 0, 0],
                    is_animation_active=False,
                ),
                data=WalletState.flows,
                width="100%",
                height=260,
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        role="figure",
        aria_label="Bar chart of karma received and given per month",
    )


def _send_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Pay it forward", size="4", as_="h2"),
                rx.text(
                    "Send karma you earned to someone who helped you.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.text(WalletState.give_line, size="2"),
                form_error(WalletState.gift_error),
                rx.el.input(type="hidden", name="key", value=WalletState.form_key),
                field(
                    "Recipient's handle",
                    "to_handle",
                    placeholder="priya",
                    required=True,
                    max_length=31,
                ),
                field(
                    "Amount (karma)",
                    "amount",
                    type="number",
                    placeholder="5",
                    required=True,
                ),
                field(
                    "Note", "memo", placeholder="Thanks for the intro!", max_length=200
                ),
                rx.button("Send karma", type="submit", size="3"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=WalletState.send_karma,
            reset_on_submit=True,
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _amount(row) -> rx.Component:
    """Signed karma; struck through when it never moved (a released hold)."""
    return rx.text(
        rx.cond(row.amount > 0, "+", ""),
        row.amount,
        color=rx.cond(
            row.moved & (row.amount > 0), "var(--grass-11)", "var(--gray-12)"
        ),
        text_decoration=rx.cond(
            row.moved | (row.status == "held"), "none", "line-through"
        ),
        weight="bold",
        # the page wraps member text anywhere; "-6" must never split into "-" and "6"
        white_space="nowrap",
        flex_shrink="0",
    )


def _state_badge(row) -> rx.Component:
    return rx.cond(
        row.status != "done",
        rx.badge(
            row.status_label,
            variant="soft",
            color_scheme=rx.match(
                row.status, ("held", "amber"), ("paid", "grass"), "gray"
            ),
        ),
    )


def _hold_line(h) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(h.counterparty, weight="medium"),
            rx.text(h.memo, size="1", color_scheme="gray", overflow_wrap="anywhere"),
            rx.text(h.detail, size="1", color_scheme="gray"),
            spacing="0",
            min_width="0",
        ),
        rx.spacer(),
        _amount(h),
        width="100%",
        align="center",
    )


def _hold_list(title: str, hint: str, holds, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h3"),
        rx.text(hint, size="2", color_scheme="gray"),
        rx.cond(
            holds.length() > 0,
            rx.vstack(rx.foreach(holds, _hold_line), spacing="3", width="100%"),
            rx.text(empty, size="2"),
        ),
        spacing="2",
        width="100%",
    )


def _holds() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Open holds", size="4", as_="h2"),
            _hold_list(
                "Held by you",
                "Karma you reserved for help you're getting: it goes to the helper "
                "when you confirm, and comes back if the help is cancelled.",
                WalletState.held_by_me,
                "You aren't holding any karma.",
            ),
            rx.separator(size="4"),
            _hold_list(
                "Held for you",
                "Karma others reserved for help you're giving: it's yours when "
                "they confirm.",
                WalletState.held_for_me,
                "Nobody is holding karma for you.",
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _history_row(r) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.when, white_space="nowrap"),
        rx.table.cell(r.what, display=WIDE_ONLY),
        rx.table.cell(r.counterparty),
        rx.table.cell(
            rx.vstack(
                rx.text(r.memo, overflow_wrap="anywhere"),
                rx.cond(r.detail != "", rx.text(r.detail, size="1")),
                spacing="0",
            ),
            color="var(--gray-11)",
            display=WIDE_ONLY,
        ),
        rx.table.cell(
            rx.vstack(_amount(r), _state_badge(r), align="end", spacing="1"),
            justify="end",
        ),
    )


def _history() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading("History", size="4", as_="h2"),
                rx.spacer(display=WIDE_ONLY),
                rx.segmented_control.root(
                    rx.segmented_control.item("All", value="all"),
                    rx.segmented_control.item("Received", value="in"),
                    rx.segmented_control.item("Given", value="out"),
                    value=WalletState.direction,
                    on_change=WalletState.filter,
                    aria_label="Show transfers",
                ),
                width="100%",
                align=rx.breakpoints(initial="start", sm="center"),
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Date"),
                        rx.table.column_header_cell("What", display=WIDE_ONLY),
                        rx.table.column_header_cell("With"),
                        rx.table.column_header_cell("Note", display=WIDE_ONLY),
                        rx.table.column_header_cell("Karma", justify="end"),
                    )
                ),
                rx.table.body(rx.foreach(WalletState.rows, _history_row)),
                width="100%",
                variant="ghost",
            ),
            rx.cond(
                WalletState.total == 0,
                rx.text("Nothing here yet.", size="2", color_scheme="gray"),
            ),
            pager(WalletState),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _credit() -> rx.Component:
    """The credit limit: how far below zero I may go to pay for help."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("info", size=16)),
        rx.callout.text(
            rx.text.strong("Credit limit: ", WalletState.balances.credit_limit, ". "),
            WalletState.credit_line,
            " Karma is mutual credit: you pay helpers from it and earn it back "
            "by helping.",
        ),
        color_scheme="blue",
        width="100%",
        role="group",
        aria_label="Credit limit",
    )


def wallet_page() -> rx.Component:
    b = WalletState.balances
    return page(
        rx.heading("Wallet", size="8", as_="h1"),
        _credit(),
        rx.grid(
            _balance("Available", b.available, "below zero is credit used", "wallet"),
            _balance("Balance", b.posted, "everything settled", "scale"),
            _balance("Held by you", b.held, "until you confirm help", "lock"),
            _balance(
                "Held for you", b.incoming, "yours once help is confirmed", "hourglass"
            ),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.cond(WalletState.earnings.length() > 0, _earnings()),
        cards_section(),
        money_from_paid_help(),
        _chart(),
        rx.grid(
            _send_form(),
            _holds(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _history(),
    )
