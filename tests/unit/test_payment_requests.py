"""What the Stripe gateway sends where localstripe can't answer (Checkout,
Connect), checked for shape against the stripe library's own parameter types,
and sent through a recording HTTP client; plus when payments are available and
which webhook bodies are believed."""

from __future__ import annotations

import json
import re
import sys
import time
from typing import Any, is_typeddict
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from stripe.params import (
    AccountCreateParams,
    AccountLinkCreateParams,
    PaymentIntentCreateParams,
    TransferCreateParams,
)
from stripe.params.checkout import SessionCreateParams

from marketplace.adapters.payments import (
    CheckoutSession,
    StripeGateway,
    Transfer,
    authorization_params,
    checkout_session_params,
    connected_account_params,
    gateway_from_settings,
    onboarding_link_params,
    payments_available,
    transfer_params,
)
from marketplace.domain.errors import InvalidInput, PaymentsUnavailable, WebhookRejected
from marketplace.settings import load_settings

SECRET = "whsec_unit"


def assert_fits(params: dict[str, Any], shape: type) -> None:
    """`params` uses only keys (and literal values) that `shape`, one of the
    stripe library's TypedDicts for a request, allows, nested ones included."""
    hints, module = shape.__annotations__, sys.modules[shape.__module__]
    assert not shape.__required_keys__ - params.keys(), shape.__name__
    assert not params.keys() - hints.keys(), (
        f"{shape.__name__} has no {params.keys() - hints.keys()}"
    )
    for name, value in params.items():
        annotation = repr(hints[name])
        literal = re.search(r"Literal\[([^\]]*)\]", annotation)
        if literal and isinstance(value, str):
            assert value in re.findall(r"'([^']*)'", literal.group(1)), (name, value)
        nested = [
            getattr(module, n)
            for n in re.findall(r"\b([A-Z]\w*Params\w*)\b", annotation)
            if is_typeddict(getattr(module, n, None))
        ]
        for item in value if isinstance(value, list) else [value]:
            if nested and isinstance(item, dict):
                assert_fits(item, nested[0])


# ---------------------------------------------------------------- availability


def settings(**env: str):
    return load_settings().__class__(**{**load_settings().__dict__, **env})


def test_without_a_key_payments_are_unavailable_with_a_reason():
    availability = payments_available(settings(stripe_secret_key=""))

    assert not availability
    assert "MARKETPLACE_STRIPE_SECRET_KEY" in availability.reason
    with pytest.raises(PaymentsUnavailable, match="no Stripe account"):
        gateway_from_settings(settings(stripe_secret_key=""))


def test_a_publishable_key_is_not_a_secret_key():
    availability = payments_available(settings(stripe_secret_key="pk_test_abc"))

    assert not availability and "sk_" in availability.reason


def test_a_secret_key_makes_payments_available():
    configured = settings(stripe_secret_key="sk_test_abc", stripe_api_base="http://x")

    assert payments_available(configured)
    assert isinstance(gateway_from_settings(configured), StripeGateway)


def test_the_secret_key_never_shows_in_the_settings_repr():
    assert "sk_test_abc" not in repr(settings(stripe_secret_key="sk_test_abc"))


def test_settings_read_stripe_from_the_environment(monkeypatch):
    monkeypatch.setenv("MARKETPLACE_STRIPE_SECRET_KEY", "sk_test_env")
    monkeypatch.setenv("MARKETPLACE_PLATFORM_FEE_BPS", "250")
    loaded = load_settings()

    assert (loaded.stripe_secret_key, loaded.platform_fee_bps) == ("sk_test_env", 250)
    monkeypatch.delenv("MARKETPLACE_PLATFORM_FEE_BPS")
    assert load_settings().platform_fee_bps == 1000


# ---------------------------------------------------------------- request shapes


