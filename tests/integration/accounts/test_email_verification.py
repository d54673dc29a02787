"""Canonical and verified email addresses, on SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.accounts import accounts, verification
from marketplace.adapters.clock import FixedClock
from marketplace.adapters.mailer import Email
from marketplace.db import unit_of_work
from marketplace.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorized,
    TooManyAttempts,
)
from marketplace.models import EmailVerification, Member

PASSWORD = "correct horse battery"


class Outbox:
    """The mails the services handed back to send, in order."""

    def __init__(self) -> None:
        self.sent: list[Email] = []

    def send(self, email: Email | None) -> None:
        if email is not None:
            self.sent.append(email)

    def token(self, to: str) -> str:
        mail = next(m for m in reversed(self.sent) if m.to == to)
        return re.search(r"/verify\?token=(\S+)", mail.body).group(1)


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))


@pytest.fixture
def outbox():
    return Outbox()


def sign_up(outbox, clock, handle="ada", email="Ada.Lovelace@gmail.com"):
    with unit_of_work() as s:
        done = accounts.register(
            s,
            email=email,
            handle=handle,
            display_name="Ada L",
            password=PASSWORD,
            clock=clock,
        )
    outbox.send(done.mail)
    return done


def resend(outbox, member_id, clock):
    with unit_of_work() as s:
        outbox.send(verification.resend_verification(s, member_id, clock))


def change(outbox, member_id, address, clock):
    with unit_of_work() as s:
        outbox.send(verification.request_email_change(s, member_id, address, clock))


def member(member_id) -> Member:
    with unit_of_work() as s:
        return s.get(Member, member_id)


def verify(token, clock, outbox=None, signed_in_id=None):
    with unit_of_work() as s:
        done = verification.verify_email(
            s, token, signed_in_id=signed_in_id, clock=clock
        )
    if outbox is not None:
        outbox.send(done.notice)
    return done


# ------------------------------------------------------------------ one mailbox


def test_the_address_is_kept_as_typed_and_folded_for_uniqueness(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    stored = member(ada.member_id)
    assert stored.email == "Ada.Lovelace@gmail.com"  # where mail goes
    assert stored.email_canonical == "adalovelace@gmail.com"
    assert outbox.sent[0].to == "Ada.Lovelace@gmail.com"


@pytest.mark.parametrize(
    "again",
    [
        "ada.lovelace@gmail.com",
        "adalovelace+2@googlemail.com",
        "A.DA.lovelace@GMAIL.com",
    ],
)
def test_a_second_account_on_a_folded_address_is_refused(engine, outbox, clock, again):
    sign_up(outbox, clock)
    with pytest.raises(Conflict, match="already exists"):
        sign_up(outbox, clock, handle="ada2", email=again)
    with unit_of_work() as s:
        assert len(s.exec(select(Member)).all()) == 1


def test_dots_count_where_the_provider_keeps_them(engine, outbox, clock):
    sign_up(outbox, clock, email="first.last@example.com")
    sign_up(outbox, clock, handle="other", email="firstlast@example.com")
    with pytest.raises(Conflict):
        sign_up(outbox, clock, handle="third", email="First.Last+news@Example.com")


def test_log_in_finds_the_account_however_the_address_is_typed(engine, outbox, clock):
    sign_up(outbox, clock)
    with unit_of_work() as s:
        result = accounts.log_in(
            s, email="adalovelace+x@googlemail.com", password=PASSWORD, clock=clock
        )
    assert result is not None and result.handle == "ada"


# ------------------------------------------------------------------ verifying


def test_sign_up_mails_a_link_that_verifies_once(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    assert member(ada.member_id).email_verified_at is None
    token = outbox.token("Ada.Lovelace@gmail.com")
    with unit_of_work() as s:
        link = s.exec(select(EmailVerification)).one()
    assert token not in link.token_hash and len(link.token_hash) == 64  # hashed
    done = verify(token, clock)
    assert done.member_id == ada.member_id and done.changed_from is None
    assert member(ada.member_id).email_verified_at == clock.now()
    with pytest.raises(InvalidInput, match="already used"):
        verify(token, clock)


def test_a_link_lapses_after_48_hours(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    token = outbox.token("Ada.Lovelace@gmail.com")
    clock.advance(timedelta(hours=48))
    with pytest.raises(InvalidInput, match="expired"):
        verify(token, clock)
    assert member(ada.member_id).email_verified_at is None


@pytest.mark.parametrize("forged", ["x" * 43, "", None, 42, "a" * 500, "short"])
def test_forged_links_are_refused(engine, outbox, clock, forged):
    ada = sign_up(outbox, clock)
    with pytest.raises(InvalidInput, match="not valid"):
        verify(forged, clock)
    assert member(ada.member_id).email_verified_at is None


def test_another_members_link_is_refused_while_signed_in(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    bob = sign_up(outbox, clock, handle="bob", email="bob@example.com")
    with pytest.raises(NotAuthorized, match="another account"):
        verify(
            outbox.token("Ada.Lovelace@gmail.com"), clock, signed_in_id=bob.member_id
        )
    assert member(ada.member_id).email_verified_at is None
    assert member(bob.member_id).email_verified_at is None
    # not used up: Ada can still follow it, logged out
    verify(outbox.token("Ada.Lovelace@gmail.com"), clock)


def test_a_resend_waits_for_the_cool_down(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    with pytest.raises(TooManyAttempts, match="Ask again in"):
        resend(outbox, ada.member_id, clock)
    clock.advance(timedelta(seconds=61))
    resend(outbox, ada.member_id, clock)
    assert len(outbox.sent) == 2
    verify(outbox.token("Ada.Lovelace@gmail.com"), clock)
    clock.advance(timedelta(seconds=61))
    with pytest.raises(InvalidInput, match="already verified"):
        resend(outbox, ada.member_id, clock)


# ------------------------------------------------------------------ changing


def test_a_new_address_takes_effect_when_verified_and_the_old_one_is_told(
    engine, outbox, clock
):
    ada = sign_up(outbox, clock)
    verify(outbox.token("Ada.Lovelace@gmail.com"), clock)
    clock.advance(timedelta(minutes=5))
    change(outbox, ada.member_id, "ada@work.example.com", clock)
    assert member(ada.member_id).email == "Ada.Lovelace@gmail.com"  # not yet
    done = verify(outbox.token("ada@work.example.com"), clock, outbox)
    assert done.changed_from == "Ada.Lovelace@gmail.com"
    after = member(ada.member_id)
    assert (after.email, after.email_canonical) == (
        "ada@work.example.com",
        "ada@work.example.com",
    )
    told = outbox.sent[-1]
    assert told.to == "Ada.Lovelace@gmail.com" and "ada@work.example.com" in told.body


def test_changing_to_a_taken_mailbox_tells_its_owner_and_nobody_else(
    engine, outbox, clock
):
    ada = sign_up(outbox, clock)
    sign_up(outbox, clock, handle="bob", email="bob@example.com")
    clock.advance(timedelta(minutes=5))
    change(outbox, ada.member_id, "Bob+x@example.com", clock)  # answers as usual
    told = outbox.sent[-1]
    assert told.to == "bob@example.com" and "/verify" not in told.body
    assert "already has one" in told.body
    assert member(ada.member_id).email == "Ada.Lovelace@gmail.com"


def test_a_mailbox_taken_between_request_and_link_is_refused(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    clock.advance(timedelta(minutes=5))
    change(outbox, ada.member_id, "new@example.com", clock)
    sign_up(outbox, clock, handle="newbie", email="New@example.com")
    with pytest.raises(InvalidInput, match="another account"):
        verify(outbox.token("new@example.com"), clock)
    assert member(ada.member_id).email == "Ada.Lovelace@gmail.com"


def test_only_a_verified_member_passes_the_check(engine, outbox, clock):
    ada = sign_up(outbox, clock)
    with unit_of_work() as s, pytest.raises(NotAuthorized, match="Verify your email"):
        verification.require_verified(s, ada.member_id)
    verify(outbox.token("Ada.Lovelace@gmail.com"), clock)
    with unit_of_work() as s:
        verification.require_verified(s, ada.member_id)  # no error
