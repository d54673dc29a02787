"""Karma in the browser: the welcome grant, paying it forward, and a refusal."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import sign_up, unique

pytestmark = pytest.mark.browser


def open_wallet(page):
    page.get_by_role("link", name="Wallet").click()
    expect(page.get_by_role("heading", name="Wallet", exact=True)).to_be_visible()


def test_paying_it_forward_moves_karma_between_two_members(new_page):
    giver, receiver = unique("gia"), unique("rui")
    other = new_page("/")
    sign_up(other, receiver, name="Rui Costa")
    expect(other.get_by_role("heading", name="Edit your profile")).to_be_visible()

    page = new_page("/")
    sign_up(page, giver, name="Gia Moretti")
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    open_wallet(page)
    expect(page.get_by_text("10 karma").first).to_be_visible()
    expect(page.get_by_role("cell", name="Welcome grant")).to_be_visible()

    page.get_by_label("Recipient's handle").fill(receiver)
    page.get_by_label("Amount (karma)").fill("11")
    page.get_by_role("button", name="Send karma").click()
    expect(page.get_by_role("alert")).to_contain_text("Not enough karma")

    page.get_by_label("Recipient's handle").fill(receiver)
    page.get_by_label("Amount (karma)").fill("3")
    page.get_by_label("Note").fill("Thanks for the intro to your CFO")
    page.get_by_role("button", name="Send karma").click()
    expect(page.get_by_text("Thanks for paying it forward")).to_be_visible()
    expect(page.get_by_text("7 karma").first).to_be_visible()
    expect(page.get_by_role("cell", name="-3")).to_be_visible()

    open_wallet(other)
    expect(other.get_by_text("13 karma").first).to_be_visible()
    expect(other.get_by_role("cell", name="Gia Moretti")).to_be_visible()
    expect(
        other.get_by_role("cell", name="Thanks for the intro to your CFO")
    ).to_be_visible()
