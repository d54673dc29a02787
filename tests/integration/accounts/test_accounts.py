"""Accounts: sign-up, login, sessions and throttling, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, TooManyAttempts
from marketplace.models import AuthSession, Member
from tests import members

PASSWORD = "correct horse battery"


def sign_up(handle="ada", email="ada@example.com", **kw):
    with unit_of_work() as s:
        return members.sign_up(
            s,
            email=email,
            handle=handle,
            display_name=kw.get("name", "Ada L"),
            password=kw.get("password", PASSWORD),
            clock=kw.get("clock", FixedClock(datetime.now(UTC))),
        )


def member_count(engine) -> int:
    with unit_of_work() as s:
        return s.exec(select(func.count(Member.id))).one()


def test_sign_up_opens_a_session_for_the_new_member(engine):
    result = sign_up()
    with unit_of_work() as s:
        member = accounts.member_for_token(s, result.token)
        assert member is not None and member.handle == "ada"
        stored = s.exec(select(AuthSession)).one()
    assert stored.token_hash != result.token  # only the hash is kept


def test_duplicate_email_and_handle_are_refused_with_clear_messages(engine):
    sign_up()
    with pytest.raises(Conflict, match="email already exists"):
        sign_up(handle="other", email="ADA@example.com")
    with pytest.raises(Conflict, match="handle 'ada' is taken"):
        sign_up(handle="Ada", email="new@example.com")
    assert member_count(engine) == 1


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("email", "not-an-email", "doesn't look like an email"),
        ("password", "short", "at least 10"),
        ("password", "x" * 129, "at most 128"),
        ("password", "aaaaaaaaaaaa", "too easy"),
        ("name", "<script>alert(1)</script>", "plain text only"),
        ("name", "N" * 81, "too long"),
        ("handle", "a b", "lowercase letters"),
        ("handle", "admin", "reserved"),
    ],
)
def test_bad_sign_up_input_is_refused_and_nothing_is_stored(
    engine, field, value, message
):
    kwargs = {field: value}
    with pytest.raises(InvalidInput, match=message):
        sign_up(**kwargs)
    assert member_count(engine) == 0


def test_login_expiry_logout(engine):
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    sign_up(clock=clock)
    with unit_of_work() as s:
        login = accounts.log_in(
            s, email="ada@example.com", password=PASSWORD, clock=clock
        )
    with unit_of_work() as s:
        assert accounts.member_for_token(s, login.token, clock=clock) is not None
        clock.advance(timedelta(days=8))
        assert accounts.member_for_token(s, login.token, clock=clock) is None


def test_logout_revokes_the_token(engine):
    result = sign_up()
    with unit_of_work() as s:
        accounts.log_out(s, result.token)
    with unit_of_work() as s:
        assert accounts.member_for_token(s, result.token) is None


def test_repeated_failures_make_the_address_wait_then_the_wait_ends(engine):
    """No client address given: all such attempts share the "unknown" address,
    which is throttled per account (test_login_throttle.py has the rest)."""
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    sign_up(clock=clock)
    for _ in range(5):
        with unit_of_work() as s:
            wrong = "nope-nope-nope"
            assert (
                accounts.log_in(s, email="ada@example.com", password=wrong, clock=clock)
                is None
            )
    with pytest.raises(TooManyAttempts, match="Try again in"), unit_of_work() as s:
        accounts.log_in(s, email="ada@example.com", password=PASSWORD, clock=clock)
    clock.advance(timedelta(minutes=16))
    with unit_of_work() as s:
        assert accounts.log_in(
            s, email="ada@example.com", password=PASSWORD, clock=clock
        )
