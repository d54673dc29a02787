"""Paid help in the browser, against localstripe and its stand-in Stripe.js:
Ben offers pricing calls at €80.00 an hour, Ada books two hours and is asked
for a card, types 4242 4242 4242 4242 into her wallet's card field, Ben
accepts (her card is held), delivers, Ada confirms (the card is charged, Ben
earns €144.00 after the 10 % fee), and Stripe's signed webhook about the
capture reaches the app and is applied. A card whose bank asks for 3-D
Secure waits for the payer's check, fails cleanly when refused and starts
the help when passed; a card declined when charged holds nothing. Reconcile
finds nothing wrong with any of them."""

import time

import pytest
from playwright.sync_api import expect
from reflex.config import get_config
from sqlmodel import select

from marketplace.adapters import payments
from marketplace.api import WEBHOOK_PATH
from marketplace.db import read_only
from marketplace.ledger.payment_reconcile import reconcile
from marketplace.models import Engagement, StripeEvent
from tests.browser.shots import shot
from tests.browser.test_accounts_flow import unique
from tests.browser.test_cards_flow import type_card
from tests.browser.test_market_flow import (
    find_listing,
    form_loaded,
    member,
    open_engagement,
)
from tests.browser.test_wallet_flow import open_wallet
from tests.payments_fixtures import (
    CARD_3DS,
    CARD_FAILS_LATER,
    CARD_OK,
    configure_webhook,
)

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

    # Ada books two hours: €160.00, nothing charged yet; she has no card.
    find_listing(ada, "teardown " + ben_handle, title)
    ada.get_by_label("Hours").select_option("2")
    ada.get_by_label("Message", exact=True).fill(f"Two hours please ({ada_handle}).")
    ada.get_by_role("button", name="Book this offer").click()
    expect(ada.get_by_text("€160.00 for 2 hours").first).to_be_visible()
    expect(
        ada.get_by_text("held at acceptance, charged at confirmation")
    ).to_be_visible()
    open_engagement(ada, title)
    ada.get_by_role("link", name="Add a card in your wallet").click()
    type_card(ada, CARD_OK)
    expect(ada.get_by_role("listitem", name="Visa ending 4242")).to_be_visible()
    ada.get_by_role("link", name="Back to engagement").click()
    expect(ada.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(ada.get_by_role("link", name="Add a card in your wallet")).to_have_count(0)

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
    assert not differences(intent)


def differences(intent_id: str) -> list:
    """What `payments reconcile` finds about one payment (localstripe is
    shared by the whole run, so others' payments are not this test's)."""
    with read_only() as s:
        report = reconcile(s, payments.gateway_from_settings())
    return [d for d in report.differences if d.intent_id == intent_id]


def booked_with_card(new_page, number: str, title_word: str):
    """Fay offers a fixed-price review; Gus saves `number` and books it.
    Returns (Fay's page, Gus's page, the title, Gus's handle)."""
    fay_handle, gus_handle = unique("fay"), unique("gus")
    title = f"Deck {title_word} review {fay_handle}"
    fay = member(new_page, fay_handle, "Fay Moreau")
    gus = member(new_page, gus_handle, "Gus Holm")
    post_paid_offer(fay, title)
    open_wallet(gus)
    type_card(gus, number)
    if number == CARD_3DS:
        gus.get_by_role("button", name="Complete authentication").click()
    expect(
        gus.get_by_role("listitem", name=f"Visa ending {number[-4:]}")
    ).to_be_visible()
    find_listing(gus, f"{title_word} review {fay_handle}", title)
    gus.get_by_label("Hours").select_option("1")
    gus.get_by_label("Message", exact=True).fill(f"One hour please ({gus_handle}).")
    gus.get_by_role("button", name="Book this offer").click()
    expect(gus.get_by_text("€80.00").first).to_be_visible()
    return fay, gus, title, gus_handle


def intent_of(note_word: str) -> str:
    with read_only() as s:
        return s.exec(
            select(Engagement.payment_intent_id).where(
                Engagement.note.contains(note_word)
            )
        ).one()


def test_a_card_that_asks_for_3d_secure_waits_for_the_payers_check(
    new_page, app_stripe
):
    fay, gus, title, gus_handle = booked_with_card(new_page, CARD_3DS, "secure")
    open_engagement(fay, title)
    fay.get_by_role("button", name="Accept").click()
    expect(
        fay.get_by_role("status").get_by_text("Waiting for Gus Holm to confirm")
    ).to_be_visible()

    # Gus refuses his bank's check: nothing is held, and he is told.
    open_engagement(gus, title)
    gus.get_by_role("button", name="Authenticate the payment").click()
    expect(gus.get_by_role("button", name="Fail authentication")).to_be_visible()
    shot(gus, "engagement-3d-secure")
    gus.get_by_role("button", name="Fail authentication").click()
    expect(gus.get_by_role("alert")).to_contain_text("bank didn't confirm")
    expect(gus.get_by_text("Proposed").first).to_be_visible()
    refused = intent_of(gus_handle)
    assert payments.gateway_from_settings().retrieve(refused).status == "canceled"

    # Fay accepts again; this time Gus passes the check and the help starts.
    open_engagement(fay, title)
    fay.get_by_role("button", name="Accept").click()
    expect(
        fay.get_by_role("status").get_by_text("Waiting for Gus Holm to confirm")
    ).to_be_visible()
    gus.reload()
    gus.get_by_role("button", name="Authenticate the payment").click()
    gus.get_by_role("button", name="Complete authentication").click()
    expect(gus.get_by_text("Card held for €80.00")).to_be_visible()
    held = intent_of(gus_handle)
    assert held != refused
    assert payments.gateway_from_settings().retrieve(held).status == "requires_capture"
    assert not differences(held) and not differences(refused)


def test_a_card_declined_when_charged_holds_nothing(new_page, app_stripe):
    fay, gus, title, gus_handle = booked_with_card(
        new_page, CARD_FAILS_LATER, "decline"
    )
    open_engagement(fay, title)
    fay.get_by_role("button", name="Accept").click()
    expect(
        fay.get_by_role("status").get_by_text("Gus Holm's card was declined").first
    ).to_be_visible()
    open_engagement(gus, title)
    expect(gus.get_by_text("Your Visa ending 0341 was declined")).to_be_visible()
    expect(gus.get_by_role("link", name="Add a card in your wallet")).to_be_visible()
    shot(gus, "engagement-card-declined")
    with read_only() as s:
        declined = s.exec(
            select(Engagement).where(Engagement.note.contains(gus_handle))
        ).one()
    assert (declined.status, declined.payment_status) == ("proposed", "declined")
    assert declined.hold_key is None
