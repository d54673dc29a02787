"""Driving a paid engagement to each state of its card money, for the
receipt and wallet tests: one place to change when acceptance starts to
require a saved card (issue 21: today it still authorizes with Stripe's
test card and leaves `payment_method_id` empty, so `with_card` records the
saved card the payer would have paid with)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.ledger.card_payments import secure_aging
from marketplace.models import Engagement, SavedCard
from tests.integration.ledger.test_paid_engagements import PAID, book
from tests.integration.market.test_engagements import act, post

CARD = {"brand": "visa", "last4": "4242"}


def with_card(payer, engagement_id: int, brand="visa", last4="4242") -> None:
    """The payer's saved card, and the engagement marked as paid with it."""
    method = f"pm_test_{engagement_id}_{last4}"
    clock = FixedClock(datetime.now(UTC))
    with unit_of_work() as s:
        s.add(
            SavedCard(
                member_id=payer.member_id,
                payment_method_id=method,
                brand=brand,
                last4=last4,
                exp_month=12,
                exp_year=2034,
                is_default=True,
                created_at=clock.now(),
            )
        )
        s.get(Engagement, engagement_id).payment_method_id = method


def held(helper, payer, hours=1, clock=None) -> int:
    """`payer` booked `helper`'s paid offer, accepted: the card is held."""
    booked = book(payer, post(helper, kind="offer", **PAID), hours=hours)
    act(helper, booked, "accept", clock=clock)
    with_card(payer, booked)
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
