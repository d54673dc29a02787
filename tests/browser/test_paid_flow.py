"""Paid help in the browser, against localstripe: Ben offers pricing calls at
€80.00 an hour, Ada books two hours, Ben accepts (her card is held), delivers,
Ada confirms (the card is charged, Ben earns €144.00 after the 10 % fee), and
Stripe's signed webhook about the capture reaches the app and is applied."""

import time

import pytest
from playwright.sync_api import expect
from reflex.config import get_config
from sqlmodel import select

from marketplace.adapters import payments
from marketplace.api import WEBHOOK_PATH
from marketplace.db import read_only
from marketplace.models import Engagement, StripeEvent
from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import (
    find_listing,
    form_loaded,
    member,
    open_engagement,
)
from tests.browser.test_wallet_flow import open_wallet
from tests.payments_fixtures import configure_webhook

pytestmark = pytest.mark.browser


def post_paid_offer(page, title: str):
    page.get_by_role("link", name="Market").first.click()
    page.get_by_role("link", name="Post a listing").click()
    form_loaded(page)
    page.get_by_label("Kind").select_option(label="Offer — I can help")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("A pricing teardown on a video call.")
    page.get_by_label("Tags").fill("pricing, saas")
    page.get_by_label("Terms").select_option(label="Paid (card)")
    page.get_by_label("Currency").select_option(label="EUR")
    page.get_by_label("Rate").select_option(label="Per hour")
    page.get_by_label("Price", exact=True).fill("80")
    page.get_by_role("button", name="Post listing").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("€80.00 per hour").first).to_be_visible()


def capture_event(intent_id: str, timeout: float = 15) -> str:
    """The outcome the app stored for Stripe's webhook about this payment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with read_only() as s:
            outcome = s.exec(
                select(StripeEvent.outcome).where(StripeEvent.intent_id == intent_id)
            ).first()
        if outcome:
            return outcome
        time.sleep(0.3)
    return ""


def test_a_paid_engagement_is_booked_held_captured_and_paid_out(new_page, app_stripe):
    backend = get_config().api_url.rstrip("/")
    configure_webhook(app_stripe, unique("app"), backend + WEBHOOK_PATH)
    ada_handle, ben_handle = unique("ada"), unique("ben")
    title = f"Pricing teardown call {ben_handle}"
    ben = member(new_page, ben_handle, "Ben Okafor")
    ada = member(new_page, ada_handle, "Ada Lindqvist")
    post_paid_offer(ben, title)

    # Ada books two hours: €160.00, nothing charged yet.
    find_listing(ada, "teardown " + ben_handle, title)
    ada.get_by_label("Hours").fill("2")
    ada.get_by_label("Message").fill(f"Two hours please ({ada_handle}).")
    ada.get_by_role("button", name="Book this offer").click()
    expect(ada.get_by_text("€160.00 for 2 hours").first).to_be_visible()
    expect(
        ada.get_by_text("held at acceptance, charged at confirmation")
    ).to_be_visible()

    # Ben accepts: the card is held.
    open_engagement(ben, title)
    ben.get_by_role("button", name="Accept").click()
    expect(ben.get_by_text("Card held for €160.00")).to_be_visible()

    # Ben delivers, Ada confirms: the card is charged and Ben is paid.
    ben.get_by_role("button", name="Mark as delivered").click()
    expect(ben.get_by_text("Delivered, waiting for confirmation").first).to_be_visible()
    open_engagement(ada, title)
    ada.get_by_role("button", name="Confirm and pay").click()
    expect(
        ada.get_by_text("the helper received €144.00 after the platform fee")
    ).to_be_visible()
    open_wallet(ben)
    expect(ben.get_by_role("group", name="Earned from paid help")).to_contain_text(
        "€144.00"
    )

    # Stripe agrees, and its signed capture event was applied by the app.
    with read_only() as s:
        intent = s.exec(
            select(Engagement.payment_intent_id).where(
                Engagement.note.contains(ada_handle)
            )
        ).one()
    paid = payments.gateway_from_settings().retrieve(intent)
    assert (paid.status, paid.amount_received, paid.currency) == (
        "succeeded",
        16000,
        "eur",
    )
    assert capture_event(intent).startswith("confirmed capture")
