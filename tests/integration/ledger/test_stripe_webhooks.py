"""Stripe's webhook endpoint: a real signed event from localstripe is applied
once however often it arrives; a forged one is refused with 400; an amount or
currency that doesn't match the engagement is flagged."""

from __future__ import annotations

import json
import time

import pytest
import stripe
from sqlmodel import select
from starlette.testclient import TestClient

from marketplace.api import WEBHOOK_PATH, make_api
from marketplace.db import read_only, unit_of_work
from marketplace.ledger.stripe_webhooks import apply_event
from marketplace.models import Engagement, StripeEvent
from tests.integration.ledger.test_paid_engagements import PAID, book
from tests.integration.market.test_engagements import act, post
from tests.payments_fixtures import CARD_FAILS_LATER, TEST_WEBHOOK_SECRET


def signed(event: dict, secret: str = TEST_WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A body and Stripe-Signature header as Stripe makes them (t=..,v1=HMAC)."""
    payload = json.dumps(event).encode()
    stamp = int(time.time())
    mac = stripe.WebhookSignature._compute_signature(
        f"{stamp}.{payload.decode()}", secret
    )
    return payload, f"t={stamp},v1={mac}"


def intent_event(
    event_id: str,
    intent_id: str,
    amount: int,
    currency="eur",
    kind="payment_intent.succeeded",
) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
            }
        },
    }


@pytest.fixture
def captured(ada, bo, stripe_env) -> Engagement:
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    for actor, action in ((ada, "accept"), (ada, "deliver"), (bo, "confirm")):
        act(actor, booked, action)
    with read_only() as s:
        return s.get(Engagement, booked)


def events() -> list[tuple[str, str]]:
    with read_only() as s:
        return [(e.id, e.outcome) for e in s.exec(select(StripeEvent))]


def test_a_signed_event_is_applied_once_however_often_it_arrives(captured):
    body, signature = signed(intent_event("evt_1", captured.payment_intent_id, 4550))
    client = TestClient(make_api())
    for _ in range(3):
        reply = client.post(
            WEBHOOK_PATH, content=body, headers={"Stripe-Signature": signature}
        )
        assert reply.status_code == 200
    assert events() == [("evt_1", f"confirmed capture for engagement {captured.id}")]
    assert reply.json()["outcome"] == "duplicate"


def test_a_forged_or_tampered_event_is_refused_with_400(captured):
    body, _ = signed(intent_event("evt_2", captured.payment_intent_id, 4550))
    _, forged = signed(
        intent_event("evt_2", captured.payment_intent_id, 4550),
        secret="whsec_someone_else",
    )
    client = TestClient(make_api())
    for header in (forged, "", "t=1,v1=00"):
        reply = client.post(
            WEBHOOK_PATH, content=body, headers={"Stripe-Signature": header}
        )
        assert reply.status_code == 400
    assert events() == []


def test_an_amount_or_currency_mismatch_is_flagged(captured):
    with unit_of_work() as s:
        wrong_amount = apply_event(
            s, intent_event("evt_3", captured.payment_intent_id, 999)
        )
        wrong_currency = apply_event(
            s, intent_event("evt_4", captured.payment_intent_id, 4550, "usd")
        )
        unknown = apply_event(s, intent_event("evt_5", "pi_nobody_knows", 100))
    assert wrong_amount.startswith("flagged: engagement")
    assert "usd" in wrong_currency and wrong_currency.startswith("flagged")
    assert unknown.startswith("flagged: unknown payment")
    assert len(events()) == 3


def test_a_late_failure_never_undoes_a_captured_payment(captured):
    late = intent_event(
        "evt_6",
        captured.payment_intent_id,
        4550,
        kind="payment_intent.payment_failed",
    )
    with unit_of_work() as s:
        outcome = apply_event(s, late)
    assert outcome.startswith("ignored: a late failure")
    with read_only() as s:
        assert s.get(Engagement, captured.id).payment_status == "paid_out"


def test_a_failure_while_the_card_is_held_is_flagged(ada, bo, stripe_env):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept")
    with read_only() as s:
        intent = s.get(Engagement, booked).payment_intent_id
    failed = intent_event("evt_7", intent, 4550, kind="payment_intent.payment_failed")
    with unit_of_work() as s:
        assert apply_event(s, failed).startswith("flagged: payment failed")
    with read_only() as s:
        assert s.get(Engagement, booked).payment_status == "failed"


def test_the_failure_of_a_declined_card_attempt_is_expected_not_flagged(
    ada, bo, stripe_env
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_FAILS_LATER)
    assert act(ada, booked, "accept") == "proposed"  # declined: nothing held
    failed = intent_event(
        "evt_8", "pi_declined_attempt", 4550, kind="payment_intent.payment_failed"
    )
    failed["data"]["object"]["metadata"] = {"engagement_id": str(booked)}
    stranger = intent_event(
        "evt_9", "pi_someone_elses", 4550, kind="payment_intent.payment_failed"
    )
    stranger["data"]["object"]["metadata"] = {"engagement_id": "99999"}
    with unit_of_work() as s:
        assert apply_event(s, failed).startswith("ignored: a declined card attempt")
        assert apply_event(s, stranger).startswith("flagged: unknown payment")
