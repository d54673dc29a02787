"""A shared link to a public listing unfolds into that listing (title, terms,
who posted it), read by previewers that run no script: the HTML of
`/market/<id>`, as production serves it (the built app's page shell through
Reflex's static files, inside api.py's app), carries the listing's share
card. Any other id gets one neutral card. SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.routing import Mount
from starlette.testclient import TestClient

from marketplace import link_previews
from marketplace.api import make_api
from marketplace.market import public_listings
from marketplace.market.listings import ListingView
from marketplace.states.market import EMPTY_LISTING
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post

# What `reflex export` writes for a page without a prerendered file: the
# app's shell, no title and no share card (checked on a real build).
SHELL = (
    '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    '<meta content="width=device-width, initial-scale=1" name="viewport"/>'
    "<script>document.documentElement.classList.add('light');</script>"
    '</head><body><div id="root"></div></body></html>'
)
QUOTED_TITLE = 'Ask me "anything" about SEO & ads'
HOSTILE_TITLE = '"><script>alert(1)</script> & more'


@pytest.fixture
def site(engine, tmp_path: Path):
    """The production stack: api.py's app with the built pages mounted the
    way Reflex mounts them (the SPA fallback answers routable paths)."""
    (tmp_path / "404.html").write_text(SHELL)
    (tmp_path / "404.html.gz").write_bytes(gzip.compress(SHELL.encode()))
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text(
        SHELL.replace("<head>", "<head><title>L</title>")
    )
    routable = re.compile(r"/(market/[^/]+|login)/?")
    api = make_api()
    api.router.routes.append(
        Mount(
            "/",
            app=PrecompressedStaticFiles(
                directory=tmp_path,
                html=True,
                encodings=["gzip"],
                router=lambda path: path if routable.fullmatch(path) else None,
            ),
        )
    )
    with TestClient(api, base_url="http://localhost:3000") as client:
        yield client


def card_of(page: str) -> dict[str, str]:
    """The page's meta tags: name or property -> content (unescaped)."""
    tags = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"/>', page)
    return {key: html.unescape(value) for key, value in tags}


def test_a_public_listing_s_page_carries_its_own_card(site):
    ada = member("ada")
    listing_id = post(ada, kind="offer", title="An hour on your pricing page")

    answer = site.get(f"/market/{listing_id}", headers={"accept-encoding": "gzip"})

    assert answer.status_code == 200 and "content-encoding" not in answer.headers
    card = card_of(answer.text)
    assert card["og:title"] == "An hour on your pricing page · Karma"
    assert card["og:description"].startswith("Offer · 5 karma · by Ada.")
    assert card["description"] == card["og:description"]
    assert card["og:url"].endswith(f"/market/{listing_id}")
    assert card["og:image"].endswith(link_previews.SOCIAL_IMAGE)
    assert card["twitter:card"] == "summary_large_image"
    assert "<title>An hour on your pricing page · Karma</title>" in answer.text
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert "content-security-policy" in answer.headers  # still the site's headers
    assert '<div id="root"></div>' in answer.text  # the page itself is untouched


def test_a_member_s_words_cannot_break_out_of_the_tags(site):
    listing_id = post(member("ada"), title=QUOTED_TITLE)
    answer = site.get(f"/market/{listing_id}")
    assert card_of(answer.text)["og:title"] == f"{QUOTED_TITLE} · Karma"
    # markup is refused in titles already; were one to get through:
    card = {"title": HOSTILE_TITLE, "description": HOSTILE_TITLE, "url": ""}
    changed = link_previews.with_card(SHELL, card)
    assert "<script>alert(1)" not in changed
    assert card_of(changed)["og:title"] == HOSTILE_TITLE


@pytest.mark.parametrize("audience", ["network", "chosen"])
def test_a_private_listing_s_page_shows_what_a_missing_one_does(site, audience):
    ada, bob = member("ada"), member("bob")
    chosen = {"chosen": "bob"} if audience == "chosen" else {}
    private = post(ada, audience=audience, title="Our secret round", **chosen)
    hidden, missing = site.get(f"/market/{private}"), site.get("/market/99999")
    assert hidden.text == missing.text
    assert "secret" not in hidden.text.lower() and "Ada" not in hidden.text
    assert card_of(hidden.text)["og:title"] == link_previews.LISTING_TITLE
    assert bob  # chosen, and still nothing shows without an account


def test_other_pages_and_answers_pass_untouched(site):
    member("ada")
    login = site.get("/login", headers={"accept-encoding": "gzip"})
    assert "og:title" not in login.text and "<title>L</title>" in login.text
    unknown = site.get("/nowhere", headers={"accept-encoding": "gzip"})
    assert unknown.status_code == 404
    assert unknown.headers.get("content-encoding") == "gzip"  # not read at all


def test_with_card_replaces_tags_of_the_same_names_only():
    page = (
        '<html><head><title>Listing · Karma</title><meta property="og:title" '
        'content="Old"/><meta name="description" content="Old"/>'
        '<meta property="og:image:width" content="1200"/></head><body></body></html>'
    )
    card = {"title": "New · Karma", "description": "Fresh", "url": ""}
    changed = link_previews.with_card(page, card)
    assert "Old" not in changed
    assert changed.count("<title>") == 1  # the page's own title stays
    assert changed.count('property="og:image:width"') == 1
    assert card_of(changed)["og:title"] == "New · Karma"
    assert link_previews.with_card("not a page", card) == "not a page"


def test_the_summary_is_short_and_on_one_line():
    view = ListingView(
        **EMPTY_LISTING.as_dict()
        | {
            "kind_label": "Request",
            "price_label": "IOU for 2 points",
            "author_name": "Bob",
            "description": "word\n" * 200,
        }
    )
    text = public_listings.summary(view)
    assert text.startswith("Request · IOU for 2 points · by Bob. word word")
    assert "\n" not in text and text.endswith("…")
    assert len(text) <= public_listings.SUMMARY_MAX