def test_an_authorization_is_an_off_session_manual_capture_of_a_saved_card():
    params = authorization_params(
        5000, "EUR", "Pricing advice", {"engagement_id": 7}, "pm_1Saved", "cus_1Payer"
    )

    # fails first if a stripe upgrade changes the request localstripe accepts
    assert_fits(params, PaymentIntentCreateParams)
    assert params["capture_method"] == "manual" and params["confirm"] is True
    assert params["off_session"] is True
    assert (params["payment_method"], params["customer"]) == ("pm_1Saved", "cus_1Payer")
    assert (params["amount"], params["currency"]) == (5000, "eur")
    assert params["metadata"] == {"engagement_id": "7"}


def test_a_checkout_session_places_a_hold_for_one_line():
    params = checkout_session_params(
        amount_minor=12000,
        currency="gbp",
        product_name="Two hours of mentoring",
        success_url="https://karma.example/e/9?paid={CHECKOUT_SESSION_ID}",
        cancel_url="https://karma.example/e/9",
        metadata={"engagement_id": "9"},
        customer_email="ada@example.com",
    )

    assert_fits(params, SessionCreateParams)
    assert params["mode"] == "payment"
    assert params["payment_intent_data"]["capture_method"] == "manual"
    assert params["payment_intent_data"]["metadata"] == {"engagement_id": "9"}
    (line,) = params["line_items"]
    assert (line["quantity"], line["price_data"]["unit_amount"]) == (1, 12000)


def test_a_consultant_gets_an_express_account_and_an_onboarding_link():
    account = connected_account_params(
        email="bob@example.com", country="de", metadata={"member_id": "2"}
    )
    link = onboarding_link_params(
        account_id="acct_123",
        refresh_url="https://karma.example/payouts/retry",
        return_url="https://karma.example/payouts",
    )

    assert_fits(account, AccountCreateParams)
    assert (account["type"], account["country"]) == ("express", "DE")
    assert account["capabilities"]["transfers"] == {"requested": True}
    assert_fits(link, AccountLinkCreateParams)
    assert link["type"] == "account_onboarding"


def test_a_payout_is_a_transfer_tied_to_the_captured_charge():
    params = transfer_params(
        amount_minor=4500,
        currency="eur",
        destination_account="acct_123",
        source_charge="ch_456",
        transfer_group="engagement-9",
        metadata={"engagement_id": "9"},
    )

    assert_fits(params, TransferCreateParams)
    assert (params["amount"], params["destination"]) == (4500, "acct_123")
    assert params["source_transaction"] == "ch_456"


@pytest.mark.parametrize(
    "build",
    [
        lambda: connected_account_params(email="a@b.c", country="Germany", metadata={}),
        lambda: onboarding_link_params(
            account_id="acct_1", refresh_url="javascript:x", return_url="https://a.b"
        ),
        lambda: transfer_params(
            amount_minor=100,
            currency="eur",
            destination_account="cus_1",
            source_charge=None,
            transfer_group="g",
            metadata={},
        ),
        lambda: authorization_params(100, "eur", "d", {"k" * 41: "v"}, "pm_1", "cus_1"),
        lambda: authorization_params(100, "eur", "d", {}, "tok_visa", "cus_1"),
        lambda: authorization_params(100, "eur", "d", {}, "pm_1", "acct_1"),
        lambda: checkout_session_params(
            amount_minor=0,
            currency="eur",
            product_name="x",
            success_url="https://a.b",
            cancel_url="https://a.b",
            metadata={},
        ),
    ],
)
def test_malformed_requests_are_refused_before_sending(build):
    with pytest.raises(InvalidInput):
        build()


# ---------------------------------------------------------------- call paths


