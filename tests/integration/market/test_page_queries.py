"""A page reads in a fixed number of statements however much its member has:
a member with many engagements or listings must not make their own pages (or
the server they share) slower with every one (benchmarks/page_cost.py)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from marketplace import db
from marketplace.db import read_only, unit_of_work
from marketplace.market import engagement_views, listings, market_search
from marketplace.network import graph_index
from marketplace.states.engagements import EngagementState
from marketplace.states.market import ListingState, MarketState
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_graph_index import add_members, connect, tag
from tests.integration.test_state_security import state_of
from tests.members import earn


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
    # whom a listing is shown to is read only for her listings that chose
    assert not [s for s in together if s.startswith("SELECT listing_viewer.")]
    assert not [s for s in together if s.startswith("SELECT member.")]


def test_my_request_reads_its_tags_and_row_once_however_many_to_ask(ada):
    """The author's page of an open request: the who-to-ask panel asks for
    the request, its tags and who already helps in each of its parts; a
    page reads each once, and more people to suggest add no statements."""
    request = post(ada, kind="request", tags="pricing")
    graph_index.use_index(None)  # the graph as the database holds it

    def statements() -> list[str]:
        state = state_of(ListingState, ada.token, url=f"/market/{request}")
        ListingState.load.fn(state)  # her session is looked up once, then cached
        graph_index.use_index(None)
        with counted() as seen:
            ListingState.load.fn(state)
        assert state.listing.id == request and state.not_found is False
        return seen

    def suggest(*handles: str) -> int:
        ids = add_members(*handles)
        for member_id in ids:
            connect(ada.member_id, member_id)
            tag(member_id, "pricing")
        return len(ids)

    suggest("kai", "lea")
    few = statements()
    suggest("max", "noa", "oli", "pia")
    many = statements()
    assert len(many) == len(few)
    tag_reads = [s for s in many if s.startswith("SELECT listing_tag.tag ")]
    row_reads = [s for s in many if s.startswith("SELECT listing.id")]
    assert len(tag_reads) == 1 and len(row_reads) == 1


def test_accepting_writes_the_engagement_once_and_checks_the_pair_once(ada, bo):
    """Accepting reads the engagement with its listing and both parties in
    one locked statement, asks once whether either blocked the other (the
    refusal and the notice to the other share the answer) and writes the
    engagement's row once, hold key and status together."""
    with unit_of_work() as s:
        earn(s, ada.member_id, 10)
    engagement = propose(bo, post(ada))
    state = state_of(EngagementState, ada.token, url=f"/engagements/{engagement}")
    EngagementState.load.fn(state)
    with counted() as seen:
        EngagementState.act.fn(
            state, {"engagement_id": str(engagement), "action": "accept"}
        )
    assert state.engagement.status == "accepted"
    assert len([s for s in seen if s.startswith("UPDATE engagement ")]) == 1
    assert not [s for s in seen if "booked_slot" in s]  # no call: no times
    assert len([s for s in seen if s.startswith("SELECT connection.")]) == 1
    # both parties' rows come with the engagement, in the act and the view
    assert [s for s in seen if s.startswith("SELECT member.")] == []


def test_an_engagement_page_reads_reviews_and_call_times_only_when_there_are_any(
    ada, bo
):
    """Reviews come once help is confirmed, proposed call times only with a
    call: an engagement under way that is no call reads neither."""
    engagement = propose(bo, post(ada, terms="free", price=0))
    state = state_of(EngagementState, ada.token, url=f"/engagements/{engagement}")
    EngagementState.load.fn(state)
    with counted() as seen:
        EngagementState.load.fn(state)
    assert state.engagement.status == "proposed" and state.timeline
    assert not [s for s in seen if s.startswith("SELECT review.")]
    assert not [s for s in seen if s.startswith("SELECT booked_slot.")]


def test_delivering_writes_the_engagement_once(ada, bo):
    """Its due date and its status together, after the karma hold's check."""
    with unit_of_work() as s:
        earn(s, ada.member_id, 10)
    engagement = propose(bo, post(ada))
    act(ada, engagement, "accept")
    state = state_of(EngagementState, bo.token, url=f"/engagements/{engagement}")
    EngagementState.load.fn(state)
    with counted() as seen:
        EngagementState.act.fn(
            state, {"engagement_id": str(engagement), "action": "deliver"}
        )
    assert state.engagement.status == "delivered" and state.engagement.confirm_due
    assert len([s for s in seen if s.startswith("UPDATE engagement ")]) == 1


def test_people_beyond_my_network_cost_no_statement_each(ada):
    """A newcomer's request: everyone suggested is beyond her network, each
    with a button that says how she stands with them; more of them add no
    statements (their blocks and connection rows are read for all at once)."""
    request = post(ada, kind="request", tags="pricing")

    def statements() -> list[str]:
        state = state_of(ListingState, ada.token, url=f"/market/{request}")
        ListingState.load.fn(state)
        graph_index.use_index(None)
        with counted() as seen:
            ListingState.load.fn(state)
        assert state.ask_beyond and state.ask_why
        return seen

    for member_id in add_members("kai"):
        tag(member_id, "pricing")
    graph_index.use_index(None)
    one = statements()
    for member_id in add_members("lea", "max", "noa"):
        tag(member_id, "pricing")
    graph_index.use_index(None)
    several = statements()
    assert len(several) == len(one)
