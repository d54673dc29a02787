"""The wallet's money from paid help: the payer's card payments (with their
receipts) and the helper's payouts. Each section shows only when it has
lines, so a member who never paid or earned money sees neither."""

import reflex as rx

from marketplace.states.receipts import CardPaymentsState

WIDE_ONLY = rx.breakpoints(initial="none", sm="table-cell")
STATUS_COLORS = (
    ("held", "amber"),
    ("charged", "grass"),
    ("refunded", "blue"),
    "gray",
)


def _receipt_link(receipt) -> rx.Component:
    return rx.link(receipt["label"], href=receipt["link"], size="1")


def _payment_row(line) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.when, white_space="nowrap", display=WIDE_ONLY),
        rx.table.cell(
            rx.vstack(
                rx.link(line.title, href=line.link, weight="medium"),
                rx.text(line.status_label, size="1", color_scheme="gray"),
                rx.foreach(line.receipts, _receipt_link),
                spacing="1",
                min_width="0",
            )
        ),
        rx.table.cell(line.card, white_space="nowrap", display=WIDE_ONLY),
        rx.table.cell(
            rx.vstack(
                rx.text(line.amount, weight="bold", white_space="nowrap"),
                rx.badge(
                    line.status,
                    variant="soft",
                    color_scheme=rx.match(line.status, *STATUS_COLORS),
                ),
                align="end",
                spacing="1",
            ),
            justify="end",
        ),
    )


def card_payments_section() -> rx.Component:
    """What the member's card paid for help, each with its receipts."""
    return rx.cond(
        CardPaymentsState.payments.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading("Card payments", size="4", as_="h2"),
                rx.text(
                    "Help you paid for by card: held when it was accepted, "
                    "charged when you confirmed it (or after 6 days), refunded "
                    "if it was cancelled after that.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Date", display=WIDE_ONLY),
                            rx.table.column_header_cell("Help"),
                            rx.table.column_header_cell("Card", display=WIDE_ONLY),
                            rx.table.column_header_cell("Amount", justify="end"),
                        )
                    ),
                    rx.table.body(rx.foreach(CardPaymentsState.payments, _payment_row)),
                    width="100%",
                    variant="ghost",
                ),
                spacing="3",
                width="100%",
            ),
            size="3",
            width="100%",
            role="group",
            aria_label="Card payments",
        ),
    )


def _payout_row(line) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.when, white_space="nowrap", display=WIDE_ONLY),
        rx.table.cell(
            rx.vstack(
                rx.link(line.title, href=line.link, weight="medium"),
                rx.text(line.where_label, size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
            )
        ),
        rx.table.cell(line.gross, justify="end", display=WIDE_ONLY),
        rx.table.cell(line.fee, justify="end", display=WIDE_ONLY),
        rx.table.cell(
            rx.text(line.net, weight="bold", white_space="nowrap"), justify="end"
        ),
    )


def payouts_section() -> rx.Component:
    """What the member earned from paid help, engagement by engagement."""
    return rx.cond(
        CardPaymentsState.payouts.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading("Payouts", size="4", as_="h2"),
                rx.cond(
                    CardPaymentsState.anything_kept,
                    rx.text(CardPaymentsState.kept_meaning, size="2"),
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Date", display=WIDE_ONLY),
                            rx.table.column_header_cell("Help"),
                            rx.table.column_header_cell(
                                "Price", justify="end", display=WIDE_ONLY
                            ),
                            rx.table.column_header_cell(
                                "Platform fee", justify="end", display=WIDE_ONLY
                            ),
                            rx.table.column_header_cell("You got", justify="end"),
                        )
                    ),
                    rx.table.body(rx.foreach(CardPaymentsState.payouts, _payout_row)),
                    width="100%",
                    variant="ghost",
                ),
                spacing="3",
                width="100%",
            ),
            size="3",
            width="100%",
            role="group",
            aria_label="Payouts",
        ),
    )


def money_from_paid_help() -> rx.Component:
    """Both sections, for the wallet page: one line there."""
    return rx.fragment(card_payments_section(), payouts_section())
