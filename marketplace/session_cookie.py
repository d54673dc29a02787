"""The session cookie: HttpOnly, so no script on a page can read it.

Reflex sets its cookies from JavaScript, which makes them readable by any
script a page runs: one XSS would steal every session it met. This cookie is
set and cleared only by HTTP responses (api.py's `/api/session/start` and
`/api/session/end`), and the server reads it from the event socket's
handshake, which the browser sends it with (states/session.py). The socket
is opened by the app's own pages, so the cookie can be SameSite=Strict: a
link from another site brings no session with it.

The app's pages and its backend must therefore be on the same site (one
host, as `reflex run --env prod` serves them, or `localhost:3000` and
`localhost:8000` in development): a page opened at `127.0.0.1` whose backend
is `localhost` is another site, and its socket carries no cookie.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie

from starlette.responses import Response

NAME = "karma_session"
PATH = "/"
# a token is 43 url-safe characters; anything much longer is not ours
TOKEN_MAX = 100


def token_from(cookie_header: object) -> str:
    """The session token in a Cookie header, or '' (none, malformed, or junk)."""
    if not isinstance(cookie_header, str) or NAME not in cookie_header:
        return ""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return _token_by_hand(cookie_header)
    morsel = jar.get(NAME)
    token = morsel.value if morsel is not None else _token_by_hand(cookie_header)
    return token if 0 < len(token) <= TOKEN_MAX else ""


def _token_by_hand(cookie_header: str) -> str:
    """SimpleCookie gives up on a whole header for one odd cookie of another
    site's making; ours is plain url-safe text, so read it directly."""
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == NAME:
            return value.strip().strip('"')
    return ""


def set_on(response: Response, token: str, expires_at: datetime, secure: bool) -> None:
    """Give the browser the session: HttpOnly, SameSite=Strict, Secure where it
    can be (https, or a loopback host, which browsers treat as secure)."""
    max_age = max(0, int((expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(
        NAME,
        token,
        max_age=max_age,
        path=PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_on(response: Response, secure: bool) -> None:
    response.delete_cookie(
        NAME, path=PATH, secure=secure, httponly=True, samesite="strict"
    )


def can_be_secure(scheme: str, host: str | None, base_url: str) -> bool:
    """Whether the browser will keep a Secure cookie from this request: https
    (here or at the proxy in front, as the base URL says), or a loopback host."""
    if scheme == "https" or base_url.startswith("https://"):
        return True
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False
