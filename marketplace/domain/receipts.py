"""A receipt as a payer reads it: its number, what moved, the card.

Pure: the ledger's receipts module (ledger/receipts.py) fills a
`ReceiptView` from its rows; the page, the PDF and the mail show the same
view, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

CHARGE, REFUND = "charge", "refund"
KINDS = (CHARGE, REFUND)
KIND_LABELS = {CHARGE: "Payment", REFUND: "Refund"}
BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
}


def receipt_number(receipt_id: int, year: int) -> str:
    """'R-2026-000123': the year it was issued and its id, so two receipts
    never share a number and the number says when it was written."""
    return f"R-{year:04d}-{receipt_id:06d}"


def card_label(brand: str, last4: str) -> str:
    """'Visa •••• 4242', or 'card' when the card is not known."""
    if not last4:
        return "card"
    name = BRANDS.get(brand.lower(), brand.capitalize()) if brand else "Card"
    return f"{name} •••• {last4}"


@dataclass(frozen=True)
class ReceiptView:
    """One receipt as its page, its PDF and its mail show it."""

    id: int
    number: str
    kind: str  # charge | refund
    kind_label: str  # Payment | Refund
    amount: str  # "€91.00"
    fee: str  # the platform's fee in it; "" for a refund
    net: str  # what the helper gets from it; "" for a refund
    vat_note: str
    issuer: str
    issuer_address: str
    payer_name: str
    payer_handle: str
    helper_name: str
    helper_handle: str
    card: str  # "Visa •••• 4242" or "card"
    issued: str  # "03 Dec 2026", on the viewer's clock
    engagement_id: int
    engagement_title: str
    engagement_link: str
    page_link: str
    pdf_link: str  # the backend route's path (api.py)

    def as_dict(self) -> dict:
        return asdict(self)
