"""Demo payers' cards: what they typed into Stripe.js before the month began.

A paid booking is held on the payer's saved card, so the demo's payers save
one first, the way the wallet's card field does: the server makes the
SetupIntent (ledger/cards.py), the "browser" confirms it with a test card
number against Stripe's publishable-key endpoint, and the server keeps the
card only once Stripe says the setup succeeded. Only a stand-in such as
localstripe (MARKETPLACE_STRIPE_API_BASE set) takes raw test numbers that
way; against Stripe itself no demo card is made, and the stories that need
one are left out.

Like every service it never commits; demo/market.py calls it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from sqlmodel import Session

from marketplace.adapters.clock import Clock
from marketplace.domain.errors import DomainError
from marketplace.ledger import cards
from marketplace.settings import get_settings

DEMO_CARD = "4242424242424242"  # Stripe's always-approved test Visa
DEMO_PUBLISHABLE_KEY = "pk_test_karma_demo"  # any pk_test_ key: a stand-in
# Stripe's endpoint for confirming a SetupIntent with the publishable key
CONFIRM_URL = "{api_base}/v1/setup_intents/{setup_id}/confirm"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def give_test_card(session: Session, member_id: int, clock: Clock) -> bool:
    """Save the test Visa as `member_id`'s card; False where that can't be
    done here (no stand-in Stripe, or it refused)."""
    if cards.default_card(session, member_id) is not None:
        return True
    api_base = get_settings().stripe_api_base
    if not api_base:
        return False
    try:
        setup = cards.start_card_setup(session, actor_id=member_id, clock=clock)
        _confirm_as_browser(api_base, setup.id, setup.client_secret)
        cards.card_saved(session, actor_id=member_id, setup_id=setup.id, clock=clock)
    except (DomainError, OSError, ValueError):
        return False
    return True


def _confirm_as_browser(api_base: str, setup_id: str, client_secret: str) -> None:
    """What Stripe.js's confirmCardSetup sends for a card typed in the page."""
    card = {"number": DEMO_CARD, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    body = {
        "key": DEMO_PUBLISHABLE_KEY,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
        "payment_method_data": {"type": "card", "card": card},
    }
    request = urllib.request.Request(
        CONFIRM_URL.format(api_base=api_base.rstrip("/"), setup_id=setup_id),
        data=json.dumps(body).encode(),
        method="POST",
    )
    with _NO_PROXY.open(request, timeout=10) as response:
        json.loads(response.read())
