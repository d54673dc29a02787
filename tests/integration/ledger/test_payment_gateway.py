"""The Stripe gateway against localstripe, a real HTTP fake of Stripe started on
loopback (tests/payments_fixtures.py): holds, captures, cancels, refunds,
declines, idempotency keys, listing, and webhooks signed by the server itself."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from marketplace.adapters.payments import StripeGateway
from marketplace.domain.errors import (
    InvalidInput,
    PaymentFailed,
    PaymentRejected,
    PaymentsUnavailable,
    WebhookRejected,
)
from tests.payments_fixtures import (
    CARD_3DS,
    CARD_FAILS_LATER,
    CARD_OK,
    TEST_SECRET_KEY,
    TEST_WEBHOOK_SECRET,
    card_on_file,
    configure_webhook,
    mute_webhook,
)

# the payer's saved cards, made once per module: {number: (customer, pm)}
_CARDS: dict[str, tuple[str, str]] = {}


@pytest.fixture(scope="module", autouse=True)
def cards_on_file(localstripe):
    gateway = StripeGateway(TEST_SECRET_KEY, api_base=localstripe)
    for number in (CARD_OK, CARD_3DS, CARD_FAILS_LATER):
        _CARDS[number] = card_on_file(gateway, localstripe, number)
    yield
    _CARDS.clear()


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def hold(
    gateway: StripeGateway,
    amount: int = 5000,
    currency: str = "eur",
    card: str = CARD_OK,
    **kw,
):
    customer, payment_method = _CARDS[card]
    return gateway.authorize(
        amount,
        currency,
        description="One hour of pricing advice",
        metadata={"engagement_id": "42", **kw.pop("metadata", {})},
        idempotency_key=kw.pop("idempotency_key", key()),
        payment_method=kw.pop("payment_method", payment_method),
        customer=kw.pop("customer", customer),
        **kw,
    )


# ---------------------------------------------------------------- escrow


def test_an_authorized_payment_is_held_and_capture_takes_it(stripe_gateway):
    held = hold(stripe_gateway, 5000, "EUR")

    assert held.id.startswith("pi_")
    assert (held.status, held.is_held) == ("requires_capture", True)
    assert (held.amount, held.amount_capturable, held.amount_received) == (
        5000,
        5000,
        0,
    )
    assert held.currency == "eur"
    assert held.metadata == {"engagement_id": "42"}

    captured = stripe_gateway.capture(held.id, idempotency_key=key())

    assert (captured.status, captured.is_captured) == ("succeeded", True)
    assert (captured.amount_capturable, captured.amount_received) == (0, 5000)
    assert stripe_gateway.retrieve(held.id) == captured


def test_a_partial_capture_takes_only_that_amount(stripe_gateway):
    held = hold(stripe_gateway, 8000)

    captured = stripe_gateway.capture(held.id, 6000)

    assert (captured.status, captured.amount_received) == ("succeeded", 6000)


def test_cancel_releases_the_hold_and_it_can_no_longer_be_captured(stripe_gateway):
    held = hold(stripe_gateway, 2500)

    released = stripe_gateway.cancel(held.id)

    assert (released.status, released.amount_capturable) == ("canceled", 0)
    with pytest.raises(PaymentRejected, match="capture"):
        stripe_gateway.capture(held.id)
    assert stripe_gateway.retrieve(held.id).status == "canceled"


def test_a_captured_payment_is_refunded_in_full(stripe_gateway):
    held = hold(stripe_gateway, 4200, "usd")
    stripe_gateway.capture(held.id)

    refund = stripe_gateway.refund(held.id, idempotency_key=key())

    assert refund.id.startswith("re_")
    assert (refund.intent_id, refund.amount, refund.currency) == (held.id, 4200, "usd")
    assert refund.status == "succeeded"
    assert [r.id for r in stripe_gateway.list_refunds(held.id)] == [refund.id]


def test_a_captured_payment_is_refunded_in_parts(stripe_gateway):
    held = hold(stripe_gateway, 10000)
    stripe_gateway.capture(held.id)

    first = stripe_gateway.refund(
        held.id, 3000, idempotency_key=key(), metadata={"reason": "late"}
    )
    second = stripe_gateway.refund(held.id, 2000, idempotency_key=key())

    assert (first.amount, second.amount) == (3000, 2000)
    refunds = stripe_gateway.list_refunds(held.id)
    assert sorted(r.amount for r in refunds) == [2000, 3000]
    assert {r.intent_id for r in refunds} == {held.id}


def test_a_card_declined_when_charged_is_a_clear_payment_failure(stripe_gateway):
    with pytest.raises(PaymentFailed, match="declined") as failure:
        hold(stripe_gateway, card=CARD_FAILS_LATER)

    assert failure.value.code == "card_declined"


def test_a_card_that_wants_3d_secure_waits_for_the_payer(stripe_gateway):
    waiting = hold(stripe_gateway, 6100, card=CARD_3DS)

    assert waiting.needs_authentication and not waiting.is_held
    assert waiting.client_secret.startswith(waiting.id)
    assert stripe_gateway.authentication_secret(waiting.id) == waiting.client_secret
    # nothing is held until the payer authenticates; releasing it is clean
    assert stripe_gateway.cancel(waiting.id).status == "canceled"


@pytest.mark.parametrize(
    "forged",
    [
        {"payment_method": "pm_card_visa; drop"},
        {"payment_method": "card_123"},
        {"customer": "acct_123"},
        {"customer": ""},
    ],
)
def test_malformed_cards_or_customers_never_reach_stripe(stripe_gateway, forged):
    with pytest.raises(InvalidInput):
        hold(stripe_gateway, **forged)


# ---------------------------------------------------------------- idempotency


def test_the_same_idempotency_key_returns_the_same_hold(stripe_gateway):
    same = key()

    first = hold(stripe_gateway, 3000, idempotency_key=same)
    again = hold(stripe_gateway, 3000, idempotency_key=same)

    assert again.id == first.id
    ours = [p for p in stripe_gateway.list_intents() if p.id == first.id]
    assert len(ours) == 1


def test_an_idempotency_key_reused_with_other_fields_is_refused(stripe_gateway):
    same = key()
    hold(stripe_gateway, 3000, idempotency_key=same)

    with pytest.raises(PaymentRejected) as refused:
        hold(stripe_gateway, 3001, idempotency_key=same)

    assert refused.value.code == "idempotency_error"


def test_a_repeated_refund_with_the_same_key_refunds_once(stripe_gateway):
    held = hold(stripe_gateway, 5000)
    stripe_gateway.capture(held.id)
    same = key()

    first = stripe_gateway.refund(held.id, 1000, idempotency_key=same)
    again = stripe_gateway.refund(held.id, 1000, idempotency_key=same)

    assert again == first
    assert [r.amount for r in stripe_gateway.list_refunds(held.id)] == [1000]


# ---------------------------------------------------------------- reading


def test_list_intents_pages_through_every_payment(stripe_gateway):
    mine = {hold(stripe_gateway, 100 + n).id for n in range(3)}

    listed = {p.id: p for p in stripe_gateway.list_intents()}

    assert mine <= set(listed)
    assert {listed[i].amount for i in mine} == {100, 101, 102}


def test_an_unknown_payment_is_rejected(stripe_gateway):
    with pytest.raises(PaymentRejected):
        stripe_gateway.retrieve("pi_doesnotexist")
    with pytest.raises(InvalidInput):
        stripe_gateway.retrieve("pi_../../v1/customers")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("amount", [0, -5, 10**9, 12.5, True])
def test_absurd_amounts_never_reach_stripe(stripe_gateway, amount):
    with pytest.raises(InvalidInput):
        hold(stripe_gateway, amount)


@pytest.mark.parametrize("currency", ["", "euro", "e1r", "€"])
def test_malformed_currencies_never_reach_stripe(stripe_gateway, currency):
    with pytest.raises(InvalidInput):
        hold(stripe_gateway, 100, currency)


def test_a_refund_needs_an_idempotency_key(stripe_gateway):
    with pytest.raises(InvalidInput):
        stripe_gateway.refund("pi_whatever", idempotency_key="")


# ---------------------------------------------------------------- outages


def test_a_refused_key_means_payments_are_unavailable(localstripe):
    gateway = StripeGateway("sk_x", api_base=localstripe)  # localstripe: too short

    with pytest.raises(PaymentsUnavailable, match="key"):
        hold(gateway)


def test_an_unreachable_stripe_means_payments_are_unavailable():
    from tests.integration.inbox.test_digest import free_port

    gateway = StripeGateway(TEST_SECRET_KEY, api_base=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(PaymentsUnavailable, match="can't be reached"):
        hold(gateway)


# ---------------------------------------------------------------- webhooks


@dataclass(frozen=True)
class Delivery:
    signature: str
    body: bytes


class WebhookSink:
    """A loopback HTTP server that keeps every POST localstripe makes."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sink.deliveries.put(Delivery(self.headers["Stripe-Signature"], body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivery_about(self, object_id: str, timeout: float = 15) -> Delivery:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                delivery = self.deliveries.get(timeout=left)
            except queue.Empty:
                break
            if json.loads(delivery.body)["data"]["object"].get("id") == object_id:
                return delivery
        raise AssertionError(f"no webhook about {object_id} within {timeout}s")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_sink(localstripe) -> Iterator[WebhookSink]:
    sink = WebhookSink()
    name = f"sink-{uuid.uuid4().hex[:8]}"
    configure_webhook(localstripe, name, sink.url, events=["payment_intent.succeeded"])
    yield sink
    mute_webhook(localstripe, name)
    sink.close()


