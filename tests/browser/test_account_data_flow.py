"""Leave and take your data in the browser: the archive downloads with the
member's engagement in it; deleting is refused while a hold is open, then
succeeds once it is settled, and the ledger audit stays clean."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.db import read_only, unit_of_work
from marketplace.ledger.audit import audit_ledger
from marketplace.market import engagements
from marketplace.models import Member
from tests.browser.test_profile_reviews_flow import log_in, someone
from tests.browser.test_wallet_flow import karma_help
from tests.integration.ledger.test_wallet import PASSWORD

pytestmark = pytest.mark.browser


def open_your_data(page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()


def test_the_archive_downloads_with_the_members_engagement(new_page):
    ada, ben = someone("Ada Lindqvist"), someone("Ben Okafor")
    title = f"Review my SaaS pricing page {ada.handle}"
    engagement = karma_help(
        ada, ben, title, price=2, steps=("accept", "deliver", "confirm")
    )
    page = new_page("/")
    log_in(page, ada)
    open_your_data(page)
    page.get_by_role("button", name="Prepare my archive").click()
    download_link = page.get_by_role("link", name="Download archive")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as started:
        download_link.click()
    payload = Path(started.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        data = json.loads(archive.read("data.json"))
        assert "ledger.csv" in archive.namelist()
    mine = [e for e in data["engagements"] if e["id"] == engagement]
    assert mine and mine[0]["listing_title"] == title


def test_deleting_is_refused_with_an_open_hold_and_succeeds_after(new_page):
    ada, ben = someone("Ada Lindqvist"), someone("Ben Okafor")
    title = f"Second opinion on our onboarding {ada.handle}"
    engagement = karma_help(ada, ben, title, price=3, steps=("accept",))
    page = new_page("/")
    log_in(page, ada)
    open_your_data(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("can't be deleted yet")
    expect(
        page.get_by_role("link", name=f"engagement #{engagement} is accepted")
    ).to_be_visible()
    expect(page.get_by_role("link", name="a karma hold is open")).to_be_visible()

    for actor, action in ((ben, "deliver"), (ada, "confirm")):
        with unit_of_work() as s:
            engagements.act(
                s, actor_id=actor.member_id, engagement_id=engagement, action=action
            )
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    with read_only() as s:
        gone = s.get(Member, ada.member_id)
        assert (gone.display_name, gone.status) == ("Former member", "closed")
        assert audit_ledger(s).ok
    # the old address no longer logs in
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(f"{ada.handle}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
