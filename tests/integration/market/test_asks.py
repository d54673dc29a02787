"""Who to ask for my request, and a send to the chosen few: Ada needs pricing
help; Bob (her connection) and Cyd (Bob's) know pricing. SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.market import asks
from marketplace.models import MemberTag, Notification
from marketplace.network import connections
from marketplace.states.market import ListingState
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of


@pytest.fixture
def pricing(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    with unit_of_work() as s:
        for person in (bo, cy):
            s.add(MemberTag(member_id=person.member_id, kind="give", tag="pricing"))
    return post(ada, kind="request", tags="pricing")


def told(person) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text).where(
                    Notification.member_id == person.member_id,
                    Notification.kind == "ask",
                )
            )
        )


def send(asker, listing_id, handles):
    with unit_of_work() as s:
        return asks.send_request(
            s, actor_id=asker.member_id, listing_id=listing_id, handles=handles
        )


def test_first_and_second_degree_experts_are_suggested_with_reasons(ada, pricing):
    with read_only() as s:
        found = asks.candidates(s, actor_id=ada.member_id, listing_id=pricing)
    assert [(c.handle, c.degree) for c in found] == [
        ("bob", "Your connection"),
        ("cyd", "Through Bob"),
    ]
    assert all(c.reasons.startswith("knows pricing") for c in found)
    assert found[0].score == 100


def test_the_chosen_few_are_told_once(ada, bo, cy, pricing):
    assert send(ada, pricing, ["bob", "cyd"]) == ["bob", "cyd"]
    assert told(bo) == ["Ada thinks you could help: “Review my SaaS pricing page”"]
    assert len(told(cy)) == 1
    assert send(ada, pricing, ["bob"]) == []  # not told twice
    assert len(told(bo)) == 1
    with read_only() as s:
        assert all(
            c.asked
            for c in asks.candidates(s, actor_id=ada.member_id, listing_id=pricing)
        )


@pytest.mark.parametrize(
    "handles", [[], "bob", ["bob"] * 3 + ["a", "b", "c"], ["nobody"], [7]]
)
def test_bad_choices_are_refused_and_nobody_is_told(ada, bo, pricing, handles):
    with pytest.raises(InvalidInput):
        send(ada, pricing, handles)
    assert told(bo) == []


def test_strangers_can_not_be_asked_and_others_requests_not_sent(ada, bo, pricing):
    member("dee")
    with pytest.raises(InvalidInput, match="suggested"):
        send(ada, pricing, ["dee"])
    with pytest.raises(NotFound):
        send(bo, pricing, ["cyd"])  # Bob can't send Ada's request


def test_a_request_for_connections_only_can_not_go_to_the_second_degree(
    ada, bo, cy, pricing
):
    mine_only = post(ada, kind="request", tags="pricing", audience="network")
    with pytest.raises(InvalidInput, match="can't see this request"):
        send(ada, mine_only, ["bob", "cyd"])
    assert told(bo) == [] and told(cy) == []  # all or nothing


def test_the_listing_page_sends_to_the_people_ticked(ada, bo, cy, pricing):
    page = state_of(ListingState, ada.token)
    ListingState._refresh(page, ada.member_id, pricing)
    assert [c.handle for c in page.ask_candidates] == ["bob", "cyd"]
    ListingState.send_to_chosen.fn(page, {"ask:bob": "on", "ask:cyd": ""})
    assert page.ask_error == ""
    assert len(told(bo)) == 1 and told(cy) == []
    forged = state_of(ListingState, cy.token)
    ListingState._refresh(forged, cy.member_id, pricing)
    assert forged.ask_candidates == []
    forged.listing = page.listing  # a forged page: still refused
    ListingState.send_to_chosen.fn(forged, {"ask:bob": "on"})
    assert forged.ask_error != "" and len(told(bo)) == 1


def test_someone_already_offering_to_help_is_not_suggested(ada, bo, pricing):
    from tests.integration.market.test_engagements import propose

    propose(bo, pricing)
    with read_only() as s:
        found = asks.candidates(s, actor_id=ada.member_id, listing_id=pricing)
    assert [c.handle for c in found] == ["cyd"]


# ------------------------------------------------------------ a newcomer's request


@pytest.fixture
def newcomer(ada, bo, cy):
    """Ada just joined: no connections at all. Bob and Cyd know pricing."""
    with unit_of_work() as s:
        for person in (bo, cy):
            s.add(MemberTag(member_id=person.member_id, kind="give", tag="pricing"))
    return post(ada, kind="request", tags="pricing")


def panel(asker, listing_id) -> asks.AskPanel:
    with read_only() as s:
        return asks.ask_panel(s, actor_id=asker.member_id, listing_id=listing_id)


def test_a_newcomer_sees_who_to_ask_beyond_their_network_and_why(ada, newcomer):
    found = panel(ada, newcomer)
    assert found.near == []
    assert [c.handle for c in found.beyond] == ["bob", "cyd"]
    assert found.why == (
        "You have no connections yet, so nobody is within two steps of you. "
        "These members know pricing:"
    )
    assert "Connecting puts them in your network" in found.connecting
    assert all(
        (c.degree, c.can_ask, c.relationship) == ("Not connected yet", True, "none")
        for c in found.beyond
    )
    assert found.beyond[0].reasons.startswith("knows pricing")


def test_a_newcomer_can_ask_anyway_when_everyone_may_see_the_request(
    ada, bo, cy, newcomer
):
    assert send(ada, newcomer, ["cyd"]) == ["cyd"]
    assert told(cy) == ["Ada thinks you could help: “Review my SaaS pricing page”"]
    assert told(bo) == []
    assert [c.asked for c in panel(ada, newcomer).beyond] == [False, True]


def test_a_request_for_connections_only_says_connect_first(ada, bo, newcomer):
    mine_only = post(ada, kind="request", tags="pricing", audience="network")
    found = panel(ada, mine_only)
    assert [(c.can_ask, c.hint) for c in found.beyond] == [
        (False, "Only your connections see this request: connect first.")
    ] * 2
    with pytest.raises(InvalidInput, match="can't see this request"):
        send(ada, mine_only, ["bob"])
    assert told(bo) == []


def test_connect_first_asks_to_connect_naming_the_request(ada, bo, cy, newcomer):
    page = state_of(ListingState, ada.token)
    ListingState._refresh(page, ada.member_id, newcomer)
    assert page.ask_why.startswith("You have no connections yet")
    assert page.ask_can_send
    ListingState.connect_first.fn(page, "bob")
    assert page.ask_error == ""
    with read_only() as s:
        (request,) = connections.incoming_requests(s, bo.member_id)
    assert request.note == (
        "I'd like to ask you about my request “Review my SaaS pricing page”."
    )
    assert [c.relationship for c in page.ask_beyond] == ["asked", "none"]
    # only people suggested for my own open request
    ListingState.connect_first.fn(page, "ada")
    assert page.ask_error == "Choose someone suggested for this request."
    forged = state_of(ListingState, cy.token)
    forged.listing = page.listing
    ListingState.connect_first.fn(forged, "bob")
    assert forged.ask_error != ""
    with read_only() as s:
        assert connections.outgoing_requests(s, cy.member_id) == []


def test_each_person_beyond_shows_how_i_stand_with_them(ada, bo, cy, newcomer):
    """Bob asked me to connect (the button answers him); Cyd blocked me: she
    is never suggested, nor can she be asked."""
    dee = member("dee")
    with unit_of_work() as s:
        connections.request_connection(
            s, actor_id=bo.member_id, handle="ada", note="Saw your pricing post."
        )
        s.add(MemberTag(member_id=dee.member_id, kind="give", tag="pricing"))
    with unit_of_work() as s:
        connections.block_member(s, actor_id=cy.member_id, handle="ada")
    found = panel(ada, newcomer)
    assert [(c.handle, c.relationship) for c in found.beyond] == [
        ("bob", "asked_me"),
        ("dee", "none"),
    ]
    with pytest.raises(InvalidInput):
        send(ada, newcomer, ["cyd"])
    assert told(cy) == []


def test_when_nobody_knows_it_the_page_says_so(ada, newcomer):
    rare = post(ada, kind="request", tags="basket-weaving")
    found = panel(ada, rare)
    assert (found.near, found.beyond) == ([], [])
    assert found.why.startswith("Nobody lists basket weaving as something")
