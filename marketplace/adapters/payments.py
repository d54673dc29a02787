"""Money through Stripe: a small protocol and its Stripe implementation.

Escrow by authorization. `authorize` creates a PaymentIntent with manual capture
and confirms it: the payer's card is held for the amount, nothing is taken yet
(Stripe keeps such a hold for 7 days by default). `capture` takes the money,
all or part, when the engagement is confirmed; `cancel` releases the hold;
`refund` gives captured money back, all or part. `retrieve` and `list_intents`
read Stripe's record for reconciliation, and `verify_webhook` checks a webhook's
signature before anything in it is believed.

Services depend on `PaymentGateway` only. They get small frozen records back
(`Payment`, `Refund`), never stripe objects, and `DomainError`s instead of
stripe errors: `PaymentFailed` (a decline), `PaymentRejected` (Stripe refused
the request), `PaymentsUnavailable` (no keys, or Stripe unreachable),
`WebhookRejected`. Amounts are integers in minor units, currencies lowercase
ISO codes, as Stripe has them.

Every call that moves money takes an idempotency key, which Stripe keeps for 24
hours: a retry with the same key and the same fields returns the first result,
with other fields it is refused. Derive keys from the business event
("engagement-42-authorize"), never from the clock.

Card details are collected by Stripe.js in the payer's browser and saved
with a SetupIntent (`start_card_setup`, `retrieve_card_setup`, `card`);
`authorize` then charges that saved card off-session, for the payer's
customer. A bank that wants the payer to authenticate (3-D Secure) gets back a
Payment that `needs_authentication`: the payer's page confirms it with
Stripe.js (`client_secret`), and the server reads it again.

What localstripe, the fake Stripe the tests run against, cannot do sits at the
end, named for what it is: `checkout_session_params`, `connected_account_params`,
`onboarding_link_params` and `transfer_params` build the exact requests (pure,
checked for shape against the stripe library's own parameter types), and
`StripeGateway`'s `create_checkout_session`, `create_connected_account`,
`create_onboarding_link` and `transfer_to_connected_account` send them; those
calls are checked against a recording HTTP client, never against a Stripe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import stripe

from marketplace.domain.errors import (
    InvalidInput,
    PaymentFailed,
    PaymentRejected,
    PaymentsUnavailable,
    WebhookRejected,
)
from marketplace.settings import Settings, get_settings

TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2  # Stripe's client retries with the same idempotency key
MAX_AMOUNT_MINOR = 99_999_999  # Stripe's ceiling: 8 digits of minor units
WEBHOOK_TOLERANCE_SECONDS = 300  # a signed webhook older than this is refused
_CURRENCY = re.compile(r"^[a-z]{3}$")
_METADATA_LIMITS = (50, 40, 500)  # Stripe: keys, key length, value length

# PaymentIntent statuses this app acts on
REQUIRES_CAPTURE = "requires_capture"  # authorized: the amount is held
SUCCEEDED = "succeeded"  # captured: the money was taken
CANCELED = "canceled"  # the hold was released, or the payment abandoned
REQUIRES_ACTION = "requires_action"  # the payer must authenticate (3-D Secure)
# Stripe itself declines an off-session payment that needs 3-D Secure with
# this code and leaves the intent waiting for the payer to confirm it
AUTHENTICATION_REQUIRED = "authentication_required"


@dataclass(frozen=True)
class Payment:
    """What Stripe holds on one PaymentIntent."""

    id: str
    status: str
    amount: int
    amount_capturable: int  # held and not yet captured
    amount_received: int  # captured
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)
    created: int = 0  # Unix seconds
    latest_charge: str | None = None  # ch_...: a transfer's source_transaction
    client_secret: str = ""  # for the payer's Stripe.js only: never stored
    needs_authentication: bool = False  # the payer's bank asks for 3-D Secure

    @property
    def is_held(self) -> bool:
        return self.status == REQUIRES_CAPTURE

    @property
    def is_captured(self) -> bool:
        return self.status == SUCCEEDED


@dataclass(frozen=True)
class CardSetup:
    """A SetupIntent: how the payer's browser saves a card for later
    (Stripe.js confirms it with the card the payer typed, and handles 3-D
    Secure); `client_secret` is what the page needs, nothing more."""

    id: str
    status: str
    customer: str | None
    payment_method: str | None
    client_secret: str
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.status == SUCCEEDED


@dataclass(frozen=True)
class Card:
    """What a member may see of a saved card: never its number."""

    payment_method: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Refund:
    id: str
    intent_id: str
    amount: int
    currency: str
    status: str  # succeeded | pending | failed | canceled


@dataclass(frozen=True)
class Availability:
    """Whether paid terms can be offered, and if not, why (fit to show)."""

    available: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.available


class PaymentGateway(Protocol):
    def authorize(
        self,
        amount_minor: int,
        currency: str,
        *,
        description: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        payment_method: str,
        customer: str,
    ) -> Payment:
        """Hold `amount_minor` on the payer's saved card: a held Payment, one
        that `needs_authentication`, or raise (a decline is PaymentFailed)."""
        ...

    def capture(
        self,
        intent_id: str,
        amount_minor: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Payment: ...

    def cancel(self, intent_id: str, *, idempotency_key: str | None = None) -> Payment:
        """Release a hold (or abandon an unconfirmed payment)."""
        ...

    def refund(
        self,
        intent_id: str,
        amount_minor: int | None = None,
        *,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> Refund: ...

    def retrieve(self, intent_id: str) -> Payment: ...

    def list_refunds(self, intent_id: str) -> list[Refund]: ...

    def list_intents(self, *, created_since: int | None = None) -> Iterator[Payment]:
        """Every PaymentIntent (newest first on Stripe), page by page."""
        ...

    def verify_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        """The event in `payload` as a plain dict, if its signature is right."""
        ...


def payments_available(settings: Settings | None = None) -> Availability:
    settings = settings or get_settings()
    key = settings.stripe_secret_key
    if not key:
        return Availability(
            False,
            "Paid help is not available here yet: this site has no Stripe "
            "account configured (MARKETPLACE_STRIPE_SECRET_KEY).",
        )
    if not key.startswith(("sk_", "rk_")):
        return Availability(
            False,
            "Paid help is not available: MARKETPLACE_STRIPE_SECRET_KEY is not a "
            "Stripe secret key (it must start with sk_ or rk_).",
        )
    return Availability(True)


def gateway_from_settings(settings: Settings | None = None) -> StripeGateway:
    """The configured gateway, or PaymentsUnavailable with the reason."""
    settings = settings or get_settings()
    availability = payments_available(settings)
    if not availability:
        raise PaymentsUnavailable(availability.reason)
    return StripeGateway(
        settings.stripe_secret_key,
        api_base=settings.stripe_api_base,
        webhook_secret=settings.stripe_webhook_secret,
    )


class StripeGateway:
    """PaymentGateway over the stripe library; `api_base` empty means Stripe
    itself, a URL means a stand-in such as localstripe."""

    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str = "",
        webhook_secret: str = "",
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base.rstrip("/")} if api_base else None,
            max_network_retries=NETWORK_RETRIES,
            http_client=http_client or stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )
        self._webhook_secret = webhook_secret

    # ------------------------------------------------------------ escrow

    def authorize(
        self,
        amount_minor: int,
        currency: str,
        *,
        description: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        payment_method: str,
        customer: str,
    ) -> Payment:
        params = authorization_params(
            amount_minor, currency, description, metadata, payment_method, customer
        )
        try:
            with _stripe_errors("authorize the payment"):
                intent = self._client.v1.payment_intents.create(
                    params, _options(_key(idempotency_key))
                )
        except PaymentFailed as declined:
            waiting = _awaiting_authentication(declined)
            if waiting is None:
                raise
            return waiting
        payment = _payment(intent)
        if payment.status == REQUIRES_ACTION:  # localstripe's way of asking
            return _asks_authentication(payment)
        if not payment.is_held:
            raise self._unheld(payment, idempotency_key)
        return payment

    def _unheld(self, payment: Payment, idempotency_key: str) -> PaymentFailed:
        """A confirmed intent that holds nothing and asks nothing of the
        payer: release it and say so."""
        if payment.status != CANCELED:
            self.cancel(payment.id, idempotency_key=f"{idempotency_key}:release")
        return PaymentFailed(
            f"The card payment didn't go through (status {payment.status}); "
            "try another card.",
            code=payment.status,
        )

    def capture(
        self,
        intent_id: str,
        amount_minor: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Payment:
        params = {}
        if amount_minor is not None:  # less than held: the rest is released
            params["amount_to_capture"] = _check_amount(amount_minor)
        with _stripe_errors("capture the payment"):
            intent = self._client.v1.payment_intents.capture(
                _id(intent_id), params, _options(idempotency_key)
            )
        return _payment(intent)

    def cancel(self, intent_id: str, *, idempotency_key: str | None = None) -> Payment:
        with _stripe_errors("cancel the payment"):
            intent = self._client.v1.payment_intents.cancel(
                _id(intent_id), None, _options(idempotency_key)
            )
        return _payment(intent)

    def refund(
        self,
        intent_id: str,
        amount_minor: int | None = None,
        *,
        idempotency_key: str,
        metadata: Mapping[str, str] | None = None,
    ) -> Refund:
        params: dict[str, Any] = {"payment_intent": _id(intent_id)}
        if amount_minor is not None:
            params["amount"] = _check_amount(amount_minor)
        if metadata:
            params["metadata"] = _check_metadata(metadata)
        with _stripe_errors("refund the payment"):
            refund = self._client.v1.refunds.create(
                params, _options(_key(idempotency_key))
            )
        return _refund(refund, intent_id)

    # ------------------------------------------------------------ cards

    def create_customer(
        self, *, email: str, member_id: int, idempotency_key: str
    ) -> str:
        """A Stripe customer for a member who pays: their saved cards hang
        on it. Returns its id (cus_...)."""
        params = {"email": email, "metadata": {"member_id": str(member_id)}}
        with _stripe_errors("set up your payment account"):
            customer = self._client.v1.customers.create(
                params, _options(_key(idempotency_key))
            )
        return customer.id

    def start_card_setup(
        self, *, customer: str, member_id: int, idempotency_key: str
    ) -> CardSetup:
        """A SetupIntent for one card, to be used later without the payer
        present (off-session): the page confirms it with Stripe.js."""
        params = {
            "customer": _customer_id(customer),
            "payment_method_types": ["card"],
            "usage": "off_session",
            "metadata": {"member_id": str(member_id)},
        }
        with _stripe_errors("start saving your card"):
            intent = self._client.v1.setup_intents.create(
                params, _options(_key(idempotency_key))
            )
        return _card_setup(intent)

    def retrieve_card_setup(self, setup_id: str) -> CardSetup:
        with _stripe_errors("read the card setup"):
            return _card_setup(
                self._client.v1.setup_intents.retrieve(_setup_id(setup_id))
            )

    def card(self, payment_method: str) -> Card:
        """The brand, last 4 and expiry of a saved card."""
        with _stripe_errors("read the card"):
            method = self._client.v1.payment_methods.retrieve(
                _payment_method_id(payment_method)
            )
        data = method.to_dict()
        card = data.get("card") or {}
        return Card(
            payment_method=data["id"],
            brand=str(card.get("brand") or "card"),
            last4=str(card.get("last4") or "????"),
            exp_month=int(card.get("exp_month") or 0),
            exp_year=int(card.get("exp_year") or 0),
        )

    def detach_card(self, payment_method: str) -> None:
        """Forget a saved card on Stripe's side: it can't be charged again."""
        with _stripe_errors("remove the card"):
            self._client.v1.payment_methods.detach(_payment_method_id(payment_method))

    # ------------------------------------------------------------ reading

    def retrieve(self, intent_id: str) -> Payment:
        with _stripe_errors("read the payment"):
            return _payment(self._client.v1.payment_intents.retrieve(_id(intent_id)))

    def authentication_secret(self, intent_id: str) -> str:
        """The client secret the payer's Stripe.js confirms a payment with."""
        return self.retrieve(intent_id).client_secret

    def list_refunds(self, intent_id: str) -> list[Refund]:
        with _stripe_errors("list the refunds"):
            page = self._client.v1.refunds.list(
                {"payment_intent": _id(intent_id), "limit": 100}
            )
            return [_refund(r, intent_id) for r in page.auto_paging_iter()]

    def list_intents(self, *, created_since: int | None = None) -> Iterator[Payment]:
        params: dict[str, Any] = {"limit": 100}
        if created_since is not None:
            params["created"] = {"gte": created_since}
        with _stripe_errors("list payments"):
            page = self._client.v1.payment_intents.list(params)
            for intent in page.auto_paging_iter():
                yield _payment(intent)

    def verify_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        if not self._webhook_secret:
            raise WebhookRejected(
                "Stripe webhooks can't be verified: no signing secret is "
                "configured (MARKETPLACE_STRIPE_WEBHOOK_SECRET)."
            )
        try:
            event = self._client.construct_event(  # stripe.Webhook.construct_event
                payload,
                signature_header,
                self._webhook_secret,
                tolerance=WEBHOOK_TOLERANCE_SECONDS,
            )
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(f"Bad Stripe signature: {error}") from error
        except (ValueError, TypeError, AttributeError) as error:  # not an event
            raise WebhookRejected(f"Not a Stripe event: {error}") from error
        return _event(event.to_dict())

    # ------------------------- not exercised against localstripe (see module doc)

    def create_checkout_session(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> CheckoutSession:
        with _stripe_errors("open the checkout page"):
            session = self._client.v1.checkout.sessions.create(
                dict(params), _options(_key(idempotency_key))
            )
        return CheckoutSession(session.id, session.url or "", session.payment_intent)

    def create_connected_account(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> str:
        with _stripe_errors("create the payout account"):
            account = self._client.v1.accounts.create(
                dict(params), _options(_key(idempotency_key))
            )
        return account.id

    def create_onboarding_link(self, params: Mapping[str, Any]) -> str:
        """A single-use URL, valid for minutes: redirect at once, never store."""
        with _stripe_errors("open payout onboarding"):
            return self._client.v1.account_links.create(dict(params)).url

    def transfer_to_connected_account(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> Transfer:
        with _stripe_errors("pay out to the consultant"):
            transfer = self._client.v1.transfers.create(
                dict(params), _options(_key(idempotency_key))
            )
        return Transfer(
            transfer.id, transfer.amount, transfer.currency, transfer.destination
        )


# ---------------------------------------------------------------- requests


def authorization_params(
    amount_minor: int,
    currency: str,
    description: str,
    metadata: Mapping[str, str],
    payment_method: str,
    customer: str,
) -> dict[str, Any]:
    """A PaymentIntent confirmed at once with manual capture: a hold on the
    payer's saved card, made while they are away (off-session)."""
    return {
        "amount": _check_amount(amount_minor),
        "currency": _check_currency(currency),
        "capture_method": "manual",
        "confirm": True,
        "off_session": True,
        "customer": _customer_id(customer),
        "payment_method": _payment_method_id(payment_method),
        # cards only: no redirect-based methods, so no return_url is needed.
        # (API endive renames this allowed_payment_method_types; localstripe
        # knows only this name, hence stripe 15.x in requirements.txt.)
        "payment_method_types": ["card"],
        "description": description[:1000],
        "metadata": _check_metadata(metadata),
    }


def idempotency_key(kind: str, row, step: str) -> str:
    """The key of one Stripe call about one row ("engagement-12-<µs>-capture").
    The row's creation time makes it unique across databases sharing a
    Stripe account (a restored backup, staging and production), where ids
    alone would repeat."""
    stamp = int(row.created_at.timestamp() * 1_000_000)
    return f"{kind}-{row.id}-{stamp}-{step}"


def _check_amount(amount_minor: int) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InvalidInput("An amount is a whole number of minor units.", "amount")
    if not 0 < amount_minor <= MAX_AMOUNT_MINOR:
        raise InvalidInput(
            f"An amount must be between 1 and {MAX_AMOUNT_MINOR} minor units.",
            "amount",
        )
    return amount_minor


def _check_currency(currency: str) -> str:
    code = str(currency).strip().lower()
    if not _CURRENCY.match(code):
        raise InvalidInput(f"{currency!r} is not an ISO currency code.", "currency")
    return code


def _check_metadata(metadata: Mapping[str, Any]) -> dict[str, str]:
    max_keys, max_key, max_value = _METADATA_LIMITS
    clean = {str(k): str(v) for k, v in metadata.items()}
    if len(clean) > max_keys or any(
        len(k) > max_key or "[" in k or len(v) > max_value for k, v in clean.items()
    ):
        raise InvalidInput("Payment metadata is over Stripe's limits.", "metadata")
    return clean


def _key(idempotency_key: str) -> str:
    if not idempotency_key or len(idempotency_key) > 255:
        raise InvalidInput("An idempotency key of 1 to 255 characters is required.")
    return idempotency_key


def _id(stripe_id: str) -> str:
    if not isinstance(stripe_id, str) or not re.fullmatch(r"\w{3,255}", stripe_id):
        raise InvalidInput(f"{stripe_id!r} is not a Stripe id.")
    return stripe_id


def _options(idempotency_key: str | None) -> dict[str, str]:
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


# ---------------------------------------------------------------- responses


def _payment(intent: stripe.PaymentIntent) -> Payment:
    data = intent.to_dict()
    return Payment(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        amount_capturable=int(data.get("amount_capturable") or 0),
        amount_received=int(data.get("amount_received") or 0),
        currency=data["currency"],
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        created=int(data.get("created") or 0),
        latest_charge=_charge_id(data.get("latest_charge")),
        client_secret=str(data.get("client_secret") or ""),
    )


def _asks_authentication(payment: Payment) -> Payment:
    return Payment(**{**payment.__dict__, "needs_authentication": True})


def _awaiting_authentication(declined: PaymentFailed) -> Payment | None:
    """Stripe's answer to an off-session payment the bank wants authenticated:
    a decline coded authentication_required whose intent waits for the payer."""
    intent = declined.payment_intent
    if declined.code != AUTHENTICATION_REQUIRED or not intent:
        return None
    return _asks_authentication(_payment(intent))


def _card_setup(intent: stripe.SetupIntent) -> CardSetup:
    data = intent.to_dict()
    return CardSetup(
        id=data["id"],
        status=data["status"],
        customer=_object_id(data.get("customer")),
        payment_method=_object_id(data.get("payment_method")),
        client_secret=str(data.get("client_secret") or ""),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
    )


def _object_id(value: str | dict[str, Any] | None) -> str | None:
    """An id Stripe sends either bare or expanded into its object."""
    if isinstance(value, dict):
        return value.get("id")
    return value


_STRIPE_ID = re.compile(r"^[A-Za-z0-9_]{1,255}$")


def _prefixed_id(value: object, prefix: str, what: str) -> str:
    """A Stripe id of one kind, from anywhere (a page may send anything)."""
    if (
        not isinstance(value, str)
        or not value.startswith(prefix)
        or not _STRIPE_ID.match(value)
    ):
        raise InvalidInput(f"That is not a {what}.", what.replace(" ", "_"))
    return value


def _customer_id(value: object) -> str:
    return _prefixed_id(value, "cus_", "customer id")


def _setup_id(value: object) -> str:
    return _prefixed_id(value, "seti_", "card setup id")


def _payment_method_id(value: object) -> str:
    return _prefixed_id(value, "pm_", "payment method id")


def _charge_id(charge: str | dict[str, Any] | None) -> str | None:
    """Stripe sends the id; localstripe sends the whole charge."""
    return charge.get("id") if isinstance(charge, dict) else charge


def _event(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("object") != "event" or not data.get("id") or not data.get("type"):
        raise WebhookRejected("Not a Stripe event: no object/id/type.")
    return data


def _refund(refund: stripe.Refund, intent_id: str) -> Refund:
    return Refund(
        id=refund.id,
        intent_id=intent_id,
        amount=int(refund.amount),
        currency=refund.currency,
        status=refund.status or "",
    )


@contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as error:
        raise _domain_error(action, error) from error


def _domain_error(action: str, error: stripe.StripeError) -> Exception:
    detail = getattr(error.error, "message", None) or error.user_message or ""
    if isinstance(error, stripe.CardError):
        code = getattr(error.error, "decline_code", None) or error.code
        failed = PaymentFailed(detail or "The card was declined.", code=code)
        failed.payment_intent = getattr(error.error, "payment_intent", None)
        return failed
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return PaymentsUnavailable(
            f"Stripe refused this site's key, so we couldn't {action}. "
            "An operator needs to check MARKETPLACE_STRIPE_SECRET_KEY."
        )
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return PaymentsUnavailable(
            f"Stripe can't be reached right now, so we couldn't {action}; "
            "nothing was charged twice. Try again in a minute."
        )
    if isinstance(error, stripe.IdempotencyError):
        return PaymentRejected(
            f"Couldn't {action}: this payment step was already made with other "
            "details.",
            code="idempotency_error",
        )
    if isinstance(error, stripe.InvalidRequestError):
        return PaymentRejected(f"Couldn't {action}: {detail}", code=error.code)
    return PaymentsUnavailable(f"Stripe failed, so we couldn't {action}: {detail}")


# ------------------------------ Checkout and Connect (localstripe has neither)


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str  # Stripe's hosted page: redirect the payer there
    intent_id: str | None  # set once the payer has paid (a hold, with manual capture)


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str  # the consultant's connected account, acct_...


def checkout_session_params(
    *,
    amount_minor: int,
    currency: str,
    product_name: str,
    success_url: str,
    cancel_url: str,
    metadata: Mapping[str, str],
    customer_email: str | None = None,
) -> dict[str, Any]:
    """A hosted Stripe Checkout page that collects the card and places a hold
    (manual capture), for sites configured to use Checkout."""
    checked = _check_metadata(metadata)
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": _check_currency(currency),
                    "unit_amount": _check_amount(amount_minor),
                    "product_data": {"name": product_name[:250]},
                },
            }
        ],
        "payment_intent_data": {"capture_method": "manual", "metadata": checked},
        "metadata": checked,
        "success_url": _check_url(success_url),
        "cancel_url": _check_url(cancel_url),
    }
    if customer_email:
        params["customer_email"] = customer_email
    return params


