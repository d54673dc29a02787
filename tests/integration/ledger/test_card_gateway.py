"""Saving a card through the gateway, against localstripe: a SetupIntent
for the member's customer, confirmed as Stripe.js would with each of
Stripe's test cards, read back, and detached. Issue 21's first layer
(docs/design/card-payments.md)."""

from __future__ import annotations

import pytest

from marketplace.domain.errors import InvalidInput
from tests.payments_fixtures import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_FAILS_LATER,
    CARD_OK,
    confirm_card_setup,
)


@pytest.fixture
def customer(stripe_gateway) -> str:
    return stripe_gateway.create_customer(
        email="ada@example.com", member_id=7, idempotency_key=f"cus-{id(object())}"
    )


def saved(gateway, localstripe, customer, number, **browser):
    setup = gateway.start_card_setup(
        customer=customer, member_id=7, idempotency_key=f"seti-{number}-{id(browser)}"
    )
    assert setup.client_secret.startswith(setup.id + "_secret_")
    confirm_card_setup(localstripe, setup.client_secret, number, **browser)
    return gateway.retrieve_card_setup(setup.id)


@pytest.mark.parametrize("number", [CARD_OK, CARD_3DS, CARD_FAILS_LATER])
def test_a_card_the_bank_accepts_is_saved_for_its_member(
    stripe_gateway, localstripe, customer, number
):
    setup = saved(stripe_gateway, localstripe, customer, number)
    assert setup.succeeded
    assert (setup.customer, setup.metadata) == (customer, {"member_id": "7"})
    card = stripe_gateway.card(setup.payment_method)
    assert (card.brand, card.last4) == ("visa", number[-4:])
    assert (card.exp_month, card.exp_year) == (12, 2034)


def test_a_declined_card_or_a_failed_authentication_saves_nothing(
    stripe_gateway, localstripe, customer
):
    declined = saved(stripe_gateway, localstripe, customer, CARD_DECLINED)
    refused = saved(stripe_gateway, localstripe, customer, CARD_3DS, authenticate=False)
    for setup in (declined, refused):
        assert not setup.succeeded


def test_a_detached_card_is_gone_from_stripe(stripe_gateway, localstripe, customer):
    setup = saved(stripe_gateway, localstripe, customer, CARD_OK)
    stripe_gateway.detach_card(setup.payment_method)


@pytest.mark.parametrize(
    "call,bad",
    [
        ("retrieve_card_setup", "pi_123"),
        ("retrieve_card_setup", "seti_../../v1/charges"),
        ("card", "card_123"),
        ("card", None),
        ("detach_card", "pm_1; DROP"),
    ],
)
def test_ids_of_the_wrong_kind_never_reach_stripe(stripe_gateway, call, bad):
    with pytest.raises(InvalidInput):
        getattr(stripe_gateway, call)(bad)
