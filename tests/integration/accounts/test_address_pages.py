"""The account page's address forms, through its state: a new address and a
work address, each after the current password, with real mail (aiosmtpd).
The same answer whether or not an address has an account. SQLite and
PostgreSQL."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from marketplace import routes
from marketplace.accounts import addresses
from marketplace.db import read_only
from marketplace.settings import get_settings
from marketplace.states.account import AccountState
from marketplace.states.auth import VerifyState
from marketplace.states.profile import PublicProfileState
from tests.integration.accounts.test_password_pages import mails_to
from tests.integration.inbox.test_digest import smtp  # noqa: F401
from tests.integration.test_member_only import redirected_to
from tests.integration.test_state_security import PASSWORD, member, state_of
from tests.members import LINK


@pytest.fixture
def no_cool_down(monkeypatch):
    """Members here signed up a moment ago; the page may mail at once."""
    monkeypatch.setenv("MARKETPLACE_VERIFICATION_RESEND_SECONDS", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def account_page(signed_in) -> AccountState:
    page = state_of(AccountState, signed_in.token)
    AccountState.load.fn(page)
    return page


def ask_change(page: AccountState, new_email: str, password: str = PASSWORD):
    return AccountState.change_email.fn(
        page, {"new_email": new_email, "email_password": password}
    )


def answer(page: AccountState, address: str) -> tuple[str, str, str]:
    """What the page says to a change to `address` (shown as X): its error,
    its notice and its toast's words."""
    said = str(ask_change(page, address)).split("__toast")[1].split(")")[0]
    return tuple(
        words.replace(address, "X")
        for words in (page.email_error, page.email_sent, said)
    )


def follow(mail: EmailMessage, signed_in=None) -> VerifyState:
    """Open the link a received mail carries, as the verify page does."""
    link = LINK.search(mail.get_content()).group(0)
    page = state_of(VerifyState, signed_in.token if signed_in else "", url=link)
    VerifyState.check_link.fn(page)
    return page


# ---------------------------------------------------------------- a new address


