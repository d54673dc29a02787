"""Who may have an account: email, handle, name, password and login throttle."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.accounts import (
    RESERVED_HANDLES,
    UNKNOWN_CLIENT,
    Backoff,
    Failure,
    LoginHistory,
    Streak,
    ThrottlePolicy,
    canonical_email,
    check_password,
    clean_display_name,
    client_bucket,
    normalize_email,
    normalize_handle,
    wait_in_words,
)
from marketplace.domain.errors import InvalidInput

# --------------------------------------------------------------------------- email


def test_email_is_trimmed_and_its_domain_lowercased_but_kept_as_typed():
    # the mailbox part is where mail goes: kept as typed, folded only for keys
    assert normalize_email("  Ada.Lovelace@Example.COM ") == "Ada.Lovelace@example.com"


@pytest.mark.parametrize(
    "typed,folded",
    [
        ("Ada@Example.com", "ada@example.com"),
        ("ada+market@example.com", "ada@example.com"),
        ("one.person+1@gmail.com", "oneperson@gmail.com"),
        ("One.Person@GoogleMail.com", "oneperson@gmail.com"),
        ("first.last@example.com", "first.last@example.com"),  # dots matter here
        ("+tag@example.com", "+tag@example.com"),  # nothing left to fold to
    ],
)
def test_one_mailbox_folds_to_one_canonical_address(typed, folded):
    assert canonical_email(normalize_email(typed)) == folded


def test_addresses_that_cannot_receive_mail_are_refused():
    for email in ("ada@host.invalid", "ada@box.local", "ada@x.test"):
        with pytest.raises(InvalidInput, match="receive mail"):
            normalize_email(email)


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
OWNER, STRANGER = "198.51.100.7", "203.0.113.9"
BACKOFF = Backoff(
    free=3, first_delay=timedelta(seconds=30), max_delay=timedelta(minutes=15)
)
POLICY = ThrottlePolicy(
    window=timedelta(hours=24),
    trusted_for=timedelta(days=90),
    per_pair=BACKOFF,
    per_address=replace(BACKOFF, free=10),
    per_account=replace(BACKOFF, free=6),
)


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def failures(client: str, *minutes: float) -> tuple[Failure, ...]:
    return tuple(Failure(client, ago(minutes=m)) for m in minutes)


def wait(client: str, history: LoginHistory) -> timedelta | None:
    until = POLICY.wait_until(client, history, NOW)
    return None if until is None else until - NOW


def test_the_first_failures_are_free_then_each_further_one_doubles_the_delay():
    delays = [BACKOFF.delay(n) for n in range(9)]
    assert delays[:3] == [None, None, None]
    assert [d.total_seconds() for d in delays[3:]] == [30, 60, 120, 240, 480, 900]


def test_the_delay_never_passes_its_cap_however_many_failures():
    assert BACKOFF.delay(10_000) == timedelta(minutes=15)


def test_an_address_waits_after_its_free_failures_counted_from_the_latest():
    history = LoginHistory(account_failures=failures(STRANGER, 0.25, 1, 2, 3))
    assert wait(STRANGER, history) == timedelta(seconds=60 - 15)


def test_a_success_from_the_address_starts_its_count_afresh():
    history = LoginHistory(
        account_failures=failures(OWNER, 1, 2, 3, 4), last_success_here=ago(minutes=2)
    )
    assert wait(OWNER, history) is None


def test_failures_older_than_the_window_are_forgotten():
    history = LoginHistory(account_failures=failures(STRANGER, 1, 25 * 60, 26 * 60))
    assert wait(STRANGER, history) is None


def test_a_stranger_hammering_an_account_does_not_delay_another_address():
    history = LoginHistory(account_failures=failures(STRANGER, *range(1, 200)))
    assert wait(STRANGER, history) == timedelta(minutes=14)
    assert wait(OWNER, history) is None


def test_failures_from_many_addresses_delay_every_unknown_address():
    spread = sum((failures(f"192.0.2.{i}", 1, 2) for i in range(4)), ())
    history = LoginHistory(account_failures=spread)
    # 4 addresses x 2 failures = 8 counted, 2 past the 6 free: 30 s doubled twice
    assert wait("192.0.2.99", history) == timedelta(minutes=2) - timedelta(minutes=1)


def test_an_address_counts_at_most_its_free_failures_towards_the_account():
    history = LoginHistory(account_failures=failures(STRANGER, *range(1, 50)))
    assert POLICY.account_streak(history, NOW).count == BACKOFF.free


def test_a_known_address_is_not_delayed_by_a_distributed_attack():
    spread = sum((failures(f"192.0.2.{i}", 1, 2, 3) for i in range(50)), ())
    history = LoginHistory(account_failures=spread, last_success_here=ago(days=30))
    assert POLICY.is_known(OWNER, history, NOW)
    assert wait(OWNER, history) is None


def test_a_known_address_still_waits_after_its_own_failures():
    # whoever sits at the owner's desk does not get unlimited guesses
    history = LoginHistory(
        account_failures=failures(OWNER, 0.1, 0.2, 0.3), last_success_here=ago(days=1)
    )
    assert wait(OWNER, history) == timedelta(seconds=30 - 6)


def test_an_address_is_forgotten_once_its_last_success_is_old():
    history = LoginHistory(last_success_here=ago(days=91))
    assert not POLICY.is_known(OWNER, history, NOW)


def test_an_address_spraying_many_accounts_waits_except_where_it_is_known():
    spraying = Streak(count=12, latest=ago(seconds=10))
    assert wait(STRANGER, LoginHistory(address_failures=spraying)) == timedelta(
        seconds=120 - 10
    )
    known = LoginHistory(address_failures=spraying, last_success_here=ago(days=3))
    assert wait(STRANGER, known) is None


def test_the_unknown_address_is_never_known_and_never_capped_across_accounts():
    history = LoginHistory(
        last_success_here=ago(minutes=5),
        address_failures=Streak(count=500, latest=ago(seconds=1)),
    )
    assert not POLICY.is_known(UNKNOWN_CLIENT, history, NOW)
    assert wait(UNKNOWN_CLIENT, history) is None


def test_the_wait_has_ended_at_the_moment_it_named():
    history = LoginHistory(account_failures=failures(STRANGER, 1, 2, 3, 4, 5))
    until = POLICY.wait_until(STRANGER, history, NOW)
    assert until is not None
    assert POLICY.wait_until(STRANGER, history, until) is None


ATTEMPT = st.builds(
    Failure,
    client=st.sampled_from([OWNER, STRANGER, "192.0.2.1", UNKNOWN_CLIENT]),
    at=st.integers(min_value=0, max_value=30 * 60).map(lambda s: ago(seconds=s)),
)
HISTORY = st.builds(
    LoginHistory,
    account_failures=st.lists(ATTEMPT, max_size=40).map(tuple),
    last_success_here=st.none() | st.integers(0, 200).map(lambda d: ago(days=d)),
    address_failures=st.builds(
        Streak,
        count=st.integers(0, 60),
        latest=st.integers(0, 3600).map(lambda s: ago(seconds=s)),
    ),
)
CLIENT = st.sampled_from([OWNER, STRANGER, UNKNOWN_CLIENT])


@given(CLIENT, HISTORY)
def test_a_wait_always_ends_in_the_future_within_the_cap(client, history):
    until = POLICY.wait_until(client, history, NOW)
    assert until is None or NOW < until <= NOW + BACKOFF.max_delay


@given(CLIENT, HISTORY, ATTEMPT)
def test_one_more_failure_never_shortens_the_wait(client, history, failure):
    more = replace(history, account_failures=(*history.account_failures, failure))
    before = POLICY.wait_until(client, history, NOW) or NOW
    after = POLICY.wait_until(client, more, NOW) or NOW
    assert after >= before


# ------------------------------------------------------------------- client address


@pytest.mark.parametrize(
    "raw,bucket",
    [
        ("203.0.113.9", "203.0.113.9"),
        (" 203.0.113.9 ", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", UNKNOWN_CLIENT),
        ("0.0.0.0", UNKNOWN_CLIENT),
        ("::", UNKNOWN_CLIENT),
        ("localhost", UNKNOWN_CLIENT),
        ("203.0.113.9, 10.0.0.1", UNKNOWN_CLIENT),
        ("1" * 10_000, UNKNOWN_CLIENT),
        (None, UNKNOWN_CLIENT),
        (3405803785, UNKNOWN_CLIENT),
        (["203.0.113.9"], UNKNOWN_CLIENT),
    ],
)
def test_a_client_address_names_its_throttle_bucket(raw, bucket):
    assert client_bucket(raw) == bucket


@given(st.text(max_size=80))
def test_any_text_gives_a_bucket_that_fits_its_column(raw):
    assert len(client_bucket(raw)) <= 64


@pytest.mark.parametrize(
    "seconds,words",
    [(0.2, "1 second"), (29.5, "30 seconds"), (60, "1 minute"), (61, "2 minutes")],
)
def test_a_wait_is_said_in_words_rounded_up(seconds, words):
    assert wait_in_words(timedelta(seconds=seconds)) == words
