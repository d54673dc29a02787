"""Saving, choosing and removing cards (ledger/cards.py) against localstripe:
a card is a member's only when the SetupIntent this app made for their
customer succeeded with it; another member's setup, forged ids and removed
cards are refused. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.ledger import cards
from marketplace.models import Member, SavedCard
from tests.integration.ledger.test_wallet import member
from tests.payments_fixtures import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    card_setup_typed,
    save_card,
)


@pytest.fixture
def ada(engine, stripe_env):
    return member("ada")


def typed(who, number: str, **browser) -> str:
    return card_setup_typed(who.member_id, number, **browser)


def save(who, number: str = CARD_OK, **browser) -> cards.CardView:
    return save_card(who.member_id, number, **browser)


def listed(who) -> list[tuple[str, bool]]:
    with read_only() as s:
        return [(c.last4, c.is_default) for c in cards.cards_of(s, who.member_id)]


def test_the_first_card_saved_is_the_default_and_shows_only_its_last_4(ada):
    first = save(ada)
    assert (first.brand, first.last4, first.expires) == ("visa", "4242", "12/2034")
    save(ada, CARD_3DS)  # the bank asked; the member authenticated
    assert listed(ada) == [("4242", True), ("3155", False)]
    with read_only() as s:
        customer = s.get(Member, ada.member_id).stripe_customer_id
    assert customer.startswith("cus_")
    assert save(ada).last4 == "4242"  # one customer however many cards


def test_a_declined_card_or_a_refused_authentication_saves_nothing(ada):
    for number, browser in ((CARD_DECLINED, {}), (CARD_3DS, {"authenticate": False})):
        with pytest.raises(InvalidInput, match="didn't accept the card"):
            save(ada, number, **browser)
    assert listed(ada) == []


def test_reporting_the_same_setup_twice_saves_one_card(ada):
    setup_id = typed(ada, CARD_OK)
    for _ in range(2):  # a double click, or a retried request
        with unit_of_work() as s:
            cards.card_saved(s, actor_id=ada.member_id, setup_id=setup_id)
    assert listed(ada) == [("4242", True)]


def test_another_members_setup_is_refused_and_saves_nothing(ada):
    bob = member("bob")
    adas = typed(ada, CARD_OK)
    with unit_of_work() as s:
        cards.start_card_setup(s, actor_id=bob.member_id)  # Bob has a customer too
    with unit_of_work() as s, pytest.raises(NotFound):
        cards.card_saved(s, actor_id=bob.member_id, setup_id=adas)
    assert listed(bob) == []


@pytest.mark.parametrize(
    "forged", [None, 7, "pm_123", "seti_", "seti_x/../y", "x" * 300]
)
def test_a_forged_setup_id_is_refused(ada, forged):
    with unit_of_work() as s, pytest.raises((InvalidInput, NotFound)):
        cards.card_saved(s, actor_id=ada.member_id, setup_id=forged)


def test_a_member_chooses_the_default_and_removes_a_card(ada):
    save(ada)
    second = save(ada, CARD_3DS)
    with unit_of_work() as s:
        cards.make_default(s, actor_id=ada.member_id, card_id=second.id)
    assert listed(ada) == [("3155", True), ("4242", False)]
    with unit_of_work() as s:
        cards.remove_card(s, actor_id=ada.member_id, card_id=second.id)
    assert listed(ada) == [("4242", True)]  # the other one is the default now
    with unit_of_work() as s, pytest.raises(NotFound):  # gone is gone
        cards.make_default(s, actor_id=ada.member_id, card_id=second.id)


@pytest.mark.parametrize("forged", [None, "1", True, -1, 10**9])
def test_nobody_chooses_or_removes_another_members_card(ada, forged):
    mine = save(ada)
    bob = member("bob")
    for card_id in (mine.id, forged):
        for change in (cards.make_default, cards.remove_card):
            with unit_of_work() as s, pytest.raises((InvalidInput, NotFound)):
                change(s, actor_id=bob.member_id, card_id=card_id)
    assert listed(ada) == [("4242", True)]
    with read_only() as s:
        assert s.exec(select(func.count(SavedCard.id))).one() == 1
