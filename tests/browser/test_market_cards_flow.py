"""Market cards a newcomer can trust: a double-clicked "Post listing" posts
one listing, and a member's unbroken 300-character word can't push anyone's
market list off the screen, on a laptop or a phone."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts_flow import unique
from tests.browser.test_market_flow import form_loaded, member

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def fill_listing(page, *, title: str, description: str, tags: str) -> None:
    page.get_by_role("link", name="Market").first.click()
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    page.get_by_role("link", name="Post a listing").click()
    form_loaded(page)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Tags").fill(tags)
    page.get_by_label("Terms").select_option(label="Karma")
    page.get_by_label("Price", exact=True).fill("3")


def search_market(page, words: str) -> None:
    """On a phone the Market link sits in the menu: go by the address."""
    page.goto(urlsplit(page.url)._replace(path="/market", query="").geturl())
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    page.get_by_label("Search listings").fill(words)
    page.get_by_role("button", name="Search").click()


def test_a_double_clicked_post_listing_leaves_one_listing(new_page):
    handle = unique("dana")
    page = member(new_page, handle, "Dana Whitley")
    title = f"Intro to a fintech lawyer {handle}"
    fill_listing(page, title=title, description="Seed round paperwork.", tags="legal")

    page.get_by_role("button", name="Post listing").dblclick()

    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    search_market(page, handle)
    expect(page.get_by_text("1 listing", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=title, level=3)).to_have_count(1)


def fits_the_screen(page) -> None:
    """Nothing scrolls sideways, and each card's box is within the screen."""
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll}px wide on a {width}px screen"
    for heading in page.get_by_role("heading", level=3).all():
        box = heading.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= width, "a listing title sticks out"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280px", "390px"])
def test_an_unbroken_300_character_word_stays_on_the_screen(new_page, viewport):
    handle = unique("lou")
    word = "x" * 300
    author = member(new_page, handle, "Lou Marchetti")
    # The title takes 120 characters at most: all one word, then 300 more in
    # the description and the headline readers see on the card.
    title = (handle + "y" * 120)[:120]
    author.get_by_label("Headline").fill("h" * 120)
    author.get_by_role("button", name="Save profile").click()
    fill_listing(author, title=title, description=word, tags="stress")
    author.get_by_role("button", name="Post listing").click()
    expect(author.get_by_role("heading", name=title, level=1)).to_be_visible()

    reader = member(new_page, unique("rae"), "Rae Quint")
    reader.set_viewport_size(viewport)
    search_market(reader, handle)
    card_title = reader.get_by_role("heading", name=title, level=3)
    expect(card_title).to_be_visible()
    # the search's answer has replaced the cards shown before it
    expect(reader.get_by_text("1 listing", exact=True)).to_be_visible()
    fits_the_screen(reader)
    # the title is cut after two lines, with all of it in the tooltip
    assert card_title.get_attribute("title") == title
    card_title.click()
    expect(reader.get_by_role("heading", name=title, level=1)).to_be_visible()
    assert reader.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
