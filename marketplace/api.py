"""HTTP routes beside the Reflex app (mounted through `api_transformer`).

`POST /api/stripe/webhook`: Stripe's events, signature-checked with the signing
secret before anything is read, then applied once (services/stripe_webhooks).

`GET /api/session/start?ticket=...&next=/path`: the browser takes over the
session a log-in or sign-up on the event socket opened, and gets it as an
HttpOnly cookie (session_cookie.py says why), then goes on to `next`: the
page a guest asked for before logging in (states/auth.py), if it is a page
of this site (routes.same_site_path), else the dashboard. `GET
/api/session/end` clears that cookie after the socket has revoked the session.

`GET /api/export/<archive id>`: the signed-in member's own data archive
(accounts/export.py), found by their session cookie; any other id -- forged,
expired or another member's -- answers 404, the same as one never made.

`GET /api/receipts/<receipt id>`: a card payment's receipt as a PDF, for its
payer or the engagement's helper (session cookie); anyone else gets a 404.

`GET /api/calendar/<token>.ics`: a member's private calendar feed
(market/calendar_feed.py) for calendar apps, which bring no cookie: the
secret token is the key. A revoked, rotated or made-up token is a 404.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from html import escape

from reflex.config import get_config
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from marketplace import routes, session_cookie
from marketplace.accounts import accounts, devices, export, signed_in
from marketplace.adapters import payments
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import (
    InvalidInput,
    NotFound,
    PaymentsUnavailable,
    WebhookRejected,
)
from marketplace.inbox import alerts
from marketplace.ledger import receipt_pdf, receipts
from marketplace.ledger.stripe_webhooks import apply_event
from marketplace.link_previews import ListingPreviews
from marketplace.market import calendar_feed
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
    browser = await asyncio.to_thread(
        _take_over,
        ticket,
        request.headers.get("user-agent", ""),
        client_address(request),
    )
    if browser is None:
        return _to_page(routes.LOGIN, request)
    response = _to_page(request.query_params.get("next", ""), request)
    session_cookie.set_on(response, browser.token, browser.expires_at, _secure(request))
    return response


def client_address(request: Request) -> str:
    """The client's address by Reflex's rule for event sockets: the peer, or
    the X-Forwarded-For entry REFLEX_TRUSTED_PROXY_HOPS proxies back when the
    operator says the app sits behind them -- never a header taken blindly."""
    peer = request.client.host if request.client else ""
    hops = get_config().trusted_proxy_hops
    if not hops:
        return peer
    forwarded = request.headers.get("x-forwarded-for", "")
    chain = [ip.strip() for ip in forwarded.split(",") if ip.strip()]
    return chain[-hops] if len(chain) >= hops else peer


def _take_over(
    ticket: str, user_agent: str, client: str
) -> accounts.BrowserSession | None:
    with unit_of_work() as session:
        return devices.take_over(session, ticket, user_agent=user_agent, client=client)


async def session_end(request: Request) -> Response:
    """Forget the cookie; the socket already revoked the session behind it."""
    response = _to_page(request.query_params.get("next", routes.HOME), request)
    session_cookie.clear_on(response, _secure(request))
    return response


async def download_export(request: Request) -> Response:
    """The member's own archive; anything else is a 404 that says nothing."""
    token = session_cookie.token_from(request.headers.get("cookie", ""))
    member = await asyncio.to_thread(signed_in.member_for, token)
    archive_id = request.path_params.get("archive_id", "")
    path = export.archive_path(member.id, archive_id) if member else None
    if member is None or path is None:
        return PlainTextResponse("No such archive.", status_code=404)
    name = export.download_name(member.handle, datetime.now(UTC))
    return FileResponse(
        path,
        media_type="application/zip",
        filename=name,
        headers={"Cache-Control": "no-store"},
    )


