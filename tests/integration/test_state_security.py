"""Event handlers called the way a hostile browser can: any handler, any
arguments. Identity comes from the server-side session, never from the payload."""

from __future__ import annotations

import pytest
import reflex as rx

from marketplace.db import read_only, unit_of_work
from marketplace.services import accounts, profiles
from marketplace.states.auth import LoginState, SignupState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.profile import ProfileEditState

PASSWORD = "correct horse battery"


def state_of(cls, token: str = ""):
    """A fresh state tree as the app builds it per browser tab."""
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.auth_token = token
    return state


def member(handle: str) -> accounts.LoginResult:
    with unit_of_work() as s:
        return accounts.sign_up(
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
    state = state_of(ProfileEditState)
    state.auth_token = token
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
    SignupState.sign_up.fn(signup, form)
    assert signup.signup_error
    login = state_of(LoginState)
    LoginState.log_in.fn(login, form)
    assert login.login_error
    assert login.auth_token == "" and signup.auth_token == ""


@pytest.mark.parametrize("page", ["2", -1, 0, 10**9, None, 1.5, True])
def test_people_paging_refuses_junk_pages(engine, page):
    state = state_of(PeopleState)
    PeopleState.go_to_page.fn(state, page)
    assert state.page == 1


def test_dashboard_of_a_guest_redirects_and_reveals_nothing(engine):
    member("ada")
    state = state_of(DashboardState, "")
    DashboardState.load.fn(state)
    assert state.can_help_me == [] and state.connections == 0


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
