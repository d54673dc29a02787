"""The wallet's Cards handlers (states/cards.py) called as a hostile browser
can: the member comes from the session cookie, never from the payload, and
another member's card or SetupIntent reads as none and changes nothing.
Against localstripe; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from marketplace import routes
from marketplace.db import read_only
from marketplace.ledger import cards
from marketplace.states.cards import CardsState
from tests.integration.ledger.test_cards import listed, save, typed
from tests.integration.ledger.test_wallet import member
from tests.integration.test_state_security import state_of
from tests.payments_fixtures import CARD_3DS, CARD_OK, TEST_PUBLISHABLE_KEY


@pytest.fixture
def stripe_js(stripe_env, monkeypatch):
    from marketplace.settings import get_settings

    monkeypatch.setenv("MARKETPLACE_STRIPE_PUBLISHABLE_KEY", TEST_PUBLISHABLE_KEY)
    monkeypatch.setenv("MARKETPLACE_STRIPE_JS_URL", f"{stripe_env}/js.stripe.com/v3/")
    get_settings.cache_clear()
    yield stripe_env
    get_settings.cache_clear()


@pytest.fixture
def ada(engine, stripe_js):
    return member("ada")


@pytest.fixture
def bob(engine, stripe_js):
    return member("bob")


def page(who, url: str = "/wallet") -> CardsState:
    state = state_of(CardsState, who.token, url=url)
    CardsState.load.fn(state)
    return state


def test_my_saved_cards_are_listed_by_name_the_default_first(ada):
    save(ada)
    save(ada, CARD_3DS)
    state = page(ada)
    assert [(c.name, c.is_default) for c in state.cards] == [
        ("Visa ending 4242", True),
        ("Visa ending 3155", False),
    ]
    assert state.cards[0].expires == "12/2034"


def test_adding_a_card_mounts_stripe_js_for_my_own_setup(ada):
    state = page(ada)
    event = CardsState.start_adding.fn(state)
    assert state.adding and state.card_error == ""
    script = str(event)
    assert "mountCard" in script and "_secret_" in script
    assert TEST_PUBLISHABLE_KEY in script and "/js.stripe.com/v3/" in script


def test_card_saved_keeps_the_card_the_page_reports(ada):
    setup_id = typed(ada, CARD_OK)
    state = page(ada)
    CardsState.card_saved.fn(state, setup_id)
    assert state.card_error == "" and state.saved_name == "Visa ending 4242"
    assert [c.name for c in state.cards] == ["Visa ending 4242"]


def test_what_stripe_js_reported_is_shown_and_nothing_is_saved(ada):
    state = page(ada)
    CardsState.card_saved.fn(state, "", "Your card was declined.")
    assert state.card_error == "Your card wasn't saved: Your card was declined."
    assert state.adding  # a new setup, for another try
    assert listed(ada) == []


def test_another_members_setup_is_refused_and_saves_nothing(ada, bob):
    setup_id = typed(ada, CARD_OK)  # Ada's, confirmed; Bob got hold of its id
    state = page(bob)
    CardsState.card_saved.fn(state, setup_id)
    assert state.card_error == "No such card setup."
    assert listed(bob) == [] and listed(ada) == []
    for forged in ("seti_forged", 42, None, {"id": setup_id}):
        CardsState.card_saved.fn(state, forged)
        assert state.card_error != ""
    assert listed(bob) == [] and listed(ada) == []


def test_another_member_can_neither_make_default_nor_remove_my_card(ada, bob):
    first, second = save(ada), save(ada, CARD_3DS)
    before = listed(ada)
    state = page(bob)
    for card_id in (second.id, first.id, str(first.id), -1, "1; DROP", None):
        CardsState.make_default.fn(state, card_id)
        assert state.card_error != ""
        state.card_error = ""
        CardsState.remove_card.fn(state, card_id)
        assert state.card_error != ""
        state.card_error = ""
    assert listed(ada) == before == [("4242", True), ("3155", False)]
    assert state.cards == []


def test_i_make_another_card_default_and_remove_one(ada):
    first, second = save(ada), save(ada, CARD_3DS)
    state = page(ada)
    CardsState.make_default.fn(state, second.id)
    assert [(c.last4, c.is_default) for c in state.cards] == [
        ("3155", True),
        ("4242", False),
    ]
    CardsState.remove_card.fn(state, second.id)
    assert [(c.last4, c.is_default) for c in state.cards] == [("4242", True)]
    assert state.card_error == ""
    with read_only() as s:
        assert cards.default_card(s, ada.member_id).id == first.id


def test_a_guest_changes_nothing(ada):
    first = save(ada)
    guest = state_of(CardsState, "")
    for handler, args in (
        (CardsState.make_default, (first.id,)),
        (CardsState.remove_card, (first.id,)),
        (CardsState.card_saved, ("seti_x",)),
        (CardsState.start_adding, ()),
    ):
        handler.fn(guest, *args)
    assert listed(ada) == [("4242", True)]
    assert guest.cards == [] and not guest.adding


def test_the_way_to_add_a_card_carries_the_page_to_come_back_to():
    assert routes.add_card_then("/engagements/7") == (
        "/wallet?next=%2Fengagements%2F7#cards"
    )
    assert routes.add_card_then("https://evil.example") == "/wallet#cards"


def test_next_is_kept_only_when_it_is_a_page_of_this_site(ada):
    state = page(ada, "/wallet?next=%2Fengagements%2F7")
    assert state.next_path == "/engagements/7"
    assert state.next_label == "Back to engagement #7"
    for evil in ("https%3A%2F%2Fevil.example", "%2F%2Fevil.example", "javascript:x"):
        assert page(ada, f"/wallet?next={evil}").next_path == ""


def test_without_a_publishable_key_the_form_says_so(ada, monkeypatch):
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_STRIPE_PUBLISHABLE_KEY")
    get_settings.cache_clear()
    state = page(ada)
    CardsState.start_adding.fn(state)
    assert not state.adding and "aren't set up" in state.card_error
