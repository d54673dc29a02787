"""Paying consultants their earnings through Stripe Connect, where the
platform's Stripe account can (`MARKETPLACE_STRIPE_CONNECT=1`).

A consultant sets up payouts once: the app opens an Express connected account
for them and sends them to Stripe's onboarding page (Stripe collects their
identity and bank details, never us). From then on, each paid engagement's net
goes to that account when the card is captured ("separate charges and
transfers", tied to the captured charge), and the ledger moves it out:

    consultant:{cur} -> stripe:{cur}     (the money left the platform)

Without Connect, or before a consultant sets it up, earnings stay in their
ledger money account, shown in the wallet.
"""

from __future__ import annotations

from sqlmodel import Session, select

from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import Conflict, PaymentsUnavailable
from marketplace.ledger import ledger
from marketplace.models import Engagement, LedgerTransfer, Member
from marketplace.settings import get_settings


def connect_available() -> bool:
    return bool(payments.payments_available()) and get_settings().stripe_connect


def start_onboarding(
    session: Session, *, actor_id: int, return_url: str, country: str = "US"
) -> str:
    """The Stripe page where this member sets up payouts (a single-use URL:
    redirect at once). Opens their connected account the first time."""
    if not connect_available():
        raise PaymentsUnavailable(
            "Payouts through Stripe aren't set up on this site; your earnings "
            "stay in your wallet."
        )
    member = session.exec(
        select(Member).where(Member.id == actor_id).with_for_update()
    ).one()
    gateway = payments.gateway_from_settings()
    if member.stripe_account_id is None:
        member.stripe_account_id = gateway.create_connected_account(
            payments.connected_account_params(
                email=member.email,
                country=country,
                metadata={"member_id": str(member.id)},
            ),
            idempotency_key=payments.idempotency_key("member", member, "connect"),
        )
        session.add(member)
    return gateway.create_onboarding_link(
        payments.onboarding_link_params(
            account_id=member.stripe_account_id,
            refresh_url=return_url,
            return_url=return_url,
        )
    )


def pay_out(
    session: Session, engagement: Engagement, clock: Clock = system_clock
) -> bool:
    """Send the consultant's net for this engagement to their connected
    account, if payouts are on and they set them up; True when sent."""
    consultant = session.get(Member, engagement.helper_id)
    if not connect_available() or consultant.stripe_account_id is None:
        return False
    key = f"engagement:{engagement.id}:payout:net"
    net = session.exec(
        select(LedgerTransfer.amount).where(LedgerTransfer.transfer_key == key)
    ).first()
    if not net:
        raise Conflict(f"Engagement #{engagement.id} has nothing to pay out.")
    gateway = payments.gateway_from_settings()
    charge = gateway.retrieve(engagement.payment_intent_id).latest_charge
    gateway.transfer_to_connected_account(
        payments.transfer_params(
            amount_minor=net,
            currency=engagement.currency,
            destination_account=consultant.stripe_account_id,
            source_charge=charge,
            transfer_group=f"engagement-{engagement.id}",
            metadata={"engagement_id": str(engagement.id)},
        ),
        idempotency_key=payments.idempotency_key("engagement", engagement, "transfer"),
    )
    ledger.transfer(
        session,
        key=f"engagement:{engagement.id}:transferred",
        debit_account_id=ledger.member_account(
            session, consultant.id, engagement.currency
        ),
        credit_account_id=ledger.system_account(
            session, ledger.STRIPE, engagement.currency
        ),
        amount=net,
        code="payout",
        memo=f"Paid out to your bank through Stripe (engagement #{engagement.id})",
        currency=engagement.currency,
        clock=clock,
    )
    return True


def payout_state(session: Session, member_id: int) -> str:
    """For the wallet: off | not_set_up | set_up."""
    if not connect_available():
        return "off"
    member = session.get(Member, member_id)
    return "set_up" if member and member.stripe_account_id else "not_set_up"
