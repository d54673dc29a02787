"""Direct messages in the browser.

1. Ada and Ben are connected: Ada writes from Ben's profile's Message button;
   Ben's navigation counts the unread conversation, he reads and answers, and
   Ada's open conversation shows the answer without a reload.
2. Cleo knows Ben, not Ada: her Message button on Ada's profile sends a
   message request with a reason; Ada sees it on /messages with what they
   share, accepts, and the reason opens their conversation.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shot
from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import member
from tests.browser.test_network_flow import accept_on_network_page, connect, visit

pytestmark = pytest.mark.browser


def write(page, to: str, text: str):
    page.get_by_label(f"Write to {to}").fill(text)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("listitem").filter(has_text=text)).to_be_visible()


def test_a_message_round_trip_and_a_message_request_accepted(new_page):
    ada_h, ben_h, cleo_h = unique("ada"), unique("ben"), unique("cleo")
    ben = member(new_page, ben_h, "Ben Okafor")
    cleo = member(new_page, cleo_h, "Cleo Marsh")
    ada = member(new_page, ada_h, "Ada Lindqvist")
    connect(ada, ben_h, "We met at SaaStr.")
    accept_on_network_page(ben, "Ada Lindqvist")
    connect(cleo, ben_h, "Old colleagues!")
    accept_on_network_page(ben, "Cleo Marsh")

    # 1. Ada writes to Ben from his profile.
    visit(ada, f"/people/{ben_h}")
    expect(ada.get_by_role("link", name="Message", exact=True)).to_be_visible()
    shot(ada, "messages-profile-button")
    ada.get_by_role("link", name="Message", exact=True).click()
    expect(ada).to_have_url(re.compile(f"/messages/{ben_h}$"))
    expect(ada.get_by_role("heading", name="Ben Okafor", exact=True)).to_be_visible()
    ada.get_by_label("Write to Ben Okafor").fill("<b>Urgent</b>")
    ada.get_by_role("button", name="Send message").click()
    expect(ada.get_by_role("alert")).to_contain_text("plain text only")
    write(ada, "Ben Okafor", "Free for a call on Friday? 30 < 60 min & notes")

    # Ben's navigation counts it (the heartbeat), he opens and answers.
    ben.get_by_role("link", name="Messages, 1 unread").click()
    expect(ben.get_by_role("heading", name="Messages", exact=True)).to_be_visible()
    ben.get_by_role("link", name="Ada Lindqvist").click()
    expect(ben.get_by_text("Free for a call on Friday? 30 < 60 min")).to_be_visible()
    expect(ben.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    write(ben, "Ada Lindqvist", "Friday at 10 works.")
    # Ada's open conversation shows it on the next tick (every 5 s there,
    # 15 s on other pages), no reload
    expect(ada.get_by_text("Friday at 10 works.")).to_be_visible(timeout=10_000)
    shot(ada, "messages-conversation")

    # 2. Cleo, two degrees from Ada, asks to talk with a reason.
    visit(cleo, f"/people/{ada_h}")
    cleo.get_by_role("link", name="Send a message request").click()
    expect(cleo).to_have_url(re.compile(f"/messages/{ada_h}$"))
    expect(cleo.get_by_role("heading", name="Send a message request")).to_be_visible()
    expect(cleo.get_by_text("1 mutual connection")).to_be_visible()
    cleo.get_by_label("Reason (required)").fill("Ben says you know pricing.")
    shot(cleo, "messages-request-form")
    cleo.get_by_role("button", name="Send message request").click()
    expect(cleo.get_by_text("Ada Lindqvist will see it in Messages.")).to_be_visible()

    # Ada sees the request with what they share, and accepts.
    visit(ada, "/messages")
    expect(ada.get_by_role("heading", name="Message requests")).to_be_visible()
    expect(ada.get_by_text("Ben says you know pricing.")).to_be_visible()
    expect(ada.get_by_text("1 mutual connection")).to_be_visible()
    shot(ada, "messages-list")
    ada.set_viewport_size({"width": 390, "height": 844})
    shot(ada, "messages-list-phone")
    ada.set_viewport_size({"width": 1280, "height": 860})
    ada.get_by_role("button", name="Accept and reply").click()
    expect(ada).to_have_url(re.compile(f"/messages/{cleo_h}$"))
    expect(ada.get_by_role("heading", name="Cleo Marsh", exact=True)).to_be_visible()
    expect(ada.get_by_text("Ben says you know pricing.")).to_be_visible()
    write(ada, "Cleo Marsh", "Happy to help. What's the question?")
    ada.set_viewport_size({"width": 390, "height": 844})
    shot(ada, "messages-conversation-phone")
