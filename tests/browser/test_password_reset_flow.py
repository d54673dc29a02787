"""Forgot password, in a real browser: the emailed link (caught by a local
SMTP server) sets a new password, the old session is logged out, and the new
password logs in. The devices list shows this browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import mail
from tests.browser.test_accounts_flow import PASSWORD, sign_up, unique

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lilacs-in-may-2027"


def test_forgot_password_reset_logs_the_old_session_out(new_page):
    handle = unique("lena")
    email = f"{handle}@example.com"
    old = new_page("/")
    sign_up(old, handle, name="Lena Berg")
    expect(old.get_by_role("heading", name="Edit your profile")).to_be_visible()

    page = new_page("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If that address has an account")

    mail.follow(page, email, "/password/reset")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Email or password is wrong")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile("/dashboard$"))

    page.goto(page.url.replace("/dashboard", "/settings/account"))
    expect(page.get_by_role("heading", name="Signed-in devices")).to_be_visible()
    expect(page.get_by_text("This device", exact=True)).to_be_visible()
    # the session before the reset is gone: this browser is the only device
    expect(page.get_by_role("button", name="Log out this device")).to_have_count(1)

    old.goto(old.url.split("/profile")[0] + "/wallet")  # the old session has ended
    expect(old.get_by_role("heading", name="Log in")).to_be_visible()
