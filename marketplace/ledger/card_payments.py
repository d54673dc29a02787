"""The card side of a paid engagement: Stripe holds the money, the ledger mirrors it.

    accept   -> authorize a manual-capture PaymentIntent off-session on the
                payer's default saved card (the card is held)
                ledger hold  stripe:{cur} -> escrow:{cur}
                or nothing is held yet, and payment_status says why:
                  needs_card   the payer has no card saved
                  needs_auth   their bank asks them to authenticate (3-D
                               Secure): their page confirms it with Stripe.js,
                               then the accept finishes (`authenticated`)
                  declined     the card was declined
                  auth_failed  they didn't pass the bank's check
    day 6    -> still open? capture it now and post the hold: the money sits in
                escrow, because Stripe lets an authorization lapse after 7 days
    confirm  -> capture it (if not yet); escrow -> consultant and platform fee
    cancel   -> held: cancel the authorization and void the hold;
                captured: refund the card and move escrow back to stripe

Each Stripe call carries an idempotency key made from the engagement, so a
retried unit of work reuses the same PaymentIntent instead of charging twice.
The calls happen inside the engagement's unit of work: if the database part
fails after Stripe said yes, the authorization is cancelled on the way out (and
`payments reconcile` reports anything that still slipped through).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session, col, select

from marketplace.adapters import payments
from marketplace.adapters.clock import Clock
from marketplace.domain.errors import (
    Conflict,
    DomainError,
    PaymentFailed,
    PaymentRejected,
    PaymentsUnavailable,
)
from marketplace.domain.ledger import MAX_HOLD_SECONDS
from marketplace.ledger import cards, ledger, payouts, receipts
from marketplace.models import Engagement, EngagementEvent, Member
from marketplace.settings import get_settings

log = logging.getLogger(__name__)


def _stripe_key(engagement: Engagement, step: str) -> str:
    return payments.idempotency_key("engagement", engagement, step)


def require_payments() -> None:
    """Refuse paid work clearly where no Stripe account is configured."""
    available = payments.payments_available()
    if not available:
        raise PaymentsUnavailable(available.reason)


NEEDS_CARD, NEEDS_AUTH = "needs_card", "needs_auth"
DECLINED, AUTH_FAILED = "declined", "auth_failed"
ABANDONED = "abandoned"  # waiting for authentication when the booking ended
SAME_CARD_DECLINED = (
    "The payer's card was declined: this waits until they save another card "
    "(they have been told)."
)
# nothing held, and the payer's card is why
NOT_HELD = (NEEDS_CARD, NEEDS_AUTH, DECLINED, AUTH_FAILED, ABANDONED)


def authorize(
    session: Session, engagement: Engagement, title: str, clock: Clock
) -> bool:
    """Hold the asker's card for the price and mirror it as an escrow hold.
    False when nothing could be held yet: `payment_status` says why (one of
    NOT_HELD) and the caller tells the people concerned."""
    gateway = payments.gateway_from_settings()
    if engagement.payment_status == NEEDS_AUTH:
        payment = _authenticated(gateway, engagement)
    else:
        payment = _charge_saved_card(session, gateway, engagement, title)
    if payment is None:
        return False
    engagement.payment_status = "authorized"
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
    return True


def _charge_saved_card(session, gateway, engagement: Engagement, title: str):
    """Ask Stripe to hold the payer's default card, off-session: the held
    Payment, or None with the reason recorded on the engagement."""
    card = cards.default_card(session, engagement.asker_id)
    if card is None:
        engagement.payment_status = NEEDS_CARD
        return None
    if (
        engagement.payment_status == DECLINED
        and engagement.payment_method_id == card.payment_method_id
    ):
        # the bank said no to this card: asking again on every press of
        # Accept would only hammer the payer's card, so wait for another one
        raise Conflict(SAME_CARD_DECLINED)
    customer = session.get(Member, engagement.asker_id).stripe_customer_id
    engagement.payment_method_id = card.payment_method_id
    try:
        payment = gateway.authorize(
            engagement.price,
            engagement.currency,
            description=f"Engagement #{engagement.id}: {title}"[:200],
            metadata={"engagement_id": str(engagement.id)},
            # one key per attempt: a retry of this attempt reuses its intent,
            # a new card after a decline makes a new one
            idempotency_key=_stripe_key(
                engagement, f"authorize-{engagement.payment_attempts}"
            ),
            payment_method=card.payment_method_id,
            customer=customer,
        )
    except PaymentFailed as declined:
        log.info("engagement %s: card declined (%s)", engagement.id, declined.code)
        _attempt_failed(engagement, DECLINED)
        return None
    engagement.payment_intent_id = payment.id
    if payment.needs_authentication:
        engagement.payment_status = NEEDS_AUTH
        return None
    return payment


def _authenticated(gateway, engagement: Engagement):
    """The payment the payer was asked to authenticate, if it now holds their
    card; None while they haven't (the status stays needs_auth)."""
    payment = gateway.retrieve(engagement.payment_intent_id)
    if not payment.is_held:
        return None
    if (payment.amount, payment.currency) != (engagement.price, engagement.currency):
        raise PaymentRejected(  # never: the intent is the one this app made
            "The authenticated payment doesn't match this engagement's price."
        )
    return payment


