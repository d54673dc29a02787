"""Paid help through Stripe (localstripe on loopback): the card is held at
acceptance, captured at confirmation with the platform's fee split off, and
released on cancellation; the ledger mirrors every step per currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.adapters import payments
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, PaymentFailed, PaymentsUnavailable
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.ledger.card_payments import secure_aging
from marketplace.market import engagements
from marketplace.models import Engagement, LedgerTransfer, Member
from tests.integration.market.test_engagements import act, post

DECLINED_CARD = "pm_card_chargeCustomerFail"  # localstripe declines it
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
    with unit_of_work() as s:  # the account may not exist yet: made on first use
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
    assert engagement(booked).payment_status == "paid_out"
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


def operator(member):
    with unit_of_work() as s:
        s.get(Member, member.member_id).is_operator = True
    return member.member_id


def resolve(operator_id, engagement_id, resolution, clock=None):
    extra = {"clock": clock} if clock else {}
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s,
            operator_id=operator_id,
            engagement_id=engagement_id,
            resolution=resolution,
            **extra,
        )


def disputed(ada, bo, clock=None) -> int:
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    act(ada, booked, "deliver", clock=clock)
    act(bo, booked, "dispute", note="The call never happened", clock=clock)
    return booked


def test_a_dispute_refunded_while_the_card_is_held_lets_it_go(ada, bo, cy, stripe_env):
    booked = disputed(ada, bo)
    resolve(operator(cy), booked, "refund")
    intent = engagement(booked).payment_intent_id
    assert payments.gateway_from_settings().retrieve(intent).status == "canceled"
    assert engagement(booked).payment_status == "cancelled"
    assert balance(ada.member_id) == 0


def test_a_dispute_released_pays_the_consultant(ada, bo, cy, stripe_env):
    booked = disputed(ada, bo)
    resolve(operator(cy), booked, "release")
    assert engagement(booked).payment_status == "paid_out"
    assert balance(ada.member_id) == 4095  # 45.50 less 10 %


def test_a_card_held_six_days_is_captured_into_escrow_before_it_lapses(
    ada, bo, stripe_env
):
    clock = FixedClock(datetime.now(UTC))
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    clock.advance(timedelta(days=5, hours=23))
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 0
    clock.advance(timedelta(hours=2))
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 1
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 0  # once
    secured = engagement(booked)
    gateway = payments.gateway_from_settings()
    assert gateway.retrieve(secured.payment_intent_id).status == "succeeded"
    assert secured.payment_status == "captured"
    assert balance(system=ledger.ESCROW) == 4550  # not yet the consultant's
    assert balance(ada.member_id) == 0
    act(ada, booked, "deliver", clock=clock)
    act(bo, booked, "confirm", clock=clock)
    assert engagement(booked).payment_status == "paid_out"
    assert balance(ada.member_id) == 4095
    assert balance(system=ledger.ESCROW) == 0


def test_cancelling_after_the_capture_refunds_the_card(ada, bo, stripe_env):
    clock = FixedClock(datetime.now(UTC))
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    clock.advance(timedelta(days=6, minutes=1))
    with unit_of_work() as s:
        secure_aging(s, clock)
    act(bo, booked, "cancel", clock=clock)
    refunded = engagement(booked)
    refunds = payments.gateway_from_settings().list_refunds(refunded.payment_intent_id)
    assert [(r.amount, r.currency) for r in refunds] == [(4550, "eur")]
    assert refunded.payment_status == "refunded"
    assert balance(system=ledger.ESCROW) == 0
    assert balance(system=ledger.STRIPE) == 0
    with read_only() as s:
        assert audit_ledger(s).ok


def test_nobody_can_book_their_own_paid_offer(ada, stripe_env):
    offer = post(ada, kind="offer", **PAID)
    with pytest.raises(InvalidInput, match="your own listing"):
        book(ada, offer)


@pytest.mark.parametrize("hours", [0, -1, 9, "two", 2.5, True])
def test_bad_hours_are_refused_and_nothing_is_booked(ada, bo, stripe_env, hours):
    offer = post(ada, kind="offer", **PAID)
    with pytest.raises(InvalidInput):
        book(bo, offer, hours=hours)
    with read_only() as s:
        assert s.exec(select(Engagement)).all() == []


def test_a_declined_card_leaves_the_engagement_proposed(
    ada, bo, stripe_env, monkeypatch
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    declining = payments.StripeGateway.authorize

    def with_a_declining_card(self, *args, **kwargs):
        return declining(self, *args, **kwargs, payment_method=DECLINED_CARD)

    monkeypatch.setattr(payments.StripeGateway, "authorize", with_a_declining_card)
    with pytest.raises(PaymentFailed):
        act(ada, booked, "accept")
    assert engagement(booked).status == "proposed"
    assert engagement(booked).payment_status == "none"
    with read_only() as s:
        assert (
            s.exec(select(LedgerTransfer).where(LedgerTransfer.currency == "eur")).all()
            == []
        )
