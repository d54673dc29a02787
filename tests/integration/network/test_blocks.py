"""Blocks hold everywhere one member can reach another, and private contexts
stay private. Ada and Bob both know Cyd, so they are two degrees apart; then
one of them blocks the other. Whoever blocked whom, neither can start
anything with the other or put a word in the other's inbox -- through any
event handler, called the way a hostile browser can -- while what they had
under way can still be finished, so no karma or IOU gets stuck. The blocked
one gets "not found" for the blocker's profile and listings; the graph's
suggestions leave them both out. A stranger walking context ids learns
nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func
from sqlmodel import select

from marketplace.accounts import privacy, profiles, submissions
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, NotFound
from marketplace.ious import ious
from marketplace.market import asks, engagement_views, listings, market_search
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    Engagement,
    EngagementEvent,
    Interaction,
    Intro,
    Iou,
    IouEvent,
    LedgerTransfer,
    Listing,
    ListingViewer,
    MemberTag,
    Message,
    Notification,
    NudgeFeedback,
    OffsetProposal,
    Review,
)
from marketplace.network import blocks as block_checks
from marketplace.network import (
    connections,
    directory,
    graph_views,
    groups,
    intros,
    nudges,
)
from marketplace.states.engagements import EngagementState
from marketplace.states.ious import IousState
from marketplace.states.market import ListingFormState, ListingState
from marketplace.states.people import DashboardState
from marketplace.states.profile import PublicProfileState
from marketplace.states.wallet import WalletState
from tests.integration.forms import keyed
from tests.integration.ious.test_ious import do, open_iou, write
from tests.integration.ledger.test_wallet import available, member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_connections import connected
from tests.integration.network.test_graph_index import add_members, connect, tag
from tests.integration.network.test_intros import ask_intro, forward
from tests.integration.test_state_security import state_of
from tests.members import credit_limit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
NO_CONTEXT = "No such context."
NO_LISTING = "No such listing, or it isn't shown to you."


# --------------------------------------------------------------------------- helpers


def block(blocker, blocked) -> None:
    with unit_of_work() as s:
        connections.block_member(s, actor_id=blocker.member_id, handle=blocked.handle)


def announce(owner, title: str = "SaaS Summit 2027", *tags: str) -> int:
    """An open context, written straight to the database (the in-memory
    graph reads it when it loads)."""
    with unit_of_work() as s:
        context = Context(
            member_id=owner if isinstance(owner, int) else owner.member_id,
            kind="event",
            title=title,
            status="open",
            created_at=datetime.now(UTC),
        )
        s.add(context)
        s.flush()
        s.add_all(ContextTag(context_id=context.id, tag=t) for t in tags or ["events"])
        return context.id


def free(author, kind: str, **extra) -> int:
    return post(author, kind=kind, terms="free", price=0, **extra)


def inbox_of(person) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text)
                .where(Notification.member_id == person.member_id)
                .order_by(Notification.id)
            )
        )


WATCHED = (
    Listing,
    ListingViewer,
    Engagement,
    EngagementEvent,
    Iou,
    IouEvent,
    OffsetProposal,
    LedgerTransfer,
    Message,
    Review,
    Intro,
    Connection,
    Interaction,
    Notification,
    NudgeFeedback,
)


def everything() -> tuple:
    """Every row one member's act on another could write, and the states
    of what is under way."""
    with read_only() as s:
        counts = tuple(
            s.exec(select(func.count()).select_from(table)).one() for table in WATCHED
        )
        under_way = (
            tuple(s.exec(select(Engagement.status).order_by(Engagement.id)).all()),
            tuple(s.exec(select(Iou.status).order_by(Iou.id)).all()),
            tuple(s.exec(select(Connection.status).order_by(Connection.id)).all()),
        )
    return counts, under_way


@pytest.fixture
def pair(ada, bo, cy):
    """Ada and Bob each know Cyd: two degrees apart, not connected; each
    with room to owe in IOUs."""
    connected(ada, cy)
    connected(bo, cy)
    for someone in (ada, bo):
        credit_limit(someone.member_id, 20)
    return ada, bo, cy


# ------------------------------------------------ every handler that names a member

# What exists before the block, for Ada to act on after it. Each returns the
# handler's arguments; some also fill the vars a loaded page would hold.


def bobs_context(_ada, bob, _state) -> tuple:
    return (announce(bob),)


def a_listing_only_bob_sees(_ada, _bob, state) -> tuple:
    form = {
        "kind": "offer",
        "title": "Coffee and a pricing chat",
        "description": "",
        "tags": "pricing",
        "terms": "free",
        "price": "",
        "capacity": 1,
        "audience": "chosen",
        "chosen": "bob",
    }
    return (keyed(state, "listing", form),)


def bobs_offer(_ada, bob, state) -> tuple:
    booking = {"listing_id": free(bob, "offer"), "note": "Could you?"}
    return (keyed(state, "booking", booking),)


def bobs_request(_ada, bob, state) -> tuple:
    booking = {"listing_id": free(bob, "request"), "note": "I can help"}
    return (keyed(state, "booking", booking),)


def my_request_bob_was_suggested_for(ada, bob, state) -> tuple:
    with unit_of_work() as s:
        s.add(MemberTag(member_id=bob.member_id, kind="give", tag="pricing"))
    request = free(ada, "request", tags="pricing")
    with read_only() as s:
        state.listing = listings.listing_view(s, ada.member_id, request)
        suggested = asks.candidates(s, actor_id=ada.member_id, listing_id=request)
    assert "bob" in [c.handle for c in suggested]  # before the block
    return ({"ask:bob": "on"},)


def an_iou_bob_would_owe(_ada, _bob, state) -> tuple:
    iou = {"counterpart": "bob", "direction": "owes_me", "amount": "3"}
    return (keyed(state, "iou", iou),)


def our_mutual_debt(ada, bob, _state) -> tuple:
    open_iou(ada, bob, 4)
    open_iou(bob, ada, 2)
    return ("bob",)


def bobs_iou_for_me_to_accept(_ada, bob, _state) -> tuple:
    return (write(bob, "ada", "owes_me", 3),)


def karma_for_bob(_ada, _bob, _state) -> tuple:
    return ({"to_handle": "bob", "amount": "2", "key": "gift-form-0001"},)


def bobs_profile_page(_ada, _bob, state) -> tuple:
    with read_only() as s:
        state.profile = profiles.public_profile(s, "bob")
    return (keyed(state, "connect", {"note": "Let's connect"}),)


def bobs_profile_page_for_an_intro(ada, bob, state) -> tuple:
    bobs_profile_page(ada, bob, state)
    intro = {"via": "cyd", "message": "Cyd says you know pricing."}
    return (keyed(state, "intro", intro),)


def our_engagement(ada, bob, state) -> tuple:
    engagement = propose(bob, free(ada, "request"))
    act(ada, engagement, "accept")
    message = {"engagement_id": engagement, "body": "Still on for Friday?"}
    return (keyed(state, "message", message),)


def bobs_booking_of_my_offer(ada, bob, _state) -> tuple:
    engagement = propose(bob, free(ada, "offer"))
    return ({"engagement_id": engagement, "action": "accept"},)


@dataclass(frozen=True)
class Reach:
    """One way Ada could reach Bob: the handler, the state var its refusal
    shows in, and what must exist first."""

    state: type
    handler: str
    error_var: str
    before: Callable[..., tuple]

    def __str__(self) -> str:
        return f"{self.state.__name__}.{self.handler}:{self.before.__name__}"


REACHES = [
    Reach(DashboardState, "offer_help", "nudge_error", bobs_context),
    Reach(ListingFormState, "save", "form_error", a_listing_only_bob_sees),
    Reach(ListingState, "propose", "action_error", bobs_offer),
    Reach(ListingState, "propose", "action_error", bobs_request),
    Reach(
        ListingState, "send_to_chosen", "ask_error", my_request_bob_was_suggested_for
    ),
    Reach(IousState, "propose", "propose_error", an_iou_bob_would_owe),
    Reach(IousState, "propose_offset", "action_error", our_mutual_debt),
    Reach(IousState, "accept", "action_error", bobs_iou_for_me_to_accept),
    Reach(WalletState, "send_karma", "gift_error", karma_for_bob),
    Reach(PublicProfileState, "connect", "connect_error", bobs_profile_page),
    Reach(
        PublicProfileState,
        "request_intro",
        "connect_error",
        bobs_profile_page_for_an_intro,
    ),
    Reach(EngagementState, "send_message", "message_error", our_engagement),
    Reach(EngagementState, "act", "action_error", bobs_booking_of_my_offer),
]


@pytest.mark.parametrize(
    "ada_blocked_bob", [True, False], ids=["ada-blocked", "bob-blocked"]
)
@pytest.mark.parametrize("reach", REACHES, ids=str)
def test_a_blocked_pair_is_refused_and_nothing_changes(pair, reach, ada_blocked_bob):
    ada, bob, _ = pair
    state = state_of(reach.state, ada.token)
    args = reach.before(ada, bob, state)
    block(*((ada, bob) if ada_blocked_bob else (bob, ada)))
    before, bobs_inbox = everything(), inbox_of(bob)

    getattr(reach.state, reach.handler).fn(state, *args)

    # refused for the block, not for a missing form key
    assert getattr(state, reach.error_var) not in ("", submissions.STALE)
    assert everything() == before
    assert inbox_of(bob) == bobs_inbox


# ------------------------------------------------------------------ what is private


def test_a_stranger_walking_context_ids_gets_not_found_and_writes_nothing(pair):
    ada, bob, cyd = pair
    dan = member("dan")  # a brand-new account, connected to nobody
    walked = [
        announce(ada, "Moving to Lisbon in the spring"),
        announce(bob, "Hiring a senior backend engineer"),
        announce(cyd, "Raising a seed round"),
    ]
    closed = announce(cyd, "Last year's offsite")
    with unit_of_work() as s:
        s.get(Context, closed).status = "closed"
    before = everything()
    dashboard = state_of(DashboardState, dan.token)
    refusals = set()
    for context_id in [*walked, closed, closed + 1, 10**6, "1", None, -1]:
        DashboardState.offer_help.fn(dashboard, context_id)
        refusals.add(dashboard.nudge_error)
    assert refusals == {NO_CONTEXT}  # a private context reads as a missing one
    assert everything() == before


def test_offering_help_reaches_two_degrees_and_no_further(pair):
    ada, bob, cyd = pair
    dee = member("dee")
    connected(dee, bob)  # Dee is three steps from Ada: Dee - Bob - Cyd - Ada
    lisbon = announce(ada, "Moving to Lisbon in the spring")
    for near in (cyd, bob):
        dashboard = state_of(DashboardState, near.token)
        DashboardState.offer_help.fn(dashboard, lisbon)
        assert dashboard.nudge_error == ""
    far = state_of(DashboardState, dee.token)
    DashboardState.offer_help.fn(far, lisbon)
    assert far.nudge_error == NO_CONTEXT
    assert inbox_of(ada)[-2:] == [
        "Cyd offers to help with Moving to Lisbon in the spring.",
        "Bob offers to help with Moving to Lisbon in the spring.",
    ]


def test_the_blocked_member_gets_not_found_for_the_blockers_profile_and_listings(
    pair,
):
    ada, bob, _ = pair
    hers, his = free(ada, "offer"), free(bob, "offer")
    block(ada, bob)
    with read_only() as s:
        with pytest.raises(NotFound) as for_ada:
            profiles.public_profile(s, "ada", viewer_id=bob.member_id)
        with pytest.raises(NotFound) as for_nobody:
            profiles.public_profile(s, "adah", viewer_id=bob.member_id)
        assert str(for_ada.value) == str(for_nobody.value).replace("adah", "ada")
        # Ada still opens Bob's page, to unblock him from there
        assert (
            profiles.public_profile(s, "bob", viewer_id=ada.member_id).handle == "bob"
        )
        assert connections.relationship(s, ada.member_id, bob.member_id) == "blocked"
        for viewer, listing in ((bob, hers), (ada, his)):
            with pytest.raises(NotFound, match=NO_LISTING):
                listings.listing_view(s, viewer.member_id, listing)
            found, _ = market_search.search(
                s, viewer_id=viewer.member_id, filters=market_search.Filters()
            )
            own = his if viewer is bob else hers
            assert [v.id for v in found] == [own]
    with unit_of_work() as s:
        connections.unblock_member(s, actor_id=ada.member_id, handle="bob")
    with read_only() as s:
        assert profiles.public_profile(s, "ada", viewer_id=bob.member_id).handle
        assert listings.listing_view(s, bob.member_id, hers).id == hers


def test_the_directory_and_the_dashboards_matches_leave_blocked_members_out(pair):
    ada, bob, cyd = pair
    with unit_of_work() as s:
        s.add(MemberTag(member_id=ada.member_id, kind="get", tag="pricing"))
        for helper in (bob, cyd):
            s.add(MemberTag(member_id=helper.member_id, kind="give", tag="pricing"))
    block(bob, ada)
    with read_only() as s:
        for viewer, other in ((ada, bob), (bob, ada)):
            people, _ = directory.browse(s, viewer_id=viewer.member_id)
            assert other.handle not in [p.handle for p in people]
        helpers = directory.shared_tags(
            s, member_id=ada.member_id, mine="get", theirs="give"
        )
        assert set(helpers) == {cyd.member_id}


# ------------------------------------------------------------ what was under way


def test_an_engagement_under_way_is_finished_across_a_block_and_nobody_is_told(pair):
    ada, bob, _ = pair
    engagement = propose(bob, post(ada, kind="request", terms="karma", price=4))
    act(ada, engagement, "accept")  # 4 karma held from Ada for Bob
    block(ada, bob)
    told = inbox_of(ada), inbox_of(bob)
    assert act(bob, engagement, "deliver") == "delivered"
    assert act(ada, engagement, "confirm") == "confirmed"
    assert (available(ada.member_id), available(bob.member_id)) == (-4, 4)
    assert (inbox_of(ada), inbox_of(bob)) == told
    with read_only() as s:  # both still open it, to review or dispute it
        for person in (ada, bob):
            view = engagement_views.engagement_view(s, person.member_id, engagement)
            assert view.status == "confirmed"


def test_a_proposal_between_a_blocked_pair_can_be_declined_but_not_accepted(pair):
    ada, bob, _ = pair
    engagement = propose(bob, free(ada, "offer"))
    block(bob, ada)
    with pytest.raises(Conflict):
        act(ada, engagement, "accept")
    assert act(ada, engagement, "decline") == "declined"


def test_open_ious_are_still_settled_across_a_block(pair):
    ada, bob, _ = pair
    owed = open_iou(ada, bob, 5)  # Bob owes Ada 5
    asked = write(ada, "bob", "owes_me", 3)  # waits for Bob
    mine = write(bob, "ada", "owes_me", 2)  # Bob's, waiting for Ada
    block(ada, bob)
    do(ious.settle_in_karma, bob, iou_id=owed, amount=2, key="settle-form-01")
    do(ious.record_settlement, ada, iou_id=owed, kind="forgiven", amount=None)
    with pytest.raises(Conflict):
        do(ious.accept_iou, bob, iou_id=asked)
    assert do(ious.decline_iou, bob, iou_id=asked).status == "declined"
    assert do(ious.cancel_iou, bob, iou_id=mine).status == "cancelled"
    with read_only() as s:
        assert s.get(Iou, owed).status == "forgiven"
    assert (available(ada.member_id), available(bob.member_id)) == (2, -2)


def test_an_intro_asked_before_a_block_is_not_forwarded(pair):
    ada, bob, cyd = pair
    intro = ask_intro(ada, target="bob", via="cyd")
    block(bob, ada)
    bobs_inbox = inbox_of(bob)
    with pytest.raises(Conflict):
        forward(cyd, intro)
    assert inbox_of(bob) == bobs_inbox
    with read_only() as s:
        assert s.get(Intro, intro).status == "requested"
        assert intros.intros_of(s, bob.member_id) == []


# ---------------------------------------------------------------- the graph's advice


@pytest.fixture
def town(engine):
    """Ada needs pricing help. Cyd, her connection, knows Bob and Dee, who
    both know pricing (Bob better: a warmer tie). Bob also knows Fay, whom
    Ada would like to meet; so does Eve, Ada's cooler connection."""
    ada, bob, cyd, dee, eve, fay = add_members("ada", "bob", "cyd", "dee", "eve", "fay")
    connect(ada, cyd, warmth=3.0)
    connect(cyd, bob, warmth=3.0)
    connect(cyd, dee, warmth=0.5)
    connect(bob, fay, warmth=3.0)
    connect(ada, eve, warmth=0.3)
    connect(eve, fay, warmth=0.3)
    tag(ada, "events")
    tag(bob, "pricing")
    tag(dee, "pricing")
    return ada, bob, cyd, dee, eve, fay