def authentication_failed(engagement: Engagement) -> None:
    """The payer didn't pass their bank's check: let the intent go (nothing
    was held) and record the failed attempt."""
    payment = payments.gateway_from_settings().retrieve(engagement.payment_intent_id)
    if payment.is_held:
        raise PaymentRejected("This payment was authenticated after all.")
    _let_go(engagement, payment)
    _attempt_failed(engagement, AUTH_FAILED)


def abandon(engagement: Engagement) -> None:
    """Let go of a payment still waiting for the payer's authentication (the
    booking was declined or withdrawn meanwhile): nothing was held."""
    if engagement.payment_status != NEEDS_AUTH:
        return
    gateway = payments.gateway_from_settings()
    _let_go(engagement, gateway.retrieve(engagement.payment_intent_id))
    engagement.payment_status = ABANDONED


def _let_go(engagement: Engagement, payment: payments.Payment) -> None:
    if payment.status != payments.CANCELED:
        payments.gateway_from_settings().cancel(
            payment.id,
            idempotency_key=_stripe_key(
                engagement, f"let-go-{engagement.payment_attempts}"
            ),
        )


def _attempt_failed(engagement: Engagement, why: str) -> None:
    engagement.payment_status = why
    engagement.payment_attempts += 1


def authentication_secret(engagement: Engagement) -> str:
    """What the payer's Stripe.js needs to show their bank's check."""
    if engagement.payment_status != NEEDS_AUTH:
        raise PaymentRejected("This payment isn't waiting for your bank.")
    gateway = payments.gateway_from_settings()
    return gateway.authentication_secret(engagement.payment_intent_id)


def secure(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Capture a held card into escrow. Stripe lets an authorization lapse
    after 7 days; help can take longer, so the money moves to escrow first
    and still reaches the consultant only at confirmation."""
    if engagement.payment_status != "authorized":
        return
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
    receipts.issue(session, engagement, receipts.CHARGE, clock)
    engagement.payment_status = "captured"


def capture(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Take the held money and pay the consultant, less the platform's fee."""
    secure(session, engagement, clock)
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
    payouts.pay_out(session, engagement, clock)  # to their bank, where set up
    engagement.payment_status = "paid_out"


def release(session: Session, engagement: Engagement, clock: Clock) -> None:
    """Give the asker their money back: a held card is let go, a captured
    payment is refunded in full and escrow returns it to the stripe account."""
    if engagement.payment_status == "captured":
        _refund(session, engagement, clock)
        return
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


def _refund(session: Session, engagement: Engagement, clock: Clock) -> None:
    payments.gateway_from_settings().refund(
        engagement.payment_intent_id,
        idempotency_key=_stripe_key(engagement, "refund"),
        metadata={"engagement_id": str(engagement.id)},
    )
    ledger.transfer(
        session,
        key=f"engagement:{engagement.id}:refund",
        debit_account_id=ledger.system_account(
            session, ledger.ESCROW, engagement.currency
        ),
        credit_account_id=ledger.system_account(
            session, ledger.STRIPE, engagement.currency
        ),
        amount=engagement.price,
        code="refund",
        memo=f"Card refunded for engagement #{engagement.id}",
        currency=engagement.currency,
        clock=clock,
    )
    receipts.issue(session, engagement, receipts.REFUND, clock)
    engagement.payment_status = "refunded"


def authorizations_to_secure(session: Session, clock: Clock) -> list[int]:
    """Engagements whose card has been held for `card_capture_days` or more
    and still is: capture them before Stripe lets the authorization lapse."""
    cutoff = clock.now() - timedelta(days=get_settings().card_capture_days)
    accepted_at = (
        select(EngagementEvent.engagement_id)
        .where(EngagementEvent.to_status == "accepted", EngagementEvent.at <= cutoff)
        .subquery()
    )
    rows = session.exec(
        select(Engagement.id)
        .where(
            Engagement.payment_status == "authorized",
            col(Engagement.id).in_(select(accepted_at.c.engagement_id)),
        )
        .order_by(Engagement.id)
    )
    return list(rows)


def secure_aging(session: Session, clock: Clock) -> int:
    """The sweep's part: capture every authorization about to lapse, each in
    its own savepoint under its row lock, so one card Stripe refuses doesn't
    stop the others (it is retried next sweep with the same idempotency key)."""
    secured = 0
    for engagement_id in authorizations_to_secure(session, clock):
        try:
            with session.begin_nested():
                engagement = session.exec(
                    select(Engagement)
                    .where(Engagement.id == engagement_id)
                    .with_for_update()
                ).one()
                secure(session, engagement, clock)
                session.add(engagement)
            secured += 1
        except DomainError:
            log.exception("could not capture engagement %s's card", engagement_id)
    return secured
