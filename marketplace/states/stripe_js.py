"""Stripe.js in the member's browser, as Reflex events (issue 21).

Card numbers go from the browser to Stripe, never through this server: the
page runs Stripe.js, and the server only creates the intents and checks the
outcome with Stripe afterwards. `assets/stripe_cards.js` wraps Stripe.js in
four promise-returning functions on `window.karmaStripe`; the event specs
below load it (once, on first use), call one, and hand what it resolves
with to an event handler (`rx.call_script` awaits a promise before it calls
its callback). Settings: MARKETPLACE_STRIPE_PUBLISHABLE_KEY and
MARKETPLACE_STRIPE_JS_URL (localstripe's stand-in in the demo and tests).

    mount_card(client_secret, container_id, on_error)
        Stripe's card field into the element with that id, for the
        SetupIntent whose client secret it is. `on_error(error: str)` is
        called with "" once it is mounted, or with a sentence.
    save_card(on_done)
        confirmCardSetup with what was typed (Stripe.js runs 3-D Secure if
        the bank asks); `on_done(setup_intent_id: str, error: str)`: the
        SetupIntent's id and "", or "" and a sentence for the member.
    authenticate(client_secret, on_done)       <- the engagement page's step
        confirmCardPayment for a PaymentIntent in `requires_action` (the
        bank asked for 3-D Secure when the payer's card was authorized off
        session): Stripe shows the bank's check. `on_done(payment_intent_id:
        str, error: str)`: the PaymentIntent's id and "" when the bank is
        satisfied, or "" and a sentence. Only a hint: the handler must
        retrieve the PaymentIntent and check it is `requires_capture`.
    unmount_card()
        Removes the card field.

`on_error`/`on_done` are event handlers taking those arguments by position;
the browser calls them, so they must check everything again like any other
handler. In JavaScript the same functions are (all resolve, never reject):

    karmaStripe.mountCard({jsUrl, publishableKey, clientSecret, containerId})
        -> {ok, error}
    karmaStripe.saveCard() -> {setup_intent, error}
    karmaStripe.authenticate({jsUrl, publishableKey, clientSecret})
        -> {payment_intent, error}
    karmaStripe.unmountCard() -> {ok, error}
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from marketplace.settings import get_settings

ASSET = "/stripe_cards.js"  # assets/ is served at the site's root
UNAVAILABLE = "Card payments aren't set up on this site yet."

# Loads the asset once, then resolves with window.karmaStripe.
_LOADER = (
    "(window.karmaStripe ? Promise.resolve(window.karmaStripe) : "
    "new Promise((resolve, reject) => {"
    " const tag = document.createElement('script');"
    f" tag.src = {json.dumps(ASSET)};"
    " tag.onload = () => resolve(window.karmaStripe);"
    " tag.onerror = () => reject(new Error('no card script'));"
    " document.head.appendChild(tag); }))"
)
_FAILED = "The card form could not load. Reload the page and try again."
_CHECK_FAILED = "Your bank's check could not load. Reload the page and try again."


def available() -> bool:
    """Whether pages can run Stripe.js: a publishable key is configured."""
    return bool(get_settings().stripe_publishable_key)


def _script(method: str, argument: dict[str, str] | None, fallback: dict) -> str:
    """JavaScript that calls karmaStripe.<method>(argument): a promise of its
    outcome, or of `fallback` if the asset itself did not load."""
    given = json.dumps(argument) if argument is not None else ""
    return (
        f"{_LOADER}.then((stripe) => stripe.{method}({given}))"
        f".catch(() => ({json.dumps(fallback)}))"
    )


def _stripe_js() -> dict[str, str]:
    settings = get_settings()
    return {
        "jsUrl": settings.stripe_js_url,
        "publishableKey": settings.stripe_publishable_key,
    }


def mount_card(
    client_secret: str, container_id: str, on_error: Any
) -> rx.event.EventSpec:
    argument = {
        **_stripe_js(),
        "clientSecret": client_secret,
        "containerId": container_id,
    }
    return rx.call_script(
        _script("mountCard", argument, {"ok": False, "error": _FAILED}),
        callback=lambda result: on_error(result.to(dict)["error"]),
    )


def save_card(on_done: Any) -> rx.event.EventSpec:
    outcome = {"setup_intent": "", "error": _FAILED}
    return rx.call_script(
        _script("saveCard", None, outcome),
        callback=lambda result: on_done(
            result.to(dict)["setup_intent"], result.to(dict)["error"]
        ),
    )


def authenticate(client_secret: str, on_done: Any) -> rx.event.EventSpec:
    return rx.call_script(
        authenticate_script(client_secret),
        callback=lambda result: on_done(
            result.to(dict)["payment_intent"], result.to(dict)["error"]
        ),
    )


def authenticate_script(client_secret: str) -> str:
    """The JavaScript `authenticate` runs: a promise of {payment_intent, error}."""
    argument = {**_stripe_js(), "clientSecret": client_secret}
    outcome = {"payment_intent": "", "error": _CHECK_FAILED}
    return _script("authenticate", argument, outcome)


def unmount_card() -> rx.event.EventSpec:
    return rx.call_script(_script("unmountCard", None, {"ok": True, "error": ""}))