def blocks(blocker: int, handle: str) -> None:
    with unit_of_work() as s:
        connections.block_member(s, actor_id=blocker, handle=handle, clock=CLOCK)


def test_who_to_ask_suggests_the_next_best_instead_of_a_blocked_member(town):
    ada, bob, cyd, dee, _eve, _fay = town
    request = _pricing_request(ada)
    blocks(bob, "ada")
    with read_only() as s:
        found = asks.candidates(s, actor_id=ada, listing_id=request)
        feed = nudges.feed(s, ada, CLOCK, 20)
    assert [c.handle for c in found] == ["dee"]
    intros_suggested = [(n.person_id, n.via_id) for n in feed if n.kind == "intro"]
    assert intros_suggested == [(dee, cyd)]
    assert bob not in {n.person_id for n in feed}


def _pricing_request(author: int) -> int:
    form = {
        "kind": "request",
        "title": "Pricing page teardown",
        "description": "",
        "tags": "pricing",
        "terms": "free",
        "price": 0,
        "capacity": 1,
        "audience": "public",
    }
    with unit_of_work() as s:
        return listings.create_listing(s, actor_id=author, form=form, clock=CLOCK).id


def test_context_nudges_leave_out_a_blocked_owner(town):
    ada, bob, _cyd, dee, _eve, _fay = town
    bobs = announce(bob, "Pricing workshop", "events")
    dees = announce(dee, "Pricing meetup", "events")
    with read_only() as s:
        before = {n.context_id for n in nudges.feed(s, ada, CLOCK, 20)}
    assert {bobs, dees} <= before
    blocks(bob, "ada")
    with read_only() as s:
        after = {n.context_id for n in nudges.feed(s, ada, CLOCK, 20)}
    assert dees in after and bobs not in after


