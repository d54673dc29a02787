"""Reports and the moderation desk in the browser: a member reports a
listing, an operator confirms their password and suspends its author, and
the suspended member, logging in, is told why and may appeal."""

import pytest
from playwright.sync_api import expect

from marketplace.db import unit_of_work
from marketplace.market import listings
from marketplace.models import Member
from tests.browser.shots import shot
from tests.browser.test_profile_reviews_flow import PASSWORD, log_in, someone
from tests.integration.market.test_listings import FORM

pytestmark = pytest.mark.browser


def log_out(page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out", exact=True).click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


def test_a_reported_listing_leads_to_a_suspension_its_author_is_told_of(
    new_page, app_url
):
    ada, sly, ops = someone("Ada Lindqvist"), someone("Sly Seller"), someone("Sam")
    title = f"Guaranteed returns, DM me {sly.handle}"
    with unit_of_work() as s:
        form = FORM | {"kind": "offer", "title": title}
        listing = listings.create_listing(s, actor_id=sly.member_id, form=form).id
        s.get(Member, ops.member_id).is_operator = True

    page = new_page("/")
    log_in(page, ada)
    page.goto(f"{app_url}/market/{listing}")
    page.get_by_role("button", name="Report this listing").click()
    dialog = page.get_by_role("dialog", name="Report this listing")
    dialog.get_by_label("Reason").select_option(label="Scam or fraud")
    dialog.get_by_label("Note (optional)").fill("Asks for money outside the app")
    shot(page, "moderation-report-dialog")
    dialog.get_by_role("button", name="Send report").click()
    expect(dialog.get_by_text("Thank you. An operator will look at it")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    log_out(page)

    log_in(page, ops)
    # one entry in the top bar; the desk's tabs lead to its other pages
    page.set_viewport_size({"width": 1366, "height": 900})
    bar = page.get_by_role("banner")
    expect(bar.get_by_role("link", name="Moderation")).to_have_count(0)
    bar.get_by_role("link", name="Operator desk").click()
    expect(page.get_by_role("heading", name="Moderation desk")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Operator desk")
    tabs.get_by_role("link", name="Disputes").click()
    expect(page.get_by_role("heading", name="Disputes", exact=True)).to_be_visible()
    tabs.get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("heading", name="Moderation desk")).to_be_visible()
    expect(page.get_by_text(f"Listing “{title}”")).to_be_visible()
    expect(page.get_by_text("Reasons: Scam or fraud")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm password").click()
    expect(page.get_by_text("Password confirmed: you can act until")).to_be_visible()
    page.get_by_label("Action").select_option("suspend")
    page.get_by_label("Reason (the member sees it)").fill("Selling a scam")
    shot(page, "moderation-desk")
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "moderation-desk-phone")
    page.set_viewport_size(size)
    page.get_by_role("button", name="Apply to these reports").click()
    expect(page.get_by_text("No open reports.")).to_be_visible()
    log = page.get_by_role("table")
    expect(log).to_contain_text("suspend")
    expect(log).to_contain_text(f"@{sly.handle}")
    expect(log).to_contain_text("Selling a scam")
    shot(page, "moderation-log")
    log_out(page)

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(f"{sly.handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Your account is suspended")
    ).to_be_visible()
    expect(page.get_by_text("Selling a scam")).to_be_visible()
    page.get_by_label("Your appeal").fill("I will take the listing down.")
    page.get_by_role("button", name="Send my appeal").click()
    main = page.get_by_role("main")
    expect(main.get_by_text("Your appeal is with the operators")).to_be_visible()
    shot(page, "moderation-suspended")
