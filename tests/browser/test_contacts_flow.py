"""Your contacts in the browser: a member uploads her phone's vCards, sees
the import report and the member among them who is here, and asks him to
connect in one click; the request waits on his network page. The contact
who is not here is offered on the same page for an invitation, whose mail
the local SMTP server catches (its sign-up: test_invitations_flow.py)."""

import pytest
from playwright.sync_api import expect

from marketplace.adapters.mailer import SmtpMailer
from marketplace.db import unit_of_work
from marketplace.inbox import outbox
from tests.browser import mail
from tests.browser.test_profile_reviews_flow import log_in, someone
from tests.unit.test_contact_files import vcards

pytestmark = pytest.mark.browser


def test_upload_a_vcard_see_who_is_here_and_connect(new_page, app_url):
    ada, ben = someone("Ada Lindqvist"), someone("Ben Okafor")
    cards = vcards(
        [
            ("Ben O.", [f"{ben.handle.upper()}@example.com"], ["+44 20 7946 0958"]),
            ("Zoë Not-Here", ["zoe@elsewhere.example"], []),
        ]
    )
    page = new_page("/")
    log_in(page, ada)
    page.get_by_role("link", name="Network").first.click()
    page.get_by_role("link", name="Your contacts →").click()
    heading = page.get_by_role("heading", name="Your contacts", exact=True)
    expect(heading).to_be_visible()

    with page.expect_file_chooser() as chooser:  # as a person picks a file
        page.get_by_label("Contacts file (.csv or .vcf)").click()
    chooser.value.set_files(
        {"name": "contacts.vcf", "mimeType": "text/vcard", "buffer": cards}
    )
    expect(page.get_by_text("Chosen: contacts.vcf")).to_be_visible()
    page.get_by_role("button", name="Import contacts").click()
    expect(page.get_by_role("heading", name="Import report")).to_be_visible()
    expect(page.get_by_text("Members here")).to_be_visible()
    expect(page.get_by_role("link", name="Zoë Not-Here")).to_be_visible()

    connect = page.get_by_role("button", name="Connect with Ben Okafor")
    expect(connect).to_be_visible()
    expect(page.get_by_text("In your Phone contacts as Ben O.")).to_be_visible()
    connect.click()
    expect(page.get_by_text("Request sent.")).to_be_visible()
    expect(connect).to_have_count(0)

    invitations = page.get_by_role("region", name="Invitations")
    invitations.get_by_label("Zoë Not-Here").check()
    invitations.get_by_label("A personal note").fill("Zoë, the Summit lives here now.")
    invitations.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("1 invitation sent").first).to_be_visible()
    outbox.send_due(unit_of_work, mailer=SmtpMailer.from_settings())  # the sweep
    sent = mail.wait_for_mail("zoe@elsewhere.example", "/signup")
    assert "Zoë, the Summit lives here now." in sent.get_content()

    other = new_page("/")
    log_in(other, ben)
    other.get_by_role("link", name="Network").first.click()
    expect(other.get_by_text("We know each other from your phone")).to_be_visible()
    expect(other.get_by_role("button", name="Accept Ada Lindqvist")).to_be_visible()
