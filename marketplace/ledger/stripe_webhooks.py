"""Stripe's webhook events, applied once each, in any order.

The app already knows what it asked Stripe to do (it captured, it cancelled);
events confirm it, and catch what happened elsewhere (a capture from Stripe's
dashboard, a failed payment) or what doesn't add up (an amount or currency
other than the engagement's). Every event is stored by its id first, so a
replay is recognised and changes nothing; an event about a payment we don't
know is kept and flagged, not lost.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.ledger import card_payments
from marketplace.models import Engagement, StripeEvent

log = logging.getLogger(__name__)
HANDLED = {"payment_intent.succeeded", "payment_intent.payment_failed"}
CAPTURED_BY_US = {"captured", "paid_out", "refunded"}  # statuses after our capture


def apply_event(
    session: Session, event: dict[str, Any], *, clock: Clock = system_clock
) -> str:
    """Record and apply one verified event; returns what it did, in words."""
    event_id, kind = str(event.get("id", "")), str(event.get("type", ""))
    intent = _intent(event)
    record = StripeEvent(
        id=event_id[:255],
        type=kind[:64],
        intent_id=(intent.get("id") or None) if intent else None,
        received_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return "duplicate"  # a replay: applied the first time
    record.outcome = _apply(session, kind, intent)[:300]
    if record.outcome.startswith("flagged"):
        log.warning("stripe event %s %s", event_id, record.outcome)
    session.add(record)
    return record.outcome


def _intent(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    is_intent = isinstance(obj, dict) and obj.get("object") == "payment_intent"
    return obj if is_intent else {}


def _apply(session: Session, kind: str, intent: dict[str, Any]) -> str:
    if kind not in HANDLED:
        return "ignored"
    engagement = session.exec(
        select(Engagement)
        .where(Engagement.payment_intent_id == intent.get("id"))
        .with_for_update()
    ).first()
    if engagement is None:
        return _unknown(session, kind, intent)
    if kind == "payment_intent.payment_failed":
        return _failed(session, engagement)
    return _succeeded(session, engagement, intent)


def _unknown(session: Session, kind: str, intent: dict[str, Any]) -> str:
    """An intent no engagement holds: a declined card attempt is expected
    (the engagement records the decline, not the intent); anything else is
    for an operator."""
    engagement_id = str((intent.get("metadata") or {}).get("engagement_id", ""))
    engagement = (
        session.get(Engagement, int(engagement_id)) if engagement_id.isdigit() else None
    )
    if (
        kind == "payment_intent.payment_failed"
        and engagement is not None
        and engagement.payment_status in card_payments.NOT_HELD
    ):
        return (
            f"ignored: a declined card attempt for engagement {engagement.id}, "
            "which holds nothing"
        )
    return f"flagged: unknown payment {intent.get('id')!r}"


def _failed(session: Session, engagement: Engagement) -> str:
    """A failure only counts while the card is not yet captured: a late,
    out-of-order failure event never undoes a payment that went through."""
    if engagement.payment_status not in {"none", "authorized"}:
        return (
            f"ignored: a late failure for engagement {engagement.id}, "
            f"already {engagement.payment_status}"
        )
    engagement.payment_status = "failed"
    session.add(engagement)
    return f"flagged: payment failed for engagement {engagement.id}"


def _succeeded(session: Session, engagement: Engagement, intent: dict) -> str:
    received = intent.get("amount_received", intent.get("amount"))
    currency = str(intent.get("currency", "")).lower()
    if (received, currency) != (engagement.price, engagement.currency):
        return (
            f"flagged: engagement {engagement.id} expected {engagement.price} "
            f"{engagement.currency}, Stripe says {received} {currency}"
        )
    if engagement.payment_status not in CAPTURED_BY_US:
        # captured outside the app (Stripe's dashboard): the reconcile report
        # shows the ledger still to be settled by an operator
        return f"flagged: engagement {engagement.id} captured outside the app"
    return f"confirmed capture for engagement {engagement.id}"
