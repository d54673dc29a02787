"""A receipt's page, and the wallet's card payments and payouts.

Both read for the signed-in member only: the receipt id comes from the
page's address, and a receipt that is not theirs (or not anyone's) reads
as not found. The PDF is a backend route (api.py) that checks the session
cookie again."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.domain.receipts import ReceiptView
from marketplace.ledger import card_history, payouts, receipts
from marketplace.ledger.card_history import CardPaymentLine, PayoutLine
from marketplace.states.session import SessionState, SignedIn, _backend_url, member_only

EMPTY = ReceiptView(
    id=0, number="", kind="", kind_label="", amount="", fee="", net="",
    vat_note="", issuer="", issuer_address="", payer_name="", payer_handle="",
    helper_name="", helper_handle="", card="", issued="", engagement_id=0,
    engagement_title="", engagement_link="", page_link="", pdf_link="",
)  # fmt: skip


class ReceiptState(SessionState):
    receipt: ReceiptView = EMPTY
    not_found: bool = False

    @rx.var
    def pdf_url(self) -> str:
        link = self.receipt.pdf_link
        return _backend_url() + link if link else ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        receipt_id = routes.receipt_id_from_path(self.router.url.path)
        try:
            with read_only() as session:
                self.receipt = receipts.receipt_view(session, member.id, receipt_id)
            self.not_found = False
        except DomainError:
            self.receipt, self.not_found = EMPTY, True


class CardPaymentsState(SessionState):
    """The wallet's card payments (as the payer) and payouts (as the helper)."""

    payments: list[CardPaymentLine] = []
    payouts: list[PayoutLine] = []
    kept_meaning: str = ""

    @rx.var
    def anything_kept(self) -> bool:
        return any(line.where == card_history.KEPT for line in self.payouts)

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        with read_only() as session:
            self.payments = card_history.card_payments_of(session, member.id)
            self.payouts = card_history.payouts_of(session, member.id)
            state = payouts.payout_state(session, member.id)
        self.kept_meaning = card_history.kept_meaning(state)
