"""The money side of paid help, for the wallet: what a payer's card did, and
what a helper was paid.

A payer's card payment is one line per paid engagement, in words:

    held      the card is held (accepted, not yet charged)
    charged   the card was charged (captured into escrow, or paid out)
    released  the hold was let go: nothing was ever charged
    refunded  the charge was given back in full

with links to its receipts (ledger/receipts.py). A helper's payout is one
line per engagement paid out to them: the price (gross), the platform's fee
and their net, read from the ledger's own payout legs
(`engagement:{id}:payout:fee|net`, ledger.release_escrow), and where the
net went: to their bank through Stripe Connect (`:transferred`,
payouts.pay_out) or kept in their wallet balance on this site.

Read-only; every function takes the member id the caller authorized.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts.members import timezone_of
from marketplace.domain.money import format_money
from marketplace.domain.receipts import KIND_LABELS, card_label
from marketplace.domain.times import local_date
from marketplace.models import (
    Engagement,
    LedgerTransfer,
    Listing,
    Receipt,
    SavedCard,
)
from marketplace.settings import get_settings

LIMIT = 50
# payment_status -> (status, what the payer reads)
CARD_STATES = {
    "authorized": ("held", "Held on your card: charged when you confirm"),
    "captured": ("charged", "Charged: paid to the helper when you confirm"),
    "paid_out": ("charged", "Charged: the helper was paid"),
    "cancelled": ("released", "Released: nothing was charged"),
    "refunded": ("refunded", "Refunded in full"),
    "failed": ("failed", "The card was declined: nothing was charged"),
}
BANK, KEPT = "bank", "kept"
# What "kept here for now" means, by payouts.payout_state
KEPT_MEANING = {
    "off": "Kept here for now: your net stays in your wallet on this site (in "
    "the platform's Stripe balance); this site doesn't pay out to banks yet.",
    "not_set_up": "Kept here for now: your net stays in your wallet on this site "
    "(in the platform's Stripe balance) until you set up payouts with Stripe; "
    "payments after that go straight to your bank.",
    "set_up": "Kept here: paid before you set up payouts, so it stays in your "
    "wallet on this site; newer payments go straight to your bank.",
}


@dataclass(frozen=True)
class CardPaymentLine:
    engagement_id: int
    title: str
    link: str
    when: str
    amount: str
    card: str
    status: str  # held | charged | released | refunded | failed
    status_label: str
    receipts: list[dict[str, str]] = field(default_factory=list)  # label, link

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PayoutLine:
    engagement_id: int
    title: str
    link: str
    when: str
    gross: str
    fee: str
    net: str
    where: str  # bank | kept
    where_label: str

    def as_dict(self) -> dict:
        return asdict(self)


def card_payments_of(session: Session, member_id: int) -> list[CardPaymentLine]:
    """The member's card payments as the payer, latest change first."""
    rows = session.exec(
        select(Engagement, Listing.title)
        .join(Listing, col(Listing.id) == Engagement.listing_id)
        .where(
            Engagement.asker_id == member_id,
            Engagement.terms == "paid",
            col(Engagement.payment_status).in_(list(CARD_STATES)),
        )
        .order_by(col(Engagement.updated_at).desc(), col(Engagement.id).desc())
        .limit(LIMIT)
    ).all()
    ids = [engagement.id for engagement, _ in rows]
    receipts = _receipts_by_engagement(session, ids)
    cards = _cards(session, [e.payment_method_id for e, _ in rows])
    zone, locale = timezone_of(session, member_id), get_settings().locale
    lines = []
    for engagement, title in rows:
        status, label = CARD_STATES[engagement.payment_status]
        lines.append(
            CardPaymentLine(
                engagement_id=engagement.id,
                title=title,
                link=routes.engagement(engagement.id),
                when=local_date(engagement.updated_at, zone),
                amount=format_money(engagement.price, engagement.currency, locale),
                card=cards.get(engagement.payment_method_id or "", "card"),
                status=status,
                status_label=label,
                receipts=receipts.get(engagement.id, []),
            )
        )
    return lines


def _receipts_by_engagement(
    session: Session, engagement_ids: list[int]
) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = {}
    if not engagement_ids:
        return found
    rows = session.exec(
        select(Receipt)
        .where(col(Receipt.engagement_id).in_(engagement_ids))
        .order_by(col(Receipt.id))
    ).all()
    for receipt in rows:
        found.setdefault(receipt.engagement_id, []).append(
            {
                "label": f"{KIND_LABELS[receipt.kind]} receipt {receipt.number}",
                "link": routes.receipt(receipt.id),
            }
        )
    return found


def _cards(session: Session, method_ids: list[str | None]) -> dict[str, str]:
    wanted = [m for m in method_ids if m]
    if not wanted:
        return {}
    rows = session.exec(
        select(SavedCard).where(col(SavedCard.payment_method_id).in_(wanted))
    ).all()
    return {r.payment_method_id: card_label(r.brand, r.last4) for r in rows}


def payouts_of(session: Session, member_id: int) -> list[PayoutLine]:
    """What the member was paid for paid help, latest first: gross, fee, net,
    and whether the net went to their bank or stays in their wallet."""
    rows = session.exec(
        select(Engagement, Listing.title)
        .join(Listing, col(Listing.id) == Engagement.listing_id)
        .where(
            Engagement.helper_id == member_id,
            Engagement.terms == "paid",
            Engagement.payment_status == "paid_out",
        )
        .order_by(col(Engagement.updated_at).desc(), col(Engagement.id).desc())
        .limit(LIMIT)
    ).all()
    legs = _payout_legs(session, [engagement.id for engagement, _ in rows])
    zone, locale = timezone_of(session, member_id), get_settings().locale
    lines = []
    for engagement, title in rows:
        key = f"engagement:{engagement.id}"
        fee, net = legs.get(f"{key}:payout:fee"), legs.get(f"{key}:payout:net")
        if net is None:  # not paid out in the ledger: nothing to show
            continue
        banked = f"{key}:transferred" in legs
        lines.append(
            PayoutLine(
                engagement_id=engagement.id,
                title=title,
                link=routes.engagement(engagement.id),
                when=local_date(net[1], zone),
                gross=format_money(engagement.price, engagement.currency, locale),
                fee=format_money(fee[0] if fee else 0, engagement.currency, locale),
                net=format_money(net[0], engagement.currency, locale),
                where=BANK if banked else KEPT,
                where_label="Paid to your bank" if banked else "Kept here for now",
            )
        )
    return lines


def _payout_legs(session: Session, engagement_ids: list[int]) -> dict[str, tuple]:
    """transfer key -> (amount, created_at) of the engagements' payout legs."""
    keys = [
        f"engagement:{i}:{leg}"
        for i in engagement_ids
        for leg in ("payout:fee", "payout:net", "transferred")
    ]
    if not keys:
        return {}
    rows = session.exec(
        select(
            LedgerTransfer.transfer_key,
            LedgerTransfer.amount,
            LedgerTransfer.created_at,
        ).where(col(LedgerTransfer.transfer_key).in_(keys))
    ).all()
    return {key: (amount, at) for key, amount, at in rows}


def kept_meaning(payout_state: str) -> str:
    """The one line that says what 'Kept here for now' means for this member."""
    return KEPT_MEANING.get(payout_state, KEPT_MEANING["off"])
