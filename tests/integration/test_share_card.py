"""What a page shows outside itself: the tab's icon, the navigation's logo,
and the card a shared link unfolds into (Open Graph, X/Twitter), all served
from the top-level `assets/` folder."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from reflex.compiler.compiler import compile_unevaluated_page
from reflex_components_core.el.elements.metadata import Meta

from marketplace import link_previews
from marketplace import marketplace as site
from marketplace.components import layout
from marketplace.settings import get_settings

ASSETS = Path(__file__).resolve().parents[2] / "assets"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def meta_tags(route: str) -> dict[str, str]:
    """The page's meta tags as Reflex compiles them: name or property -> content."""
    page = compile_unevaluated_page(route, site.app._unevaluated_pages[route])
    tags, todo = {}, [page]
    while todo:
        component = todo.pop()
        todo.extend(component.children)
        if isinstance(component, Meta) and component.content is not None:
            key = component.name if component.name is not None else component.property
            tags[json.loads(str(key))] = json.loads(str(component.content))
    return tags


@pytest.mark.parametrize("route", list(site.app._unevaluated_pages))
def test_every_page_carries_the_share_card(route):
    title = site.app._unevaluated_pages[route].title
    tags = meta_tags(route)
    assert tags["description"] == tags["og:description"] == link_previews.DESCRIPTION
    if isinstance(title, str):
        assert tags["og:title"] == title
    else:  # the tab follows the page's state; the card names the kind of page
        assert tags["og:title"] == link_previews.LISTING_TITLE
    site_address = get_settings().base_url.rstrip("/")
    assert tags["og:image"] == f"{site_address}/social-preview.png"
    assert tags["og:image:width"] == "1200" and tags["og:image:height"] == "630"
    assert tags["twitter:card"] == "summary_large_image"


def test_the_share_image_is_addressed_on_the_site_s_public_address(monkeypatch):
    """Link previews fetch the image from elsewhere: a root-relative path
    would point at the previewer's own host."""
    monkeypatch.setenv("MARKETPLACE_BASE_URL", "https://karma.example/")
    get_settings.cache_clear()
    try:
        image = link_previews.public_url(link_previews.SOCIAL_IMAGE)
    finally:
        get_settings.cache_clear()
    assert image == "https://karma.example/social-preview.png"


def test_every_file_a_page_names_is_in_assets():
    icons = [json.loads(str(link.href)) for link in site.ICONS]
    named = [*icons, layout.LOGO, link_previews.SOCIAL_IMAGE]
    missing = [path for path in named if not (ASSETS / path.lstrip("/")).is_file()]
    assert missing == []


def test_the_social_preview_is_a_1200_by_630_png():
    assert png_size((ASSETS / "social-preview.png").read_bytes()) == (1200, 630)


def test_the_apple_touch_icon_is_a_180_pixel_png():
    assert png_size((ASSETS / "apple-touch-icon.png").read_bytes()) == (180, 180)


def test_the_favicon_holds_16_32_and_48_pixel_icons():
    data = (ASSETS / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)  # an icon, not a cursor
    sizes = []
    for index in range(count):
        width, height, *_, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        image = data[offset : offset + length]
        assert png_size(image) == (width, height)
        sizes.append(width)
    assert sorted(sizes) == [16, 32, 48]


def test_the_logo_is_a_square_svg():
    root = ElementTree.parse(ASSETS / "logo.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 64 64"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (IHDR, the first chunk)."""
    assert data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])