def connected_account_params(
    *, email: str, country: str, metadata: Mapping[str, str]
) -> dict[str, Any]:
    """An Express connected account for a consultant: Stripe onboards them and
    pays their bank on its own schedule; we only send transfers."""
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        raise InvalidInput(f"{country!r} is not a two-letter country code.", "country")
    return {
        "type": "express",
        "country": country.upper(),
        "email": email,
        "capabilities": {
            "card_payments": {"requested": True},
            "transfers": {"requested": True},
        },
        "metadata": _check_metadata(metadata),
    }


def onboarding_link_params(
    *, account_id: str, refresh_url: str, return_url: str
) -> dict[str, Any]:
    return {
        "account": _id(account_id),
        "type": "account_onboarding",
        "refresh_url": _check_url(refresh_url),
        "return_url": _check_url(return_url),
    }


def transfer_params(
    *,
    amount_minor: int,
    currency: str,
    destination_account: str,
    source_charge: str | None,
    transfer_group: str,
    metadata: Mapping[str, str],
) -> dict[str, Any]:
    """Separate charges and transfers: after capture, the consultant's share
    goes to their connected account; the platform fee stays behind. Tying it to
    the captured charge (`source_transaction`) makes Stripe wait for those
    funds instead of drawing on the platform's balance."""
    if not destination_account.startswith("acct_"):
        raise InvalidInput("A connected account id starts with acct_.", "destination")
    params: dict[str, Any] = {
        "amount": _check_amount(amount_minor),
        "currency": _check_currency(currency),
        "destination": destination_account,
        "transfer_group": transfer_group,
        "metadata": _check_metadata(metadata),
    }
    if source_charge:
        params["source_transaction"] = source_charge
    return params


def _check_url(url: str) -> str:
    if not re.match(r"^https?://[^\s]+$", url):
        raise InvalidInput(f"{url!r} is not an absolute http(s) URL.", "url")
    return url
