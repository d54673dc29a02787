"""Password reset, change, log out everywhere and signed-in devices, on
SQLite and PostgreSQL: what a member (or someone pretending to be one) sees."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from marketplace.accounts import (
    accounts,
    devices,
    mailboxes,
    passwords,
    session_cache,
)
from marketplace.adapters.clock import FixedClock
from marketplace.adapters.mailer import SmtpMailer
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput
from marketplace.models import AuthSession, PasswordReset
from tests.integration.accounts.test_accounts import PASSWORD, sign_up
from tests.integration.inbox.test_digest import smtp  # noqa: F401

NEW_PASSWORD = "a brand new passphrase"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def ask_reset(email: str, clock=None):
    with unit_of_work() as s:
        return passwords.request_reset(s, email, clock=clock or FixedClock(START))


def token_in(mail) -> str:
    link = next(w for w in mail.body.split() if "/password/reset?" in w)
    return parse_qs(urlsplit(link).query)["token"][0]


def reset(token, password=NEW_PASSWORD, clock=None):
    with unit_of_work() as s:
        return passwords.reset_password(s, token, password, clock or FixedClock(START))


def log_in(email="ada@example.com", password=PASSWORD, clock=None):
    with unit_of_work() as s:
        return accounts.log_in(
            s, email=email, password=password, clock=clock or FixedClock(START)
        )


def signed_in(token, clock=None):
    with read_only() as s:
        return accounts.member_for_token(s, token, clock or FixedClock(START))


# -------------------------------------------------------------------------- reset


def test_a_reset_link_sets_a_new_password_and_ends_every_session(engine):
    first = sign_up(clock=FixedClock(START))
    second = log_in()
    mail = ask_reset("Ada@Example.com")
    assert mail.to == "ada@example.com" and "within an hour" in mail.body
    member_id = reset(token_in(mail))
    assert member_id == first.member_id
    assert signed_in(first.token) is None and signed_in(second.token) is None
    assert log_in() is None  # the old password no longer opens the account
    assert log_in(password=NEW_PASSWORD) is not None


def test_only_the_hash_of_the_reset_token_is_stored(engine):
    sign_up(clock=FixedClock(START))
    token = token_in(ask_reset("ada@example.com"))
    with read_only() as s:
        stored = s.exec(select(PasswordReset)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


def test_a_reset_link_lapses_after_an_hour(engine):
    sign_up(clock=FixedClock(START))
    token = token_in(ask_reset("ada@example.com"))
    late = FixedClock(START + timedelta(hours=1, seconds=1))
    with read_only() as s:
        assert not passwords.reset_token_works(s, token, late)
    with pytest.raises(InvalidInput, match="expired or was already used"):
        reset(token, clock=late)
    assert log_in() is not None  # nothing changed


def test_a_reset_link_works_once_and_older_links_die_with_it(engine):
    sign_up(clock=FixedClock(START))
    older = token_in(ask_reset("ada@example.com"))
    newer = token_in(ask_reset("ada@example.com"))
    reset(newer)
    for used in (newer, older):
        with pytest.raises(InvalidInput, match="expired or was already used"):
            reset(used, password="yet another passphrase")
    assert log_in(password=NEW_PASSWORD) is not None


@pytest.mark.parametrize("forged", ["", "x" * 43, "a" * 500, None, 42, ["t"]])
def test_forged_reset_tokens_change_nothing(engine, forged):
    sign_up(clock=FixedClock(START))
    with pytest.raises(InvalidInput, match="expired or was already used"):
        reset(forged)
    assert log_in() is not None


def test_a_members_token_resets_only_that_member(engine):
    sign_up(clock=FixedClock(START))
    sign_up(handle="bob", email="bob@example.com", clock=FixedClock(START))
    bobs = token_in(ask_reset("bob@example.com"))
    assert reset(bobs) != sign_up_id("ada@example.com")
    assert log_in() is not None  # ada's password is as it was
    assert log_in("bob@example.com", NEW_PASSWORD) is not None


def sign_up_id(email: str) -> int:
    result = log_in(email)
    assert result is not None
    return result.member_id


def test_a_reset_for_an_unknown_address_answers_the_same(engine):
    sign_up(clock=FixedClock(START))
    assert ask_reset("nobody@example.com") is None  # nothing to send, no error
    with read_only() as s:
        assert s.exec(select(PasswordReset)).all() == []
    # Same work either way: the time differs by far less than a mail's sending.
    known = min(timed(lambda: ask_reset("ada@example.com")) for _ in range(3))
    unknown = min(timed(lambda: ask_reset("nobody@example.com")) for _ in range(3))
    assert abs(known - unknown) < 0.25


def timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def test_the_reset_mail_reaches_the_mailbox(engine, smtp):  # noqa: F811
    sign_up(clock=FixedClock(START))
    SmtpMailer.from_settings().send(ask_reset("ada@example.com"))
    (mail,) = smtp.to("ada@example.com")
    assert "https://karma.example/password/reset?token=" in mail.get_content()


def test_a_reset_ends_the_remembered_sessions_of_this_worker(engine):
    first = sign_up(clock=FixedClock(START))
    member = signed_in(first.token)
    session_cache.remember(
        first.token, member, START + timedelta(days=1), session_cache.generation()
    )
    assert session_cache.recall(first.token, START) is not None
    reset(token_in(ask_reset("ada@example.com")))
    assert session_cache.recall(first.token, START) is None


# ------------------------------------------------------------ sign-up, known address


def test_a_sign_up_with_a_known_address_is_told_apart_only_by_the_service(engine):
    sign_up(clock=FixedClock(START))
    with pytest.raises(mailboxes.KnownAddress) as known:
        sign_up(handle="other", email="ADA@example.com")
    assert isinstance(known.value, Conflict) and known.value.email == "ada@example.com"
    mail = mailboxes.known_address_email(known.value.email)
    assert "log in" in mail.body and "/password/forgot" in mail.body


# ------------------------------------------------------ change password, everywhere


def test_changing_the_password_asks_for_the_current_one(engine):
    first = sign_up(clock=FixedClock(START))
    wrong = pytest.raises(InvalidInput, match="current password is wrong")
    with unit_of_work() as s, wrong:
        passwords.change_password(
            s, first.member_id, "not it at all", NEW_PASSWORD, first.token
        )
    assert log_in() is not None


def test_changing_the_password_ends_the_other_sessions_only(engine):
    here = sign_up(clock=FixedClock(START))
    elsewhere = log_in()
    with unit_of_work() as s:
        ended = passwords.change_password(
            s, here.member_id, PASSWORD, NEW_PASSWORD, here.token, FixedClock(START)
        )
    assert ended == 1
    assert signed_in(here.token) is not None and signed_in(elsewhere.token) is None
    assert log_in(password=NEW_PASSWORD) is not None


def test_log_out_everywhere_ends_every_session(engine):
    here = sign_up(clock=FixedClock(START))
    elsewhere = log_in()
    with unit_of_work() as s:
        assert passwords.log_out_everywhere(s, here.member_id) == 2
    assert signed_in(here.token) is None and signed_in(elsewhere.token) is None


# ----------------------------------------------------------------------- devices


def take_over(login, agent: str, client: str = "203.0.113.7"):
    with unit_of_work() as s:
        ticket = accounts.hand_over(s, login.token, FixedClock(START))
    with unit_of_work() as s:
        return devices.take_over(
            s, ticket, user_agent=agent, client=client, clock=FixedClock(START)
        )


FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_the_devices_list_names_browsers_and_marks_this_one(engine, monkeypatch):
    laptop = take_over(sign_up(clock=FixedClock(START)), FIREFOX)
    take_over(log_in(), IPHONE, client="198.51.100.23")
    with read_only() as s:
        listed = devices.signed_in_devices(
            s,
            sign_up_id("ada@example.com") and laptop_owner(laptop),
            laptop.token,
            FixedClock(START),
        )
    shown = [(d.browser, d.system, d.current, d.place) for d in listed]
    assert ("Firefox", "Linux", True, "") in shown
    assert ("Safari", "iOS", False, "") in shown
    monkeypatch.setenv("MARKETPLACE_DEVICES_SHOW_PLACE", "true")
    from marketplace.settings import get_settings

    get_settings.cache_clear()
    with read_only() as s:
        places = {
            d.place
            for d in devices.signed_in_devices(
                s, laptop_owner(laptop), laptop.token, FixedClock(START)
            )
        }
    get_settings.cache_clear()
    assert {"203.0.113.0/24", "198.51.100.0/24"} <= places  # never the address


def laptop_owner(browser) -> int:
    member = signed_in(browser.token)
    assert member is not None
    return member.id


def test_log_out_this_device_ends_that_session_only(engine):
    laptop = take_over(sign_up(clock=FixedClock(START)), FIREFOX)
    phone = take_over(log_in(), IPHONE)
    owner = laptop_owner(laptop)
    with read_only() as s:
        phone_id = next(
            d.session_id
            for d in devices.signed_in_devices(
                s, owner, laptop.token, FixedClock(START)
            )
            if not d.current
        )
    with unit_of_work() as s:
        devices.log_out_device(s, owner, phone_id)
    assert signed_in(phone.token) is None and signed_in(laptop.token) is not None


def test_another_members_device_is_refused_as_unknown(engine):
    ada = take_over(sign_up(clock=FixedClock(START)), FIREFOX)
    bob = sign_up(handle="bob", email="bob@example.com", clock=FixedClock(START))
    with read_only() as s:
        adas_session = s.exec(
            select(AuthSession.id).where(AuthSession.member_id == laptop_owner(ada))
        ).first()
    for forged in (adas_session, 10**9, "1", None, True):
        with unit_of_work() as s, pytest.raises(InvalidInput, match="not signed in"):
            devices.log_out_device(s, bob.member_id, forged)
    assert signed_in(ada.token) is not None
