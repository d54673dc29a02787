"""The everyday loop in the browser: Ada asks for help for 5 karma, Ben offers,
Ada accepts (5 held), Ben delivers, Ada confirms (Ben +5), both review, and the
reviews show on their profiles. Booking help you can't afford is refused."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import sign_up, unique
from tests.browser.test_wallet_flow import open_wallet
from tests.members import credit_for

pytestmark = pytest.mark.browser


def member(new_page, handle: str, name: str):
    page = new_page("/")
    sign_up(page, handle, name=name)
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    credit_for(handle)  # trusted enough for a credit limit of 10
    return page


def post_listing(page, *, kind: str, title: str, price: str, tags: str):
    page.get_by_role("link", name="Market").first.click()
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    # a screen reader reads the page in English, left to right
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_role("link", name="Post a listing").click()
    form_loaded(page)
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Half an hour on a call, notes after.")
    page.get_by_label("Tags").fill(tags)
    page.get_by_label("Terms").select_option(label="Karma")
    page.get_by_label("Price", exact=True).fill(price)
    page.get_by_role("button", name="Post listing").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def form_loaded(page):
    """The listing form is drawn again once its state has loaded (fresh
    defaults); typing before that is lost, so wait for it: the app under test
    takes card payments, and "Paid (card)" appears only once loaded."""
    expect(page.get_by_role("heading", name="Post a listing")).to_be_visible()
    paid = page.get_by_label("Terms").locator("option", has_text="Paid (card)")
    expect(paid).to_have_count(1)


def find_listing(page, words: str, title: str):
    page.get_by_role("link", name="Market").first.click()
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    page.get_by_label("Search listings").fill(words)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def open_engagement(page, title: str):
    page.get_by_role("link", name="Engagements").first.click()
    expect(page.get_by_role("heading", name="Engagements", level=1)).to_be_visible()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def balance(page, label: str):
    return page.get_by_role("group", name=label)


def review(page, stars: str, text: str):
    page.get_by_label("Rating").select_option(label=stars)
    page.get_by_label("Your review").fill(text)
    page.get_by_role("button", name="Post review").click()
    expect(page.get_by_text("Thanks for the review.")).to_be_visible()


def test_help_is_asked_offered_held_delivered_confirmed_and_reviewed(new_page):
    ada_handle, ben_handle = unique("ada"), unique("ben")
    title = f"Review my SaaS pricing page {ada_handle}"
    ben = member(new_page, ben_handle, "Ben Okafor")
    ada = member(new_page, ada_handle, "Ada Lindqvist")

    post_listing(
        ada, kind="Request — I need help", title=title, price="5", tags="pricing, saas"
    )

    # Ben finds it by searching and offers to help.
    find_listing(ben, "pricing " + ada_handle, title)
    ben.get_by_label("Message", exact=True).fill(
        "I priced three SaaS products last year."
    )
    ben.get_by_role("button", name="Offer to help").click()
    expect(ben.get_by_text("Waiting for an answer").first).to_be_visible()

    # Ada accepts: 5 karma of her credit (her limit is 10) are held.
    open_engagement(ada, title)
    expect(ada.get_by_text("I priced three SaaS products last year.")).to_be_visible()
    ada.get_by_role("button", name="Accept").click()
    expect(ada.get_by_text("Under way").first).to_be_visible()
    open_wallet(ada)
    expect(balance(ada, "Available")).to_contain_text("-5 karma")
    expect(balance(ada, "Held by you")).to_contain_text("5 karma")

    # Ben delivers; Ada confirms and the karma moves.
    open_engagement(ben, title)
    ben.get_by_role("button", name="Mark as delivered").click()
    expect(ben.get_by_text("Delivered, waiting for confirmation").first).to_be_visible()
    ben.get_by_label("Write a message").fill("Notes are in your inbox.")
    ben.get_by_role("button", name="Send message").click()
    expect(ben.get_by_text("Notes are in your inbox.")).to_be_visible()
    expect(ben.get_by_label("Write a message")).to_have_value("")
    open_engagement(ada, title)
    ada.get_by_role("button", name="Confirm and pay").click()
    expect(ada.get_by_text("Confirmed").first).to_be_visible()
    open_wallet(ada)
    expect(balance(ada, "Available")).to_contain_text("-5 karma")
    expect(balance(ada, "Held by you")).to_contain_text("0 karma")
    open_wallet(ben)
    expect(balance(ben, "Available")).to_contain_text("5 karma")

    # Both review; each review shows on the other's profile.
    open_engagement(ada, title)
    review(ada, "★★★★★ Excellent", "Sharp pricing advice, fast.")
    open_engagement(ben, title)
    review(ben, "★★★★ Good", "Clear brief, quick to confirm.")
    ada.goto(ada.url.split("/engagements")[0] + "/people/" + ben_handle)
    expect(ada.get_by_text("Sharp pricing advice, fast.")).to_be_visible()
    ben.goto(ben.url.split("/engagements")[0] + "/people/" + ada_handle)
    expect(ben.get_by_text("Clear brief, quick to confirm.")).to_be_visible()

    # Ada has 5 karma of credit left; Ben's 12-karma offer is refused.
    offer = f"Pricing teardown, one hour {ben_handle}"
    post_listing(
        ben, kind="Offer — I can help", title=offer, price="12", tags="pricing"
    )
    find_listing(ada, "teardown " + ben_handle, offer)
    ada.get_by_role("button", name="Book this offer").click()
    expect(ada.get_by_role("alert")).to_contain_text("Not enough karma")
    expect(ada.get_by_role("heading", name=offer, level=1)).to_be_visible()
    open_wallet(ada)
    expect(balance(ada, "Available")).to_contain_text("-5 karma")
    expect(balance(ada, "Held by you")).to_contain_text("0 karma")
