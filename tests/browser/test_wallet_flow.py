"""Karma in the browser: the credit limit, paying forward what was earned, and
a refusal."""

import pytest
from playwright.sync_api import expect

from marketplace.db import unit_of_work
from marketplace.market import engagements, listings
from tests.browser.test_accounts_flow import sign_up, unique
from tests.browser.test_profile_reviews_flow import FORM, log_in, someone
from tests.members import credit_for

pytestmark = pytest.mark.browser


def open_wallet(page):
    page.get_by_role("link", name="Wallet").click()
    expect(page.get_by_role("heading", name="Wallet", exact=True)).to_be_visible()


def karma_help(asker, helper, title: str, *, price: int, steps: tuple[str, ...]) -> int:
    """The asker's karma request, answered by the helper, then moved along;
    the engagement's id."""
    with unit_of_work() as s:
        form = FORM | {"title": title, "terms": "karma", "price": str(price)}
        listing = listings.create_listing(s, actor_id=asker.member_id, form=form)
        engagement = engagements.propose(
            s, actor_id=helper.member_id, listing_id=listing.id
        )
    for action in steps:
        actor = helper if action == "deliver" else asker
        with unit_of_work() as s:
            engagements.act(
                s, actor_id=actor.member_id, engagement_id=engagement.id, action=action
            )
    return engagement.id


def test_paying_it_forward_moves_karma_between_two_members(new_page):
    giver, receiver = unique("gia"), unique("rui")
    other = new_page("/")
    sign_up(other, receiver, name="Rui Costa")
    expect(other.get_by_role("heading", name="Edit your profile")).to_be_visible()

    page = new_page("/")
    sign_up(page, giver, name="Gia Moretti")
    expect(page.get_by_role("heading", name="Edit your profile")).to_be_visible()
    credit_for(giver, earned=10)  # joining gives nothing: gia earned 10
    credit_for(receiver)
    open_wallet(page)
    expect(page.get_by_text("10 karma").first).to_be_visible()
    expect(page.get_by_role("cell", name="Grant from the Karma team")).to_be_visible()
    expect(
        page.get_by_text("You can go down to -10 karma to get help.")
    ).to_be_visible()

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
    expect(other.get_by_text("3 karma").first).to_be_visible()
    expect(other.get_by_role("cell", name="Gia Moretti")).to_be_visible()
    expect(
        other.get_by_role("cell", name="Thanks for the intro to your CFO")
    ).to_be_visible()


def test_a_paid_hold_is_one_row_and_open_holds_say_whose_they_are(new_page, app_url):
    ada, ben = someone("Ada Lindqvist"), someone("Ben Okafor")
    paid = f"Review my SaaS pricing page {ada.handle}"
    under_way = f"Second opinion on our onboarding {ada.handle}"
    for title, steps in (
        (paid, ("accept", "deliver", "confirm")),
        (under_way, ("accept",)),
    ):
        karma_help(ada, ben, title, price=5 if title == paid else 3, steps=steps)

    page = new_page("/")
    log_in(page, ada)
    open_wallet(page)
    # One entry for the 5 karma paid: the hold and its posting together.
    payment = page.get_by_role("row").filter(has_text=paid)
    expect(payment).to_have_count(1)
    expect(payment).to_contain_text("-5")
    expect(payment).to_contain_text("Paid")
    expect(page.get_by_role("row").filter(has_text=under_way)).to_contain_text(
        "On hold"
    )
    expect(page.get_by_role("group", name="Held by you")).to_contain_text("3 karma")

    other = new_page("/")
    log_in(other, ben)
    open_wallet(other)
    expect(other.get_by_role("group", name="Held by you")).to_contain_text("0 karma")
    expect(other.get_by_role("group", name="Held for you")).to_contain_text("3 karma")
    expect(other.get_by_role("row").filter(has_text=paid)).to_contain_text("+5")
