"""The operator's dispute desk in the browser: both sides, the thread and
the timeline; neither outcome is the default, and each asks first."""

import pytest
from playwright.sync_api import expect

from marketplace.db import unit_of_work
from marketplace.market import engagements
from marketplace.models import Member
from tests.browser.test_profile_reviews_flow import log_in, someone
from tests.browser.test_wallet_flow import karma_help

pytestmark = pytest.mark.browser


def test_the_operator_hears_both_sides_and_confirms_a_refund(new_page, app_url):
    ada, ben, ops = someone("Ada Lindqvist"), someone("Ben Okafor"), someone("Sam")
    title = f"Slide template for speakers {ada.handle}"
    engagement_id = karma_help(ada, ben, title, price=4, steps=("accept", "deliver"))
    with unit_of_work() as s:
        engagements.act(
            s,
            actor_id=ada.member_id,
            engagement_id=engagement_id,
            action="dispute",
            note="I got a PDF, not slides",
        )
        s.get(Member, ops.member_id).is_operator = True
    with unit_of_work() as s:
        engagements.answer_dispute(
            s,
            actor_id=ben.member_id,
            engagement_id=engagement_id,
            statement="The slides were shared by email",
        )

    page = new_page("/")
    log_in(page, ops)
    page.goto(f"{app_url}/operator/disputes")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("group", name="The asker")).to_contain_text("PDF")
    expect(page.get_by_role("group", name="The helper")).to_contain_text("by email")
    expect(page.get_by_text("Answered the dispute")).to_be_visible()

    page.get_by_role("button", name="Pay the helper").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Ben Okafor is paid the 4 karma held")
    dialog.get_by_role("button", name="Go back").click()
    expect(dialog).to_have_count(0)

    page.get_by_role("button", name="Refund the asker").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Ada Lindqvist gets the 4 karma held back")
    dialog.get_by_label("Note to both (optional)").fill("Slides were not editable")
    dialog.get_by_role("button", name="Yes, refund the asker").click()
    expect(page.get_by_text("No open disputes.")).to_be_visible()
