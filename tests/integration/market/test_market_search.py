"""Browsing the market as a member does: full-text search through each
database's own index (FTS5 on SQLite, a tsvector GIN index on PostgreSQL),
filters, and pages. The same searches find the same listings on both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.market import listings, market_search
from marketplace.models import Connection, Listing
from tests.integration.ledger.test_wallet import member

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FORM = {
    "kind": "offer",
    "description": "",
    "tags": "",
    "terms": "karma",
    "price": "5",
    "capacity": "1",
    "audience": "public",
}


def post(author, title, clock=None, **changes) -> int:
    with unit_of_work() as s:
        return listings.create_listing(
            s,
            actor_id=author.member_id,
            form=FORM | {"title": title} | changes,
            clock=clock or FixedClock(NOW),
        ).id


def search(viewer, query="", page=1, clock=None, **filters) -> list[str]:
    """The titles the viewer finds, newest first."""
    return [item.title for item in results(viewer, query, page, clock, **filters)[0]]


def results(viewer, query="", page=1, clock=None, **filters):
    with read_only() as s:
        return market_search.search(
            s,
            viewer_id=viewer.member_id,
            filters=market_search.check_filters({"query": query} | filters),
            page=page,
            clock=clock or FixedClock(NOW),
        )


def connect(a, b) -> None:
    with unit_of_work() as s:
        s.add(
            Connection(
                requester_id=a.member_id,
                addressee_id=b.member_id,
                status="accepted",
                created_at=NOW,
                responded_at=NOW,
            )
        )


@pytest.fixture
def shelf(ada):
    """Four listings by Ada, a minute apart (newest last)."""
    titles = {
        "Marketing plan for a bakery": {"tags": "growth"},
        "Review my SaaS pricing page": {"description": "Is the price right?"},
        "Intro to a B2B SEO consultant": {"kind": "request", "tags": "seo, intros"},
        "Python code review": {"description": "Django and Flask projects"},
    }
    for minutes, (title, extra) in enumerate(titles.items()):
        post(ada, title, FixedClock(NOW + timedelta(minutes=minutes)), **extra)
    return list(titles)


# -------------------------------------------------------------------------- full text


def test_an_empty_search_shows_every_open_listing_newest_first(bo, shelf):
    assert search(bo) == shelf[::-1]


def test_a_word_prefix_finds_the_whole_word(bo, shelf):
    assert search(bo, "mark") == ["Marketing plan for a bakery"]
    assert search(bo, "consult") == ["Intro to a B2B SEO consultant"]


@pytest.mark.parametrize("typed", ["pricing", "price", "prices", "priced"])
def test_words_are_matched_by_their_stem(bo, shelf, typed):
    assert search(bo, typed) == ["Review my SaaS pricing page"]


def test_search_is_blind_to_case(bo, shelf):
    assert search(bo, "PYTHON Code") == ["Python code review"]


def test_every_word_typed_must_match(bo, shelf):
    assert search(bo, "review") == ["Python code review", "Review my SaaS pricing page"]
    assert search(bo, "review python") == ["Python code review"]
    assert search(bo, "review bakery") == []


def test_description_and_tags_are_searched_too(bo, shelf):
    assert search(bo, "django") == ["Python code review"]
    assert search(bo, "growth") == ["Marketing plan for a bakery"]
    assert search(bo, "intros") == ["Intro to a B2B SEO consultant"]


def test_short_common_words_need_not_appear(bo, shelf):
    # PostgreSQL drops English stop words; SQLite must agree with it
    assert search(bo, "review of the pricing") == ["Review my SaaS pricing page"]
    assert search(bo, "plan for a bakery") == ["Marketing plan for a bakery"]


@pytest.mark.parametrize(
    "typed",
    [
        '"SEO" OR *',
        "a:b",
        "seo AND NOT",
        "NEAR(seo intro)",
        "seo*",
        "^seo",
        "-seo",
        "'; DROP TABLE listing; --",
        '"unbalanced',
        "(((",
        "*",
        "!&|:*",
        "title:seo",
        "seo_consultant",
        "日本語",
        "\\",
        "x" * 100,
    ],
)
def test_search_operators_and_quotes_typed_by_a_member_are_just_text(bo, shelf, typed):
    found, total = results(bo, typed)
    assert len(found) == total <= len(shelf)
    with read_only() as s:
        assert len(s.exec(select(Listing)).all()) == len(shelf)


def test_operator_words_are_searched_as_words(bo, shelf):
    assert search(bo, '"SEO" consultant') == ["Intro to a B2B SEO consultant"]
    assert search(bo, "seo:consultant*") == ["Intro to a B2B SEO consultant"]
    assert search(bo, "SEO OR python") == []  # not an operator: both must match


def test_overlong_search_text_is_refused(bo, shelf):
    with pytest.raises(InvalidInput, match="at most 100"):
        search(bo, "x" * 101)


def test_an_edit_is_found_by_its_new_words_and_not_its_old_ones(ada, bo):
    listing = post(ada, "Marketing plan for a bakery")
    with unit_of_work() as s:
        listings.update_listing(
            s,
            actor_id=ada.member_id,
            listing_id=listing,
            form=FORM | {"title": "Logo design for a florist"},
        )
    assert search(bo, "marketing") == []
    assert search(bo, "logo florist") == ["Logo design for a florist"]


def test_a_deleted_listing_leaves_the_index(ada, bo, shelf):
    with unit_of_work() as s:
        gone = s.exec(select(Listing).where(Listing.title == shelf[0])).one()
        s.delete(gone)
    assert search(bo, "marketing") == []
    post(ada, "Marketing emails, reviewed")
    assert search(bo, "marketing") == ["Marketing emails, reviewed"]


# -------------------------------------------------------------------------- filters


def test_filter_by_kind_and_terms(ada, bo, shelf):
    assert search(bo, kind="request") == ["Intro to a B2B SEO consultant"]
    post(ada, "Pay-it-forward mentoring", terms="free", price="")
    post(ada, "Owe me one: deck review", terms="iou", price="3")
    assert search(bo, terms="free") == ["Pay-it-forward mentoring"]
    assert search(bo, terms="iou", kind="offer") == ["Owe me one: deck review"]
    assert search(bo, "review", terms="iou") == ["Owe me one: deck review"]


def test_filter_by_tag_uses_the_tags_one_spelling(bo, shelf):
    assert search(bo, tag=" SEO ") == ["Intro to a B2B SEO consultant"]
    assert search(bo, tag="nothing-tagged-so") == []


def test_filter_by_degree_of_connection(engine):
    me, friend, friend_of_friend, stranger = (
        member(h) for h in ("ada", "bob", "cyd", "dee")
    )
    connect(me, friend)
    connect(friend_of_friend, friend)  # either side may have asked
    post(friend, "Help from my connection")
    post(friend_of_friend, "Help from two steps away")
    post(stranger, "Help from a stranger")
    post(me, "My own listing")
    assert search(me, degree="1") == ["Help from my connection"]
    assert search(me, degree="2") == [
        "Help from two steps away",
        "Help from my connection",
    ]
    assert len(search(me, degree="any")) == 4


def test_filter_by_recency_with_the_clock(ada, bo):
    post(ada, "Posted a month and a day ago", FixedClock(NOW - timedelta(days=31)))
    post(ada, "Posted ten days ago", FixedClock(NOW - timedelta(days=10)))
    post(ada, "Posted yesterday", FixedClock(NOW - timedelta(days=1)))
    assert search(bo, recency="7") == ["Posted yesterday"]
    assert search(bo, recency="30") == ["Posted yesterday", "Posted ten days ago"]
    assert len(search(bo, recency="any")) == 3
    later = FixedClock(NOW + timedelta(days=7))
    assert search(bo, recency="7", clock=later) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "gig"),
        ("terms", "barter"),
        ("degree", "3"),
        ("recency", "365"),
        ("kind", ["offer"]),
        ("tag", 5),
        ("tag", "<script>"),
        ("query", 42),
    ],
)
def test_an_unknown_filter_value_is_refused(field, value):
    with pytest.raises(InvalidInput):
        market_search.check_filters({field: value})


def test_missing_or_empty_filters_mean_any():
    assert market_search.check_filters(None) == market_search.Filters()
    assert (
        market_search.check_filters({"kind": "", "degree": None})
        == market_search.Filters()
    )


# ---------------------------------------------------------------------- visibility


def test_browsing_shows_only_open_listings_the_viewer_may_see(ada, bo):
    post(ada, "Public and open")
    paused = post(ada, "Paused for now")
    closed = post(ada, "Closed for good")
    post(ada, "Only for my network", audience="network")
    post(ada, "Only for Bob", audience="chosen", chosen="bob")
    for listing, action in ((paused, "pause"), (closed, "close")):
        with unit_of_work() as s:
            listings.set_status(
                s, actor_id=ada.member_id, listing_id=listing, action=action
            )
    assert search(bo) == ["Only for Bob", "Public and open"]
    assert search(bo, "network") == []
    assert "Paused for now" not in search(ada) and "Closed for good" not in search(ada)
    with read_only() as s:
        # the author still has the paused and closed ones on their listing page
        assert listings.listing_view(s, ada.member_id, paused).status == "paused"
        assert listings.listing_view(s, ada.member_id, closed).status == "closed"


# -------------------------------------------------------------------------- paging


def test_pages_of_twenty_with_the_total_on_every_page(ada, bo):
    for i in range(25):
        post(ada, f"Listing number {i:02d}", FixedClock(NOW + timedelta(minutes=i)))
    first, total = results(bo)
    second, total_again = results(bo, page=2)
    beyond, total_beyond = results(bo, page=3)
    assert total == total_again == total_beyond == 25
    assert len(first) == market_search.PAGE_SIZE and len(second) == 5 and beyond == []
    assert first[0].title == "Listing number 24"
    assert second[-1].title == "Listing number 00"
    titles = [x.title for x in first + second]
    assert len(set(titles)) == 25


def test_listings_posted_in_the_same_instant_page_without_repeats(ada, bo):
    for i in range(21):
        post(ada, f"Same minute listing {i:02d}")
    pages = results(bo)[0] + results(bo, page=2)[0]
    assert len({x.id for x in pages}) == 21


def test_search_totals_count_matches_not_everything(ada, bo):
    for i in range(3):
        post(ada, f"Pricing review {i}")
    post(ada, "Something else")
    _, total = results(bo, "pricing")
    assert total == 3


@pytest.mark.parametrize("page", [0, -1, 10_001, "2", 1.0, True, None])
def test_a_page_number_that_is_not_a_page_is_refused(bo, page):
    with pytest.raises(InvalidInput, match="Page"):
        results(bo, page=page)
