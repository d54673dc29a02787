"""Receipts of card payments (localstripe on loopback, both databases): one
per charge and per refund, written with the money's move and never twice,
mailed to the payer with its PDF, shown to the two parties only; and the
wallet's card payments and payouts."""

from __future__ import annotations

import re

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient

from marketplace import api, routes, session_cookie
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import NotFound
from marketplace.inbox import alerts, outbox
from marketplace.ledger import card_history, receipt_pdf, receipts
from marketplace.models import Engagement, LedgerTransfer, MailOutbox, Receipt
from marketplace.states.receipts import ReceiptState
from tests.integration.inbox.test_digest import mailer, smtp  # noqa: F401
from tests.integration.ledger.paid_help import charged, held, refunded, released
from tests.integration.test_state_security import state_of

NUMBER = re.compile(r"R-\d{4}-\d{6}")


def receipts_of(engagement_id: int) -> list[Receipt]:
    with read_only() as s:
        return list(
            s.exec(
                select(Receipt)
                .where(Receipt.engagement_id == engagement_id)
                .order_by(Receipt.id)
            ).all()
        )


def ledger_fee(engagement_id: int) -> int:
    with read_only() as s:
        return s.exec(
            select(LedgerTransfer.amount).where(
                LedgerTransfer.transfer_key == f"engagement:{engagement_id}:payout:fee"
            )
        ).one()


def mails_with_receipts() -> list[MailOutbox]:
    with read_only() as s:
        return list(
            s.exec(
                select(MailOutbox).where(col(MailOutbox.attachment).is_not(None))
            ).all()
        )


def test_a_confirmed_paid_engagement_issues_one_charge_receipt(ada, bo, stripe_env):
    booked = charged(ada, bo, hours=2)  # bo pays 2 x €45.50 to ada
    [receipt] = receipts_of(booked)
    assert (receipt.kind, receipt.amount, receipt.currency) == ("charge", 9100, "eur")
    assert receipt.fee == 910 == ledger_fee(booked)  # the ledger's own split
    assert (receipt.payer_id, receipt.helper_id) == (bo.member_id, ada.member_id)
    assert (receipt.card_brand, receipt.card_last4) == ("visa", "4242")
    assert NUMBER.fullmatch(receipt.number)
    assert receipt.number.endswith(f"{receipt.id:06d}")


def test_a_refund_after_the_capture_issues_a_refund_receipt(ada, bo, stripe_env):
    booked = refunded(ada, bo)
    charge, refund = receipts_of(booked)
    assert (charge.kind, charge.amount, charge.fee) == ("charge", 4550, 455)
    assert (refund.kind, refund.amount, refund.fee) == ("refund", 4550, 0)
    assert refund.card_last4 == "4242" and refund.number != charge.number


def test_a_card_only_held_then_released_has_no_receipt(ada, bo, stripe_env):
    assert receipts_of(released(ada, bo)) == []
    assert receipts_of(held(ada, bo)) == []


def test_issuing_again_writes_nothing_twice(ada, bo, stripe_env):
    booked = refunded(ada, bo)
    before, mails = receipts_of(booked), len(mails_with_receipts())
    with unit_of_work() as s:
        engagement = s.get(Engagement, booked)
        for kind in (receipts.CHARGE, receipts.REFUND):
            again = receipts.issue(s, engagement, kind)
            assert again.id in {r.id for r in before}
    assert receipts_of(booked) == before
    assert len(mails_with_receipts()) == mails == 2


def test_the_receipt_is_mailed_to_the_payer_with_its_pdf(
    ada,
    bo,
    stripe_env,
    smtp,  # noqa: F811
    mailer,  # noqa: F811
):
    booked = charged(ada, bo)
    [receipt] = receipts_of(booked)
    assert receipt.emailed_at is not None
    outbox.send_due(unit_of_work, mailer=mailer)
    [mail] = [m for m in smtp.to("bob@example.com") if receipt.number in m["Subject"]]
    text = mail.get_body(("plain",)).get_content()
    assert "€91.00 charged to your Visa •••• 4242" in text
    assert routes.receipt(receipt.id) in text
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"receipt-{receipt.number}.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    assert smtp.to("ada@example.com") == [] or all(
        receipt.number not in m["Subject"] for m in smtp.to("ada@example.com")
    )


def test_a_payer_who_wants_no_payment_mail_gets_the_receipt_in_the_wallet_only(
    ada, bo, stripe_env
):
    with unit_of_work() as s:
        alerts.choose(s, actor_id=bo.member_id, kind="payment", choice="never")
    [receipt] = receipts_of(charged(ada, bo))
    assert receipt.emailed_at is None
    assert mails_with_receipts() == []
    with read_only() as s:
        assert [r.number for r in receipts.receipts_of(s, bo.member_id)] == [
            receipt.number
        ]


