"""Privacy by degree in the browser: Ada finds Privacy in the account menu,
keeps her email to herself or opens it to everyone, and the "view my
profile as..." preview follows each change at once."""

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shot
from tests.browser.test_accounts_flow import sign_up, unique

pytestmark = pytest.mark.browser


def test_a_setting_changed_shows_at_once_in_the_preview(new_page):
    handle = unique("ada")
    page = new_page("/")
    sign_up(page, handle, name="Ada Lindqvist")
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Privacy").click()
    expect(page.get_by_role("heading", name="Privacy", exact=True)).to_be_visible()

    email = page.get_by_label("Contact email")
    expect(email).to_have_value("first")
    preview = page.get_by_role("region", name="Profile preview")
    address = f"{handle}@example.com"
    expect(preview.get_by_text("Ada Lindqvist")).to_be_visible()
    expect(preview.get_by_text(address)).to_have_count(0)  # signed out: kept

    page.get_by_role("button", name="A connection").click()
    expect(page.get_by_text("a connection (1st degree)")).to_be_visible()
    expect(preview.get_by_text(address)).to_be_visible()

    email.select_option("me")
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(preview.get_by_text(address)).to_have_count(0)

    email.select_option("everyone")
    page.get_by_role("button", name="Signed out").click()
    expect(preview.get_by_text(address)).to_be_visible()
    shot(page, "privacy-settings")

    page.get_by_label("Hide me from people search").click()
    expect(page.get_by_label("Hide me from people search")).to_be_checked()
    page.reload()
    expect(page.get_by_label("Contact email")).to_have_value("everyone")
    expect(page.get_by_label("Hide me from people search")).to_be_checked()

    # a visitor who is not signed in gets what the preview promised
    visitor = new_page(f"/people/{handle}")
    expect(visitor.get_by_role("heading", name="Ada Lindqvist")).to_be_visible()
    expect(visitor.get_by_text(address)).to_be_visible()  # email: everyone
    expect(visitor.get_by_text("Karma balance")).to_have_count(0)  # connections
    expect(visitor.get_by_role("heading", name="Connections")).to_have_count(0)
    expect(visitor.get_by_role("heading", name="Give and get")).to_be_visible()
    # nothing to connect or block before logging in: one way in, back here
    expect(visitor.get_by_role("button", name="Connect")).to_have_count(0)
    expect(visitor.get_by_role("button", name="Block")).to_have_count(0)
    expect(visitor.get_by_role("link", name="Log in to connect")).to_have_attribute(
        "href", f"/login?next=%2Fpeople%2F{handle}"
    )
    shot(visitor, "privacy-profile-signed-out")
