"""A newcomer's first minutes, in a real browser: sign up, fill the give/get
card, log out, log back in, see the public profile. And the bad inputs."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser import mail

pytestmark = pytest.mark.browser
PASSWORD = "tulips-in-april-42"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def sign_up(
    page, handle, name="Noor Haddad", password=PASSWORD, email=None, verify=True
):
    """Join from the navigation's link; then, unless `verify` is False,
    open the link mailed to the new address, which signs the member in."""
    page.get_by_role("link", name="Join Karma").first.click()
    expect(page.get_by_role("heading", name="Join Karma")).to_be_visible()
    fill_sign_up(page, handle, name, password, email, verify)


def fill_sign_up(page, handle, name, password=PASSWORD, email=None, verify=True):
    """Fill in and send the sign-up form the page shows."""
    address = email or f"{handle}@example.com"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(address)
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    if verify:
        expect(page.get_by_text("Check your mailbox").first).to_be_visible()
        mail.follow(page, address, "/verify")


def test_newcomer_signs_up_edits_profile_logs_out_and_back_in(new_page):
    handle = unique("noor")
    page = new_page("/")
    sign_up(page, handle)

    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    page.get_by_label("Headline").fill("Fractional CFO for seed-stage startups")
    page.get_by_label("About").fill("Ex-banker.\nI like messy spreadsheets.")
    page.get_by_label("Expertise (what you can give)").fill(
        "Financial Modeling, SaaS metrics"
    )
    page.get_by_label("Needs (what you want to get)").fill("B2B SEO")
    page.get_by_label("Location").fill("Lisbon, Portugal")
    page.get_by_label("Time zone").fill("Europe/Lisbon")
    page.get_by_label("Availability").select_option(label="Limited time")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(f"/people/{handle}$"))
    expect(page.get_by_text("Profile saved.")).to_be_visible()

    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out", exact=True).click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(f"{handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Noor Haddad")).to_be_visible()

    page.goto(page.url.replace("/dashboard", f"/people/{handle}"))
    expect(page.get_by_role("heading", name="Noor Haddad")).to_be_visible()
    expect(page.get_by_text("Fractional CFO for seed-stage startups")).to_be_visible()
    expect(page.get_by_text("financial-modeling")).to_be_visible()
    expect(page.get_by_text("saas-metrics")).to_be_visible()
    expect(page.get_by_text("b2b-seo")).to_be_visible()
    expect(page.get_by_text("Limited time")).to_be_visible()


def test_no_script_on_the_page_can_read_the_session(new_page):
    """The session lives in an HttpOnly cookie: an injected script would find
    nothing to steal, yet the member stays signed in across a reload."""
    handle = unique("hana")
    page = new_page("/")
    sign_up(page, handle, name="Hana Ito")
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["karma_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert session["secure"]
    assert "karma_session" not in page.evaluate("document.cookie")

    page.reload()
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu")).to_be_visible()


def test_private_pages_send_guests_to_login_and_back(new_page):
    handle = unique("tove")
    sign_up(new_page("/"), handle, name="Tove Lind")
    page = new_page("/wallet")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page).to_have_url(re.compile("/login\\?next=%2Fwallet$"))
    page.get_by_label("Email").fill(f"{handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile("/wallet$"))


def test_bad_sign_up_input_gets_clear_messages_and_creates_nothing(new_page):
    taken = unique("taken")
    page = new_page("/")
    sign_up(page, taken)
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()

    other = new_page("/")
    alert = other.get_by_role("alert")
    sign_up(other, unique("fresh"), email=f"{taken}@example.com", verify=False)
    # a known address is never told apart: its owner gets a mail instead
    expect(other.get_by_role("status")).to_contain_text("Check your mailbox")
    other.goto(other.url.split("/signup")[0] + "/")
    sign_up(other, taken, email=f"{unique('new')}@example.com", verify=False)
    expect(alert).to_contain_text(f"The handle '{taken}' is taken")

    cases = [
        ({"password": "short"}, "at least 10 characters"),
        ({"name": "<script>alert(1)</script>"}, "plain text only"),
        ({"handle": "no spaces"}, "Handle may use lowercase letters"),
    ]
    for override, message in cases:
        handle = override.pop("handle", unique("bad"))
        other.goto(other.url.split("/signup")[0] + "/")
        address = f"{unique('bad')}@example.com"
        sign_up(other, handle, email=address, verify=False, **override)
        expect(alert).to_contain_text(message)
        expect(other).to_have_url(re.compile("/signup$"))

    other.goto(other.url.split("/signup")[0] + "/login")
    other.get_by_label("Email").fill(f"{taken}@example.com")
    other.get_by_label("Password").fill("short")
    other.get_by_role("button", name="Log in").click()
    expect(other.get_by_role("alert")).to_contain_text("Email or password is wrong")


def test_bad_profile_edit_keeps_the_saved_profile(new_page):
    handle = unique("mira")
    page = new_page("/")
    sign_up(page, handle, name="Mira Sol")
    expect(page.get_by_role("button", name="Save profile")).to_be_visible()
    page.get_by_label("Headline").fill("<b>bold</b> claims")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("plain text only")
    page.get_by_label("Headline").fill("Product designer")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("Time zone must be a name")

    page.goto(page.url.replace("/profile/edit", f"/people/{handle}"))
    expect(page.get_by_role("heading", name="Mira Sol")).to_be_visible()
    expect(page.get_by_text("Product designer")).to_have_count(0)
    expect(page.get_by_text("bold")).to_have_count(0)
