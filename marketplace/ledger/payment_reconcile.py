"""Reconcile Stripe with the ledger: does every card payment agree three ways?

For each paid engagement the app keeps a payment status, Stripe keeps a
PaymentIntent (and its refunds), and the ledger keeps transfers under the
engagement's keys. They must tell one story:

    status      Stripe intent                  ledger (keys engagement:{id}:...)
    authorized  requires_capture, full amount  hold pending
    captured    succeeded, nothing refunded    hold posted, no payout yet
    paid_out    succeeded, nothing refunded    payout legs written
    refunded    succeeded, refunded in full    refund transfer written
    cancelled   canceled                       hold voided
    needs_auth, auth_failed, declined, abandoned: nothing held or taken,
                whatever Stripe's intent waits for

Besides, Stripe may know a payment the app does not (the database rolled back
after Stripe said yes, and the undo failed: reported when it holds or took
money), escrow must hold exactly the captured-not-yet-paid-out money, and
webhook events that were flagged wait for an operator. Everything found is a
`Difference`; nothing is changed here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from marketplace.adapters.payments import (
    REQUIRES_CAPTURE,
    SUCCEEDED,
    Payment,
    PaymentGateway,
)
from marketplace.domain.money import format_money
from marketplace.ledger import ledger
from marketplace.ledger.card_payments import NOT_HELD
from marketplace.models import Engagement, LedgerAccount, LedgerTransfer, StripeEvent

EXPECTED_INTENT = {
    "authorized": "requires_capture",
    "captured": "succeeded",
    "paid_out": "succeeded",
    "refunded": "succeeded",
    "cancelled": "canceled",
}
# Stripe holds or took money on an intent in these states; one a decline or
# a refused 3-D Secure left waiting for another card moved nothing
MONEY_MOVED = (REQUIRES_CAPTURE, SUCCEEDED, "processing")
# The transfer key suffixes each status needs (hold states are checked apart)
EXPECTED_KEYS = {
    "captured": (":post",),
    "paid_out": (":post", ":payout:net"),
    "refunded": (":post", ":refund"),
    "cancelled": (":void",),
}


@dataclass(frozen=True)
class Difference:
    kind: str  # status | amount | ledger | unknown_payment | escrow | webhook
    detail: str
    engagement_id: int | None = None
    intent_id: str | None = None


@dataclass
class ReconcileReport:
    payments_checked: int = 0
    stripe_intents: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "payments_checked": self.payments_checked,
            "stripe_intents": self.stripe_intents,
            "differences": [d.__dict__ for d in self.differences],
        }


def reconcile(session: Session, gateway: PaymentGateway) -> ReconcileReport:
    """Compare every paid engagement, every Stripe payment and escrow."""
    paid = session.exec(
        select(Engagement)
        .where(col(Engagement.payment_intent_id).is_not(None))
        .order_by(Engagement.id)
    ).all()
    intents = {intent.id: intent for intent in gateway.list_intents()}
    report = ReconcileReport(payments_checked=len(paid), stripe_intents=len(intents))
    keys = _engagement_keys(session)
    for engagement in paid:
        intent = intents.get(engagement.payment_intent_id)
        report.differences += _check_engagement(engagement, intent, gateway, keys)
    known = {engagement.payment_intent_id for engagement in paid}
    report.differences += _unknown_payments(intents.values(), known)
    report.differences += _escrow_differences(session, paid)
    report.differences += _flagged_webhooks(session)
    return report


def _check_engagement(engagement, intent, gateway, keys) -> list[Difference]:
    def differ(kind: str, detail: str) -> Difference:
        return Difference(kind, detail, engagement.id, engagement.payment_intent_id)

    if intent is None:
        return [differ("status", "Stripe has no such payment")]
    if engagement.payment_status in NOT_HELD:  # waiting for the payer's card
        if intent.status not in MONEY_MOVED:
            return []
        return [
            differ(
                "status",
                f"the app says {engagement.payment_status} (nothing held), "
                f"Stripe says {intent.status}",
            )
        ]
    found: list[Difference] = []
    expected = EXPECTED_INTENT.get(engagement.payment_status)
    if expected and intent.status != expected:
        found.append(
            differ(
                "status",
                f"the app says {engagement.payment_status}, Stripe says "
                f"{intent.status} (expected {expected})",
            )
        )
    if (intent.amount, intent.currency) != (engagement.price, engagement.currency):
        found.append(
            differ(
                "amount",
                f"the app expects {_money(engagement.price, engagement.currency)}, "
                f"Stripe holds {_money(intent.amount, intent.currency)}",
            )
        )
    found += [differ("amount", d) for d in _refund_differences(engagement, gateway)]
    found += [differ("ledger", d) for d in _ledger_differences(engagement, keys)]
    return found


def _refund_differences(engagement: Engagement, gateway: PaymentGateway) -> list[str]:
    if engagement.payment_status not in {"captured", "paid_out", "refunded"}:
        return []
    refunded = sum(
        r.amount
        for r in gateway.list_refunds(engagement.payment_intent_id)
        if r.status in {"succeeded", "pending"}
    )
    expected = engagement.price if engagement.payment_status == "refunded" else 0
    if refunded == expected:
        return []
    return [
        f"refunded on Stripe {_money(refunded, engagement.currency)}, "
        f"the app expects {_money(expected, engagement.currency)}"
    ]


def _ledger_differences(engagement: Engagement, keys: dict[str, str]) -> list[str]:
    base = f"engagement:{engagement.id}"
    hold_state = keys.get(f"{base}:hold")
    if hold_state is None:
        return ["no card hold in the ledger"]
    missing = [
        suffix
        for suffix in EXPECTED_KEYS.get(engagement.payment_status, ())
        if base + suffix not in keys
    ]
    found = [f"ledger transfer {base}{suffix} is missing" for suffix in missing]
    held = engagement.payment_status == "authorized"
    if held != (hold_state == "pending"):
        found.append(
            f"the app says {engagement.payment_status}, the ledger hold is {hold_state}"
        )
    if engagement.payment_status == "captured" and base + ":payout:net" in keys:
        found.append("paid out in the ledger, but the app says only captured")
    return found


def _engagement_keys(session: Session) -> dict[str, str]:
    """Every engagement transfer key -> the state of that transfer (a hold is
    'pending' until a posting or void names it)."""
    rows = session.exec(
        select(LedgerTransfer.id, LedgerTransfer.transfer_key, LedgerTransfer.kind)
        .where(col(LedgerTransfer.transfer_key).startswith("engagement:"))
        .where(LedgerTransfer.currency != ledger.KARMA)
    ).all()
    settled = set(
        session.exec(
            select(LedgerTransfer.pending_id).where(
                col(LedgerTransfer.pending_id).is_not(None)
            )
        ).all()
    )
    return {
        key: ("settled" if row_id in settled else "pending")
        if kind == "pending"
        else kind
        for row_id, key, kind in rows
    }


def _unknown_payments(intents: Iterable[Payment], known: set) -> list[Difference]:
    """Money Stripe holds or took for a payment no engagement knows of."""
    return [
        Difference(
            "unknown_payment",
            f"Stripe {intent.status} {_money(intent.amount, intent.currency)} "
            f"(engagement {intent.metadata.get('engagement_id', '?')}) that the "
            "app has no record of: cancel or refund it in Stripe",
            None,
            intent.id,
        )
        for intent in intents
        if intent.id not in known and intent.status in MONEY_MOVED
    ]


def _escrow_differences(session: Session, paid: list[Engagement]) -> list[Difference]:
    """Escrow must hold exactly the captured money not yet paid out or refunded."""
    owed: dict[str, int] = defaultdict(int)
    for engagement in paid:
        if engagement.payment_status == "captured":
            owed[engagement.currency] += engagement.price
    accounts = session.exec(
        select(LedgerAccount).where(
            col(LedgerAccount.name).startswith(f"{ledger.ESCROW}:")
        )
    ).all()
    held = {a.currency: a.credits_posted - a.debits_posted for a in accounts}
    return [
        Difference(
            "escrow",
            f"escrow holds {_money(held.get(cur, 0), cur)}, captured payments "
            f"awaiting payout come to {_money(owed.get(cur, 0), cur)}",
        )
        for cur in sorted(set(owed) | set(held))
        if held.get(cur, 0) != owed.get(cur, 0)
    ]


def _flagged_webhooks(session: Session) -> list[Difference]:
    flagged = session.exec(
        select(StripeEvent)
        .where(col(StripeEvent.outcome).startswith("flagged"))
        .order_by(StripeEvent.received_at)
    ).all()
    return [
        Difference(
            "webhook", f"event {e.id} ({e.type}): {e.outcome}", None, e.intent_id
        )
        for e in flagged
    ]


def _money(amount: int, currency: str | None) -> str:
    return format_money(amount, currency) if currency else str(amount)
