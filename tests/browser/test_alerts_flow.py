"""Email alerts in the browser: Ada finds her alert settings in the account
menu, an immediate alert reaches her mailbox when Ben books her offer, and
its unsubscribe link works in a browser that is not logged in."""

from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect
from sqlmodel import select

from marketplace.adapters.mailer import SmtpMailer
from marketplace.db import unit_of_work
from marketplace.inbox import outbox
from marketplace.market import engagements, listings
from marketplace.models import Member
from tests.browser.test_accounts_flow import sign_up, unique
from tests.browser.test_inbox_flow import ben_offers_help
from tests.integration.inbox.test_digest import MailSink, free_port

pytestmark = pytest.mark.browser
TITLE = "Cold email review"


@pytest.fixture
def alerts_mailbox():
    """A mailbox of this test's own, for the outbox sweep it runs itself."""
    sink, port = MailSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, SmtpMailer("127.0.0.1", port, "Karma <alerts@karma.local>")
    controller.stop()


def ben_books_adas_offer(ada_handle: str, ben_id: int) -> None:
    form = {
        "kind": "offer",
        "title": TITLE,
        "description": "I read your cold email and send notes.",
        "tags": "sales",
        "terms": "free",
        "capacity": 1,
        "audience": "public",
    }
    with unit_of_work() as s:
        ada_id = s.exec(select(Member.id).where(Member.handle == ada_handle)).one()
        offer = listings.create_listing(s, actor_id=ada_id, form=form)
        s.flush()
        engagements.propose(s, actor_id=ben_id, listing_id=offer.id)


def on_the_backend(link: str) -> str:
    """The link as the test's backend serves it (its port is the harness's)."""
    from reflex.config import get_config

    backend, url = urlsplit(get_config().api_url), urlsplit(link)
    return url._replace(scheme=backend.scheme, netloc=backend.netloc).geturl()


def test_a_booking_alert_arrives_and_unsubscribes_without_logging_in(
    new_page, alerts_mailbox
):
    sink, mailer = alerts_mailbox
    ada_handle = unique("ada")
    ada = new_page("/")
    sign_up(ada, ada_handle, name="Ada Lindqvist")
    expect(ada.get_by_role("heading", name="Edit your profile")).to_be_visible()
    ada.get_by_role("button", name="Account menu").click()
    ada.get_by_role("menuitem", name="Email alerts").click()
    expect(ada.get_by_role("heading", name="Email alerts")).to_be_visible()
    bookings = ada.get_by_label("Bookings of my offers and their next steps")
    expect(bookings).to_have_value("immediate")

    ben_books_adas_offer(ada_handle, ben_offers_help(unique("ben")))
    outbox.send_due(unit_of_work, mailer=mailer)  # the minute sweep's work
    [mail] = sink.to(f"{ada_handle}@example.com")
    assert f"Ben Okafor booked your offer “{TITLE}”" in mail["Subject"]
    link = mail["List-Unsubscribe"].strip("<>")
    assert link in mail.get_content()

    stranger = new_page("/")  # another browser: nobody is logged in
    stranger.goto(on_the_backend(link))
    stranger.get_by_role("button", name="Unsubscribe").click()
    expect(stranger.get_by_text("You will get no more emails")).to_be_visible()

    ada.reload()
    expect(bookings).to_have_value("never")
