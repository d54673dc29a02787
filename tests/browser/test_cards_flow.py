"""Saving cards in the wallet, against localstripe's stand-in Stripe.js: Ada
types Stripe's test cards into the card field as a person would. A plain
card is saved and becomes her default; one whose bank asks for 3-D Secure is
saved only once she completes the check; a declined card, or a failed
check, saves nothing and says so; a removed card leaves the list."""

import pytest
from playwright.sync_api import expect

from marketplace.db import read_only
from marketplace.ledger import cards
from tests.browser.test_profile_reviews_flow import log_in, someone
from tests.payments_fixtures import CARD_3DS, CARD_DECLINED, CARD_OK

pytestmark = pytest.mark.browser


def card_field(page):
    return page.get_by_role("group", name="Card details")


def type_card(page, number: str) -> None:
    """What a person types into Stripe's card field (the stand-in's inputs
    are named by their placeholders)."""
    page.get_by_role("button", name="Add a card").click()
    field = card_field(page)
    expect(field.get_by_placeholder("number")).to_be_visible()
    field.get_by_placeholder("number").press_sequentially(number)
    field.get_by_placeholder("exp_month").press_sequentially("12")
    field.get_by_placeholder("exp_year").press_sequentially("34")
    field.get_by_placeholder("cvc").press_sequentially("123")
    field.get_by_placeholder("postal_code").press_sequentially("10115")
    page.get_by_role("button", name="Save card").click()


def saved_cards(page):
    return page.get_by_role("list", name="Saved cards").get_by_role("listitem")


def open_wallet(page, app_url: str, query: str = "") -> None:
    page.goto(f"{app_url}/wallet{query}")
    expect(page.get_by_role("heading", name="Cards", exact=True)).to_be_visible()


def stored(who) -> list[tuple[str, bool]]:
    with read_only() as s:
        return [(c.last4, c.is_default) for c in cards.cards_of(s, who.member_id)]


def test_a_card_is_saved_made_default_and_removed(new_page, app_url, app_stripe):
    ada = someone("Ada Lindqvist")
    page = new_page("/")
    log_in(page, ada)
    open_wallet(page, app_url, "?next=/engagements/7")
    expect(page.get_by_text("No cards yet.")).to_be_visible()

    type_card(page, CARD_OK)
    expect(saved_cards(page)).to_have_count(1)
    visa = page.get_by_role("listitem", name="Visa ending 4242")
    expect(visa.get_by_text("Default")).to_be_visible()
    expect(visa.get_by_text("Expires 12/2034")).to_be_visible()
    expect(card_field(page)).to_be_hidden()
    back = page.get_by_role("link", name="Back to engagement #7")
    expect(back).to_have_attribute("href", "/engagements/7")

    # the bank asks for 3-D Secure; Ada completes it
    type_card(page, CARD_3DS)
    page.get_by_role("button", name="Complete authentication").click()
    expect(saved_cards(page)).to_have_count(2)
    expect(page.get_by_role("listitem", name="Visa ending 3155")).to_be_visible()
    assert stored(ada) == [("4242", True), ("3155", False)]

    page.get_by_role("button", name="Make Visa ending 3155 your default card").click()
    expect(
        page.get_by_role("listitem", name="Visa ending 3155").get_by_text("Default")
    ).to_be_visible()
    expect(saved_cards(page).first).to_have_accessible_name("Visa ending 3155")

    page.get_by_role("button", name="Remove Visa ending 3155").click()
    expect(saved_cards(page)).to_have_count(1)
    expect(page.get_by_role("listitem", name="Visa ending 3155")).to_have_count(0)
    expect(visa.get_by_text("Default")).to_be_visible()  # the other one now
    assert stored(ada) == [("4242", True)]


def test_a_failed_check_or_a_declined_card_saves_nothing(new_page, app_url, app_stripe):
    ben = someone("Ben Okafor")
    page = new_page("/")
    log_in(page, ben)
    open_wallet(page, app_url)

    type_card(page, CARD_3DS)
    page.get_by_role("button", name="Fail authentication").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your card wasn't saved")
    expect(alert).to_contain_text("authentication failed")
    expect(page.get_by_text("No cards yet.")).to_be_visible()

    page.get_by_role("button", name="Cancel").click()
    type_card(page, CARD_DECLINED)
    expect(page.get_by_role("alert")).to_contain_text(
        "Your card wasn't saved: Your card was declined."
    )
    expect(page.get_by_text("No cards yet.")).to_be_visible()
    assert stored(ben) == []

    # the form is open again on a fresh setup: another card goes through
    field = card_field(page)
    field.get_by_placeholder("number").fill("")
    field.get_by_placeholder("number").press_sequentially(CARD_OK)
    field.get_by_placeholder("exp_month").press_sequentially("12")
    field.get_by_placeholder("exp_year").press_sequentially("34")
    field.get_by_placeholder("cvc").press_sequentially("123")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("listitem", name="Visa ending 4242")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert stored(ben) == [("4242", True)]


def held_needing_3ds(localstripe: str, who) -> object:
    """An off-session, manual-capture PaymentIntent on the member's default
    card that the bank wants authenticated (how an accept meets 3-D Secure)."""
    import stripe

    from marketplace.models import Member
    from tests.payments_fixtures import TEST_SECRET_KEY

    with read_only() as s:
        card = cards.default_card(s, who.member_id)
        customer = s.get(Member, who.member_id).stripe_customer_id
    client = stripe.StripeClient(TEST_SECRET_KEY, base_addresses={"api": localstripe})
    intent = client.v1.payment_intents.create(
        {
            "amount": 8000,
            "currency": "eur",
            "customer": customer,
            "payment_method": card.payment_method_id,
            "off_session": True,
            "confirm": True,
            "capture_method": "manual",
        }
    )
    assert intent.status == "requires_action"
    return client, intent


def test_the_payers_bank_check_runs_through_stripe_js(new_page, app_url, app_stripe):
    """`stripe_js.authenticate`, which the engagement page runs when the
    bank asks the payer to confirm a held payment."""
    from marketplace.states import stripe_js

    cyd = someone("Cyd Moreau")
    page = new_page("/")
    log_in(page, cyd)
    open_wallet(page, app_url)
    type_card(page, CARD_3DS)
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("listitem", name="Visa ending 3155")).to_be_visible()

    for choice, status, error in (
        ("Complete authentication", "requires_capture", ""),
        ("Fail authentication", "requires_payment_method", "did not confirm"),
    ):
        client, intent = held_needing_3ds(app_stripe, cyd)
        script = stripe_js.authenticate_script(intent.client_secret)
        page.evaluate("code => { window.bankCheck = eval(code); }", script)
        page.get_by_role("button", name=choice).click()
        outcome = page.evaluate("() => window.bankCheck")
        assert outcome["payment_intent"] == ("" if error else intent.id)
        assert error in outcome["error"] and bool(outcome["error"]) == bool(error)
        assert client.v1.payment_intents.retrieve(intent.id).status == status
