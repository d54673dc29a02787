"""Who may have an account: email, handle, name, password and login throttle."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.accounts import (
    RESERVED_HANDLES,
    ThrottlePolicy,
    check_password,
    clean_display_name,
    normalize_email,
    normalize_handle,
)
from marketplace.domain.errors import InvalidInput

# --------------------------------------------------------------------------- email


def test_email_is_trimmed_and_lowercased():
    assert normalize_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"


@pytest.mark.parametrize(
    "email,message",
    [
        ("", "Email is required"),
        ("ada", "doesn't look like an email"),
        ("ada@localhost", "doesn't look like an email"),
        ("ada@@example.com", "doesn't look like an email"),
        ("ada lovelace@example.com", "doesn't look like an email"),
        ("a" * 250 + "@example.com", "doesn't look like an email"),
        (None, "Email must be text"),
    ],
)
def test_bad_emails_are_refused(email, message):
    with pytest.raises(InvalidInput, match=message) as error:
        normalize_email(email)
    assert error.value.field == "email"


# --------------------------------------------------------------------------- handle


def test_handle_is_lowercased_and_a_leading_at_sign_dropped():
    assert normalize_handle(" @Ada_Lovelace ") == "ada_lovelace"


@pytest.mark.parametrize(
    "handle,message",
    [
        ("ab", "3 to 30 characters"),
        ("a" * 31, "3 to 30 characters"),
        ("ada lovelace", "lowercase letters"),
        ("-ada", "start and end with a letter or digit"),
        ("ada_", "start and end with a letter or digit"),
        ("ada.l", "lowercase letters"),
        ("adå", "lowercase letters"),
        (7, "Handle must be text"),
    ],
)
def test_bad_handles_are_refused(handle, message):
    with pytest.raises(InvalidInput, match=message):
        normalize_handle(handle)


@pytest.mark.parametrize("handle", ["admin", "Settings", "@people", "login"])
def test_route_words_are_reserved(handle):
    with pytest.raises(InvalidInput, match="is reserved"):
        normalize_handle(handle)


@given(st.from_regex(r"[a-z0-9][a-z0-9_-]{1,28}[a-z0-9]", fullmatch=True))
def test_every_valid_handle_is_kept_as_typed(handle):
    if handle not in RESERVED_HANDLES:
        assert normalize_handle(handle.upper()) == handle


# --------------------------------------------------------------------------- name


def test_display_name_is_required_and_plain_text():
    assert clean_display_name("  Ada L ") == "Ada L"
    with pytest.raises(InvalidInput, match="Name is required"):
        clean_display_name("")
    with pytest.raises(InvalidInput, match="Name can't contain HTML"):
        clean_display_name("<b>Ada</b>")
    with pytest.raises(InvalidInput, match="Name is too long"):
        clean_display_name("A" * 81)


# --------------------------------------------------------------------------- password


def test_a_long_unrelated_password_is_accepted():
    assert check_password("correct horse battery", email="ada@example.com") == (
        "correct horse battery"
    )


@pytest.mark.parametrize(
    "password,message",
    [
        ("short", "at least 10"),
        ("x" * 129, "at most 128"),
        ("Password1234", "too easy"),
        ("abababababab", "too easy"),
        ("my-ada-handle-rocks", "must not contain your handle or email"),
        ("lovelace-rocks-99", "must not contain your handle or email"),
        (None, "Password must be text"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(InvalidInput, match=message):
        check_password(password, email="lovelace@example.com", handle="ada")


def test_a_short_email_name_does_not_forbid_common_words():
    # local part "al" is too short to be a meaningful giveaway
    assert check_password("totally-alright-42", email="al@example.com")


# --------------------------------------------------------------------------- throttle

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=3, window=timedelta(minutes=15))


def minutes_ago(*minutes):
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_fewer_failures_than_the_limit_do_not_lock():
    assert POLICY.locked_until(minutes_ago(1, 2), NOW) is None


def test_reaching_the_limit_locks_until_the_oldest_failure_leaves_the_window():
    assert POLICY.locked_until(minutes_ago(1, 2, 10), NOW) == NOW + timedelta(minutes=5)


def test_failures_older_than_the_window_are_forgotten():
    assert POLICY.locked_until(minutes_ago(1, 2, 15, 30), NOW) is None


def test_with_many_failures_the_lock_lifts_when_fewer_than_the_limit_remain():
    failures = minutes_ago(1, 2, 3, 10, 12)
    assert POLICY.locked_until(failures, NOW) == NOW + timedelta(minutes=12)


def test_the_lock_has_lifted_at_the_moment_it_said():
    failures = minutes_ago(1, 2, 10)
    until = POLICY.locked_until(failures, NOW)
    assert POLICY.locked_until(failures, until) is None


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=10))
def test_a_lock_always_ends_in_the_future(ages):
    until = POLICY.locked_until(minutes_ago(*ages), NOW)
    assert until is None or NOW < until <= NOW + POLICY.window
