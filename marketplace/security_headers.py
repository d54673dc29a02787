"""Security headers on every HTTP response the app serves.

In production (`reflex run --env prod --single-port`) one ASGI app serves the
built pages, `/_event`, `/_health` and the Stripe webhook, and the Starlette
app of marketplace/api.py wraps all of it (Reflex mounts its own app, the
frontend files included, inside the `api_transformer`). `SecurityHeaders`,
installed there, adds to each response:

- Content-Security-Policy: scripts only from this site and Stripe.js; the
  inline scripts react-router writes into each prerendered page are allowed
  by their SHA-256, read from the build, so no `'unsafe-inline'` for scripts:
  an injected `<script>` or `onerror=` does not run. Two allowances the
  framework needs (both seen as violations in Chromium without them):
  `'unsafe-eval'`, because Reflex's client evaluates the scripts a handler
  returns (every `rx.toast`, `rx.call_script`) with eval(), and
  `'unsafe-inline'` for styles, because emotion (Reflex's CSS-in-JS) writes
  `<style>` elements and the prerendered pages carry `style=` attributes.
  The page may not be framed by anyone (`frame-ancestors 'none'`).
- X-Content-Type-Options: nosniff, Referrer-Policy, X-Frame-Options (for
  browsers without frame-ancestors).

In development the Vite dev server serves the pages, so the policy reaches
only the backend's own responses there. deploy/nginx.conf sends the same
headers for whatever it answers itself.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = tuple[tuple[str, str], ...]

# Stripe's documented sources for Stripe.js, its frames and its API.
STRIPE_SCRIPTS = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_FRAMES = (*STRIPE_SCRIPTS, "https://hooks.stripe.com")
STRIPE_API = "https://api.stripe.com"
STRIPE_IMAGES = "https://*.stripe.com"

FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)
# An inline <script> with content (not one that only names a src file).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.+?)</script>", re.DOTALL)


def content_security_policy(
    *,
    api_url: str,
    stripe_api_base: str = "",
    script_hashes: Iterable[str] = (),
    stripe_js_url: str = "",
) -> str:
    """The policy for pages whose socket talks to `api_url`. A Stripe
    stand-in at `stripe_api_base` (localstripe) serves its Stripe.js, frames
    and API from that one origin, so it joins Stripe's sources, as does the
    origin of a Stripe.js configured elsewhere than Stripe's own."""
    backend = _http_and_socket_origins(api_url)
    stand_ins = [*_origins(stripe_api_base), *_origins(stripe_js_url)]
    fake_stripe = [o for o in dict.fromkeys(stand_ins) if o not in STRIPE_SCRIPTS]
    directives = {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            # Reflex runs what a handler returns as a script (every rx.toast,
            # rx.call_script) through eval() in state.js: no toast without it
            "'unsafe-eval'",
            *script_hashes,
            *STRIPE_SCRIPTS,
            *fake_stripe,
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", STRIPE_IMAGES, *fake_stripe],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *backend, STRIPE_API, *fake_stripe],
        "frame-src": [*STRIPE_FRAMES, *fake_stripe],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *backend[:1]],
    }
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(sources))}"
        for name, sources in directives.items()
    )


def _origins(url: str) -> list[str]:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}"]


def _http_and_socket_origins(api_url: str) -> list[str]:
    """The backend's origin and its event socket's (ws/wss) origin."""
    origins = _origins(api_url)
    if not origins:
        return []
    socket = origins[0].replace("http", "ws", 1)  # https -> wss, http -> ws
    return [origins[0], socket]


def inline_script_hashes(pages_dir: Path) -> tuple[str, ...]:
    """CSP sources for every inline script of every built page. The browser
    hashes a script's text exactly as it appears between the tags."""
    hashes: dict[str, None] = {}
    for page in sorted(pages_dir.rglob("*.html")):
        for script in INLINE_SCRIPT.findall(page.read_text(encoding="utf-8")):
            digest = hashlib.sha256(script.encode("utf-8")).digest()
            hashes[f"'sha256-{base64.b64encode(digest).decode()}'"] = None
    return tuple(hashes)


def security_headers(policy: str) -> Headers:
    return (("Content-Security-Policy", policy), *FIXED_HEADERS)


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers to every HTTP response that
    does not set its own. WebSocket handshakes pass through untouched."""

    def __init__(self, app: ASGIApp, headers: Callable[[], Headers] | None = None):
        self.app = app
        self.headers = headers or app_security_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in self.headers():
                    if name not in response_headers:
                        response_headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def app_security_headers() -> Headers:
    """The headers for this process's settings and frontend build; the build
    is re-read only when it changes (`reflex run --env preview` rebuilds).
    One stat per response (about 10 µs here)."""
    try:
        built_at = (built_pages_dir() / "index.html").stat().st_mtime_ns
    except FileNotFoundError:  # development: Vite serves the pages
        built_at = 0
    return _headers_for(built_at)


@lru_cache(maxsize=4)
def _headers_for(built_at: int) -> Headers:
    from reflex.config import get_config

    from marketplace.settings import get_settings

    hashes = inline_script_hashes(built_pages_dir()) if built_at else ()
    policy = content_security_policy(
        api_url=get_config().api_url,
        stripe_api_base=get_settings().stripe_api_base,
        script_hashes=hashes,
        stripe_js_url=get_settings().stripe_js_url,
    )
    return security_headers(policy)


@lru_cache(maxsize=1)
def built_pages_dir() -> Path:
    """Where `reflex run --env prod` serves the built pages from (the same
    path reflex.utils.exec.get_frontend_mount uses)."""
    from reflex import constants
    from reflex.config import get_config
    from reflex.utils import prerequisites

    frontend_path = get_config().frontend_path.strip("/")
    return prerequisites.get_web_dir() / constants.Dirs.STATIC / frontend_path
