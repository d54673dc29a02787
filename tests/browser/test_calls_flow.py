"""A call booked in real browsers: Lena sets the hours she takes calls and
posts a 30-minute call offer; Ada picks one of the free times and books it;
Lena accepts and both get a calendar invite at the local SMTP server; Ada
moves the call and the invite is updated -- the same UID, a higher
SEQUENCE, the new time."""

from datetime import UTC, datetime

import icalendar
import pytest
from playwright.sync_api import expect

from marketplace.adapters.mailer import SmtpMailer
from marketplace.db import unit_of_work
from marketplace.inbox import outbox
from tests.browser import mail
from tests.browser.test_accounts_flow import sign_up, unique
from tests.browser.test_invitations_flow import go
from tests.browser.test_market_flow import find_listing, form_loaded, member

pytestmark = pytest.mark.browser


def set_hours(page) -> None:
    """Every day 09:00-17:00 UTC, free cancellation until 2 hours before."""
    go(page, "/settings/availability")
    expect(page.get_by_role("heading", name="When I take calls")).to_be_visible()
    page.get_by_label("Time zone of these hours").select_option("UTC")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"Take calls on {day}").check()
    for day in ("Saturday", "Sunday"):
        page.get_by_label(f"Take calls on {day}").check()
    page.get_by_label("Free cancellation until (hours before)").fill("2")
    page.get_by_label("Meeting link").fill("https://meet.example.com/lena")
    page.get_by_role("button", name="Save my hours").click()
    expect(page.get_by_text("People see times like").first).to_be_visible()


def post_call_offer(page, title: str) -> None:
    page.get_by_role("link", name="Market").first.click()
    page.get_by_role("link", name="Post a listing").click()
    form_loaded(page)
    page.get_by_label("Kind").select_option(label="Offer — I can help")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Bring your onboarding flow.")
    page.get_by_label("Tags").fill("design, onboarding")
    page.get_by_label("Terms").select_option(label="Free / pay it forward")
    page.get_by_label("Price", exact=True).fill("")
    page.get_by_label("Call").select_option(
        label="A 30-minute call, booked on a calendar"
    )
    page.get_by_role("button", name="Post listing").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def invite_to(address: str, after: int = 0) -> icalendar.Calendar:
    """The newest calendar invite mailed to `address`, after sending what
    is due (the sweep's part), among mails past the first `after`."""
    outbox.send_due(unit_of_work, mailer=SmtpMailer.from_settings())
    for message in reversed(mail.mails_to(address)[after:]):
        for part in message.iter_attachments():
            if part.get_filename() == "invite.ics":
                data = part.get_content()
                return icalendar.Calendar.from_ical(data)
    raise AssertionError(f"no invite mailed to {address}")


def event_of(calendar: icalendar.Calendar):
    return next(iter(calendar.walk("VEVENT")))


def utc(value) -> datetime:
    return value.dt.astimezone(UTC)


def test_a_call_is_booked_invited_moved_and_the_invite_updated(new_page):
    lena_handle, ada_handle = unique("lena"), unique("ada")
    title = f"Thirty minutes on your onboarding {lena_handle}"
    lena = member(new_page, lena_handle, "Lena Fischer")
    set_hours(lena)
    post_call_offer(lena, title)

    ada = new_page("/")
    sign_up(ada, ada_handle, name="Ada Lindqvist")
    expect(ada.get_by_role("heading", name="Edit your profile")).to_be_visible()
    find_listing(ada, "onboarding " + lena_handle, title)
    expect(ada.get_by_role("heading", name="Pick a time")).to_be_visible()
    picked = ada.get_by_role("radio").nth(2)  # a few hours past the notice
    picked_label = picked.get_attribute("aria-label")
    picked.check()
    ada.get_by_role("button", name="Book this offer").click()
    expect(ada.get_by_text("Waiting for an answer").first).to_be_visible()
    expect(ada.get_by_role("heading", name="The call", exact=True)).to_be_visible()
    expect(ada.get_by_text(picked_label.split(", ")[1]).first).to_be_visible()

    # Lena accepts; both get an invite for the time Ada picked.
    go(lena, "/engagements")
    lena.get_by_role("link", name=title).click()
    lena.get_by_role("button", name="Accept").click()
    expect(lena.get_by_text("Under way").first).to_be_visible()
    first = invite_to(f"{ada_handle}@example.com")
    assert str(first["METHOD"]) == "REQUEST"
    event = event_of(first)
    assert int(event["SEQUENCE"]) == 0
    assert "https://meet.example.com/lena" in str(event["LOCATION"])
    booked_at = utc(event["DTSTART"])
    assert booked_at.strftime("%H:%M") in picked_label
    assert invite_to(f"{lena_handle}@example.com")  # the helper's own copy
    sent_before_move = len(mail.mails_to(f"{ada_handle}@example.com"))

    # Ada moves the call to another free time: the invite is updated.
    ada.reload()
    expect(ada.get_by_role("heading", name="Move the call")).to_be_visible()
    move_to = ada.get_by_role("radio").nth(5)
    move_label = move_to.get_attribute("aria-label")
    move_to.check()
    ada.get_by_role("button", name="Move the call to this time").click()
    expect(ada.get_by_text(move_label.split(", ")[1]).first).to_be_visible()
    update = invite_to(f"{ada_handle}@example.com", after=sent_before_move)
    moved = event_of(update)
    assert str(update["METHOD"]) == "REQUEST"
    assert str(moved["UID"]) == str(event["UID"])
    assert int(moved["SEQUENCE"]) == 1
    assert utc(moved["DTSTART"]) != booked_at
    assert utc(moved["DTSTART"]).strftime("%H:%M") in move_label
