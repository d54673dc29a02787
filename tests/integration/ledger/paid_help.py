"""Driving a paid engagement to each state of its card money, for the
receipt and wallet tests: the payer saves Stripe's test Visa before booking
(`book`), and acceptance holds it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.ledger.card_payments import secure_aging
from tests.integration.ledger.test_paid_engagements import PAID, book
from tests.integration.market.test_engagements import act, post

CARD = {"brand": "visa", "last4": "4242"}


def held(helper, payer, hours=1, clock=None) -> int:
    """`payer` booked `helper`'s paid offer, accepted: the card is held."""
    booked = book(payer, post(helper, kind="offer", **PAID), hours=hours)
    act(helper, booked, "accept", clock=clock)
    return booked


def charged(helper, payer, hours=2) -> int:
    """Delivered and confirmed: charged, and the helper paid out."""
    booked = held(helper, payer, hours=hours)
    act(helper, booked, "deliver")
    act(payer, booked, "confirm")
    return booked


def refunded(helper, payer) -> int:
    """Captured on day 6 (still open), then cancelled: refunded in full."""
    clock = FixedClock(datetime.now(UTC))
    booked = held(helper, payer, clock=clock)
    clock.advance(timedelta(days=6, minutes=1))
    with unit_of_work() as s:
        secure_aging(s, clock)
    act(payer, booked, "cancel", clock=clock)
    return booked


def released(helper, payer) -> int:
    """Cancelled while the card was only held: nothing charged."""
    booked = held(helper, payer)
    act(payer, booked, "cancel")
    return booked
