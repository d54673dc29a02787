"""HTTP routes beside the Reflex app (mounted through `api_transformer`).

`POST /api/stripe/webhook`: Stripe's events, signature-checked with the signing
secret before anything is read, then applied once (services/stripe_webhooks).
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from marketplace.adapters import payments
from marketplace.db import unit_of_work
from marketplace.domain.errors import PaymentsUnavailable, WebhookRejected
from marketplace.services.stripe_webhooks import apply_event

WEBHOOK_PATH = "/api/stripe/webhook"


async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    signature = request.headers.get("stripe-signature", "")
    try:
        event = payments.gateway_from_settings().verify_webhook(payload, signature)
    except (WebhookRejected, PaymentsUnavailable) as refused:
        return JSONResponse({"error": str(refused)}, status_code=400)
    outcome = await asyncio.to_thread(_apply, event)
    return JSONResponse({"received": True, "outcome": outcome})


def _apply(event: dict) -> str:
    with unit_of_work() as session:
        return apply_event(session, event)


def make_api() -> Starlette:
    """A fresh app of these routes: the Reflex app gets one (and adds its own
    middleware to it), tests get their own, so neither starts the other's."""
    return Starlette(routes=[Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"])])


api = make_api()
