"""Listings a visitor without an account may read: those whose audience is
everyone, with who posted them and their reputation. A listing for the
author's connections or chosen people reads exactly like an id nobody used,
to the page and to a link preview alike. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from marketplace import link_previews
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import NotFound
from marketplace.market import public_listings
from marketplace.models import Member
from marketplace.states.market import ListingState
from marketplace.states.public_listing import PublicListingState
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post
from tests.integration.market.test_reviews import confirmed, review
from tests.integration.test_state_security import state_of

PAGE = "http://localhost:3000"
# ids a visitor may try: junk, out of range, never used
FORGED = ["0", "-1", "abc", "99999", "2147483648", "1e3", "34;drop"]


@pytest.fixture
def people(engine):
    return member("ada"), member("bob")


def open_as_visitor(listing_id: object, token: str = "") -> PublicListingState:
    state = state_of(PublicListingState, token, url=f"{PAGE}/market/{listing_id}")
    asyncio.run(PublicListingState.load.fn(state))
    return state


def what_a_visitor_sees(state: PublicListingState) -> dict:
    return {
        "status": state.status,
        "listing": state.listing,
        "headline": state.author_headline,
        "reputation": state.reputation,
        "title": state.tab_title,
    }


def test_a_visitor_reads_a_public_listing_and_who_posted_it(people):
    ada, bob = people
    with unit_of_work() as s:
        s.get(Member, ada.member_id).headline = "Pricing for B2B SaaS"
    engagement = confirmed(ada, bob)
    review(ada, engagement, rating=4)
    listing_id = post(ada, kind="offer", title="An hour on your pricing page")

    state = open_as_visitor(listing_id)

    assert state.status == "shown" and not state.signed_in
    assert state.listing.title == "An hour on your pricing page"
    assert state.listing.price_label == "5 karma" and not state.listing.is_mine
    assert state.listing.author_handle == "ada"
    assert state.author_headline == "Pricing for B2B SaaS"
    assert state.reputation.given == 1  # ada reviewed bob
    assert state.tab_title == "An hour on your pricing page · Karma"
    assert state.login_link == f"/login?next=%2Fmarket%2F{listing_id}"
    assert state.signup_link == f"/signup?next=%2Fmarket%2F{listing_id}"


@pytest.mark.parametrize("audience", ["network", "chosen"])
def test_a_restricted_listing_reads_like_a_missing_one(people, audience):
    ada, _ = people
    chosen = {"chosen": "bob"} if audience == "chosen" else {}
    private = post(ada, audience=audience, **chosen)
    missing = open_as_visitor(private + 1000)

    hidden = open_as_visitor(private)

    assert hidden.status == "missing"
    assert what_a_visitor_sees(hidden) == what_a_visitor_sees(missing)
    assert link_previews.listing_card(private) == link_previews.listing_card(
        private + 1000
    )
    with read_only() as s, pytest.raises(NotFound) as refused:
        public_listings.public_listing(s, private)
    assert str(refused.value) == public_listings.NOT_SHOWN


@pytest.mark.parametrize("forged", FORGED)
def test_forged_ids_show_nothing_and_break_nothing(people, forged):
    post(people[0])
    state = open_as_visitor(forged)
    assert state.status == "missing" and state.listing.id == 0
    with read_only() as s, pytest.raises(NotFound):
        public_listings.public_listing(s, forged)


def test_a_listing_of_someone_no_longer_active_is_not_shown(people):
    ada, _ = people
    listing_id = post(ada)
    with unit_of_work() as s:
        s.get(Member, ada.member_id).status = "invited"
    assert open_as_visitor(listing_id).status == "missing"


def test_a_member_opening_the_link_gets_the_members_page(people):
    ada, bob = people
    listing_id = post(ada, audience="chosen", chosen="bob")
    state = state_of(PublicListingState, bob.token, url=f"{PAGE}/market/{listing_id}")

    asyncio.run(PublicListingState.load.fn(state))

    root = state._get_root_state()
    members_page = root.get_substate(ListingState.get_full_name().split(".")[1:])
    assert state.signed_in and state.status == ""
    assert members_page.listing.id == listing_id and not members_page.not_found
    assert state.tab_title == "Review my SaaS pricing page · Karma"


def test_the_link_preview_names_the_public_listing(people):
    ada, _ = people
    listing_id = post(ada, kind="offer", description="Line one.\n\nLine two " * 40)
    card = link_previews.listing_card(listing_id)
    assert card["title"] == "Review my SaaS pricing page · Karma"
    assert card["description"].startswith("Offer · 5 karma · by Ada. Line one. Line")
    assert len(card["description"]) <= public_listings.SUMMARY_MAX
    assert card["url"].endswith(f"/market/{listing_id}")