class RecordingHttpClient(stripe.HTTPClient):
    """Answers every request with a canned object and keeps what was sent."""

    name = "recording"

    def __init__(self, answers: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self.answers, self.sent = answers, []

    def request(self, method, url, headers, post_data=None):
        path = urlsplit(url).path
        form = dict(parse_qsl(post_data or ""))
        self.sent.append((method, path, dict(headers or {}), form))
        return json.dumps(self.answers[path]).encode(), 200, {}

    def close(self) -> None:
        pass


def recording_gateway(answers):
    client = RecordingHttpClient(answers)
    return StripeGateway("sk_test_unit", http_client=client), client


def test_a_checkout_session_is_created_with_exactly_those_params():
    gateway, client = recording_gateway(
        {
            "/v1/checkout/sessions": {
                "id": "cs_1",
                "object": "checkout.session",
                "url": "https://checkout.stripe.com/c/pay/cs_1",
                "payment_intent": None,
            }
        }
    )
    params = checkout_session_params(
        amount_minor=12000,
        currency="gbp",
        product_name="Mentoring",
        success_url="https://karma.example/ok",
        cancel_url="https://karma.example/no",
        metadata={"engagement_id": "9"},
    )

    session = gateway.create_checkout_session(params, idempotency_key="e9-checkout")

    assert session == CheckoutSession(
        "cs_1", "https://checkout.stripe.com/c/pay/cs_1", None
    )
    ((method, path, headers, form),) = client.sent
    assert (method, path) == ("post", "/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == "e9-checkout"
    assert form["payment_intent_data[capture_method]"] == "manual"
    assert form["line_items[0][price_data][unit_amount]"] == "12000"
    assert form["line_items[0][price_data][product_data][name]"] == "Mentoring"


def test_connect_calls_go_to_their_endpoints():
    gateway, client = recording_gateway(
        {
            "/v1/accounts": {"id": "acct_9", "object": "account"},
            "/v1/account_links": {
                "object": "account_link",
                "url": "https://connect.stripe.com/setup/e/acct_9/x",
            },
            "/v1/transfers": {
                "id": "tr_1",
                "object": "transfer",
                "amount": 4500,
                "currency": "eur",
                "destination": "acct_9",
            },
        }
    )

    account = gateway.create_connected_account(
        connected_account_params(email="b@example.com", country="FR", metadata={}),
        idempotency_key="member-2-account",
    )
    link = gateway.create_onboarding_link(
        onboarding_link_params(
            account_id=account,
            refresh_url="https://karma.example/r",
            return_url="https://karma.example/p",
        )
    )
    transfer = gateway.transfer_to_connected_account(
        transfer_params(
            amount_minor=4500,
            currency="eur",
            destination_account=account,
            source_charge="ch_1",
            transfer_group="engagement-9",
            metadata={},
        ),
        idempotency_key="engagement-9-payout",
    )

    assert account == "acct_9" and link.endswith("/acct_9/x")
    assert transfer == Transfer("tr_1", 4500, "eur", "acct_9")
    assert [(m, p) for m, p, _, _ in client.sent] == [
        ("post", "/v1/accounts"),
        ("post", "/v1/account_links"),
        ("post", "/v1/transfers"),
    ]
    assert client.sent[0][3]["capabilities[transfers][requested]"] == "true"
    assert client.sent[2][2]["Idempotency-Key"] == "engagement-9-payout"
    assert client.sent[2][3]["source_transaction"] == "ch_1"


# ---------------------------------------------------------------- webhook bodies


def sign(body: bytes, secret: str = SECRET) -> str:
    return stripe.WebhookSignature.generate_signature_header(body.decode(), secret)


def test_a_signed_event_comes_back_as_a_plain_dict():
    gateway = StripeGateway("sk_test_unit", webhook_secret=SECRET)
    body = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": {"id": "pi_1", "metadata": {"engagement_id": "4"}}},
        }
    ).encode()

    event = gateway.verify_webhook(body, sign(body))

    assert type(event) is dict and type(event["data"]["object"]) is dict
    assert event["data"]["object"]["metadata"] == {"engagement_id": "4"}


@pytest.mark.parametrize(
    "body", [b"[]", b"null", b'"evt"', b'{"id": "evt_1"}', b"\xff", b"{"]
)
def test_a_signed_body_that_is_no_event_is_rejected(body):
    gateway = StripeGateway("sk_test_unit", webhook_secret=SECRET)
    header = stripe.WebhookSignature.generate_signature_header(
        body.decode(errors="replace"), SECRET
    )

    with pytest.raises(WebhookRejected):
        gateway.verify_webhook(body, header)
