"""The relationship graph in the browser.

1. Ada connects with Ben, Ben with Cleo; Ada asks Ben for a warm intro to Cleo,
   Ben introduces them, Cleo accepts; Cleo helps Ada, Ada confirms, and Ben,
   the introducer, earns 2 karma.
2. Cleo announces she is organizing a summit; Ben, who knows event marketing,
   is told in his inbox, finds the nudge leading his dashboard and offers help
   in one click; Cleo is told.
3. A newcomer with no connections posts a request and is shown who to ask
   beyond their network: asks one anyway, asks another to connect first.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import (
    find_listing,
    member,
    open_engagement,
    post_listing,
)
from tests.browser.test_wallet_flow import open_wallet

pytestmark = pytest.mark.browser


def visit(page, path: str):
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)


def connect(asker, handle: str, note: str):
    visit(asker, f"/people/{handle}")
    # strangers: the note is required, and nothing in common asks to confirm
    asker.get_by_label("Note (required)").fill(note)
    asker.get_by_label("We have nothing in common yet; I still want to ask.").check()
    asker.get_by_role("button", name="Connect", exact=True).click()
    expect(asker.get_by_text("Request sent", exact=True)).to_be_visible()


def accept_on_network_page(page, name: str):
    page.get_by_role("link", name="Network").first.click()
    expect(page.get_by_role("heading", name="Your network")).to_be_visible()
    page.get_by_role("button", name=f"Accept {name}").click()
    expect(page.get_by_role("link", name=name).first).to_be_visible()


def test_connect_intro_help_and_the_introducer_earns_karma(new_page):
    ada_h, ben_h, cleo_h = unique("ada"), unique("ben"), unique("cleo")
    ben = member(new_page, ben_h, "Ben Okafor")
    cleo = member(new_page, cleo_h, "Cleo Marsh")
    ada = member(new_page, ada_h, "Ada Lindqvist")

    connect(ada, ben_h, "We met at SaaStr.")
    accept_on_network_page(ben, "Ada Lindqvist")
    connect(cleo, ben_h, "Old colleagues!")
    accept_on_network_page(ben, "Cleo Marsh")

    # Ada finds the warm path to Cleo through Ben and asks for the intro.
    visit(ada, f"/people/{cleo_h}")
    expect(ada.get_by_role("heading", name="Get a warm intro")).to_be_visible()
    expect(ada.get_by_text("You → Ben Okafor → Cleo Marsh")).to_be_visible()
    ada.get_by_label("Ask for an intro through").select_option(label="Ben Okafor")
    ada.get_by_label("Message", exact=True).fill("I'd love Cleo's eyes on our pricing.")
    ada.get_by_role("button", name="Ask for an intro").click()
    # the profile says the intro is on its way, instead of a second form
    expect(ada.get_by_text("waiting for Ben.")).to_be_visible()
    expect(ada.get_by_role("button", name="Ask for an intro")).to_have_count(0)

    # Ben introduces them with a note both see; Cleo accepts.
    ben.get_by_role("link", name="Network").first.click()
    ben.get_by_label("Your note to both (optional)").fill("You two love pricing.")
    ben.get_by_role("button", name="Introduce Ada Lindqvist to Cleo Marsh").click()
    expect(ben.get_by_text("Introduced. Thank you!")).to_be_visible()
    visit(ada, f"/people/{cleo_h}")
    expect(ada.get_by_text("waiting for Cleo's answer")).to_be_visible()
    expect(ada.get_by_text("You two love pricing.")).to_be_visible()
    cleo.get_by_role("link", name="Network").first.click()
    expect(cleo.get_by_text("Ben Okafor adds: “You two love pricing.”")).to_be_visible()
    cleo.get_by_role("button", name="Accept the intro to Ada Lindqvist").click()
    expect(cleo.get_by_text("You're connected.")).to_be_visible()

    # Cleo helps Ada for 3 karma; Ada confirms; Ben earns 2 karma.
    title = f"Pricing teardown {cleo_h}"
    post_listing(
        cleo, kind="Offer — I can help", title=title, price="3", tags="pricing"
    )
    find_listing(ada, "teardown " + cleo_h, title)
    ada.get_by_role("button", name="Book this offer").click()
    open_engagement(cleo, title)
    cleo.get_by_role("button", name="Accept").click()
    cleo.get_by_role("button", name="Mark as delivered").click()
    expect(
        cleo.get_by_text("Delivered, waiting for confirmation").first
    ).to_be_visible()
    open_engagement(ada, title)
    ada.get_by_role("button", name="Confirm and pay").click()
    expect(ada.get_by_text("Confirmed").first).to_be_visible()
    open_wallet(ben)
    # joining gave him nothing: the intro reward is all he holds
    expect(ben.get_by_role("group", name="Available")).to_contain_text(
        re.compile(r"(?<!\d)2 karma")
    )


def test_a_context_nudge_becomes_an_offer_in_one_click(new_page):
    ben_h, cleo_h = unique("ben"), unique("cleo")
    ben = member(new_page, ben_h, "Ben Okafor")
    ben.get_by_label("Expertise (what you can give)").fill("event-marketing")
    ben.get_by_role("button", name="Save profile").click()
    cleo = member(new_page, cleo_h, "Cleo Marsh")
    connect(cleo, ben_h, "Let's stay in touch.")
    accept_on_network_page(ben, "Cleo Marsh")

    # Cleo announces her summit on the network page.
    summit = f"Summit {cleo_h}"
    cleo.get_by_role("link", name="Network").first.click()
    cleo.get_by_label("What's going on").select_option(label="Organizing an event")
    cleo.get_by_label("Title").fill(summit)
    cleo.get_by_label("Tags").fill("event-marketing, sponsorship-sales")
    cleo.get_by_label("Starts").fill("2027-05-12")
    cleo.get_by_role("button", name="Post context").click()
    expect(cleo.get_by_text("whose expertise fits best are told now")).to_be_visible()

    # Ben knows half of what it asks for: he is told in his inbox, and the
    # nudge leads his dashboard; he offers help in one click.
    ben.get_by_role("link", name="Inbox").first.click()
    expect(
        ben.get_by_text(f"Cleo Marsh is organizing {summit}: you know event marketing")
    ).to_be_visible()
    ben.get_by_role("link", name="Dashboard").first.click()
    nudge = ben.get_by_role("article", name=f"Cleo is organizing {summit}")
    expect(nudge.get_by_text("Strong fit")).to_be_visible()
    ben.get_by_role("button", name="Offer to help Cleo Marsh").click()
    expect(ben.get_by_role("heading", name=f"Help with {summit}")).to_be_visible()

    cleo.get_by_role("link", name="Inbox").first.click()
    expect(
        cleo.get_by_text(f"Ben Okafor offers to help with {summit}.")
    ).to_be_visible()


def test_a_newcomer_with_no_connections_is_shown_who_to_ask(new_page):
    ben_h, nia_h = unique("ben"), unique("nia")
    topic = f"pricing-{ben_h}"  # what only Ben knows in this shared app
    ben = member(new_page, ben_h, "Ben Okafor")
    ben.get_by_label("Expertise (what you can give)").fill(topic)
    ben.get_by_role("button", name="Save profile").click()
    expect(ben.get_by_role("heading", name="Ben Okafor")).to_be_visible()

    nia = member(new_page, nia_h, "Nia Brooks")
    title = f"Review my pricing page {nia_h}"
    post_listing(nia, kind="Request — I need help", title=title, price="3", tags=topic)
    expect(nia.get_by_role("heading", name="Who to ask")).to_be_visible()
    expect(nia.get_by_text("You have no connections yet")).to_be_visible()
    expect(nia.get_by_text("Connecting puts them in your network")).to_be_visible()
    expect(nia.get_by_role("link", name="Ben Okafor")).to_be_visible()

    # ask Ben anyway (everyone may see the request), and to connect
    nia.get_by_role("checkbox", name="Ask Ben Okafor anyway").click()
    nia.get_by_role("button", name="Send to the people ticked").click()
    expect(nia.get_by_text("Sent to 1 person.")).to_be_visible()
    expect(nia.get_by_text("Asked", exact=True)).to_be_visible()
    nia.get_by_role("button", name="Connect with Ben Okafor first").click()
    expect(nia.get_by_text("Request to connect sent")).to_be_visible()

    ben.get_by_role("link", name="Inbox").first.click()
    expect(
        ben.get_by_text(f"Nia Brooks thinks you could help: “{title}”")
    ).to_be_visible()
    expect(ben.get_by_text("Nia Brooks asked to connect")).to_be_visible()
