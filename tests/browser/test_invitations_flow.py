"""Inviting someone, in real browsers: a member picks a contact on the invite
page and sends an invitation with a note; the mail (caught by the local SMTP
server) holds a link that opens a pre-filled sign-up in another browser; the
newcomer joins, verifies, and the two are connected."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from marketplace.adapters.mailer import SmtpMailer
from marketplace.db import unit_of_work
from marketplace.inbox import outbox
from marketplace.models import Contact, ContactAddress, Member
from tests.browser import mail
from tests.browser.test_accounts_flow import PASSWORD, sign_up, unique

pytestmark = pytest.mark.browser


def give_contact(owner_handle: str, name: str, email: str) -> None:
    """A contact in the owner's address book, as an import would leave it."""
    now = datetime.now(UTC)
    with unit_of_work() as s:
        owner = s.exec(select(Member.id).where(Member.handle == owner_handle)).one()
        contact = Contact(
            owner_id=owner, name=name, source="manual", source_key=f"test:{email}",
            created_at=now, updated_at=now,
        )  # fmt: skip
        s.add(contact)
        s.flush()
        s.add(
            ContactAddress(
                contact_id=contact.id, owner_id=owner, kind="email", value=email
            )
        )


def go(page, path: str) -> None:
    here = urlsplit(page.url)
    page.goto(f"{here.scheme}://{here.netloc}{path}")


def test_an_invitation_mailed_from_the_page_signs_up_and_connects(new_page):
    host_handle, guest_handle = unique("priya"), unique("omar")
    guest_email = f"{guest_handle}@example.com"
    host = new_page("/")
    sign_up(host, host_handle, name="Priya Raman")
    expect(host.get_by_role("heading", name="Edit your profile")).to_be_visible()
    give_contact(host_handle, "Omar Said", guest_email)

    go(host, "/network/contacts/invite")
    expect(host.get_by_role("heading", name="Invite people you know")).to_be_visible()
    host.get_by_label("Omar Said").check()
    host.get_by_label("A personal note").fill("Omar, come help with the Summit!")
    host.get_by_role("button", name="Send invitations").click()
    expect(host.get_by_text("1 invitation sent").first).to_be_visible()
    sent = host.get_by_role("table")
    expect(sent).to_contain_text(guest_email)
    expect(sent).to_contain_text("Sent")
    expect(host.get_by_label("Omar Said")).to_have_count(0)  # invited: not offered

    outbox.send_due(unit_of_work, mailer=SmtpMailer.from_settings())  # the sweep
    invitation = mail.wait_for_mail(guest_email, "/signup")
    assert "Omar, come help with the Summit!" in invitation.get_content()
    assert invitation["Subject"] == "Priya Raman invited you to Karma"

    guest = new_page("/")  # another browser: the invitee's
    mail.follow(guest, guest_email, "/signup")
    expect(guest.get_by_role("heading", name="Join Karma")).to_be_visible()
    expect(guest.get_by_role("status")).to_contain_text("Priya Raman invited you")
    expect(guest.get_by_label("Name")).to_have_value("Omar Said")
    expect(guest.get_by_label("Email")).to_have_value(guest_email)
    guest.get_by_label("Handle").fill(guest_handle)
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_role("button", name="Create account").click()
    expect(guest.get_by_text("Check your mailbox").first).to_be_visible()
    mail.follow(guest, guest_email, "/verify")
    expect(guest.get_by_role("heading", name="Edit your profile")).to_be_visible()

    go(guest, f"/people/{host_handle}")
    expect(guest.get_by_role("heading", name="Priya Raman")).to_be_visible()
    expect(guest.get_by_role("button", name="Remove connection")).to_be_visible()

    go(host, "/network/contacts/invite")
    expect(host.get_by_role("table")).to_contain_text("Joined")
    go(host, "/network")
    # among her connections, a link to his profile
    expect(host.get_by_role("link", name="Omar Said", exact=True)).to_be_visible()
