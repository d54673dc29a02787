"""HTTP routes beside the Reflex app (mounted through `api_transformer`).

`POST /api/stripe/webhook`: Stripe's events, signature-checked with the signing
secret before anything is read, then applied once (services/stripe_webhooks).

`GET /api/session/start?ticket=...&next=/path`: the browser takes over the
session a log-in or sign-up on the event socket opened, and gets it as an
HttpOnly cookie (session_cookie.py says why), then goes on to `next`: the
page a guest asked for before logging in (states/auth.py), if it is a page
of this site (routes.same_site_path), else the dashboard. `GET
/api/session/end` clears that cookie after the socket has revoked the session.
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from marketplace import routes, session_cookie
from marketplace.accounts import accounts
from marketplace.adapters import payments
from marketplace.db import unit_of_work
from marketplace.domain.errors import PaymentsUnavailable, WebhookRejected
from marketplace.ledger.stripe_webhooks import apply_event
from marketplace.link_previews import ListingPreviews
from marketplace.security_headers import SecurityHeaders
from marketplace.settings import get_settings

WEBHOOK_PATH = "/api/stripe/webhook"
# The app's own pages send the browser here by script, so a navigation from
# another site (or a typed link) is someone else's ticket: login CSRF.
OWN_NAVIGATION = {"same-origin", "same-site"}


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


async def session_start(request: Request) -> Response:
    """Redeem a handoff ticket: set the session cookie, go to the page asked for."""
    if request.headers.get("sec-fetch-site", "same-origin") not in OWN_NAVIGATION:
        return _to_page(routes.LOGIN, request)
    ticket = request.query_params.get("ticket", "")
    browser = await asyncio.to_thread(_take_over, ticket)
    if browser is None:
        return _to_page(routes.LOGIN, request)
    response = _to_page(request.query_params.get("next", ""), request)
    session_cookie.set_on(response, browser.token, browser.expires_at, _secure(request))
    return response


def _take_over(ticket: str) -> accounts.BrowserSession | None:
    with unit_of_work() as session:
        return accounts.take_over(session, ticket)


async def session_end(request: Request) -> Response:
    """Forget the cookie; the socket already revoked the session behind it."""
    response = _to_page(request.query_params.get("next", routes.HOME), request)
    session_cookie.clear_on(response, _secure(request))
    return response


def _to_page(path: str, request: Request) -> RedirectResponse:
    """303 to one of the app's own pages (never elsewhere: an open redirect
    would lend the app's name to phishing)."""
    return RedirectResponse(_frontend_url(routes.same_site_path(path)), 303)


def _frontend_url(path: str) -> str:
    from reflex.config import get_config

    return get_config().deploy_url.rstrip("/") + path


def _secure(request: Request) -> bool:
    return session_cookie.can_be_secure(
        request.url.scheme, request.url.hostname, get_settings().base_url
    )


def make_api() -> Starlette:
    """A fresh app of these routes: the Reflex app gets one (and adds its own
    middleware to it), tests get their own, so neither starts the other's."""
    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"]),
            Route(routes.SESSION_START, session_start, methods=["GET"]),
            Route(routes.SESSION_END, session_end, methods=["GET"]),
        ],
        # pages too: security_headers.py; a listing's page carries its own
        # share card where this app serves the pages (link_previews.py)
        middleware=[Middleware(SecurityHeaders), Middleware(ListingPreviews)],
    )


api = make_api()
