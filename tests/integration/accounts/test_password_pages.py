"""What the forgot-password, sign-up and account pages answer, through their
states: the same words whether or not an address has an account, mail to
the owner, and devices only their owner can log out, their times on the
owner's clock. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlmodel import select

from marketplace.accounts import accounts
from marketplace.db import read_only, unit_of_work
from marketplace.models import AuthSession, Member
from marketplace.states.account import AccountState
from marketplace.states.auth import ForgotPasswordState, SignupState
from tests.integration.inbox.test_digest import smtp  # noqa: F401
from tests.integration.test_state_security import PASSWORD, member, state_of


def mails_to(sink, address: str, wait: float = 5.0) -> list:
    """The mails `address` received, waiting a little for background sends."""
    deadline = time.monotonic() + wait
    while not sink.to(address) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sink.to(address)


def ask_link(email: str) -> tuple[str, str, str]:
    state = state_of(ForgotPasswordState)
    answer = ForgotPasswordState.ask_for_link.fn(state, {"email": email})
    toast = str(answer).split("__toast")[1].split(")")[0]  # its words, not its ids
    return state.forgot_sent, state.forgot_error, toast


def test_a_reset_asked_for_an_unknown_address_answers_like_a_known_one(
    engine,
    smtp,  # noqa: F811
):
    member("ada")
    known, unknown = ask_link("ada@example.com"), ask_link("nobody@example.com")
    assert known == unknown and "If that address has an account" in known[0]
    (mail,) = mails_to(smtp, "ada@example.com")
    assert "/password/reset?token=" in mail.get_content()
    assert mails_to(smtp, "nobody@example.com", wait=0.5) == []


def sign_up_as(email: str, handle: str) -> tuple[SignupState, str]:
    state = state_of(SignupState)
    answer = SignupState.sign_up.fn(
        state,
        {
            "email": email,
            "handle": handle,
            "display_name": handle.title(),
            "password": PASSWORD,
        },
    )
    return state, str(answer)


def test_a_sign_up_with_a_known_address_never_says_so_and_mails_the_owner(
    engine,
    smtp,  # noqa: F811
):
    member("ada")
    state, answer = sign_up_as("ADA@example.com", "impostor")
    assert "already exists" not in answer + state.signup_error
    assert state.signup_error == "" and "sent a message" in state.signup_notice
    (mail,) = mails_to(smtp, "ada@example.com")
    assert "tried to use your address" in mail["Subject"]
    assert "log in" in mail.get_content() and "/password/forgot" in mail.get_content()
    with read_only() as s:  # nobody signed in, no account made
        assert accounts.invited_handle(s, "x") == ""
    fresh_state, fresh = sign_up_as("impostor@example.com", "impostor")
    # a new address hears exactly what the known one heard
    assert fresh_state.signup_notice == state.signup_notice
    assert "ticket=" not in fresh + answer  # neither is signed in by the form
    assert "/verify?token=" in mails_to(smtp, "impostor@example.com")[0].get_content()


def test_a_member_cannot_log_out_another_members_device(engine):
    ada, bob = member("ada"), member("bob")
    with read_only() as s:
        adas = s.exec(
            select(AuthSession.id).where(AuthSession.member_id == ada.member_id)
        ).one()
    bobs_page = state_of(AccountState, bob.token)
    AccountState.load.fn(bobs_page)
    for forged in (str(adas), "999999", "-1", "1e3", "١", "9" * 40, None, adas):
        AccountState.log_out_device.fn(bobs_page, forged)
        assert "not signed in to your account" in bobs_page.device_error
    with read_only() as s:
        assert accounts.member_for_token(s, ada.token) is not None
    # a guest is sent to log in and ends nothing
    answer = AccountState.log_out_device.fn(state_of(AccountState, ""), "1")
    assert "/login" in str(answer)
    with read_only() as s:
        assert accounts.member_for_token(s, ada.token) is not None


def test_the_account_page_lists_this_device_and_changes_the_password(engine):
    ada = member("ada")
    page = state_of(AccountState, ada.token)
    AccountState.load.fn(page)
    assert [d["current"] for d in page.devices] == ["yes"]
    AccountState.change_password.fn(
        page,
        {
            "current_password": "wrong one entirely",
            "new_password": "a new passphrase here",
            "new_password_again": "a new passphrase here",
        },
    )
    assert page.password_error == "Your current password is wrong."
    AccountState.change_password.fn(
        page,
        {
            "current_password": PASSWORD,
            "new_password": "a new passphrase here",
            "new_password_again": "a new passphrase here",
        },
    )
    assert page.password_error == ""
    with read_only() as s:
        assert accounts.member_for_token(s, ada.token) is not None  # kept


def test_the_devices_list_shows_times_on_the_members_own_clock(engine):
    ada, bob = member("ada"), member("bob")
    with unit_of_work() as s:  # Ada also signed in on another device
        accounts.log_in(s, email="ada@example.com", password=PASSWORD)
    winter = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 14, 5, tzinfo=UTC)
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "America/Toronto"
        s.get(Member, bob.member_id).timezone = ""  # none chosen: UTC, and says so
        for auth in s.exec(select(AuthSession)):
            auth.created_at, auth.last_seen_at = winter, summer

    adas_page = state_of(AccountState, ada.token)
    AccountState.load.fn(adas_page)  # this device is seen now; the other is not
    [this, other] = adas_page.devices
    assert this["current"] and this["started"] == "01 Mar 2026, 04:00 EST"
    assert this["last_seen"].endswith(("EST", "EDT"))
    assert (other["started"], other["last_seen"]) == (
        "01 Mar 2026, 04:00 EST",
        "01 Jul 2026, 10:05 EDT",  # summer time
    )

    bobs_page = state_of(AccountState, bob.token)
    AccountState.load.fn(bobs_page)
    [phone] = bobs_page.devices
    assert phone["started"] == "01 Mar 2026, 09:00 UTC"
    assert phone["last_seen"].endswith("UTC")