def test_a_capture_sends_a_signed_webhook_that_verifies(stripe_gateway, webhook_sink):
    held = hold(stripe_gateway, 7700)
    stripe_gateway.capture(held.id)

    delivery = webhook_sink.delivery_about(held.id)
    event = stripe_gateway.verify_webhook(delivery.body, delivery.signature)

    assert event["id"].startswith("evt_")
    assert event["type"] == "payment_intent.succeeded"
    intent = event["data"]["object"]
    assert (intent["id"], intent["amount_received"]) == (held.id, 7700)
    assert intent["metadata"] == {"engagement_id": "42"}


def test_forged_tampered_stale_or_unsigned_webhooks_are_rejected(
    stripe_gateway, webhook_sink
):
    held = hold(stripe_gateway, 1200)
    stripe_gateway.capture(held.id)
    real = webhook_sink.delivery_about(held.id)
    tampered = real.body.replace(b'"amount": 1200', b'"amount": 999999')
    forged = sign(real.body, "whsec_someone_else")
    stale = sign(real.body, TEST_WEBHOOK_SECRET, at=int(time.time()) - 3600)

    assert tampered != real.body
    for body, signature in [
        (tampered, real.signature),
        (real.body, forged),
        (real.body, stale),
        (real.body, ""),
        (b"not json", sign(b"not json", TEST_WEBHOOK_SECRET)),
    ]:
        with pytest.raises(WebhookRejected):
            stripe_gateway.verify_webhook(body, signature)


def test_without_a_signing_secret_no_webhook_is_believed(localstripe):
    gateway = StripeGateway(TEST_SECRET_KEY, api_base=localstripe)
    body = b'{"id": "evt_1", "object": "event"}'

    with pytest.raises(WebhookRejected, match="MARKETPLACE_STRIPE_WEBHOOK_SECRET"):
        gateway.verify_webhook(body, sign(body, TEST_WEBHOOK_SECRET))


def sign(body: bytes, secret: str, at: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp=at
    )
