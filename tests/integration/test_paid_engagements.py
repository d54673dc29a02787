"""Paid help through Stripe (localstripe on loopback): the card is held at
acceptance, captured at confirmation with the platform's fee split off, and
released on cancellation; the ledger mirrors every step per currency."""

from __future__ import annotations

import pytest

from marketplace.adapters import payments
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import PaymentsUnavailable
from marketplace.models import Engagement
from marketplace.services import engagements, ledger
from marketplace.services.audit import audit_ledger
from tests.integration.test_engagements import act, post

PAID = {"terms": "paid", "price": "45.50", "currency": "eur", "rate_kind": "hourly"}


def book(asker, listing_id, hours=2) -> int:
    with unit_of_work() as s:
        return engagements.propose(
            s, actor_id=asker.member_id, listing_id=listing_id, hours=hours
        ).id


def engagement(engagement_id) -> Engagement:
    with read_only() as s:
        return s.get(Engagement, engagement_id)


def balance(member_id=None, system=None) -> int:
    with read_only() as s:
        account = (
            ledger.member_account(s, member_id, "eur")
            if member_id
            else ledger.system_account(s, system, "eur")
        )
        return ledger.totals(s, account).balance


def test_a_paid_booking_is_held_then_captured_with_the_fee_split(ada, bo, stripe_env):
    offer = post(ada, kind="offer", **PAID)
    booked = book(bo, offer, hours=2)
    assert (engagement(booked).price, engagement(booked).currency) == (9100, "eur")
    act(ada, booked, "accept")
    held = engagement(booked)
    gateway = payments.gateway_from_settings()
    assert held.payment_status == "authorized"
    assert gateway.retrieve(held.payment_intent_id).status == "requires_capture"
    act(ada, booked, "deliver")
    act(bo, booked, "confirm")
    paid = gateway.retrieve(held.payment_intent_id)
    assert (paid.status, paid.amount_received) == ("succeeded", 9100)
    assert engagement(booked).payment_status == "captured"
    assert balance(ada.member_id) == 8190  # 10 % platform fee by default
    assert balance(system=ledger.PLATFORM_FEES) == 910
    with read_only() as s:
        assert audit_ledger(s).ok


def test_cancelling_a_paid_engagement_releases_the_card(ada, bo, stripe_env):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept")
    act(bo, booked, "cancel")
    intent = engagement(booked).payment_intent_id
    assert payments.gateway_from_settings().retrieve(intent).status == "canceled"
    assert engagement(booked).payment_status == "cancelled"
    assert balance(system=ledger.ESCROW) == 0
    with read_only() as s:
        assert audit_ledger(s).ok


def test_booking_paid_help_where_stripe_is_off_is_refused(
    ada, bo, stripe_env, monkeypatch
):
    offer = post(ada, kind="offer", **PAID)
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY")
    get_settings.cache_clear()
    with pytest.raises(PaymentsUnavailable):
        book(bo, offer)
