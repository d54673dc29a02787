"""The inbox in the browser: Ada has her dashboard open when Ben writes to her
in an engagement; the Inbox badge in her navigation shows it without a reload,
she opens the inbox, follows the item, and the badge is gone."""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from marketplace.db import unit_of_work
from marketplace.market import engagements, listings, threads
from marketplace.models import Member
from tests import members
from tests.browser.test_accounts_flow import PASSWORD, sign_up, unique

pytestmark = pytest.mark.browser
HEARTBEAT_WAIT = 25_000  # the badge checks every 15 s; leave room for a slow tick
TITLE = "Pricing page teardown"


def ben_offers_help(handle: str) -> int:
    """Ben (signed up behind the scenes) offers a teardown; returns his id."""
    with unit_of_work() as s:
        ben = members.sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name="Ben Okafor",
            password=PASSWORD,
        )
    return ben.member_id


def ada_books_bens_offer(ada_handle: str, ben_id: int) -> int:
    """Ada books Ben's offer (this tells Ben, not Ada); returns the engagement."""
    form = {
        "kind": "offer",
        "title": TITLE,
        "description": "Thirty minutes on your pricing page.",
        "tags": "pricing",
        "terms": "free",
        "capacity": 1,
        "audience": "public",
    }
    with unit_of_work() as s:
        ada_id = s.exec(select(Member.id).where(Member.handle == ada_handle)).one()
        offer = listings.create_listing(s, actor_id=ben_id, form=form)
        s.flush()
        return engagements.propose(s, actor_id=ada_id, listing_id=offer.id).id


def test_a_new_message_lights_the_badge_live_and_reading_it_clears_it(new_page):
    ada_handle = unique("ada")
    ada = new_page("/")
    sign_up(ada, ada_handle, name="Ada Lindqvist")
    expect(ada.get_by_role("heading", name="Edit your profile")).to_be_visible()
    ada.get_by_role("link", name="Dashboard").first.click()
    expect(ada.get_by_role("heading", name="Welcome, Ada Lindqvist")).to_be_visible()
    expect(ada.get_by_role("link", name="Inbox", exact=True)).to_be_visible()

    ben_id = ben_offers_help(unique("ben"))
    engagement = ada_books_bens_offer(ada_handle, ben_id)
    with unit_of_work() as s:  # Ben writes to Ada while her page sits open
        threads.post_message(
            s, actor_id=ben_id, engagement_id=engagement, body="Send me the link?"
        )

    badge = ada.get_by_role("link", name="Inbox, 1 unread")
    expect(badge).to_be_visible(timeout=HEARTBEAT_WAIT)
    expect(ada.get_by_role("heading", name="Welcome, Ada Lindqvist")).to_be_visible()

    badge.click()
    expect(ada.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    item = ada.get_by_role("listitem").filter(has_text="Send me the link?")
    expect(item).to_contain_text(f"Ben Okafor wrote about “{TITLE}”")
    expect(item.get_by_text("New", exact=True)).to_be_visible()

    item.get_by_role("link", name="Open").click()
    expect(ada).to_have_url(re.compile(f"/engagements/{engagement}$"))
    expect(ada.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(ada.get_by_role("link", name="Inbox", exact=True)).to_be_visible(
        timeout=HEARTBEAT_WAIT
    )

    ada.get_by_role("link", name="Inbox", exact=True).click()
    expect(ada.get_by_text("You are all caught up.")).to_be_visible()
    expect(ada.get_by_role("button", name="Mark all as read")).to_be_disabled()


def test_mark_all_as_read_clears_the_badge(new_page):
    ada_handle = unique("ada")
    ada = new_page("/")
    sign_up(ada, ada_handle, name="Ada Lindqvist")
    expect(ada.get_by_role("heading", name="Edit your profile")).to_be_visible()
    ben_id = ben_offers_help(unique("ben"))
    engagement = ada_books_bens_offer(ada_handle, ben_id)
    with unit_of_work() as s:
        for body in ("First note", "Second note"):
            threads.post_message(
                s, actor_id=ben_id, engagement_id=engagement, body=body
            )

    ada.get_by_role("link", name="Inbox, 2 unread").click(timeout=HEARTBEAT_WAIT)
    expect(ada.get_by_text("2 unread", exact=True)).to_be_visible()
    ada.get_by_role("button", name="Mark all as read").click()
    expect(ada.get_by_text("Marked 2 notifications as read.")).to_be_visible()
    expect(ada.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(ada.get_by_text("New", exact=True)).to_have_count(0)