def test_only_the_two_parties_see_a_receipt(ada, bo, cy, stripe_env):
    [receipt] = receipts_of(charged(ada, bo))
    with read_only() as s:
        mine = receipts.receipt_view(s, bo.member_id, receipt.id)
        assert (mine.amount, mine.fee, mine.card) == (
            "€91.00",
            "€9.10",
            "Visa •••• 4242",
        )
        assert mine.vat_note == "VAT: not charged (set by the operator)"
        assert receipts.receipt_view(s, ada.member_id, receipt.id).number == mine.number
        for forged in (receipt.id, receipt.id + 1, "1; drop", -1, True):
            with pytest.raises(NotFound):
                receipts.receipt_view(s, cy.member_id, forged)
        assert receipts.receipts_of(s, ada.member_id) == []  # the payer's document


@pytest.mark.parametrize("who", ["payer", "helper"])
def test_the_receipt_page_shows_it_to_a_party(ada, bo, stripe_env, who):
    [receipt] = receipts_of(charged(ada, bo))
    viewer = bo if who == "payer" else ada
    state = state_of(ReceiptState, viewer.token, url=routes.receipt(receipt.id))
    state.load()
    assert (state.not_found, state.receipt.number) == (False, receipt.number)
    assert state.pdf_url.endswith(routes.receipt_pdf(receipt.id))


def test_the_receipt_page_of_someone_elses_receipt_is_not_found(
    ada, bo, cy, stripe_env
):
    [receipt] = receipts_of(charged(ada, bo))
    state = state_of(ReceiptState, cy.token, url=routes.receipt(receipt.id))
    state.load()
    assert state.not_found and state.receipt.number == ""


def test_only_the_parties_download_the_pdf(ada, bo, cy, stripe_env):
    [receipt] = receipts_of(charged(ada, bo))
    client = TestClient(api.make_api())
    url = routes.receipt_pdf(receipt.id)
    assert client.get(url).status_code == 404  # signed out
    client.cookies.set(session_cookie.NAME, cy.token)
    refused = client.get(url)
    assert (refused.status_code, refused.text) == (404, "No such receipt.")
    assert client.get(routes.receipt_pdf(receipt.id + 1)).status_code == 404
    assert client.get("/api/receipts/abc").status_code == 404
    for party in (bo, ada):
        client.cookies.set(session_cookie.NAME, party.token)
        got = client.get(url)
        assert got.status_code == 200
        assert got.headers["content-type"] == "application/pdf"
        assert receipt.number in got.headers["content-disposition"]
        assert got.content.startswith(b"%PDF")
        # the number is the document's title (the text itself is font-encoded)
        assert f"Receipt {receipt.number}".encode() in got.content


def test_the_pdf_without_a_unicode_font_still_spells_the_receipt(
    ada, bo, stripe_env, monkeypatch
):
    [receipt] = receipts_of(charged(ada, bo))
    monkeypatch.setattr(receipt_pdf, "_dejavu", lambda: None)
    with read_only() as s:
        pdf = receipts.receipt_pdf_of(s, bo.member_id, receipt.id)
    assert pdf.startswith(b"%PDF") and receipt.number.encode() in pdf


def test_the_wallet_lists_card_payments_with_their_receipts(ada, bo, stripe_env):
    paid, back, let_go = charged(ada, bo), refunded(ada, bo), released(ada, bo)
    waiting = held(ada, bo)
    with read_only() as s:
        lines = {
            line.engagement_id: line
            for line in card_history.card_payments_of(s, bo.member_id)
        }
        assert card_history.card_payments_of(s, ada.member_id) == []
    assert {i: lines[i].status for i in lines} == {
        paid: "charged",
        back: "refunded",
        let_go: "released",
        waiting: "held",
    }
    assert lines[paid].amount == "€91.00" and lines[paid].card == "Visa •••• 4242"
    assert [r["label"][:15] for r in lines[back].receipts] == [
        "Payment receipt",
        "Refund receipt ",
    ]
    [charge, refund] = receipts_of(back)
    assert [r["link"] for r in lines[back].receipts] == [
        routes.receipt(charge.id),
        routes.receipt(refund.id),
    ]
    assert lines[waiting].receipts == [] and lines[let_go].receipts == []


def test_the_wallet_lists_the_helpers_payouts(ada, bo, stripe_env):
    paid = charged(ada, bo, hours=2)
    refunded(ada, bo)  # never paid out: not a payout
    with read_only() as s:
        [line] = card_history.payouts_of(s, ada.member_id)
        assert card_history.payouts_of(s, bo.member_id) == []
    assert (line.engagement_id, line.gross, line.fee, line.net) == (
        paid,
        "€91.00",
        "€9.10",
        "€81.90",
    )
    assert (line.where, line.where_label) == ("kept", "Kept here for now")
    assert "Stripe" in card_history.kept_meaning("not_set_up")
