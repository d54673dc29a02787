"""Keeping in touch in the browser: Ada opens Ben's profile, logs a coffee
with a note and sees it listed, adds a private note; nobody else -- Ben on
her profile, Cleo on his, a signed-out visitor -- sees any of it."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import member
from tests.browser.test_network_flow import visit

pytestmark = pytest.mark.browser


def private_card(page):
    return page.get_by_role("region", name="Only you see this")


def test_log_a_coffee_and_keep_a_private_note(new_page):
    ada_h, ben_h, cleo_h = unique("ada"), unique("ben"), unique("cleo")
    ben = member(new_page, ben_h, "Ben Okafor")
    cleo = member(new_page, cleo_h, "Cleo Marsh")
    ada = member(new_page, ada_h, "Ada Lindqvist")

    visit(ada, f"/people/{ben_h}")
    card = private_card(ada)
    expect(card.get_by_role("heading", name="Only you see this")).to_be_visible()
    card.get_by_label("What was it").select_option(label="We had coffee")
    expect(card.get_by_label("When")).not_to_have_value("")
    card.get_by_label("Note about the conversation").fill("Ben is hiring a CTO")
    card.get_by_role("button", name="Log it").click()
    logged = card.get_by_role("list", name="Conversations you logged")
    expect(logged.get_by_text("Ben is hiring a CTO")).to_be_visible()
    expect(logged.get_by_text("We had coffee")).to_be_visible()

    card.get_by_label("New note").fill("Two kids; loves sailing")
    card.get_by_role("button", name="Add note").click()
    notes = card.get_by_role("list", name="Your notes")
    expect(notes.get_by_text("Two kids; loves sailing")).to_be_visible()

    card.get_by_label("Search all my notes and conversations").fill("sailing")
    card.get_by_role("button", name="Search notes").click()
    found = card.get_by_role("list", name="Notes found")
    expect(found.get_by_role("link", name="Ben Okafor")).to_be_visible()

    # Ben, on Ada's profile: his own empty section, nothing of hers
    visit(ben, f"/people/{ada_h}")
    expect(private_card(ben).get_by_role("button", name="Log it")).to_be_visible()
    expect(ben.get_by_text("Two kids; loves sailing")).to_have_count(0)
    expect(ben.get_by_text("Ben is hiring a CTO")).to_have_count(0)
    # Cleo, on Ben's profile: nothing Ada wrote about him
    visit(cleo, f"/people/{ben_h}")
    expect(private_card(cleo).get_by_role("button", name="Log it")).to_be_visible()
    expect(cleo.get_by_text("Two kids; loves sailing")).to_have_count(0)
    expect(cleo.get_by_text("Ben is hiring a CTO")).to_have_count(0)
    # a signed-out visitor: no private section at all
    guest = new_page(f"/people/{ben_h}")
    expect(guest.get_by_role("heading", name="Ben Okafor")).to_be_visible()
    expect(guest.get_by_text("Only you see this")).to_have_count(0)
