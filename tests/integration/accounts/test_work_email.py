"""A verified work address: the profile shows "Verified at acme.com".
Services on SQLite and PostgreSQL (the page's form: test_address_pages.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.accounts import addresses, closing, profiles, verification
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotAuthorized, TooManyAttempts
from marketplace.models import EmailVerification
from tests.integration.accounts.test_email_verification import (
    PASSWORD,
    Outbox,
    member,
    sign_up,
    verify,
)


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
def outbox():
    return Outbox()


def ask_work(outbox, member_id, address, clock, password=PASSWORD):
    with unit_of_work() as s:
        sent = addresses.request_work_email(s, member_id, address, password, clock)
    outbox.send(sent.mail)
    return sent


def remove_work(member_id, clock):
    with unit_of_work() as s:
        addresses.remove_work_email(s, member_id, clock)


def badge(handle="ada") -> str:
    with read_only() as s:
        return profiles.public_profile(s, handle).work_domain


def links() -> int:
    with read_only() as s:
        return len(s.exec(select(EmailVerification)).all())


@pytest.fixture
def ada(engine, outbox, clock):
    """Signed up (not yet verified: her own address stays so), a while ago."""
    done = sign_up(outbox, clock)
    clock.advance(timedelta(minutes=5))
    return done.member_id


@pytest.mark.parametrize(
    "free", ["ada@gmail.com", "Ada@GMX.de", "ada@yahoo.co.uk", "ada@proton.me"]
)
def test_free_mail_is_refused_as_a_work_address(ada, outbox, clock, free):
    with pytest.raises(InvalidInput, match="gives an address to anyone"):
        ask_work(outbox, ada, free, clock)
    assert len(outbox.sent) == 1 and links() == 1  # only the sign-up's


def test_a_wrong_password_sends_nothing(ada, outbox, clock):
    for wrong in ("not my password", "", None, 42, "x" * 10_000):
        with pytest.raises(InvalidInput, match="current password is wrong"):
            ask_work(outbox, ada, "ada@acme.com", clock, password=wrong)
    assert len(outbox.sent) == 1 and links() == 1


def test_the_link_verifies_the_work_address_and_not_the_main_one(ada, outbox, clock):
    sent = ask_work(outbox, ada, "Ada@Acme.com", clock)
    assert sent.mail.to == "Ada@acme.com" and "work at acme.com" in sent.mail.body
    assert sent.answer == (
        "We've sent a link to Ada@acme.com. Your profile shows "
        "\u201cVerified at acme.com\u201d once you follow it."
    )
    assert badge() == ""  # a link on its way shows nothing yet
    with read_only() as s:
        assert addresses.addresses_of(s, ada, clock).pending_work_email == (
            "Ada@acme.com"
        )
    done = verify(outbox.token("Ada@acme.com"), clock)
    assert (done.purpose, done.email) == (verification.WORK, "Ada@acme.com")
    after = member(ada)
    assert after.email == "Ada.Lovelace@gmail.com"  # her own address stays
    assert after.email_verified_at is None  # and is still to be verified
    assert (after.work_email, after.work_email_verified_at) == (
        "Ada@acme.com",
        clock.now(),
    )
    assert badge() == "acme.com"
    with read_only() as s:
        shown = addresses.addresses_of(s, ada, clock)
    assert (shown.work_domain, shown.pending_work_email) == ("acme.com", "")
    with pytest.raises(InvalidInput, match="already used"):
        verify(outbox.token("Ada@acme.com"), clock)


def test_another_members_work_link_is_refused_while_signed_in(ada, outbox, clock):
    bob = sign_up(outbox, clock, handle="bob", email="bob@example.com")
    clock.advance(timedelta(minutes=5))
    ask_work(outbox, ada, "ada@acme.com", clock)
    with pytest.raises(NotAuthorized, match="another account"):
        verify(outbox.token("ada@acme.com"), clock, signed_in_id=bob.member_id)
    assert member(bob.member_id).work_email is None
    assert member(ada).work_email is None and badge() == ""


@pytest.mark.parametrize("forged", ["x" * 43, "", None, 42, "a" * 500, "short"])
def test_forged_work_links_are_refused(ada, outbox, clock, forged):
    ask_work(outbox, ada, "ada@acme.com", clock)
    with pytest.raises(InvalidInput, match="not valid"):
        verify(forged, clock)
    assert member(ada).work_email is None


def test_only_the_latest_work_link_works(ada, outbox, clock):
    ask_work(outbox, ada, "ada@acme.com", clock)
    first = outbox.token("ada@acme.com")
    clock.advance(timedelta(minutes=5))
    ask_work(outbox, ada, "ada@initech.example", clock)
    with pytest.raises(InvalidInput, match="expired"):
        verify(first, clock)
    verify(outbox.token("ada@initech.example"), clock)
    assert badge() == "initech.example"


def test_removing_the_work_address_takes_the_badge_and_any_link_away(
    ada, outbox, clock
):
    ask_work(outbox, ada, "ada@acme.com", clock)
    verify(outbox.token("ada@acme.com"), clock)
    clock.advance(timedelta(minutes=5))
    ask_work(outbox, ada, "ada@initech.example", clock)
    remove_work(ada, clock)
    assert badge() == "" and member(ada).work_email is None
    with pytest.raises(InvalidInput, match="expired"):
        verify(outbox.token("ada@initech.example"), clock)
    assert badge() == ""
    remove_work(ada, clock)  # nothing left to remove: harmless


def test_the_same_work_address_twice_is_refused(ada, outbox, clock):
    ask_work(outbox, ada, "ada@acme.com", clock)
    verify(outbox.token("ada@acme.com"), clock)
    clock.advance(timedelta(minutes=5))
    with pytest.raises(InvalidInput, match="already your work address"):
        ask_work(outbox, ada, "ADA@acme.com", clock)


def test_a_work_link_waits_for_the_cool_down_like_any_link(engine, outbox, clock):
    ada = sign_up(outbox, clock).member_id
    with pytest.raises(TooManyAttempts, match="Ask again in"):
        ask_work(outbox, ada, "ada@acme.com", clock)
    assert links() == 1


def test_a_closed_account_keeps_no_work_address(ada, outbox, clock):
    ask_work(outbox, ada, "ada@acme.com", clock)
    verify(outbox.token("ada@acme.com"), clock)
    with unit_of_work() as s:
        closing.close_account(s, ada, PASSWORD, clock)
    closed = member(ada)
    assert (closed.work_email, closed.work_email_verified_at) == (None, None)
