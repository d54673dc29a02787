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
