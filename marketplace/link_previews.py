"""What a shared link unfolds into: the share card (Open Graph and X/Twitter
meta tags, the 1200x630 `assets/social-preview.png`), page by page.

Every page carries the product's card: most pages are private, so a link to
one should show the product, not a member's data. Reflex writes a page's
tags into its HTML once, at build time, per route, and a dynamic route's
page (`/market/<id>`) is built as the bare app shell, with no title or tags
at all. Link previews (Slack, LinkedIn, X, WhatsApp) read the HTML without
running its scripts, so the HTML of `/market/<id>` is rewritten on its way
out (`ListingPreviews`, installed in api.py around the whole app): a public
listing gets its own title, summary and address in the card's tags (and a
<title>); any other id (private, missing, junk) gets the product's card
under a neutral "Listing · Karma", the same for all of them, so a preview
tells nothing about private listings. This happens where the backend serves
the pages (`reflex run --env prod`, as scripts/serve runs it); in
development the Vite server serves them itself.

The browser tab's title is the page's state, not this: the listing route's
title is a state Var (states/public_listing.py).
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import NotFound
from marketplace.market import public_listings
from marketplace.settings import get_settings

SITE_NAME = "Karma"
DESCRIPTION = (
    "Karma is a professional give/get network: list what you can give, ask for "
    "what you need, and settle help in karma, IOUs or money."
)
SOCIAL_IMAGE = "/social-preview.png"
SOCIAL_IMAGE_ALT = "Karma: give help, get help"
LISTING_TITLE = f"Listing · {SITE_NAME}"  # any listing a preview may not show


def public_url(path: str) -> str:
    """An absolute address on this site: link previews fetch og:image from
    another host, where a relative path means nothing."""
    return get_settings().base_url.rstrip("/") + path


def page_title(title: str) -> str:
    """ "Pricing review · Karma": what a tab or a preview calls a page."""
    return f"{title} · {SITE_NAME}"


def card_tags(
    title: Any, description: str = DESCRIPTION, url: str = ""
) -> list[tuple[str, str, Any]]:
    """The share card as meta tags: (attribute, its value, content)."""
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", SITE_NAME),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:image", public_url(SOCIAL_IMAGE)),
        ("property", "og:image:width", "1200"),
        ("property", "og:image:height", "630"),
        ("property", "og:image:alt", SOCIAL_IMAGE_ALT),
        # X reads og:title, og:description and og:image for the rest
        ("name", "twitter:card", "summary_large_image"),
    ]
    return [*tags, ("property", "og:url", url)] if url else tags


def share_card(title: Any, card_title: str | None = None) -> dict[str, Any]:
    """`add_page` arguments for a page's title, description and share card.
    Reflex writes `description` and `image` as the description and og:image
    tags; the rest are plain meta tags. `title` may be a state Var (the tab
    follows the page); the card's title must then be given as text."""
    tags = card_tags(title if card_title is None else card_title)
    return {
        "title": title,
        "description": DESCRIPTION,
        "image": public_url(SOCIAL_IMAGE),
        "meta": [
            {attribute: key, "content": content}
            for attribute, key, content in tags
            if key != "og:image"
        ],
    }


# ------------------------------------------------------------------ listing pages

LISTING_PATH = re.compile(r"/market/(\d{1,9})/?")
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
TITLE = re.compile(r"<title\b", re.IGNORECASE)


def listing_card(listing_id: int) -> dict[str, str]:
    """The card of `/market/<listing_id>`: the listing's own when it is
    public, the neutral listing card otherwise (never saying which)."""
    try:
        with read_only() as session:
            found = public_listings.public_listing(session, listing_id)
    except NotFound:
        return {"title": LISTING_TITLE, "description": DESCRIPTION, "url": ""}
    return {
        "title": page_title(found.listing.title),
        "description": public_listings.summary(found.listing),
        "url": public_url(routes.listing(found.listing.id)),
    }


def with_card(page: str, card: dict[str, str]) -> str:
    """The HTML `page` with `card`'s share card in its head, in place of any
    tags of the same names (values escaped: titles are members' text).

    The pages of dynamic routes are the app's bare shell, without title or
    tags; a <title> is added only where there is none (for readers that run
    no script). In a browser React puts the page's own <title> before it, so
    the tab follows the page as the visitor moves on (checked in Chromium
    on a production build)."""
    tags = [
        *card_tags(card["title"], card["description"], card.get("url", "")),
        ("name", "description", card["description"]),
    ]
    block = "".join(
        f'<meta {attribute}="{key}" content="{html.escape(value, quote=True)}"/>'
        for attribute, key, value in tags
    )
    if not TITLE.search(page):
        block = f"<title>{html.escape(card['title'])}</title>{block}"
    stripped = _same_tags(tags).sub("", page)
    head = HEAD.search(stripped)
    if head is None:  # not a page: leave it be
        return page
    return stripped[: head.end()] + block + stripped[head.end() :]


def _same_tags(tags: list[tuple[str, str, Any]]) -> re.Pattern[str]:
    """Meta tags named (or with the property) as any of `tags`."""
    names = "|".join(re.escape(key) for _, key, _ in tags)
    return re.compile(
        rf"""<meta\b[^>]*\b(?:name|property)\s*=\s*["'](?:{names})["'][^>]*>""",
        re.IGNORECASE,
    )


class ListingPreviews:
    """ASGI middleware: puts each listing's card into the HTML of its page
    (a GET of `/market/<id>` answered 200 with HTML); anything else passes
    through untouched. The page is asked for uncompressed so it can be read."""

    def __init__(
        self, app: ASGIApp, card_for: Callable[[int], dict[str, str]] = listing_card
    ):
        self.app = app
        self.card_for = card_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = (
            LISTING_PATH.fullmatch(scope.get("path", ""))
            if scope["type"] == "http" and scope.get("method") == "GET"
            else None
        )
        if match is None:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)
            if message["type"] == "http.response.body" and not message.get(
                "more_body", False
            ):
                await self._send_with_card(held, int(match[1]), send)

        await self.app(_readable(scope), receive, hold)

    async def _send_with_card(
        self, held: list[Message], listing_id: int, send: Send
    ) -> None:
        start, bodies = held[0], held[1:]
        body = b"".join(m.get("body", b"") for m in bodies)
        headers = MutableHeaders(scope=start)
        is_page = (
            start["status"] == 200
            and headers.get("content-type", "").startswith("text/html")
            and "content-encoding" not in headers
        )
        if is_page:
            card = await asyncio.to_thread(self.card_for, listing_id)
            body = with_card(body.decode("utf-8"), card).encode("utf-8")
            headers["content-length"] = str(len(body))
            for stale in ("etag", "last-modified"):  # the file's, not this page's
                if stale in headers:
                    del headers[stale]
        await send(start)
        await send({"type": "http.response.body", "body": body, "more_body": False})


def _readable(scope: Scope) -> Scope:
    """The request as one whose answer can be read here: no compressed
    variant of the file, and its body in messages (a server offering to
    send the file itself by path, as Granian does, is not told it may)."""
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
    extensions = {
        name: value
        for name, value in (scope.get("extensions") or {}).items()
        if name not in ("http.response.pathsend", "http.response.zerocopy")
    }
    return {**scope, "headers": headers, "extensions": extensions}
