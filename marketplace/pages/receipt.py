"""A card payment's receipt: what moved, the fee, the tax line, the two
parties, the card, and its PDF."""

import reflex as rx

from marketplace import routes
from marketplace.components.layout import page
from marketplace.states.receipts import ReceiptState


def _row(label, *value, **props) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label, min_width="9rem"),
        rx.data_list.value(*value, **props),
    )


def _receipt() -> rx.Component:
    r = ReceiptState.receipt
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(r.issuer, weight="bold"),
                    rx.cond(
                        r.issuer_address != "",
                        rx.text(r.issuer_address, size="1", color_scheme="gray"),
                    ),
                    spacing="0",
                ),
                width="100%",
                align="start",
            ),
            rx.heading(r.kind_label, " receipt ", r.number, size="6", as_="h1"),
            rx.data_list.root(
                _row("Date", r.issued),
                _row(
                    "For",
                    rx.link(
                        "Engagement #",
                        r.engagement_id,
                        ": ",
                        r.engagement_title,
                        href=r.engagement_link,
                    ),
                ),
                _row("Paid by", r.payer_name, " (@", r.payer_handle, ")"),
                _row("Help from", r.helper_name, " (@", r.helper_handle, ")"),
                _row(rx.cond(r.kind == "charge", "Paid with", "Refunded to"), r.card),
                _row(
                    rx.cond(r.kind == "charge", "Amount charged", "Amount refunded"),
                    rx.text(r.amount, weight="bold", size="4"),
                ),
                rx.cond(r.fee != "", _row("Platform fee", r.fee, " (included)")),
                rx.cond(r.net != "", _row("To the helper", r.net)),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                width="100%",
            ),
            rx.text(r.vat_note, size="2", color_scheme="gray"),
            rx.link(
                rx.button(rx.icon("download", size=16), "Download PDF", size="2"),
                href=ReceiptState.pdf_url,
                is_external=True,
            ),
            spacing="4",
            width="100%",
        ),
        size="4",
        width="100%",
    )


def receipt_page() -> rx.Component:
    return page(
        rx.link("← Wallet", href=routes.WALLET, size="2"),
        rx.cond(
            ReceiptState.not_found,
            rx.vstack(
                rx.heading("Receipt not found", size="7", as_="h1"),
                rx.text("It doesn't exist, or it isn't yours."),
            ),
            _receipt(),
        ),
        width="720px",
    )
