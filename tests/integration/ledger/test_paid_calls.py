"""A paid call's cancellation follows the helper's policy through the card
flow (Stripe through localstripe): an asker's cancel inside the free window
charges the held card and pays the consultant, as confirming would; one
before it lets the card go; an hourly rate books its hours on the calendar.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.adapters import payments
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.scheduling import slot_key
from marketplace.ledger import cards, ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.market import engagements
from marketplace.models import Listing
from tests.integration.ledger.test_paid_engagements import PAID, balance, engagement
from tests.integration.market.test_calls import act, free, hours_for
from tests.integration.market.test_engagements import post
from tests.payments_fixtures import CARD_OK, save_card


def paid_call(helper, payer, clock, hours=1, cancel_free_hours=24) -> int:
    """`payer` booked the helper's hourly paid call offer at its first free
    time (21 hours ahead) with a saved card; the helper accepted: held."""
    hours_for(helper, clock, cancel_free_hours=cancel_free_hours)
    offer = post(helper, kind="offer", **PAID)
    with unit_of_work() as s:
        s.get(Listing, offer).duration_minutes = 60
    view = save_card(payer.member_id, CARD_OK)
    with unit_of_work() as s:
        cards.make_default(s, actor_id=payer.member_id, card_id=view.id)
        booked = engagements.propose(
            s,
            actor_id=payer.member_id,
            listing_id=offer,
            hours=hours,
            slot=slot_key(free(helper, clock, minutes=60 * hours)[0]),
            clock=clock,
        ).id
    act(helper, booked, "accept", clock)
    return booked


def test_a_late_cancel_by_the_asker_charges_the_card_per_the_policy(
    ada, bo, stripe_env
):
    clock = FixedClock(datetime.now(UTC))  # its microseconds key Stripe calls
    booked = paid_call(ada, bo, clock)
    assert engagement(booked).payment_status == "authorized"
    act(bo, booked, "cancel", clock)
    cancelled = engagement(booked)
    paid = payments.gateway_from_settings().retrieve(cancelled.payment_intent_id)
    assert cancelled.status == "cancelled"
    assert (paid.status, paid.amount_received) == ("succeeded", 4550)
    assert cancelled.payment_status == "paid_out"
    assert balance(ada.member_id) == 4095  # the consultant, less the 10 % fee
    with read_only() as s:
        assert audit_ledger(s).ok


def test_a_cancel_before_the_window_lets_the_card_go(ada, bo, stripe_env):
    clock = FixedClock(datetime.now(UTC))  # its microseconds key Stripe calls
    booked = paid_call(ada, bo, clock, cancel_free_hours=0)
    act(bo, booked, "cancel", clock)
    intent = engagement(booked).payment_intent_id
    assert payments.gateway_from_settings().retrieve(intent).status == "canceled"
    assert engagement(booked).payment_status == "cancelled"
    assert balance(system=ledger.ESCROW) == 0


def test_an_hourly_call_takes_its_hours_on_the_calendar(ada, bo, stripe_env):
    clock = FixedClock(datetime.now(UTC))  # its microseconds key Stripe calls
    booked = paid_call(ada, bo, clock, hours=2)
    call = engagement(booked)
    assert call.ends_at - call.starts_at == timedelta(hours=2)
    assert (call.price, call.hours) == (9100, 2)
