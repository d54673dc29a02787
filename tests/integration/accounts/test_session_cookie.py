"""The session cookie is HttpOnly: a log-in on the socket hands the session to
the browser through `/api/session/start`, which sets the cookie; the socket
reads it from its handshake; `/api/session/end` clears it after a log-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from marketplace import routes, session_cookie
from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.api import make_api
from marketplace.db import read_only, unit_of_work
from marketplace.states.auth import LoginState
from marketplace.states.session import SessionState
from tests.integration.test_state_security import PASSWORD, member, state_of

FRONTEND = "http://localhost:3000"


@pytest.fixture
def browser(engine):
    """An HTTP client on the backend's routes, as the browser reaches them."""
    with TestClient(make_api(), base_url="http://127.0.0.1:8000") as client:
        yield client


def ticket_for(token: str) -> str:
    with unit_of_work() as s:
        return accounts.hand_over(s, token)


def start(browser, ticket: str, next_path: str = "/dashboard", **headers):
    return browser.get(
        routes.SESSION_START,
        params={"ticket": ticket, "next": next_path},
        headers={"sec-fetch-site": "same-site", **headers},
        follow_redirects=False,
    )


def who(token: str) -> str | None:
    with read_only() as s:
        found = accounts.member_for_token(s, token)
    return found.handle if found else None


def set_cookie_of(response) -> str:
    return response.headers.get("set-cookie", "")


def test_the_browser_gets_the_session_as_an_httponly_strict_cookie(browser):
    ada = member("ada")
    response = start(browser, ticket_for(ada.token), "/market/34")
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/market/34"
    header = set_cookie_of(response).lower()
    assert header.startswith(f"{session_cookie.NAME}=")
    assert "httponly" in header and "samesite=strict" in header
    assert "secure" in header and "path=/" in header
    assert who(browser.cookies[session_cookie.NAME]) == "ada"


def test_the_token_the_socket_saw_dies_when_the_browser_takes_over(browser):
    """The cookie's token is new: nothing but the browser ever held it."""
    ada = member("ada")
    start(browser, ticket_for(ada.token))
    assert who(ada.token) is None
    assert who(browser.cookies[session_cookie.NAME]) == "ada"


def test_a_ticket_is_good_once(browser):
    ada = member("ada")
    ticket = ticket_for(ada.token)
    assert start(browser, ticket).status_code == 303
    browser.cookies.clear()
    again = start(browser, ticket)
    assert again.headers["location"] == FRONTEND + routes.LOGIN
    assert session_cookie.NAME not in set_cookie_of(again)


def test_a_ticket_lapses_after_a_minute(engine):
    ada = member("ada")
    clock = FixedClock(datetime.now(UTC))
    with unit_of_work() as s:
        ticket = accounts.hand_over(s, ada.token, clock=clock)
    clock.advance(timedelta(seconds=accounts.HANDOFF_SECONDS + 1))
    with unit_of_work() as s:
        assert accounts.take_over(s, ticket, clock=clock) is None


def test_a_ticket_of_a_session_revoked_meanwhile_opens_nothing(browser):
    ada = member("ada")
    ticket = ticket_for(ada.token)
    with unit_of_work() as s:
        accounts.revoke_all_sessions(s, ada.member_id)
    response = start(browser, ticket)
    assert response.headers["location"] == FRONTEND + routes.LOGIN
    assert session_cookie.NAME not in set_cookie_of(response)


@pytest.mark.parametrize("site", ["cross-site", "none"])
def test_someone_elses_ticket_sent_from_another_site_logs_nobody_in(browser, site):
    """Login CSRF: an attacker's own ticket in a link would sign the victim
    into the attacker's account; only the app's own pages navigate there."""
    attacker = member("mallory")
    response = start(browser, ticket_for(attacker.token), **{"sec-fetch-site": site})
    assert response.headers["location"] == FRONTEND + routes.LOGIN
    assert session_cookie.NAME not in set_cookie_of(response)


@pytest.mark.parametrize(
    "ticket", ["", "x", "forged-ticket-" + "x" * 30, "y" * 500, "%00"]
)
def test_a_forged_ticket_opens_nothing(browser, ticket):
    member("ada")
    response = start(browser, ticket)
    assert response.headers["location"] == FRONTEND + routes.LOGIN
    assert session_cookie.NAME not in set_cookie_of(response)


@pytest.mark.parametrize(
    "next_path",
    ["//evil.example/x", "https://evil.example", "/\\evil.example", "evil", ""],
)
def test_the_landing_page_is_always_one_of_the_apps_own(browser, next_path):
    ada = member("ada")
    response = start(browser, ticket_for(ada.token), next_path)
    assert response.headers["location"] == FRONTEND + routes.DASHBOARD


def test_logging_out_clears_the_cookie(browser):
    response = browser.get(
        routes.SESSION_END, params={"next": "/"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == FRONTEND + "/"
    header = set_cookie_of(response).lower()
    assert f'{session_cookie.NAME}=""' in header or "max-age=0" in header
    assert "httponly" in header


# ------------------------------------------------------------------------ states


def navigation_of(event) -> str:
    """The URL a handler's `window.location.replace(...)` goes to."""
    code = next(v._var_value for k, v in event.args if k._js_expr == "javascript_code")
    return json.loads(code.removeprefix("window.location.replace(").removesuffix(")"))


def test_logging_in_sends_the_browser_to_take_the_session_over(browser):
    member("ada")
    state = state_of(LoginState)
    event = LoginState.log_in.fn(
        state, {"email": "ada@example.com", "password": PASSWORD}
    )
    url = urlsplit(navigation_of(event))
    assert url.path == routes.SESSION_START
    query = parse_qs(url.query)
    assert query["next"] == [routes.DASHBOARD]
    response = start(browser, query["ticket"][0])
    assert who(browser.cookies[session_cookie.NAME]) == "ada"
    assert response.headers["location"] == FRONTEND + routes.DASHBOARD


def test_the_socket_knows_the_member_from_its_handshake_cookie_only(engine):
    ada = member("ada")
    signed = state_of(SessionState, ada.token)
    SessionState.refresh_session.fn(signed)
    assert signed.my_handle == "ada"
    guest = state_of(SessionState)
    SessionState.refresh_session.fn(guest)
    assert guest.my_handle == ""


def test_logging_out_revokes_the_session_then_clears_the_cookie(engine):
    ada = member("ada")
    state = state_of(SessionState, ada.token)
    event = SessionState.log_out.fn(state)
    assert urlsplit(navigation_of(event)).path == routes.SESSION_END
    assert who(ada.token) is None and state.my_handle == ""


def test_logging_out_everywhere_ends_every_session(engine):
    ada = member("ada")
    with unit_of_work() as s:
        other = accounts.log_in(s, email="ada@example.com", password=PASSWORD)
    SessionState.log_out_everywhere.fn(state_of(SessionState, ada.token))
    assert who(ada.token) is None and who(other.token) is None


@pytest.mark.parametrize(
    "header, token",
    [
        ("", ""),
        (f"{session_cookie.NAME}=abc", "abc"),
        (f'theme=dark; {session_cookie.NAME}="abc"; other=1', "abc"),
        (f"odd=a,b;c; {session_cookie.NAME}=abc", "abc"),
        (f"{session_cookie.NAME}=" + "x" * 500, ""),
        ("karma_session_old=abc", ""),
    ],
)
def test_the_token_is_read_from_the_cookie_header(header, token):
    assert session_cookie.token_from(header) == token
