"""The running app serves Stripe's webhook route beside its pages, and refuses
an unsigned call before reading it."""

import json
import urllib.error
import urllib.request

import pytest
from reflex.config import get_config

from marketplace.api import WEBHOOK_PATH

pytestmark = pytest.mark.browser


def test_the_app_refuses_an_unsigned_stripe_webhook_with_400(app_url):
    backend = get_config().api_url.rstrip("/")
    request = urllib.request.Request(
        backend + WEBHOOK_PATH,
        data=json.dumps(
            {"id": "evt_forged", "type": "payment_intent.succeeded"}
        ).encode(),
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert "error" in json.loads(refused.value.read())
