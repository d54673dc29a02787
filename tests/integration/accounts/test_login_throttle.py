"""Login throttling per address and per account, on SQLite and PostgreSQL: a
stranger slows down only themselves, never the member they are guessing at.

The settings' defaults are in force (conftest clears any from the shell): five
free failures per address and account, then 30 s doubling up to 15 minutes;
twenty per address across accounts; ten per account across unknown addresses.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.domain.errors import InvalidInput, TooManyAttempts
from marketplace.models import LoginAttempt
from marketplace.settings import get_settings
from tests import members

PASSWORD = "correct horse battery"
WRONG = "wrong horse battery"
OWNER_IP, STRANGER_IP, NEW_PHONE_IP = "198.51.100.7", "203.0.113.9", "198.51.100.80"
ADA = "ada@example.com"


@pytest.fixture(autouse=True)
def default_login_settings(monkeypatch):
    for name in [n for n in os.environ if n.startswith("MARKETPLACE_LOGIN_")]:
        monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Hundreds of password checks here: a plain comparison stands in for the
    deliberately slow argon2, which the throttle does not depend on."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: f"plain:{password}")
    monkeypatch.setattr(
        accounts,
        "verify_password",
        lambda hashed, password: hashed == f"plain:{password}",
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def ada(engine, clock) -> str:
    sign_up("ada", ADA, clock)
    return ADA


def sign_up(handle: str, email: str, clock: FixedClock) -> None:
    with unit_of_work() as s:
        members.sign_up(
            s,
            email=email,
            handle=handle,
            display_name=handle.title(),
            password=PASSWORD,
            clock=clock,
        )


def attempt(
    email: object, password: object, client: object, clock: FixedClock
) -> accounts.LoginResult | None:
    with unit_of_work() as s:
        return accounts.log_in(
            s, email=email, password=password, client=client, clock=clock
        )


def refusal(email: str, password: str, client: str, clock: FixedClock) -> str:
    """The message of a throttled attempt (which must be throttled)."""
    with pytest.raises(TooManyAttempts) as refused:
        attempt(email, password, client, clock)
    return str(refused.value)


def said_wait(message: str) -> timedelta:
    amount, unit = re.search(
        r"Try again in (\d+) (second|minute)s?\.$", message
    ).groups()
    return timedelta(**{f"{unit}s": int(amount)})


def hammer(email: str, client: str, clock: FixedClock, failures: int) -> list[str]:
    """Fail `failures` times from `client`, waiting out every refusal as told;
    the refusals' messages, in order."""
    refusals: list[str] = []
    while failures:
        try:
            assert attempt(email, WRONG, client, clock) is None
            failures -= 1
        except TooManyAttempts as error:
            refusals.append(str(error))
            clock.advance(said_wait(str(error)))
    return refusals


def test_a_strangers_wrong_passwords_do_not_stop_the_owner_logging_in(ada, clock):
    hammer(ada, STRANGER_IP, clock, 12)
    refusal(ada, PASSWORD, STRANGER_IP, clock)  # even the right password, there
    assert attempt(ada, PASSWORD, OWNER_IP, clock) is not None


def test_the_strangers_own_address_waits_longer_after_each_failure(ada, clock):
    refusals = hammer(ada, STRANGER_IP, clock, 11)
    waits = [said_wait(message) for message in refusals]
    assert [w.total_seconds() for w in waits] == [30, 60, 120, 240, 480, 900]
    assert refusals[0] == "Too many failed attempts to log in. Try again in 30 seconds."


def test_a_wait_ends_when_the_message_said(ada, clock):
    hammer(ada, STRANGER_IP, clock, 6)
    message = refusal(ada, WRONG, STRANGER_IP, clock)
    clock.advance(said_wait(message) - timedelta(seconds=1))
    refusal(ada, WRONG, STRANGER_IP, clock)
    clock.advance(timedelta(seconds=1))
    assert attempt(ada, PASSWORD, STRANGER_IP, clock) is not None


def test_the_owners_success_starts_their_own_count_afresh(ada, clock):
    hammer(ada, OWNER_IP, clock, 5)
    clock.advance(said_wait(refusal(ada, PASSWORD, OWNER_IP, clock)))
    assert attempt(ada, PASSWORD, OWNER_IP, clock) is not None
    hammer(ada, OWNER_IP, clock, 4)
    assert attempt(ada, PASSWORD, OWNER_IP, clock) is not None