async def download_receipt(request: Request) -> Response:
    """A receipt's PDF, for its payer or the engagement's helper (by their
    session cookie); anyone else gets the 404 of a receipt never issued."""
    token = session_cookie.token_from(request.headers.get("cookie", ""))
    member = await asyncio.to_thread(signed_in.member_for, token)
    receipt_id = request.path_params.get("receipt_id")
    found = None
    if member is not None:
        found = await asyncio.to_thread(_receipt_pdf, member.id, receipt_id)
    if found is None:
        return PlainTextResponse("No such receipt.", status_code=404)
    name, pdf = found
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _receipt_pdf(member_id: int, receipt_id: object) -> tuple[str, bytes] | None:
    with read_only() as session:
        try:
            view = receipts.receipt_view(session, member_id, receipt_id)
        except (NotFound, InvalidInput):
            return None
        return receipts.pdf_filename(view.number), receipt_pdf.render(view)


async def calendar_ics(request: Request) -> Response:
    """A member's calls as a calendar, for the app that holds its link."""
    token = request.path_params.get("token", "")
    ics = await asyncio.to_thread(_calendar_ics, token)
    if ics is None:
        return PlainTextResponse(calendar_feed.GONE, status_code=404)
    return Response(
        ics,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": 'inline; filename="karma-calls.ics"',
        },
    )


def _calendar_ics(token: str) -> bytes | None:
    with read_only() as session:
        try:
            return calendar_feed.feed_ics(session, token)
        except NotFound:
            return None


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


async def unsubscribe(request: Request) -> Response:
    """An alert or digest email's unsubscribe link, signed per member and
    kind, so it
    works without logging in. GET shows a button (mail scanners follow
    links; they must not unsubscribe anyone); POST unsubscribes, which is
    also the one-click unsubscribe mail clients send (RFC 8058)."""
    query = request.query_params
    link = (query.get("m", ""), query.get("k", ""), query.get("s", ""))
    try:
        if request.method == "POST":
            label = await asyncio.to_thread(_unsubscribe, *link)
            return _page("Unsubscribed", f"You will get no more emails for “{label}”.")
        alerts.check_unsubscribe(*link)
    except InvalidInput as refused:
        return _page("Link not valid", str(refused), status=400)
    label = alerts.LINK_LABELS[link[1]]
    return _page(
        "Unsubscribe",
        f"Stop emails for “{label}”?",
        form='<form method="post"><button type="submit">Unsubscribe</button></form>',
    )


def _unsubscribe(member: str, kind: str, sig: str) -> str:
    with unit_of_work() as session:
        return alerts.unsubscribe(session, member, kind, sig)


def _page(title: str, text: str, form: str = "", status: int = 200) -> HTMLResponse:
    """A tiny page of its own (no Reflex: it must work signed out, fast)."""
    settings_link = _frontend_url(routes.SETTINGS_ALERTS)
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · Karma</title></head>"
        f"<body style='font-family:sans-serif;max-width:32rem;margin:3rem auto;"
        f"padding:0 1rem'><h1>{escape(title)}</h1><p>{escape(text)}</p>{form}"
        f"<p><a href='{escape(settings_link)}'>All your alert settings</a></p>"
        f"</body></html>"
    )
    return HTMLResponse(body, status_code=status)


def make_api() -> Starlette:
    """A fresh app of these routes: the Reflex app gets one (and adds its own
    middleware to it), tests get their own, so neither starts the other's."""
    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, stripe_webhook, methods=["POST"]),
            Route(routes.SESSION_START, session_start, methods=["GET"]),
            Route(routes.SESSION_END, session_end, methods=["GET"]),
            Route(routes.EXPORT_ROUTE, download_export, methods=["GET"]),
            Route(routes.RECEIPT_PDF_ROUTE, download_receipt, methods=["GET"]),
            Route(routes.ALERTS_UNSUBSCRIBE, unsubscribe, methods=["GET", "POST"]),
            Route(routes.CALENDAR_FEED_ROUTE, calendar_ics, methods=["GET"]),
        ],
        # pages too: security_headers.py; a listing's page carries its own
        # share card where this app serves the pages (link_previews.py)
        middleware=[Middleware(SecurityHeaders), Middleware(ListingPreviews)],
    )


api = make_api()
