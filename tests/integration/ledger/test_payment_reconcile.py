"""`payments reconcile`: Stripe, the ledger and the app tell one story about
every card payment, and an operator is shown exactly where they don't."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from marketplace.adapters import payments
from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.db import read_only, unit_of_work
from marketplace.ledger.card_payments import secure_aging
from marketplace.ledger.payment_reconcile import reconcile
from marketplace.models import Engagement
from tests.integration.ledger.test_paid_engagements import PAID, book, engagement
from tests.integration.market.test_engagements import act, post
from tests.payments_fixtures import card_on_file


def report():
    with read_only() as s:
        return reconcile(s, payments.gateway_from_settings())


def kinds(found) -> list[str]:
    return sorted(d.kind for d in found.differences)


def one_of_each(ada, bo) -> dict[str, int]:
    """A paid engagement in every payment state."""
    clock = FixedClock(datetime.now(UTC))

    def accepted(state: str) -> int:
        booked = book(bo, post(ada, kind="offer", title=f"Paid: {state}", **PAID))
        act(ada, booked, "accept", clock=clock)
        return booked

    made = {state: accepted(state) for state in ("captured", "paid_out", "refunded")}
    clock.advance(timedelta(days=6, minutes=1))
    with unit_of_work() as s:  # the sweep captures every card held six days
        assert secure_aging(s, clock) == 3
    act(ada, made["paid_out"], "deliver", clock=clock)
    act(bo, made["paid_out"], "confirm", clock=clock)
    act(bo, made["refunded"], "cancel", clock=clock)
    made["authorized"] = accepted("authorized")
    made["cancelled"] = accepted("cancelled")
    act(bo, made["cancelled"], "cancel", clock=clock)
    return made


def test_every_payment_state_reconciles_clean(ada, bo, fresh_stripe):
    made = one_of_each(ada, bo)
    statuses = {state: engagement(i).payment_status for state, i in made.items()}
    assert statuses == {state: state for state in made}
    found = report()
    assert found.ok, found.differences
    assert found.payments_checked == 5


def test_a_payment_stripe_holds_but_the_app_never_recorded_is_reported(
    ada, bo, fresh_stripe
):
    book_and_accept = book(bo, post(ada, kind="offer", **PAID))
    act(ada, book_and_accept, "accept")
    gateway = payments.gateway_from_settings()
    customer, card = card_on_file(gateway, fresh_stripe)
    stray = gateway.authorize(
        1234,
        "eur",
        description="rolled back",
        metadata={"engagement_id": "999"},
        idempotency_key=f"stray-{uuid.uuid4()}",
        payment_method=card,
        customer=customer,
    )
    found = report()
    assert kinds(found) == ["unknown_payment"]
    assert found.differences[0].intent_id == stray.id
    assert "€12.34" in found.differences[0].detail


def test_a_capture_made_in_stripe_s_dashboard_is_reported(ada, bo, fresh_stripe):
    held = book(bo, post(ada, kind="offer", **PAID))
    act(ada, held, "accept")
    payments.gateway_from_settings().capture(engagement(held).payment_intent_id)
    found = report()
    assert kinds(found) == ["status"]
    assert "the app says authorized, Stripe says succeeded" in (
        found.differences[0].detail
    )


def test_a_status_the_ledger_does_not_back_is_reported(ada, bo, fresh_stripe):
    held = book(bo, post(ada, kind="offer", **PAID))
    act(ada, held, "accept")
    with unit_of_work() as s:  # as if a bug had skipped the ledger's half
        s.get(Engagement, held).payment_status = "cancelled"
    payments.gateway_from_settings().cancel(engagement(held).payment_intent_id)
    found = report()
    assert kinds(found) == ["ledger", "ledger"]
    details = " / ".join(d.detail for d in found.differences)
    assert ":void is missing" in details


def test_the_command_prints_the_differences_and_exits_1(ada, bo, fresh_stripe, capsys):
    held = book(bo, post(ada, kind="offer", **PAID))
    act(ada, held, "accept")
    assert main(["payments", "reconcile"]) == 0
    assert "Clean" in capsys.readouterr().out
    payments.gateway_from_settings().capture(engagement(held).payment_intent_id)
    assert main(["payments", "reconcile", "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert printed["ok"] is False
    assert printed["differences"][0]["engagement_id"] == held


def test_the_command_refuses_clearly_without_stripe_keys(ada, capsys, monkeypatch):
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    assert main(["payments", "reconcile"]) == 1
    assert "MARKETPLACE_STRIPE_SECRET_KEY" in capsys.readouterr().err