def test_intro_paths_and_the_network_picture_avoid_whoever_blocked_me(town):
    ada, bob, _cyd, _dee, _eve, fay = town
    with unit_of_work() as s:  # a 3-hop path names whom Bob knows: he lets us
        privacy.change(
            s, actor_id=bob, member_id=bob, name="connections", value="second"
        )
    with read_only() as s:
        before = graph_views.paths_to(s, ada, fay, CLOCK)
    # Eve is a mutual connection: her two hops come before the warmer three
    assert [p.names for p in before] == [
        ["You", "Eve", "Fay"],
        ["You", "Cyd", "Bob", "Fay"],
    ]
    blocks(bob, "ada")
    with read_only() as s:
        paths = graph_views.paths_to(s, ada, fay, CLOCK)
        nodes, _ = graph_views.ego_picture(s, ada, CLOCK)
    assert [p.names for p in paths] == [["You", "Eve", "Fay"]]
    assert "bob" not in [n.handle for n in nodes]
    assert {"cyd", "eve", "dee", "fay"} <= {n.handle for n in nodes}


def test_a_group_feed_leaves_out_a_blocked_members_posts_and_face(pair):
    ada, bob, cyd = pair
    with unit_of_work() as s:
        club = groups.create_group(s, actor_id=bob.member_id, name="Pricing club")
        for person in (ada, cyd):
            groups.join_group(s, member_id=person.member_id, group_id=club.id)
    free(bob, "request", title="Bob's public question")
    announce(bob, "Bob's summit")
    free(cyd, "request", title="Cyd's public question")
    block(bob, ada)
    with read_only() as s:
        page = groups.group_view(s, ada.member_id, club.slug)
    assert [item.author_handle for item in page.feed] == ["cyd"]
    assert [chip.handle for chip in page.members] == ["ada", "cyd"]


def test_a_block_written_in_the_same_session_is_seen_at_once(pair):
    """The block check remembers its answer per session, and forgets it as
    soon as the session writes a connection."""
    ada, bob, _ = pair
    with unit_of_work() as s:
        assert not block_checks.blocked_between(s, ada.member_id, bob.member_id)
        connections.block_member(s, actor_id=ada.member_id, handle=bob.handle)
        assert block_checks.blocked_between(s, bob.member_id, ada.member_id)
        s.exec(delete(Connection).where(Connection.status == "blocked"))
        assert not block_checks.blocked_between(s, ada.member_id, bob.member_id)
