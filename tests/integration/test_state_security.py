"""Event handlers called the way a hostile browser can: any handler, any
arguments. Identity comes from the server-side session, never from the payload."""

from __future__ import annotations

from dataclasses import replace

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, RouterData

from marketplace import routes, session_cookie
from marketplace.accounts import accounts, profiles
from marketplace.db import read_only, unit_of_work
from marketplace.states.auth import LoginState, SignupState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.profile import ProfileEditState
from tests.members import sign_up

PASSWORD = "correct horse battery"
ADA_LOGIN = {"email": "ada@example.com", "password": PASSWORD}


def state_of(cls, token: object = "", client: str = "203.0.113.7", url: str = ""):
    """A fresh state tree as the app builds it per browser tab, on a socket
    from `client` whose handshake carried `token` as the session cookie,
    showing the page at `url`."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    use_cookie(state, token, client, url)
    return state


def use_cookie(
    state, token: object, client: str = "203.0.113.7", url: str = ""
) -> None:
    """What Reflex gives every event of a socket: the handshake's headers
    (a forged token is any text a client can put in its cookie), the
    client's address, and the page's URL."""
    cookie = f"{session_cookie.NAME}={token}" if token not in ("", None) else ""
    router = RouterData.from_router_data({"headers": {"cookie": cookie}, "ip": client})
    state.router = replace(router, url=ReflexURL(url)) if url else router


def hands_over(event: object) -> bool:
    """Whether a handler's answer sends the browser to take a session over."""
    return f"{routes.SESSION_START}?ticket=" in str(event)


def member(handle: str) -> accounts.LoginResult:
    with unit_of_work() as s:
        return sign_up(
            s, email=f"{handle}@example.com", handle=handle,
            display_name=handle.title(), password=PASSWORD,
        )  # fmt: skip


def card(handle: str) -> profiles.ProfileView:
    with read_only() as s:
        return profiles.public_profile(s, handle)


FORGED_EDIT = {
    "member_id": None,  # filled with A's id
    "id": None,
    "handle": "ada",
    "display_name": "Hacked",
    "headline": "pwned",
    "give": "phishing",
    "timezone": "UTC",
    "availability": "open",
}


def test_member_b_cannot_edit_member_a_by_sending_a_ids(engine):
    ada, bob = member("ada"), member("bob")
    before = card("ada")
    forged = FORGED_EDIT | {"member_id": ada.member_id, "id": ada.member_id}

    ProfileEditState.save.fn(state_of(ProfileEditState, bob.token), forged)

    assert card("ada") == before
    assert card("bob").display_name == "Hacked"  # B only ever edits B


@pytest.mark.parametrize("token", ["", "forged-token-" + "x" * 30, 12345, None])
def test_a_guest_or_forged_session_changes_nothing(engine, token):
    member("ada")
    before = card("ada")
    state = state_of(ProfileEditState, token)
    ProfileEditState.save.fn(state, FORGED_EDIT)
    assert card("ada") == before


def test_a_logged_out_token_is_refused(engine):
    ada = member("ada")
    with unit_of_work() as s:
        accounts.log_out(s, ada.token)
    before = card("ada")
    ProfileEditState.save.fn(state_of(ProfileEditState, ada.token), FORGED_EDIT)
    assert card("ada") == before


def test_a_token_logged_out_after_it_was_used_is_refused_at_once(engine):
    ada = member("ada")
    first = state_of(ProfileEditState, ada.token)
    ProfileEditState.refresh_session.fn(first)  # the worker now remembers ada
    assert first.my_handle == "ada"
    with unit_of_work() as s:
        accounts.log_out(s, ada.token)
    before = card("ada")
    ProfileEditState.save.fn(state_of(ProfileEditState, ada.token), FORGED_EDIT)
    assert card("ada") == before


def test_bad_profile_input_shows_the_reason_and_keeps_the_profile(engine):
    ada = member("ada")
    before = card("ada")
    state = state_of(ProfileEditState, ada.token)
    ProfileEditState.save.fn(
        state, FORGED_EDIT | {"display_name": "<img src=x onerror=alert(1)>"}
    )
    assert "plain text only" in state.edit_error
    assert card("ada") == before


@pytest.mark.parametrize("form", [None, [], "email=a", {"email": ["x"], "password": 5}])
def test_malformed_sign_up_and_login_payloads_get_a_message(engine, form):
    signup = state_of(SignupState)
    signed_up = SignupState.sign_up.fn(signup, form)
    assert signup.signup_error
    login = state_of(LoginState)
    logged_in = LoginState.log_in.fn(login, form)
    assert login.login_error
    assert not hands_over(signed_up) and not hands_over(logged_in)


@pytest.mark.parametrize("page", ["2", -1, 0, 10**9, None, 1.5, True])
def test_people_paging_refuses_junk_pages(engine, page):
    state = state_of(PeopleState)
    PeopleState.go_to_page.fn(state, page)
    assert state.page == 1


def test_dashboard_of_a_guest_redirects_and_reveals_nothing(engine):
    member("ada")
    state = state_of(DashboardState, "")
    list(DashboardState.load.fn(state))
    assert state.can_help_me == [] and state.connections == 0
    assert state.requests == [] and state.i_can_help_count == 0


def test_log_out_everywhere_revokes_every_session_of_that_member_only(engine):
    ada, bob = member("ada"), member("bob")
    with unit_of_work() as s:
        second = accounts.log_in(s, email="ada@example.com", password=PASSWORD)
    state = state_of(ProfileEditState, ada.token)
    type(state).log_out_everywhere.fn(state)
    with read_only() as s:
        assert accounts.member_for_token(s, ada.token) is None
        assert accounts.member_for_token(s, second.token) is None
        assert accounts.member_for_token(s, bob.token) is not None


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(engine):
    """Through the login form's handler, from two addresses: the stranger is
    slowed down, the owner at their usual address gets in at once."""
    member("ada")
    owner = state_of(LoginState, client="198.51.100.20")
    assert hands_over(LoginState.log_in.fn(owner, ADA_LOGIN))  # ada's usual address
    stranger = state_of(LoginState, client="203.0.113.66")
    for _ in range(12):
        LoginState.log_in.fn(stranger, ADA_LOGIN | {"password": "guess-guess-1"})
    assert "Try again in" in stranger.login_error
    assert not hands_over(LoginState.log_in.fn(stranger, ADA_LOGIN))  # even right
    owner_again = state_of(LoginState, client="198.51.100.20")
    assert hands_over(LoginState.log_in.fn(owner_again, ADA_LOGIN))
    assert owner_again.login_error == ""
