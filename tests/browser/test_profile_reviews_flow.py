"""A profile's reviews in the browser: the reputation summary, stars a screen
reader can name, reviewers linked to their profiles, and no title of a listing
the reader may not see. The help itself is set up through the services."""

import pytest
from playwright.sync_api import expect

from marketplace.accounts import accounts
from marketplace.db import unit_of_work
from marketplace.market import engagements, listings, reviews
from tests.browser.test_accounts_flow import unique
from tests.members import sign_up, trust, trusted

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
FORM = {
    "kind": "request",
    "description": "",
    "tags": "pricing",
    "terms": "free",
    "price": "",
    "audience": "public",
}


def someone(name: str) -> accounts.LoginResult:
    handle = unique(name.split()[0].lower())
    with unit_of_work() as s:
        joined = sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=name,
            password=PASSWORD,
        )
        trust(s, joined.member_id, 0.5)  # a credit limit of 10 to pay for help
        return joined


def helped(asker, helper, stars: int, words: str, **audience) -> None:
    """The asker's request, answered, delivered, confirmed and reviewed."""
    with unit_of_work() as s:
        form = FORM | {"title": f"Price my SaaS plans {asker.handle}"} | audience
        listing = listings.create_listing(s, actor_id=asker.member_id, form=form)
        engagement = engagements.propose(
            s, actor_id=helper.member_id, listing_id=listing.id
        )
    for actor, action in ((asker, "accept"), (helper, "deliver"), (asker, "confirm")):
        with unit_of_work() as s:
            engagements.act(
                s, actor_id=actor.member_id, engagement_id=engagement.id, action=action
            )
    with unit_of_work() as s:
        reviews.leave_review(
            s,
            actor_id=asker.member_id,
            engagement_id=engagement.id,
            rating=stars,
            body=words,
        )


def log_in(page, who) -> None:
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(f"{who.handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, ", exact=False)).to_be_visible()


def test_a_profile_shows_its_reputation_and_the_reviews_received(new_page, app_url):
    ben = someone("Ben Okafor")
    ada, cyd, dee = someone("Ada Lindqvist"), someone("Cyd Moreau"), someone("Dee")
    helped(ada, ben, 5, "Sharp pricing advice,\nfast.")
    helped(cyd, ben, 4, "Good notes.", audience="chosen", chosen=ben.handle)
    trusted(ada.member_id, cyd.member_id)  # their reviews count fully

    page = new_page("/")
    log_in(page, dee)
    page.goto(f"{app_url}/people/{ben.handle}")
    expect(page.get_by_role("heading", name="Ben Okafor")).to_be_visible()
    expect(
        page.get_by_role(
            "img", name="Rated 4.2 out of 5 stars, from 2 different people"
        )
    ).to_be_visible()
    expect(page.get_by_text("2 reviews received")).to_be_visible()
    expect(page.get_by_text("Answers proposals")).to_have_count(0)  # never asked
    expect(page.get_by_role("img", name="5 out of 5 stars", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="4 out of 5 stars", exact=True)).to_be_visible()
    expect(page.get_by_text("Sharp pricing advice,")).to_be_visible()
    # Dee was not chosen for Cyd's listing: the review shows, its title does not
    expect(page.get_by_text("a private listing")).to_be_visible()
    expect(page.get_by_text(f"Price my SaaS plans {cyd.handle}")).to_have_count(0)
    page.get_by_role("link", name=f"Price my SaaS plans {ada.handle}").click()
    expect(
        page.get_by_role("heading", name=f"Price my SaaS plans {ada.handle}", level=1)
    ).to_be_visible()

    page.goto(f"{app_url}/people/{ben.handle}")
    page.get_by_role("link", name="Ada Lindqvist").click()
    expect(page.get_by_role("heading", name="Ada Lindqvist")).to_be_visible()
    expect(page.get_by_text("No reviews yet")).to_be_visible()
    expect(page.get_by_text("Reviews appear here once help")).to_be_visible()
    expect(page.get_by_text("1 review given")).to_be_visible()
    # she accepted Ben's offer of help at once
    expect(page.get_by_text("Answers proposals within an hour")).to_be_visible()
