"""The Content-Security-Policy the app sends: its own scripts (the build's
inline ones by hash), Stripe.js, and nothing else; never framed."""

from __future__ import annotations

import base64
import hashlib

from marketplace.security_headers import (
    content_security_policy,
    inline_script_hashes,
    security_headers,
)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def sha256_source(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def test_scripts_come_from_the_site_and_stripe_only():
    policy = directives(content_security_policy(api_url="https://karma.example.com"))
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert set(policy["script-src"]) == {
        "'self'",
        "'unsafe-eval'",  # Reflex evaluates the scripts handlers return
        "https://js.stripe.com",
        "https://*.js.stripe.com",
    }
    assert "https://hooks.stripe.com" in policy["frame-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_the_event_socket_and_stripe_api_may_be_reached():
    policy = directives(content_security_policy(api_url="https://karma.example.com/"))
    assert policy["connect-src"] == [
        "'self'",
        "https://karma.example.com",
        "wss://karma.example.com",
        "https://api.stripe.com",
    ]
    local = directives(content_security_policy(api_url="http://localhost:8000"))
    assert "ws://localhost:8000" in local["connect-src"]


def test_a_stripe_stand_in_joins_stripes_sources():
    policy = directives(
        content_security_policy(
            api_url="https://karma.example.com", stripe_api_base="http://127.0.0.1:8420"
        )
    )
    for directive in ("script-src", "connect-src", "frame-src"):
        assert "http://127.0.0.1:8420" in policy[directive]


def test_stripe_js_served_from_elsewhere_joins_the_script_sources():
    policy = directives(
        content_security_policy(
            api_url="https://karma.example.com",
            stripe_js_url="http://127.0.0.1:8421/js.stripe.com/v3/",
        )
    )
    assert "http://127.0.0.1:8421" in policy["script-src"]
    stripes = directives(
        content_security_policy(
            api_url="https://karma.example.com",
            stripe_js_url="https://js.stripe.com/v3/",
        )
    )
    assert "https://js.stripe.com" not in stripes["connect-src"]  # as before


def test_the_builds_inline_scripts_are_allowed_by_hash(tmp_path):
    theme = "\ndocument.documentElement.classList.add('light');\n"
    (tmp_path / "index.html").write_text(
        f"<html><head><script>{theme}</script>"
        '<script type="module" src="/assets/entry.js"></script></head></html>'
    )
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text(
        f'<script>{theme}</script><script type="module">import("/a.js");</script>'
    )
    hashes = inline_script_hashes(tmp_path)
    assert hashes == (sha256_source(theme), sha256_source('import("/a.js");'))
    policy = directives(
        content_security_policy(api_url="https://k.example", script_hashes=hashes)
    )
    assert set(hashes) <= set(policy["script-src"])


def test_every_response_also_gets_nosniff_a_referrer_policy_and_no_framing():
    headers = dict(security_headers("default-src 'self'"))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
