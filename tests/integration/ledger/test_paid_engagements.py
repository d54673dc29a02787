"""Paid help through Stripe (localstripe on loopback): the card is held at
acceptance, captured at confirmation with the platform's fee split off, and
released on cancellation; the ledger mirrors every step per currency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.adapters import payments
from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorized,
    NotFound,
    PaymentRejected,
    PaymentsUnavailable,
)
from marketplace.ledger import cards, ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.ledger.card_payments import secure_aging
from marketplace.ledger.payment_reconcile import reconcile
from marketplace.market import engagements
from marketplace.models import Engagement, LedgerTransfer, Member, Notification
from tests.integration.market.test_engagements import act, post
from tests.payments_fixtures import (
    CARD_3DS,
    CARD_FAILS_LATER,
    CARD_OK,
    authenticate_payment,
    save_card,
)

PAID = {"terms": "paid", "price": "45.50", "currency": "eur", "rate_kind": "hourly"}


def book(asker, listing_id, hours=2, card: str | None = CARD_OK) -> int:
    """The asker books; with `card`, they saved it first (as their default)."""
    if card is not None:
        view = save_card(asker.member_id, card)
        with unit_of_work() as s:
            cards.make_default(s, actor_id=asker.member_id, card_id=view.id)
    with unit_of_work() as s:
        return engagements.propose(
            s, actor_id=asker.member_id, listing_id=listing_id, hours=hours
        ).id


def engagement(engagement_id) -> Engagement:
    with read_only() as s:
        return s.get(Engagement, engagement_id)


def balance(member_id=None, system=None) -> int:
    with unit_of_work() as s:  # the account may not exist yet: made on first use
        account = (
            ledger.member_account(s, member_id, "eur")
            if member_id
            else ledger.system_account(s, system, "eur")
        )
        return ledger.totals(s, account).balance


def test_a_paid_booking_is_held_then_captured_with_the_fee_split(ada, bo, stripe_env):
    offer = post(ada, kind="offer", **PAID)
    booked = book(bo, offer, hours=2)
    assert (engagement(booked).price, engagement(booked).currency) == (9100, "eur")
    act(ada, booked, "accept")
    held = engagement(booked)
    gateway = payments.gateway_from_settings()
    assert held.payment_status == "authorized"
    assert gateway.retrieve(held.payment_intent_id).status == "requires_capture"
    act(ada, booked, "deliver")
    act(bo, booked, "confirm")
    paid = gateway.retrieve(held.payment_intent_id)
    assert (paid.status, paid.amount_received) == ("succeeded", 9100)
    assert engagement(booked).payment_status == "paid_out"
    assert balance(ada.member_id) == 8190  # 10 % platform fee by default
    assert balance(system=ledger.PLATFORM_FEES) == 910
    with read_only() as s:
        assert audit_ledger(s).ok


def test_cancelling_a_paid_engagement_releases_the_card(ada, bo, stripe_env):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept")
    act(bo, booked, "cancel")
    intent = engagement(booked).payment_intent_id
    assert payments.gateway_from_settings().retrieve(intent).status == "canceled"
    assert engagement(booked).payment_status == "cancelled"
    assert balance(system=ledger.ESCROW) == 0
    with read_only() as s:
        assert audit_ledger(s).ok


def test_booking_paid_help_where_stripe_is_off_is_refused(
    ada, bo, stripe_env, monkeypatch
):
    offer = post(ada, kind="offer", **PAID)
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY")
    get_settings.cache_clear()
    with pytest.raises(PaymentsUnavailable):
        book(bo, offer)


def operator(member):
    with unit_of_work() as s:
        s.get(Member, member.member_id).is_operator = True
    return member.member_id


def resolve(operator_id, engagement_id, resolution, clock=None):
    extra = {"clock": clock} if clock else {}
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s,
            operator_id=operator_id,
            engagement_id=engagement_id,
            resolution=resolution,
            **extra,
        )


def disputed(ada, bo, clock=None) -> int:
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    act(ada, booked, "deliver", clock=clock)
    act(bo, booked, "dispute", note="The call never happened", clock=clock)
    return booked


def test_a_dispute_refunded_while_the_card_is_held_lets_it_go(ada, bo, cy, stripe_env):
    booked = disputed(ada, bo)
    resolve(operator(cy), booked, "refund")
    intent = engagement(booked).payment_intent_id
    assert payments.gateway_from_settings().retrieve(intent).status == "canceled"
    assert engagement(booked).payment_status == "cancelled"
    assert balance(ada.member_id) == 0


def test_a_dispute_released_pays_the_consultant(ada, bo, cy, stripe_env):
    booked = disputed(ada, bo)
    resolve(operator(cy), booked, "release")
    assert engagement(booked).payment_status == "paid_out"
    assert balance(ada.member_id) == 4095  # 45.50 less 10 %


def test_a_card_held_six_days_is_captured_into_escrow_before_it_lapses(
    ada, bo, stripe_env
):
    clock = FixedClock(datetime.now(UTC))
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    clock.advance(timedelta(days=5, hours=23))
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 0
    clock.advance(timedelta(hours=2))
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 1
    with unit_of_work() as s:
        assert secure_aging(s, clock) == 0  # once
    secured = engagement(booked)
    gateway = payments.gateway_from_settings()
    assert gateway.retrieve(secured.payment_intent_id).status == "succeeded"
    assert secured.payment_status == "captured"
    assert balance(system=ledger.ESCROW) == 4550  # not yet the consultant's
    assert balance(ada.member_id) == 0
    act(ada, booked, "deliver", clock=clock)
    act(bo, booked, "confirm", clock=clock)
    assert engagement(booked).payment_status == "paid_out"
    assert balance(ada.member_id) == 4095
    assert balance(system=ledger.ESCROW) == 0


def test_cancelling_after_the_capture_refunds_the_card(ada, bo, stripe_env):
    clock = FixedClock(datetime.now(UTC))
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept", clock=clock)
    clock.advance(timedelta(days=6, minutes=1))
    with unit_of_work() as s:
        secure_aging(s, clock)
    act(bo, booked, "cancel", clock=clock)
    refunded = engagement(booked)
    refunds = payments.gateway_from_settings().list_refunds(refunded.payment_intent_id)
    assert [(r.amount, r.currency) for r in refunds] == [(4550, "eur")]
    assert refunded.payment_status == "refunded"
    assert balance(system=ledger.ESCROW) == 0
    assert balance(system=ledger.STRIPE) == 0
    with read_only() as s:
        assert audit_ledger(s).ok


def test_nobody_can_book_their_own_paid_offer(ada, stripe_env):
    offer = post(ada, kind="offer", **PAID)
    with pytest.raises(InvalidInput, match="your own listing"):
        book(ada, offer)


@pytest.mark.parametrize("hours", [0, -1, 9, "two", 2.5, True])
def test_bad_hours_are_refused_and_nothing_is_booked(ada, bo, stripe_env, hours):
    offer = post(ada, kind="offer", **PAID)
    with pytest.raises(InvalidInput):
        book(bo, offer, hours=hours)
    with read_only() as s:
        assert s.exec(select(Engagement)).all() == []


def euro_transfers() -> list:
    with read_only() as s:
        return s.exec(
            select(LedgerTransfer).where(LedgerTransfer.currency == "eur")
        ).all()


def told(member) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text)
                .where(Notification.member_id == member.member_id)
                .order_by(Notification.id)
            )
        )


def stripe_intents() -> int:
    """How many PaymentIntents Stripe was asked to make (run with fresh_stripe)."""
    return len(list(payments.gateway_from_settings().list_intents()))


def reconciled() -> bool:
    with read_only() as s:
        report = reconcile(s, payments.gateway_from_settings())
    assert report.ok, report.differences
    return True


def test_a_booking_without_a_card_waits_for_one_and_nothing_is_held(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=None)
    assert act(ada, booked, "accept") == "proposed"
    assert engagement(booked).payment_status == "needs_card"
    assert "Add a card in your wallet" in told(bo)[-1]
    with read_only() as s:
        waits = engagements.card_wait(s, engagement(booked), ada.member_id)
    assert waits.startswith("Waiting for Bob to add a card")
    assert euro_transfers() == []

    save_card(bo.member_id)
    with unit_of_work() as s:
        assert engagements.card_added(s, bo.member_id, system_clock) == 1
    assert told(ada)[-1].startswith("Bob added a card: you can accept")
    assert act(ada, booked, "accept") == "accepted"
    assert engagement(booked).payment_status == "authorized"
    assert reconciled()


def test_a_payer_accepting_a_paid_answer_without_a_card_is_sent_to_add_one(
    ada, bo, fresh_stripe
):
    request = post(bo, kind="request", **PAID)  # Bo asks; Ada offers to help
    with unit_of_work() as s:
        answered = engagements.propose(s, actor_id=ada.member_id, listing_id=request).id
    with pytest.raises(InvalidInput, match="Add a card in your wallet"):
        act(bo, answered, "accept")
    assert engagement(answered).payment_status == "none"
    save_card(bo.member_id)
    assert act(bo, answered, "accept") == "accepted"


def test_a_card_declined_at_acceptance_holds_nothing_and_the_payer_is_told(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_FAILS_LATER)
    assert act(ada, booked, "accept") == "proposed"
    declined = engagement(booked)
    assert (declined.payment_status, declined.payment_attempts) == ("declined", 1)
    assert "Your Visa ending 0341 was declined" in told(bo)[-1]
    assert euro_transfers() == []
    assert reconciled()

    good = save_card(bo.member_id, CARD_OK)
    with unit_of_work() as s:
        cards.make_default(s, actor_id=bo.member_id, card_id=good.id)
    assert act(ada, booked, "accept") == "accepted"  # a new attempt, a new key
    assert engagement(booked).payment_status == "authorized"
    assert reconciled()


def test_pressing_accept_again_never_retries_a_declined_card(ada, bo, fresh_stripe):
    """A hostile helper hammering Accept must not hammer the payer's card:
    after a decline, Stripe is not asked again until another card is saved."""
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_FAILS_LATER)
    assert act(ada, booked, "accept") == "proposed"
    intents = stripe_intents()
    for _ in range(3):
        with pytest.raises(Conflict, match="waits until they save another card"):
            act(ada, booked, "accept")
    assert stripe_intents() == intents  # no new attempt
    again = engagement(booked)
    assert (again.payment_status, again.payment_attempts) == ("declined", 1)
    assert len([t for t in told(bo) if "was declined" in t]) == 1


def test_a_card_that_asks_for_3d_secure_waits_for_the_payer_to_authenticate(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=2, card=CARD_3DS)
    assert act(ada, booked, "accept") == "proposed"
    assert engagement(booked).payment_status == "needs_auth"
    assert "Your bank asks you to confirm" in told(bo)[-1]
    assert act(ada, booked, "accept") == "proposed"  # clicking again: no nagging
    assert len([t for t in told(bo) if "Your bank asks" in t]) == 1
    assert euro_transfers() == []
    assert reconciled()

    with unit_of_work() as s, pytest.raises(NotFound):  # not Ada's to see
        engagements.authentication_secret(
            s, actor_id=ada.member_id, engagement_id=booked
        )
    with unit_of_work() as s:
        secret, card = engagements.authentication_secret(
            s, actor_id=bo.member_id, engagement_id=booked
        )
    assert card.startswith("pm_")
    authenticate_payment(fresh_stripe, secret, success=True)  # Bo's browser
    with unit_of_work() as s, pytest.raises(NotAuthorized):
        engagements.payment_authenticated(
            s, actor_id=ada.member_id, engagement_id=booked
        )
    for _ in range(2):  # a double click finishes it once
        with unit_of_work() as s:
            engagements.payment_authenticated(
                s, actor_id=bo.member_id, engagement_id=booked
            )
    done = engagement(booked)
    assert (done.status, done.payment_status) == ("accepted", "authorized")
    assert told(ada)[-1].startswith("Bob confirmed the payment")
    assert balance(system=ledger.ESCROW) == 0 and reconciled()


def test_a_refused_authentication_holds_nothing_and_both_are_told(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_3DS)
    act(ada, booked, "accept")
    with unit_of_work() as s:
        secret, _ = engagements.authentication_secret(
            s, actor_id=bo.member_id, engagement_id=booked
        )
    authenticate_payment(fresh_stripe, secret, success=False)
    with unit_of_work() as s:
        engagements.payment_authenticated(
            s, actor_id=bo.member_id, engagement_id=booked
        )
    failed = engagement(booked)
    assert (failed.status, failed.payment_status) == ("proposed", "auth_failed")
    gateway = payments.gateway_from_settings()
    assert gateway.retrieve(failed.payment_intent_id).status == "canceled"
    assert "bank didn't confirm the payment" in told(ada)[-1]
    assert euro_transfers() == [] and reconciled()


def test_declining_a_booking_that_waits_for_authentication_lets_the_payment_go(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_3DS)
    act(ada, booked, "accept")
    assert act(ada, booked, "decline") == "declined"
    gone = engagement(booked)
    assert gone.payment_status == "abandoned"
    gateway = payments.gateway_from_settings()
    assert gateway.retrieve(gone.payment_intent_id).status == "canceled"
    assert reconciled()


def test_a_removed_or_someone_elses_card_is_never_charged(ada, bo, cy, fresh_stripe):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    with read_only() as s:
        (card,) = cards.cards_of(s, bo.member_id)
    with unit_of_work() as s, pytest.raises(NotFound):  # Cy can't touch Bo's card
        cards.remove_card(s, actor_id=cy.member_id, card_id=card.id)
    with unit_of_work() as s:
        cards.remove_card(s, actor_id=bo.member_id, card_id=card.id)
    assert act(ada, booked, "accept") == "proposed"
    assert engagement(booked).payment_status == "needs_card"
    assert euro_transfers() == []


def test_an_authenticated_payment_for_another_amount_or_currency_is_refused(
    ada, bo, fresh_stripe
):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1, card=CARD_3DS)
    act(ada, booked, "accept")
    with unit_of_work() as s:
        secret, _ = engagements.authentication_secret(
            s, actor_id=bo.member_id, engagement_id=booked
        )
    authenticate_payment(fresh_stripe, secret, success=True)
    with unit_of_work() as s:  # the row no longer matches what Stripe holds
        s.get(Engagement, booked).currency = "usd"
    with unit_of_work() as s, pytest.raises(PaymentRejected, match="doesn't match"):
        engagements.payment_authenticated(
            s, actor_id=bo.member_id, engagement_id=booked
        )
    still = engagement(booked)
    assert (still.status, still.payment_status) == ("proposed", "needs_auth")
    assert euro_transfers() == []
