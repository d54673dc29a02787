"""Every response the app serves in production carries the security headers:
built pages (their inline scripts allowed by hash), static assets, the health
check, the event socket's polling and the Stripe webhook, through the same
ASGI app Granian runs (marketplace/security_headers.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from marketplace.api import WEBHOOK_PATH, make_api
from marketplace.security_headers import SecurityHeaders

ROOT = Path(__file__).resolve().parents[2]
THEME_SCRIPT = "document.documentElement.classList.add('light');"
PAGE = (
    f"<!DOCTYPE html><html><head><script>{THEME_SCRIPT}</script>"
    '<script type="module" src="/assets/entry.js"></script></head>'
    "<body>Karma</body></html>"
)
REQUESTS = (
    "GET /",
    "GET /login/",
    "GET /assets/entry.js",
    "GET /_health",
    "GET /_event/?EIO=4&transport=polling",
    f"POST {WEBHOOK_PATH}",
)


def fake_build(web: Path) -> None:
    """What `reflex run --env prod` leaves in .web/build/client, in small."""
    pages = web / "build" / "client"
    (pages / "login").mkdir(parents=True)
    (pages / "assets").mkdir()
    for page in ("index.html", "login/index.html", "404.html"):
        (pages / page).write_text(PAGE)
    (pages / "assets" / "entry.js").write_text("export {};")


def serve_production(tmp_path: Path) -> dict[str, dict]:
    fake_build(tmp_path / "web")
    env = {
        **os.environ,
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
        "__REFLEX_SKIP_COMPILE": "true",  # the build above stands in for it
        "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",  # as --single-port does
        "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "REFLEX_API_URL": "https://karma.example.com",
        "MARKETPLACE_STRIPE_API_BASE": "http://127.0.0.1:8420",
    }
    served = subprocess.run(
        [sys.executable, "-m", "tests.integration.production_pages", *REQUESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    return json.loads(served.stdout.strip().splitlines()[-1])


def test_pages_assets_and_routes_all_carry_the_headers(tmp_path):
    answers = serve_production(tmp_path)
    assert answers["GET /"]["status"] == 200
    assert answers["GET /login/"]["status"] == 200
    assert answers["GET /assets/entry.js"]["status"] == 200
    digest = hashlib.sha256(THEME_SCRIPT.encode()).digest()
    theme_hash = f"'sha256-{base64.b64encode(digest).decode()}'"
    for request, answer in answers.items():
        headers = answer["headers"]
        policy = headers.get("content-security-policy", "")
        assert theme_hash in policy, request
        assert "frame-ancestors 'none'" in policy, request
        assert "wss://karma.example.com" in policy, request
        assert "http://127.0.0.1:8420" in policy, request  # the Stripe stand-in
        assert headers["x-content-type-options"] == "nosniff", request
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_webhook_route_answers_with_the_headers():
    response = TestClient(make_api()).post(WEBHOOK_PATH, content=b"{}")
    assert response.status_code == 400  # unsigned
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_response_that_sets_its_own_policy_keeps_it():
    async def own_policy(scope, receive, send) -> None:
        response = PlainTextResponse("x", headers={"Content-Security-Policy": "own"})
        await response(scope, receive, send)

    app = SecurityHeaders(
        own_policy, headers=lambda: (("Content-Security-Policy", "app"),)
    )
    response = TestClient(app).get("/")
    assert response.headers.get_list("content-security-policy") == ["own"]