def test_the_link_reaches_the_new_address_which_changes_when_followed(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    ada = member("ada")
    page = account_page(ada)
    assert (page.email, page.email_verified) == ("ada@example.com", True)
    ask_change(page, " ada@new.example ")
    assert page.email_error == ""
    assert page.email_sent == (
        "We've sent a link to ada@new.example. Your address changes when you follow it."
    )
    assert page.email == "ada@example.com"  # not yet
    assert page.pending_email == "ada@new.example"
    (mail,) = mails_to(smtp, "ada@new.example")
    assert "ada@new.example is verified" in follow(mail, ada).verify_message
    AccountState.load.fn(page)
    assert (page.email, page.pending_email) == ("ada@new.example", "")
    (told,) = mails_to(smtp, "ada@example.com")  # the old address is told
    assert "was changed" in told["Subject"]


def test_a_taken_address_answers_the_same_and_mails_only_its_owner(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    ada, _ = member("ada"), member("bob")
    page = account_page(ada)
    free = answer(page, "ada@free.example")
    assert free == answer(page, "Bob+ada@example.com")
    assert free[0] == "" and "We've sent a link to X." in free[1]
    assert "sent a link to X." in free[2]
    (owner,) = mails_to(smtp, "bob@example.com")
    assert "already has one" in owner.get_content()
    assert not LINK.search(owner.get_content())  # no way onto Bob's mailbox
    mails_to(smtp, "ada@free.example")
    assert sorted(m["To"] for m in smtp.messages) == [
        "ada@free.example",
        "bob@example.com",
    ]
    assert page.email == "ada@example.com"


def test_a_wrong_password_changes_nothing_and_says_so(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    ada = member("ada")
    page = account_page(ada)
    for wrong in ("not my password", "", None):
        ask_change(page, "ada@new.example", wrong)
        assert page.email_error == "Your current password is wrong."
        assert page.email_sent == "" and page.pending_email == ""
    AccountState.change_email.fn(page, "not a form")
    assert page.email_error == "Your current password is wrong."
    assert mails_to(smtp, "ada@new.example", wait=0.5) == []
    with read_only() as s:
        assert addresses.addresses_of(s, ada.member_id).pending_email == ""


def test_only_the_latest_change_link_works(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    ada = member("ada")
    page = account_page(ada)
    ask_change(page, "ada@typo.example")
    ask_change(page, "ada@right.example")
    assert page.pending_email == "ada@right.example"
    (mistyped,) = mails_to(smtp, "ada@typo.example")
    assert "expired" in follow(mistyped).verify_message
    (right,) = mails_to(smtp, "ada@right.example")
    assert follow(right, ada).verified
    AccountState.load.fn(page)
    assert page.email == "ada@right.example"


def test_a_bad_address_is_refused_on_the_form(engine, no_cool_down):
    page = account_page(member("ada"))
    ask_change(page, "not an address")
    assert "doesn't look like an email address" in page.email_error
    ask_change(page, "ADA@example.com")
    assert page.email_error == "That is already your address."


def test_a_guest_is_sent_to_log_in_and_nothing_is_sent(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    guest = state_of(AccountState, "")
    answers = [
        ask_change(guest, "ada@new.example"),
        AccountState.add_work_email.fn(
            guest, {"work_email": "ada@acme.com", "work_password": PASSWORD}
        ),
        AccountState.remove_work_email.fn(guest),
    ]
    assert [redirected_to(answer) for answer in answers] == [routes.LOGIN] * 3
    assert mails_to(smtp, "ada@new.example", wait=0.5) == []
    assert smtp.messages == []


# ---------------------------------------------------------------- a work address


def ask_work(page: AccountState, work_email: str, password: str = PASSWORD):
    return AccountState.add_work_email.fn(
        page, {"work_email": work_email, "work_password": password}
    )


def profile_of(handle: str, viewer=None) -> PublicProfileState:
    page = state_of(
        PublicProfileState,
        viewer.token if viewer else "",
        url=f"http://localhost:3000/people/{handle}",
    )
    PublicProfileState.load.fn(page)
    return page


def test_a_work_address_shows_on_the_profile_once_its_link_is_followed(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    ada, bob = member("ada"), member("bob")
    page = account_page(ada)
    ask_work(page, "ada@gmail.com")
    assert "gmail.com gives an address to anyone" in page.work_error
    assert page.work_sent == "" and page.pending_work_email == ""
    ask_work(page, "ada@acme.com", "wrong password here")
    assert page.work_error == "Your current password is wrong."
    ask_work(page, "ada@acme.com")
    assert page.work_error == ""
    assert "We've sent a link to ada@acme.com" in page.work_sent
    assert page.pending_work_email == "ada@acme.com" and page.work_domain == ""
    assert profile_of("ada", bob).profile.work_domain == ""
    (mail,) = mails_to(smtp, "ada@acme.com")
    assert mail["Subject"] == "Confirm your work address"
    assert not follow(mail, bob).verified  # not Bob's to follow
    assert follow(mail, ada).verify_message == "Thank you: ada@acme.com is verified."
    AccountState.load.fn(page)
    assert (page.work_email, page.work_domain) == ("ada@acme.com", "acme.com")
    assert page.email == "ada@example.com"
    assert profile_of("ada", bob).profile.work_domain == "acme.com"
    assert profile_of("ada").profile.work_domain == "acme.com"  # to guests too
    assert mails_to(smtp, "ada@example.com", wait=0.5) == []  # nothing changed
    AccountState.remove_work_email.fn(page)
    assert (page.work_email, page.work_domain) == ("", "")
    assert profile_of("ada", bob).profile.work_domain == ""


def test_a_work_or_new_address_link_opened_logged_out_signs_nobody_in(
    engine,
    smtp,  # noqa: F811
    no_cool_down,
):
    """Whoever reads the work mailbox (or a mistyped new address's) must not
    get into the account: only the sign-up's own link signs in."""
    ada = member("ada")
    page = account_page(ada)
    ask_work(page, "ada@acme.com")
    ask_change(page, "ada@new.example")
    for address in ("ada@acme.com", "ada@new.example"):
        (mail,) = mails_to(smtp, address)
        link = LINK.search(mail.get_content()).group(0)
        opened = state_of(VerifyState, url=link)
        answer_ = VerifyState.check_link.fn(opened)
        assert opened.verified and routes.SESSION_START not in str(answer_)
