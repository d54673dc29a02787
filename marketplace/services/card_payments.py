"""The card side of a paid engagement: Stripe holds the money, the ledger mirrors it.

    accept   -> authorize a manual-capture PaymentIntent (the card is held)
                ledger hold  stripe:{cur} -> escrow:{cur}
    confirm  -> capture it; post the hold; escrow -> consultant and platform fee
    cancel   -> cancel the authorization; void the hold

Each Stripe call carries an idempotency key made from the engagement, so a
retried unit of work reuses the same PaymentIntent instead of charging twice.
The calls happen inside the engagement's unit of work: if the database part
fails after Stripe said yes, the authorization is cancelled on the way out (and
`payments reconcile` reports anything that still slipped through).
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.adapters import payments
from marketplace.adapters.clock import Clock
from marketplace.domain.errors import PaymentsUnavailable
from marketplace.domain.ledger import MAX_HOLD_SECONDS
from marketplace.models import Engagement
from marketplace.services import ledger
from marketplace.settings import get_settings


def _stripe_key(engagement: Engagement, step: str) -> str:
    """An idempotency key for one Stripe call of one engagement. The creation
    time makes it unique across databases sharing a Stripe account (a restored
    backup, staging and production), where ids alone would repeat."""
    stamp = int(engagement.created_at.timestamp() * 1_000_000)
    return f"engagement-{engagement.id}-{stamp}-{step}"


def require_payments() -> None:
    """Refuse paid work clearly where no Stripe account is configured."""
    available = payments.payments_available()
    if not available:
        raise PaymentsUnavailable(available.reason)


def authorize(session: Session, engagement: Engagement, title: str, clock: Clock):
    """Hold the asker's card for the price and mirror it as an escrow hold."""
    gateway = payments.gateway_from_settings()
    payment = gateway.authorize(
        engagement.price,
        engagement.currency,
        description=f"Engagement #{engagement.id}: {title}"[:200],
        metadata={"engagement_id": str(engagement.id)},
        idempotency_key=_stripe_key(engagement, "authorize"),
    )
    engagement.payment_intent_id, engagement.payment_status = payment.id, "authorized"
    engagement.hold_key = f"engagement:{engagement.id}:hold"
    try:
        ledger.hold(
            session,
            key=engagement.hold_key,
            debit_account_id=ledger.system_account(
                session, ledger.STRIPE, engagement.currency
            ),
            credit_account_id=ledger.system_account(
                session, ledger.ESCROW, engagement.currency
            ),
            amount=engagement.price,
            timeout_seconds=MAX_HOLD_SECONDS,
            code="engagement",
            memo=f"Card held for engagement #{engagement.id}",
            currency=engagement.currency,
            clock=clock,
        )
    except Exception:
        gateway.cancel(payment.id, idempotency_key=_stripe_key(engagement, "undo"))
        raise


def capture(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Take the held money and pay the consultant, less the platform's fee."""
    gateway = payments.gateway_from_settings()
    gateway.capture(
        engagement.payment_intent_id,
        idempotency_key=_stripe_key(engagement, "capture"),
    )
    ledger.post_hold(
        session,
        key=f"engagement:{engagement.id}:post",
        hold_key=engagement.hold_key,
        memo=f"Card captured for engagement #{engagement.id}",
        clock=clock,
    )
    ledger.release_escrow(
        session,
        key=f"engagement:{engagement.id}:payout",
        currency=engagement.currency,
        consultant_id=engagement.helper_id,
        amount=engagement.price,
        fee_bps=get_settings().platform_fee_bps,
        memo=f"Engagement #{engagement.id}",
        clock=clock,
    )
    engagement.payment_status = "captured"


def release(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Let go of the held card money: cancel the authorization, void the hold."""
    gateway = payments.gateway_from_settings()
    gateway.cancel(
        engagement.payment_intent_id,
        idempotency_key=_stripe_key(engagement, "cancel"),
    )
    ledger.void_hold(
        session,
        key=f"engagement:{engagement.id}:void",
        hold_key=engagement.hold_key,
        memo=f"Card released for engagement #{engagement.id}",
        clock=clock,
    )
    engagement.payment_status = "cancelled"
