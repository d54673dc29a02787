"""A shared link, as a visitor without an account opens it: a public offer
reads in full with who posted it, "Log in to book" comes back to the offer
after the log-in, "Join to answer" after the sign-up; a listing for the
author's connections only shows as not found. And the way around: `/` takes
a member to the dashboard, an address without a page gets the 404 page with
a way home, the intros link of a notification opens the network page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import PASSWORD, fill_sign_up, unique
from tests.browser.test_market_flow import form_loaded, member

pytestmark = pytest.mark.browser


def post(page, *, kind: str, title: str, audience: str = "Everyone") -> str:
    """Post a listing from the market; its page's path."""
    page.get_by_role("link", name="Market").first.click()
    page.get_by_role("link", name="Post a listing").click()
    form_loaded(page)
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Who can see it").select_option(label=audience)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Thirty minutes on a call, notes after.")
    page.get_by_label("Tags").fill("pricing, saas")
    page.get_by_label("Terms").select_option(label="Karma")
    page.get_by_label("Price", exact=True).fill("3")
    page.get_by_role("button", name="Post listing").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    return re.sub(r"^https?://[^/]+", "", page.url)


def join(page, handle: str, name: str) -> None:
    """Fill in the sign-up form the page shows (not the navigation's link,
    which starts a sign-up of its own)."""
    expect(page.get_by_role("heading", name="Join Karma")).to_be_visible()
    fill_sign_up(page, handle, name)


def log_in(page, handle: str) -> None:
    page.get_by_label("Email").fill(f"{handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_visitor_opens_a_shared_offer_logs_in_and_lands_back_on_it(new_page):
    author = member(new_page, unique("lena"), "Lena Park")
    offer = post(author, kind="Offer — I can help", title="Pricing page teardown")
    private = post(
        author,
        kind="Request — I need help",
        title="Intro to our next investor",
        audience="My connections",
    )
    reader = unique("omar")
    member(new_page, reader, "Omar Said")  # has an account, opens the link elsewhere

    visitor = new_page(offer)
    expect(visitor.get_by_role("heading", name="Pricing page teardown")).to_be_visible()
    expect(visitor).to_have_title("Pricing page teardown · Karma")
    expect(visitor.get_by_text("3 karma").first).to_be_visible()
    expect(visitor.get_by_role("link", name="Lena Park").first).to_be_visible()
    expect(visitor.get_by_text("New here: no reviews yet")).to_be_visible()

    visitor.get_by_role("link", name="Log in to book").click()
    expect(visitor.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(visitor, reader)

    expect(visitor).to_have_url(re.compile(f"{offer}$"))
    expect(visitor.get_by_role("button", name="Book this offer")).to_be_visible()
    expect(visitor.get_by_role("button", name="Account menu")).to_be_visible()

    stranger = new_page(private)
    expect(stranger.get_by_role("heading", name="Listing not found")).to_be_visible()
    expect(stranger.get_by_text("Intro to our next investor")).to_have_count(0)
    expect(stranger.get_by_text("Lena Park")).to_have_count(0)


def test_a_visitor_joins_to_answer_a_shared_request_and_lands_back_on_it(new_page):
    author = member(new_page, unique("ines"), "Ines Duarte")
    request = post(author, kind="Request — I need help", title="Feedback on my deck")

    visitor = new_page(request)
    visitor.get_by_role("link", name="Join to answer").click()
    join(visitor, unique("tariq"), "Tariq Amin")

    expect(visitor).to_have_url(re.compile(f"{request}$"))
    expect(visitor.get_by_role("heading", name="Feedback on my deck")).to_be_visible()
    expect(visitor.get_by_role("button", name="Offer to help")).to_be_visible()


def test_home_404_and_notification_links_lead_somewhere(new_page):
    page = member(new_page, unique("ruth"), "Ruth Bell")
    page.goto(re.sub(r"/profile/edit$", "/", page.url))
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    expect(page).to_have_url(re.compile("/dashboard$"))
    expect(page.get_by_role("link", name="Groups").first).to_be_visible()
    expect(page.get_by_role("link", name="Operator desk")).to_have_count(0)

    page.goto(page.url.replace("/dashboard", "/network/intros"))
    expect(page.get_by_role("heading", name="Your network")).to_be_visible()

    page.goto(page.url.replace("/network/intros", "/no/such/page"))
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to your dashboard").click()
    expect(page).to_have_url(re.compile("/dashboard$"))

    visitor = new_page("/no/such/page")
    expect(visitor.get_by_role("heading", name="Page not found")).to_be_visible()
    visitor.get_by_role("link", name="Go to the home page").click()
    expect(visitor.get_by_role("link", name="Join Karma").first).to_be_visible()
