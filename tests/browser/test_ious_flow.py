"""An IOU in the browser: written down by one member, accepted by the other,
partly paid in karma, and the rest forgiven."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import sign_up, unique
from tests.browser.test_wallet_flow import open_wallet
from tests.members import credit_for

pytestmark = pytest.mark.browser


def open_ious(page):
    page.get_by_role("link", name="IOUs").first.click()
    expect(page.get_by_role("heading", name="IOUs", exact=True)).to_be_visible()


def test_an_iou_is_accepted_paid_in_part_and_forgiven(new_page):
    ada_handle, ben_handle = unique("ada"), unique("ben")
    ben = new_page("/")
    sign_up(ben, ben_handle, name="Ben Okafor")
    expect(ben.get_by_role("heading", name="Edit your profile")).to_be_visible()
    ada = new_page("/")
    sign_up(ada, ada_handle, name="Ada Lindqvist")
    expect(ada.get_by_role("heading", name="Edit your profile")).to_be_visible()
    for handle in (ada_handle, ben_handle):
        # a credit limit of 20: room to owe, and paying a debt may use it
        credit_for(handle, 1.0)

    # Ada writes down that Ben owes her 8 karma.
    open_ious(ada)
    ada.get_by_label("With (their handle)").fill(ben_handle)
    ada.get_by_label("Who owes whom").select_option(label="They owe me")
    ada.get_by_label("Amount (karma)", exact=True).fill("8")
    ada.get_by_label("What for").fill("Intro to your design lead")
    ada.get_by_role("button", name="Write it down").click()
    expect(ada.get_by_text("Waiting for Ben Okafor to accept.")).to_be_visible()

    # Ben sees it waiting for him and accepts.
    open_ious(ben)
    expect(ben.get_by_text("Intro to your design lead")).to_be_visible()
    ben.get_by_role("button", name="Accept IOU from Ada Lindqvist").click()
    expect(ben.get_by_text("IOU accepted.")).to_be_visible()
    expect(ben.get_by_text("You owe Ada Lindqvist 8 karma")).to_be_visible()

    # Ben pays 3 in karma, on credit: his wallet drops by 3, hers rises by 3.
    ben.get_by_label("Karma to pay").fill("3")
    ben.get_by_role("button", name="Pay in karma to Ada Lindqvist").click()
    expect(ben.get_by_text("Paid in karma. Thank you!")).to_be_visible()
    expect(ben.get_by_text("You owe Ada Lindqvist 5 karma")).to_be_visible()
    open_wallet(ben)
    expect(ben.get_by_text("-3 karma").first).to_be_visible()
    open_wallet(ada)
    expect(ada.get_by_text("3 karma").first).to_be_visible()

    # Ada forgives the rest.
    open_ious(ada)
    expect(ada.get_by_text("Ben Okafor owes you 5 karma")).to_be_visible()
    ada.get_by_label("How it was settled").select_option(label="Forgive")
    ada.get_by_role("button", name="Record settlement from Ben Okafor").click()
    expect(ada.get_by_text("Recorded.")).to_be_visible()
    expect(ada.get_by_text("forgiven", exact=True)).to_be_visible()
    expect(ada.get_by_text("0 of 8 karma left")).to_be_visible()
    expect(ada.get_by_text("Ben Okafor owed you 8 karma")).to_be_visible()
    expect(ada.get_by_text("No open IOUs.")).to_be_visible()

    open_ious(ben)
    expect(ben.get_by_text("You owed Ada Lindqvist 8 karma")).to_be_visible()
    expect(ben.get_by_text("forgiven", exact=True)).to_be_visible()
    expect(
        ben.get_by_role("button", name="Pay in karma to Ada Lindqvist")
    ).to_have_count(0)
