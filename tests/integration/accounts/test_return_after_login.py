"""A link survives the log-in: a guest who opens `/market/34` is sent to
`/login?next=/market/34`, logs in (or signs up), and the session handoff
(`/api/session/start`) lands them on `/market/34` -- never on another site,
whatever a link puts into `next`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from marketplace import routes, session_cookie
from marketplace.states.auth import LoginState, SignupState, VerifyState
from marketplace.states.market import MarketState
from tests.integration.accounts.test_password_pages import mails_to
from tests.integration.accounts.test_session_cookie import (
    FRONTEND,
    browser,  # noqa: F401  (a fixture)
    navigation_of,
    start,
    who,
)
from tests.integration.inbox.test_digest import smtp  # noqa: F401
from tests.integration.test_member_only import redirected_to
from tests.integration.test_state_security import PASSWORD, member, state_of
from tests.members import LINK
from tests.members import link_token as link_token_in
from tests.unit.test_return_paths import HOSTILE

PAGE = "http://localhost:3000"


def handed_over_to(event) -> tuple[str, str]:
    """The ticket and the `next` a log-in's navigation carries."""
    query = parse_qs(urlsplit(navigation_of(event)).query)
    return query["ticket"][0], query["next"][0]


def log_in_from(url: str, email: str = "ada@example.com"):
    state = state_of(LoginState, url=url)
    opened = LoginState.clear.fn(state)
    return (
        state,
        opened,
        LoginState.log_in.fn(state, {"email": email, "password": PASSWORD}),
    )


def test_a_guest_is_sent_to_log_in_with_the_page_they_asked_for(engine):
    state = state_of(MarketState, "", url=f"{PAGE}/market")
    assert redirected_to(MarketState.load.fn(state)) == "/login?next=%2Fmarket"


def test_logging_in_lands_on_the_page_asked_for(browser):  # noqa: F811
    member("ada")
    state, opened, event = log_in_from(f"{PAGE}/login?next=%2Fmarket%2F34")
    assert opened is None and state.return_to == "/market/34"
    assert state.signup_link == "/signup?next=%2Fmarket%2F34"  # joining keeps it
    ticket, next_path = handed_over_to(event)
    assert next_path == "/market/34"
    response = start(browser, ticket, next_path)
    assert response.headers["location"] == f"{FRONTEND}/market/34"
    assert who(browser.cookies[session_cookie.NAME]) == "ada"


@pytest.mark.parametrize("next_path", [p for p in HOSTILE if isinstance(p, str)])
def test_a_hostile_next_lands_on_the_dashboard(browser, next_path):  # noqa: F811
    """Refused when the log-in page reads it, and again at the handoff."""
    member("ada")
    url = f"{PAGE}/login?{urlencode({'next': next_path})}"
    state, _, event = log_in_from(url)
    assert state.return_to == "" and state.signup_link == routes.SIGNUP
    ticket, landing = handed_over_to(event)
    assert landing == routes.DASHBOARD
    forged = start(browser, ticket, next_path)  # a page that skipped the check
    assert forged.headers["location"] == FRONTEND + routes.DASHBOARD


def follow_mailed_link(smtp, handle: str):  # noqa: F811
    """Open the verification link `handle` was mailed, logged out."""
    (mail,) = mails_to(smtp, f"{handle}@example.com")
    link = LINK.search(mail.get_content()).group(0)
    opened = state_of(VerifyState, url=link)
    return VerifyState.check_link.fn(opened)


def test_signing_up_lands_on_the_page_asked_for_or_the_profile_form(
    engine,
    smtp,  # noqa: F811
):
    joining = state_of(SignupState, url=f"{PAGE}/signup?next=%2Fmarket%2F34")
    SignupState.clear.fn(joining)
    assert joining.login_link == "/login?next=%2Fmarket%2F34"
    SignupState.sign_up.fn(joining, _sign_up_form("noor"))
    assert handed_over_to(follow_mailed_link(smtp, "noor"))[1] == "/market/34"

    plain = state_of(SignupState, url=f"{PAGE}/signup")
    SignupState.clear.fn(plain)
    SignupState.sign_up.fn(plain, _sign_up_form("omar"))
    assert handed_over_to(follow_mailed_link(smtp, "omar"))[1] == routes.PROFILE_EDIT


def test_a_hostile_next_in_a_verification_link_lands_on_the_dashboard(
    engine,
    smtp,  # noqa: F811
):
    joining = state_of(SignupState, url=f"{PAGE}/signup")
    SignupState.sign_up.fn(joining, _sign_up_form("noor"))
    (mail,) = mails_to(smtp, "noor@example.com")
    token = link_token_in(mail.get_content())
    query = urlencode({"token": token, "next": "https://evil.example/x"})
    opened = state_of(VerifyState, url=f"{PAGE}/verify?{query}")
    assert handed_over_to(VerifyState.check_link.fn(opened))[1] == routes.DASHBOARD


def test_a_member_already_signed_in_goes_straight_on(engine):
    ada = member("ada")
    state = state_of(LoginState, ada.token, url=f"{PAGE}/login?next=%2Fmarket%2F34")
    assert redirected_to(LoginState.clear.fn(state)) == "/market/34"
    state = state_of(SignupState, ada.token, url=f"{PAGE}/signup")
    assert redirected_to(SignupState.clear.fn(state)) == routes.DASHBOARD


def _sign_up_form(handle: str) -> dict[str, str]:
    return {
        "email": f"{handle}@example.com",
        "handle": handle,
        "display_name": handle.title(),
        "password": PASSWORD,
    }
