"""A page reads in a fixed number of statements however much its member has:
a member with many engagements or listings must not make their own pages (or
the server they share) slower with every one (benchmarks/page_cost.py)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from marketplace import db
from marketplace.db import read_only
from marketplace.market import engagement_views, listings, market_search
from marketplace.states.market import MarketState
from tests.integration.market.test_engagements import post, propose
from tests.integration.test_state_security import state_of


@contextmanager
def counted():
    """How many statements the block sent to the database."""
    seen: list[str] = []

    def heard(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", heard)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", heard)


def engagements_list_statements(member) -> int:
    with read_only() as session, counted() as seen:
        engagement_views.engagements_of(session, member.member_id)
    return len(seen)


def test_the_engagements_list_does_not_read_per_engagement(ada, bo, cy):
    for helper in (bo, cy):
        propose(helper, post(ada, terms="free", price=0))
    with_two = engagements_list_statements(ada)
    for helper in (bo, cy, bo, cy, bo, cy):
        propose(helper, post(ada, terms="free", price=0))
    assert engagements_list_statements(ada) == with_two


def test_market_cards_do_not_read_per_listing(ada, bo, cy):
    for author in (ada, bo, cy):  # views skip queries for an empty page
        post(author, kind="offer", terms="free", price=0)
    filters = market_search.check_filters({})

    def statements() -> int:
        with read_only() as session, counted() as seen:
            market_search.search(session, viewer_id=ada.member_id, filters=filters)
            listings.listings_of(session, ada.member_id)
        return len(seen)

    with_two = statements()
    for author in (bo, cy, bo, cy, ada):
        post(author, kind="offer", terms="free", price=0)
    assert statements() == with_two


def test_the_market_page_reads_its_cards_once_for_both_lists(ada, bo, cy):
    """The results and the member's own listings share one set of card
    reads: fewer statements than the two lists read apart."""
    for author in (ada, bo, cy):
        post(author, kind="offer", terms="free", price=0)
    with read_only() as session, counted() as apart:
        filters = market_search.check_filters({})
        market_search.search(session, viewer_id=ada.member_id, filters=filters)
        listings.listings_of(session, ada.member_id)
    state = state_of(MarketState, ada.token)
    MarketState.load.fn(state)  # her session is looked up once, then cached
    with counted() as together:
        MarketState.load.fn(state)
    mine = [view.title for view in state.mine]
    assert mine and all(view.is_mine for view in state.mine)
    assert {view.author_handle for view in state.results} >= {"bob", "cyd"}
    assert len(together) <= len(apart) - 2