def test_one_address_spraying_one_password_over_many_emails_is_stopped(ada, clock):
    sign_up("bob", "bob@example.com", clock)
    assert attempt("bob@example.com", PASSWORD, STRANGER_IP, clock)  # bob's office
    emails = [ada] + [f"member{i}@example.com" for i in range(19)]
    for email in emails:
        assert attempt(email, WRONG, STRANGER_IP, clock) is None
    message = refusal("member99@example.com", WRONG, STRANGER_IP, clock)
    assert said_wait(message) == timedelta(seconds=30)
    # other addresses are not slowed, nor a member whose account knows this one
    assert attempt("member99@example.com", WRONG, OWNER_IP, clock) is None
    assert attempt("bob@example.com", PASSWORD, STRANGER_IP, clock) is not None


def test_an_attacker_with_a_whole_ipv6_network_counts_as_one_address(ada, clock):
    for host in range(1, 6):
        assert attempt(ada, WRONG, f"2001:db8:7:1::{host}", clock) is None
    refusal(ada, PASSWORD, "2001:db8:7:1:ffff::9", clock)
    assert attempt(ada, PASSWORD, "2001:db8:7:2::1", clock) is not None


def test_a_distributed_attack_delays_unknown_addresses_not_the_owners_known_one(
    ada, clock
):
    assert attempt(ada, PASSWORD, OWNER_IP, clock)  # the owner's usual address
    for bot in range(2):
        hammer(ada, f"192.0.2.{bot}", clock, 5)  # ten failures: the account's free
    message = refusal(ada, WRONG, "192.0.2.77", clock)
    assert said_wait(message) == timedelta(seconds=30)
    assert attempt(ada, PASSWORD, OWNER_IP, clock) is not None
    # an address the account never logged in from waits too, even the owner's
    # new phone with the right password (an emailed unlock link will help there)
    refusal(ada, PASSWORD, NEW_PHONE_IP, clock)
    clock.advance(said_wait(message))
    assert attempt(ada, PASSWORD, NEW_PHONE_IP, clock) is not None


def test_a_distributed_attack_is_slowed_to_the_cap_across_all_its_addresses(ada, clock):
    start = clock.now()
    for bot in range(30):
        hammer(ada, f"192.0.2.{bot}", clock, 1)
    # 30 guesses took hours, not seconds: past ten, each waited on all the rest
    assert clock.now() - start > timedelta(hours=3)


def test_throttle_messages_do_not_reveal_whether_the_email_exists(ada, clock):
    other_clock = FixedClock(clock.now())
    for_member = hammer(ada, STRANGER_IP, clock, 8)
    for_nobody = hammer("nobody@example.com", "203.0.113.10", other_clock, 8)
    assert for_member == for_nobody
    assert attempt("nobody@example.com", PASSWORD, OWNER_IP, clock) is None


@pytest.mark.parametrize(
    "client",
    [None, 42, ["203.0.113.9"], {"ip": "x"}, "", "not an address", "9" * 10**6],
)
def test_a_client_that_is_not_an_address_counts_as_unknown(ada, clock, client):
    assert attempt(ada, PASSWORD, client, clock) is not None
    with unit_of_work() as s:
        assert s.exec(select(LoginAttempt.client)).all() == ["unknown"]


@pytest.mark.parametrize(
    "email,password,message",
    [
        (None, PASSWORD, "Email must be text"),
        ("a" * 10**6 + "@example.com", PASSWORD, "doesn't look like an email"),
        (ADA, None, "Password is required"),
        (ADA, {"$ne": ""}, "Password is required"),
    ],
)
def test_bad_inputs_are_refused_cleanly_and_not_recorded(
    ada, clock, email, password, message
):
    with pytest.raises(InvalidInput, match=message):
        attempt(email, password, OWNER_IP, clock)
    with unit_of_work() as s:
        assert s.exec(select(LoginAttempt)).all() == []


def test_an_overlong_password_is_simply_wrong(ada, clock):
    assert attempt(ada, "x" * 10**6, OWNER_IP, clock) is None


def test_attempts_are_forgotten_once_no_rule_reads_them(ada, clock):
    assert attempt(ada, PASSWORD, OWNER_IP, clock)
    hammer(ada, STRANGER_IP, clock, 3)
    clock.advance(timedelta(hours=25))
    with unit_of_work() as s:
        assert accounts.forget_old_login_attempts(s, clock=clock) == 3
    clock.advance(timedelta(days=90))
    with unit_of_work() as s:
        assert accounts.forget_old_login_attempts(s, clock=clock) == 1
        assert s.exec(select(LoginAttempt)).all() == []
