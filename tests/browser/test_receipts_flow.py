"""Receipts in the browser, against localstripe: Ben's paid call is booked
by Ada, accepted, delivered and confirmed; Ada's wallet lists the card
payment as charged with its receipt, whose page shows the amount, the fee
and the tax line and downloads as a PDF; Ben's wallet lists the payout,
kept here for now (this site has no Stripe Connect)."""

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from marketplace.db import read_only
from marketplace.models import Member
from tests.browser.shots import shot
from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import find_listing, member, open_engagement
from tests.browser.test_paid_flow import post_paid_offer
from tests.browser.test_wallet_flow import open_wallet
from tests.payments_fixtures import save_card

pytestmark = pytest.mark.browser


def saves_a_visa(payer_handle: str) -> None:
    """The payer saved Stripe's test Visa in their wallet (typing it into the
    card field is test_paid_flow's and test_cards_flow's business)."""
    with read_only() as s:
        payer_id = s.exec(select(Member.id).where(Member.handle == payer_handle)).one()
    save_card(payer_id)


def test_the_payer_finds_the_receipt_and_the_helper_the_payout(new_page):
    ada_handle, ben_handle = unique("ada"), unique("ben")
    title = f"Pricing receipt call {ben_handle}"
    ben = member(new_page, ben_handle, "Ben Okafor")
    ada = member(new_page, ada_handle, "Ada Lindqvist")
    post_paid_offer(ben, title)
    find_listing(ada, "receipt " + ben_handle, title)
    ada.get_by_label("Hours").select_option("2")
    ada.get_by_role("button", name="Book this offer").click()
    expect(ada.get_by_text("€160.00 for 2 hours").first).to_be_visible()
    saves_a_visa(ada_handle)
    open_engagement(ben, title)
    ben.get_by_role("button", name="Accept").click()
    expect(ben.get_by_text("Card held for €160.00")).to_be_visible()
    ben.get_by_role("button", name="Mark as delivered").click()
    expect(ben.get_by_text("Delivered, waiting for confirmation").first).to_be_visible()
    open_engagement(ada, title)
    ada.get_by_role("button", name="Confirm and pay").click()
    expect(ada.get_by_text("after the platform fee")).to_be_visible()

    open_wallet(ada)
    payments = ada.get_by_role("group", name="Card payments")
    expect(payments).to_contain_text(title)
    expect(payments).to_contain_text("charged")
    expect(payments).to_contain_text("€160.00")
    payments.scroll_into_view_if_needed()
    shot(ada, "wallet-card-payments")
    payments.get_by_role("link", name="Payment receipt").click()
    expect(ada.get_by_role("heading", name="Payment receipt R-")).to_be_visible()
    expect(ada.get_by_text("€16.00 (included)")).to_be_visible()
    expect(ada.get_by_text("VAT: not charged")).to_be_visible()
    expect(ada.get_by_text("Visa •••• 4242")).to_be_visible()
    shot(ada, "receipt")
    href = ada.get_by_role("link", name="Download PDF").get_attribute("href")
    pdf = ada.request.get(href)
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    open_wallet(ben)
    payouts = ben.get_by_role("group", name="Payouts")
    expect(payouts).to_contain_text("Kept here for now")
    expect(payouts).to_contain_text("€144.00")
    payouts.scroll_into_view_if_needed()
    shot(ben, "wallet-payouts")
