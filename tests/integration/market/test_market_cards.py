"""Market cards people can choose from: who posted it (initials, headline),
their rating as their profile shows it, with how many different people gave
it, the price or terms and the spots left; and the list sorted newest first,
by best match, by rating or by price, with any other order refused. SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.accounts import profiles
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.market import market_search
from marketplace.models import Engagement, Listing, Member, Review
from marketplace.states.market import MarketState
from tests.integration.market.test_market_search import NOW, post, results, search
from tests.integration.test_state_security import state_of
from tests.members import trusted


def reviewed(reviewee, reviewer, *ratings: int) -> None:
    """`reviewer` rated `reviewee` once per rating, each for its own help."""
    with unit_of_work() as s:
        past = Listing(
            author_id=reviewee.member_id, kind="offer", title="Past help",
            description="", terms="free", price=0, capacity=len(ratings),
            audience="public", status="closed", search_text="",
            created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        s.add(past)
        s.flush()
        for stars in ratings:
            help_ = Engagement(
                listing_id=past.id, asker_id=reviewer.member_id,
                helper_id=reviewee.member_id, proposed_by_id=reviewer.member_id,
                status="confirmed", terms="free", created_at=NOW, updated_at=NOW,
            )  # fmt: skip
            s.add(help_)
            s.flush()
            s.add(
                Review(
                    engagement_id=help_.id, reviewer_id=reviewer.member_id,
                    reviewee_id=reviewee.member_id, rating=stars, body="",
                    created_at=NOW,
                )
            )  # fmt: skip


def card(viewer, title: str):
    found, _ = results(viewer, title)
    return next(item for item in found if item.title == title)


def test_a_card_shows_who_posted_it_and_how_many_people_rated_them(ada, bo, cy):
    with unit_of_work() as s:
        s.get(Member, ada.member_id).headline = "B2B marketing lead"
    post(ada, "Review my pricing page", capacity="3")
    reviewed(ada, bo, 4, 2, 5)  # three reviews at once, one person: the 5 counts
    reviewed(ada, cy, 4)
    trusted(bo.member_id, cy.member_id)

    shown = card(bo, "Review my pricing page")

    assert (shown.author_name, shown.author_initials) == ("Ada", "A")
    assert shown.author_headline == "B2B marketing lead"
    # (2 * 4.0 + 5 + 4) / (2 + 1 + 1), as the profile shows it
    assert shown.author_rating == "4.2 · from 2 different people"
    assert (shown.price_label, shown.spots_left, shown.capacity) == ("5 karma", 3, 3)


def test_a_newcomer_has_no_rating_and_one_reviewer_is_one(ada, bo):
    post(ada, "Logo feedback")
    assert card(bo, "Logo feedback").author_rating == ""
    trusted(bo.member_id, score=0.0)
    reviewed(ada, bo, 2)
    # Bob's trust is nothing yet: his review counts for nothing
    assert card(bo, "Logo feedback").author_rating == "4.0 · from 1 different person"
    trusted(bo.member_id, score=0.5)
    # (2 * 4.0 + 0.5 * 2) / (2 + 0.5)
    assert card(bo, "Logo feedback").author_rating == "3.6 · from 1 different person"


def test_initials_come_from_the_first_two_names():
    from marketplace.market.listings import initials

    assert initials("Priya Raman") == "PR"
    assert initials("ada lovelace byron") == "AL"
    assert initials("   ") == "?"


# ---------------------------------------------------------------------------- sorts


@pytest.fixture
def stall(ada, bo, cy):
    """Listings by Ada (well rated), Bob (one so-so review) and Cyd (none), a
    minute apart, newest last; Dee needs SEO and can give design."""
    from tests.integration.ledger.test_wallet import member

    dee = member("dee")
    with unit_of_work() as s:
        profiles.replace_tags(s, dee.member_id, {"get": ["seo"], "give": ["design"]})
    reviewed(ada, bo, 5)
    reviewed(ada, cy, 5)
    reviewed(bo, cy, 3)
    trusted(bo.member_id, cy.member_id)
    posts = [
        (ada, "Pricing teardown", {"terms": "iou", "price": "2"}),
        (bo, "SEO audit, one hour", {"tags": "seo", "price": "8"}),
        (cy, "Coffee chat", {"terms": "free", "price": ""}),
        (ada, "Logo critique wanted", {"kind": "request", "tags": "design"}),
    ]
    for minute, (who, title, extra) in enumerate(posts):
        post(who, title, clock=_at(minute), **extra)
    return dee


def _at(minutes: int):
    from marketplace.adapters.clock import FixedClock

    return FixedClock(NOW + timedelta(minutes=minutes))


def test_newest_first_is_the_default(stall):
    assert (
        search(stall)
        == search(stall, sort="newest")
        == [
            "Logo critique wanted",
            "Coffee chat",
            "SEO audit, one hour",
            "Pricing teardown",
        ]
    )


def test_best_match_puts_what_i_need_and_can_give_first(stall):
    # Dee needs SEO (an offer of it) and gives design (a request for it)
    assert search(stall, sort="match")[:2] == [
        "Logo critique wanted",
        "SEO audit, one hour",
    ]


def test_best_rated_authors_first_and_the_unrated_last(stall):
    assert search(stall, sort="rating") == [
        "Logo critique wanted",  # Ada 5.0 from two people, newest first
        "Pricing teardown",
        "SEO audit, one hour",  # Bob 3.0
        "Coffee chat",  # Cyd, no reviews
    ]


def test_price_lowest_first_compares_like_with_like(stall):
    assert search(stall, sort="price") == [
        "Coffee chat",  # free
        "Pricing teardown",  # an IOU for 2 points
        "Logo critique wanted",  # 5 karma
        "SEO audit, one hour",  # 8 karma
    ]


@pytest.mark.parametrize("sort", ["oldest", "price; DROP TABLE listing", 3, ["x"]])
def test_an_unknown_sort_is_refused(sort):
    with pytest.raises(InvalidInput, match="Sort by"):
        market_search.check_filters({"sort": sort})


def test_the_sort_select_resorts_and_a_forged_one_changes_nothing(stall):
    page = state_of(MarketState, stall.token)
    MarketState.load.fn(page)
    MarketState.sort_by.fn(page, "price")
    assert page.results[0].title == "Coffee chat"
    assert page.filters["sort"] == "price"
    MarketState.search.fn(page, {"query": "", "kind": "offer"})  # sort kept
    assert page.filters["sort"] == "price"
    MarketState.sort_by.fn(page, "title DESC")
    assert page.search_error.startswith("Sort by")
    assert page.filters["sort"] == "price"
    assert page.results[0].title == "Coffee chat"


def test_sorted_pages_neither_repeat_nor_skip(ada, bo):
    for n in range(25):
        post(ada if n % 2 else bo, f"Listing number {n:02d}", clock=_at(n % 3))
    reviewed(ada, bo, 4)
    with read_only() as s:
        every = set(s.exec(select(Listing.title).where(Listing.status == "open")))
    for sort in market_search.SORTS:
        first = search(bo, sort=sort)
        second = search(bo, page=2, sort=sort)
        assert len(first) == 20 and set(first) | set(second) == every
        assert not set(first) & set(second)
