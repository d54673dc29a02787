"""A newcomer's address is proven before anything they do reaches anyone:
sign up, log in before opening the mail (looking around works, posting is
refused and the banner says why), then open the mailed link (caught by a
local SMTP server) and post."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import mail
from tests.browser.test_accounts_flow import PASSWORD, sign_up, unique
from tests.browser.test_market_flow import form_loaded, post_listing

pytestmark = pytest.mark.browser
BANNER = "Verify your email address to post"


def test_sign_up_then_verify_by_mail_then_post(new_page):
    handle = unique("iris")
    address = f"{handle}@example.com"
    joining = new_page("/")
    sign_up(joining, handle, name="Iris Vale", verify=False)
    expect(joining.get_by_role("status")).to_contain_text("Check your mailbox")

    # before opening the mail: in with the password, look around, not post
    early = new_page("/login")
    early.get_by_label("Email").fill(address)
    early.get_by_label("Password").fill(PASSWORD)
    early.get_by_role("button", name="Log in").click()
    expect(early).to_have_url(re.compile("/dashboard$"))
    expect(early.get_by_text(BANNER)).to_be_visible()
    early.get_by_role("button", name="Resend verification email").click()
    expect(early.get_by_text("We just sent you a link")).to_be_visible()
    early.get_by_role("link", name="Market").first.click()
    early.get_by_role("link", name="Post a listing").click()
    form_loaded(early)
    early.get_by_label("Title").fill("Too early")
    early.get_by_label("Description").fill("Posted before verifying.")
    early.get_by_label("Tags").fill("pricing")
    early.get_by_role("button", name="Post listing").click()
    expect(early.get_by_role("alert")).to_contain_text(
        "Verify your email address first"
    )

    # the mailed link signs the newcomer in where it is opened
    mail.follow(joining, address, "/verify")
    expect(joining.get_by_role("heading", name="Edit your profile")).to_be_visible()
    expect(joining.get_by_text(BANNER)).to_have_count(0)
    post_listing(
        joining,
        kind="Offer — I can help",
        title="Logo feedback",
        price="2",
        tags="design",
    )

    # the other tab's banner goes on its next page
    early.goto(early.url.split("/market")[0] + "/dashboard")
    expect(early.get_by_role("heading", name="Welcome, Iris Vale")).to_be_visible()
    expect(early.get_by_text(BANNER)).to_have_count(0)


def test_a_used_or_forged_link_says_so_and_signs_nobody_in(new_page):
    handle = unique("ugo")
    page = new_page("/")
    sign_up(page, handle, name="Ugo Ferri")  # follows the link once
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    link = mail.link_in(
        mail.wait_for_mail(f"{handle}@example.com", "/verify"), "/verify"
    )

    stranger = new_page("/")
    stranger.goto(stranger.url.rstrip("/") + link)
    expect(stranger.get_by_role("heading", name="Verify your email")).to_be_visible()
    expect(stranger.get_by_text("already used")).to_be_visible()
    stranger.goto(stranger.url.split("/verify")[0] + "/verify?token=" + "x" * 43)
    expect(stranger.get_by_text("not valid")).to_be_visible()
    stranger.goto(stranger.url.split("/verify")[0] + "/wallet")
    expect(stranger.get_by_role("heading", name="Log in")).to_be_visible()
