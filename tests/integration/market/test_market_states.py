"""Marketplace and engagement event handlers called the way a hostile browser
can: any handler, any arguments. A third member sending someone else's ids is
refused and nothing changes; bad input gets a message and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.models import (
    Engagement,
    EngagementEvent,
    LedgerTransfer,
    Listing,
    Member,
    Message,
    Review,
)
from marketplace.states.engagements import DisputesState, EngagementState
from marketplace.states.market import ListingFormState, ListingState, MarketState
from tests.integration.forms import posted, shown
from tests.integration.ledger.test_wallet import available, member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.test_state_security import state_of
from tests.payments_fixtures import save_card


@pytest.fixture
def trio(engine):
    return member("ada"), member("bob"), member("cyd")


def snapshot():
    with read_only() as s:
        return tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (
                Listing,
                Engagement,
                EngagementEvent,
                LedgerTransfer,
                Message,
                Review,
            )
        ) + tuple(s.exec(select(Engagement.status).order_by(Engagement.id)).all())


def engagement_state(token):
    return state_of(EngagementState, token)


def test_a_member_posts_a_listing_and_finds_it_by_searching(trio):
    ada, bob, _ = trio
    form = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(form)
    ListingFormState.save.fn(
        form,
        posted(
            form,
            "listing",
            form.draft
            | {"title": "Need an intro to a B2B SEO consultant", "tags": "seo"},
        ),
    )
    assert form.form_error == ""
    browse = state_of(MarketState, bob.token)
    MarketState.load.fn(browse)
    MarketState.search.fn(browse, {"query": "consult"})
    assert [r.title for r in browse.results] == [
        "Need an intro to a B2B SEO consultant"
    ]


def test_a_bad_listing_gets_a_message_and_nothing_is_written(trio):
    ada = trio[0]
    form = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(form)
    before = snapshot()
    ListingFormState.save.fn(
        form,
        posted(
            form, "listing", form.draft | {"title": "<b>hi</b> there", "price": "-3"}
        ),
    )
    assert "plain text" in form.form_error
    ListingFormState.save.fn(form, "not a form")
    assert "malformed" in form.form_error
    assert snapshot() == before


def test_editing_someone_elses_listing_by_forging_its_id_is_refused(trio):
    ada, bob, _ = trio
    listing = post(ada)
    form = state_of(ListingFormState, bob.token)
    form.editing_id = listing  # a browser cannot set this, but even if it could
    before = snapshot()
    ListingFormState.save.fn(
        form,
        {
            "kind": "request",
            "title": "Hacked title",
            "terms": "free",
            "audience": "public",
        },
    )
    assert form.form_error != ""
    assert snapshot() == before
    listing_state = state_of(ListingState, bob.token)
    ListingState.change_status.fn(listing_state, listing, "close")
    assert "Only the person who posted" in listing_state.action_error
    with read_only() as s:
        assert s.get(Listing, listing).status == "open"


@pytest.mark.parametrize(
    "action", ["accept", "decline", "cancel", "deliver", "confirm"]
)
def test_a_third_member_forging_an_engagement_id_is_refused(trio, action):
    ada, bob, cyd = trio
    engagement = propose(bob, post(ada))
    before = snapshot()
    state = shown(engagement_state(cyd.token), "message", "review")
    EngagementState.act.fn(state, {"engagement_id": engagement, "action": action})
    assert state.action_error == "No such engagement."
    EngagementState.send_message.fn(
        state, posted(state, "message", {"engagement_id": engagement, "body": "hi"})
    )
    assert state.message_error == "No such engagement."
    EngagementState.review.fn(
        state, posted(state, "review", {"engagement_id": engagement, "rating": 5})
    )
    assert state.review_error == "No such engagement."
    assert snapshot() == before


@pytest.mark.parametrize(
    "forged", [None, "", "x", -1, 0, 2**40, 1.5, True, [1], {"id": 1}, "1 OR 1=1"]
)
def test_garbage_ids_are_refused_without_a_crash(trio, forged):
    ada, bob, _ = trio
    propose(bob, post(ada))
    before = snapshot()
    state = engagement_state(ada.token)
    EngagementState.act.fn(state, {"engagement_id": forged, "action": "accept"})
    assert state.action_error == "No such engagement."
    listing_state = shown(state_of(ListingState, bob.token), "booking")
    ListingState.propose.fn(
        listing_state,
        posted(listing_state, "booking", {"listing_id": forged, "note": "hi"}),
    )
    assert listing_state.action_error.startswith("No such listing")
    assert snapshot() == before


def test_a_signed_out_browser_is_sent_to_log_in_and_nothing_happens(trio):
    ada, bob, _ = trio
    engagement = propose(bob, post(ada))
    before = snapshot()
    state = engagement_state("")
    result = EngagementState.act.fn(
        state, {"engagement_id": engagement, "action": "accept"}
    )
    assert "login" in str(result)
    assert snapshot() == before


def test_the_whole_loop_through_the_handlers(trio):
    ada, bob, _ = trio
    listing = post(ada, price=5)
    offer = shown(state_of(ListingState, bob.token), "booking")
    ListingState.propose.fn(
        offer, posted(offer, "booking", {"listing_id": listing, "note": "I can help"})
    )
    with read_only() as s:
        engagement = s.exec(select(Engagement.id)).one()
    steps = [(ada, "accept"), (bob, "deliver"), (ada, "confirm")]
    for actor, action in steps:
        state = engagement_state(actor.token)
        EngagementState.act.fn(state, {"engagement_id": engagement, "action": action})
        assert state.action_error == ""
    assert available(ada.member_id) == -5 and available(bob.member_id) == 5
    state = shown(engagement_state(ada.token), "review")
    review = {"engagement_id": engagement, "rating": "5", "review": "Sharp and kind"}
    EngagementState.review.fn(state, posted(state, "review", review))
    assert state.review_error == ""
    EngagementState.review.fn(
        state, posted(state, "review", {"engagement_id": engagement, "rating": "4"})
    )
    assert "already" in state.review_error


def test_a_sent_message_shows_in_the_thread_with_the_page_as_it_was(trio):
    ada, bob, _ = trio
    engagement = propose(bob, post(ada))
    act(ada, engagement, "accept")
    state = shown(engagement_state(ada.token), "message")
    EngagementState._refresh(state, ada.member_id, engagement)
    shown_before = state.engagement
    act(bob, engagement, "deliver")  # the other side moves meanwhile

    EngagementState.send_message.fn(
        state,
        posted(state, "message", {"engagement_id": engagement, "body": "Still on?"}),
    )

    assert state.message_error == ""
    assert [(m.body, m.mine) for m in state.messages] == [("Still on?", True)]
    # sending re-reads the thread only; the status comes with the next load
    assert state.engagement == shown_before
    EngagementState._refresh(state, ada.member_id, engagement)
    assert state.engagement.status == "delivered"


def disputed(asker, helper) -> int:
    """An engagement the asker disputed after the helper delivered."""
    engagement = propose(helper, post(asker))
    act(asker, engagement, "accept")
    act(helper, engagement, "deliver")
    act(asker, engagement, "dispute", note="No show")
    return engagement


def test_only_operators_see_and_resolve_disputes(trio):
    ada, bob, cyd = trio
    engagement = disputed(ada, bob)
    desk = state_of(DisputesState, cyd.token)
    DisputesState.load.fn(desk)
    assert desk.allowed is False and desk.disputes == []
    DisputesState.resolve.fn(
        desk, {"engagement_id": engagement, "resolution": "release"}
    )
    assert desk.resolve_error == "No such engagement."
    with unit_of_work() as s:
        s.get(Member, cyd.member_id).is_operator = True
    DisputesState.load.fn(desk)
    assert [d.reason for d in desk.disputes] == ["No show"]
    DisputesState.resolve.fn(
        desk, {"engagement_id": engagement, "resolution": "refund"}
    )
    assert desk.resolve_error == "" and desk.disputes == []
    assert available(ada.member_id) == 0


def test_a_demoted_operator_stops_seeing_disputes_at_once(trio):
    ada, bob, cyd = trio
    disputed(ada, bob)
    with unit_of_work() as s:
        s.get(Member, cyd.member_id).is_operator = True
    desk = state_of(DisputesState, cyd.token)
    DisputesState.load.fn(desk)  # the worker now remembers cyd as an operator
    assert [d.reason for d in desk.disputes] == ["No show"]
    with unit_of_work() as s:
        s.get(Member, cyd.member_id).is_operator = False
    DisputesState.load.fn(desk)
    assert desk.allowed is False and desk.disputes == []


def test_the_dashboard_shows_what_waits_for_me_and_requests_i_could_help_with(trio):
    from marketplace.accounts import profiles
    from marketplace.states.people import DashboardState

    ada, bob, cyd = trio
    with unit_of_work() as s:
        profiles.replace_tags(s, bob.member_id, {"give": ["pricing"]})
    post(ada, title="Review my SaaS pricing page", tags="pricing")
    post(cyd, title="Need a logo for my bakery", tags="design")
    engagement = propose(
        ada, post(bob, kind="offer", price=2, title="Pricing teardown")
    )
    board = state_of(DashboardState, bob.token)
    list(DashboardState.load.fn(board))
    assert [r.title for r in board.requests] == ["Review my SaaS pricing page"]
    assert [(w.id, w.other_name) for w in board.waiting] == [(engagement, "Ada")]


def test_a_full_listing_leaves_the_browse_list_but_keeps_its_page(trio):
    ada, bob, cyd = trio
    listing = post(ada, title="Review my SaaS pricing page", price=1)
    act(ada, propose(bob, listing), "accept")
    browse = state_of(MarketState, cyd.token)
    MarketState.load.fn(browse)
    assert browse.total == 0
    page = state_of(ListingState, cyd.token)
    ListingState._refresh(page, cyd.member_id, listing)
    assert page.listing.spots_left == 0 and page.can_propose is False
    assert page.why_closed == "This listing is full: every spot is taken."
    mine = state_of(ListingState, bob.token)
    ListingState._refresh(mine, bob.member_id, listing)
    assert mine.my_engagement_id > 0 and mine.can_propose is False


def test_your_move_means_a_move_only_you_can_make(trio):
    from marketplace.states.engagements import EngagementsState

    ada, bob, _ = trio
    engagement = propose(bob, post(ada, price=2))
    lists = {who: state_of(EngagementsState, who.token) for who in (ada, bob)}
    for state in lists.values():
        EngagementsState.load.fn(state)
    assert lists[ada].items[0].needs_me is True  # accept or decline
    assert lists[bob].items[0].needs_me is False  # only withdrawing
    assert lists[bob].items[0].hint == "Waiting for Ada to answer."
    act(ada, engagement, "accept")
    EngagementsState.load.fn(lists[ada])
    assert lists[ada].items[0].needs_me is False
    assert lists[ada].items[0].hint.startswith("Bob is on it.")


def test_a_consultant_posts_an_hourly_rate_and_a_client_books_three_hours(
    trio, stripe_env
):
    ada, bob, _ = trio
    form = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(form)
    assert form.paid_available
    ListingFormState.choose_terms.fn(form, "paid")
    assert form.terms_choice == "paid"
    ListingFormState.save.fn(
        form,
        posted(
            form,
            "listing",
            form.draft
            | {
                "kind": "offer",
                "title": "Pricing teardown call",
                "terms": "paid",
                "price": "120",
                "currency": "eur",
                "rate_kind": "hourly",
            },
        ),
    )
    assert form.form_error == ""
    with read_only() as s:
        listing_id = s.exec(select(Listing.id)).one()
    page = shown(state_of(ListingState, bob.token), "booking")
    ListingState._refresh(page, bob.member_id, listing_id)
    assert page.listing.price_label == "€120.00 per hour"
    ListingState.propose.fn(
        page, posted(page, "booking", {"listing_id": listing_id, "hours": "3"})
    )
    assert page.action_error == ""
    engagement_id = _only_engagement()
    view = engagement_state(bob.token)
    EngagementState._refresh(view, bob.member_id, engagement_id)
    assert view.engagement.card_step == "add_card"  # Bob has no card yet
    assert view.engagement.card_wait.startswith("Add a card in your wallet")
    save_card(bob.member_id)
    act(ada, engagement_id, "accept")
    EngagementState._refresh(view, bob.member_id, engagement_id)
    assert view.engagement.card_wait == ""
    assert view.engagement.terms_label == "€360.00 for 3 hours"
    assert view.engagement.payment == (
        "Card held for €360.00: charged when the asker confirms delivery."
    )


def _only_engagement() -> int:
    with read_only() as s:
        return s.exec(select(Engagement.id)).one()


def test_without_stripe_keys_paid_terms_are_explained_and_refused(trio, monkeypatch):
    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY", raising=False)
    ada = trio[0]
    form = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(form)
    assert not form.paid_available
    assert "no Stripe account" in form.paid_unavailable_reason
    before = snapshot()
    paid = {"title": "Pricing teardown call", "terms": "paid", "price": "5"}
    ListingFormState.save.fn(form, posted(form, "listing", form.draft | paid))
    assert "Card payments aren't set up" in form.form_error
    assert snapshot() == before
