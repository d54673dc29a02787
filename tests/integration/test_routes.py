"""No link in the app leads to a page that isn't there.

Walks every address the code can link to -- the route constants it names
(`routes.INTROS`), the URL builders (`routes.listing(34)`), and the paths
pages spell out ("/market/" + id + "/edit") -- and asks the app's router,
the one the browser's address is matched against, for each. An address
without a page would show the 404 page: a notification that points nowhere,
a menu entry that breaks."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace import routes
from marketplace.components import layout
from marketplace.marketplace import app
from marketplace.states.nav import HomeState
from tests.integration.test_member_only import redirected_to
from tests.integration.test_state_security import member, state_of

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"
SAMPLE = "1"  # stands in for whatever a page puts into a path: an id, a handle
ASSET = re.compile(r"\.[a-z0-9]+$")  # /logo.svg: served from assets/, not a page
NOT_LINKS = ("/api/", "/_")  # the backend's own HTTP routes (api.py)


def sample(path: str) -> str:
    """A concrete address of a route pattern: `/market/[listing_id]` -> `/market/1`."""
    return re.sub(r"\[[^\]/]+\]", SAMPLE, path)


def linked_paths() -> Iterator[tuple[str, str]]:
    """(where, address) for every page address the package's code spells."""
    for source in sorted(PACKAGE.rglob("*.py")):
        where = str(source.relative_to(PACKAGE.parent))
        tree = ast.parse(source.read_text(encoding="utf-8"))
        parts_of_sums = _operands_of_sums(tree)
        for node in ast.walk(tree):
            path = _spelled_path(node, parts_of_sums)
            if path is not None:
                yield where, path
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "routes"
                and isinstance(getattr(routes, node.attr, None), str)
                and getattr(routes, node.attr).startswith("/")
                and not getattr(routes, node.attr).startswith(NOT_LINKS)
            ):
                yield where, sample(getattr(routes, node.attr))


def _operands_of_sums(tree: ast.AST) -> set[int]:
    """Nodes that are a part of a `+` (read as part of the whole sum)."""
    parts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            parts.update({id(node.left), id(node.right)})
    return parts


def _spelled_path(node: ast.AST, parts_of_sums: set[int]) -> str | None:
    """The address a string literal or a `"/x/" + id` sum spells, if any."""
    if id(node) in parts_of_sums:
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        text = "".join(_literal_or_sample(n) for n in _flatten(node))
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    else:
        return None
    looks_like_a_page = (
        re.fullmatch(r"/[A-Za-z0-9_\-/\[\]]*", text) is not None
        and not text.startswith(NOT_LINKS)
        and not ASSET.search(text)
    )
    return sample(text) if looks_like_a_page else None


def _flatten(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_flatten(node.left), *_flatten(node.right)]
    return [node]


def _literal_or_sample(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return SAMPLE


def has_page(path: str) -> bool:
    route = app.router(path.split("?")[0])
    return route is not None and route != "404"


def test_the_walk_finds_the_links_it_should():
    found = {path for _, path in linked_paths()}
    # a nav constant, a path spelled in a page, a notification's target
    assert {routes.GROUPS, "/market/1/edit", routes.INTROS} <= found


def test_every_address_the_code_spells_has_a_page():
    missing = sorted(
        f"{where}: {path}" for where, path in linked_paths() if not has_page(path)
    )
    assert missing == []


def test_every_page_address_in_routes_has_a_page():
    constants = {
        name: value
        for name, value in vars(routes).items()
        if name.isupper() and isinstance(value, str) and value.startswith("/")
    }
    pages = {n: v for n, v in constants.items() if not v.startswith(NOT_LINKS)}
    assert "INTROS" in pages and "SESSION_START" not in pages
    assert [n for n, v in pages.items() if not has_page(sample(v))] == []


@pytest.mark.parametrize(
    "address",
    [
        routes.person("ada"),
        routes.listing(34),
        routes.engagement(7),
        routes.group("founders"),
        routes.login_to("/market/34"),
        routes.signup_to("/market/34"),
        routes.add_card_then("/engagements/7"),
    ],
)
def test_every_url_builder_gives_an_address_with_a_page(address):
    assert has_page(address), address


def test_every_navigation_entry_has_a_page():
    entries = [*layout.MEMBER_LINKS, layout.OPERATOR_DESK]
    assert [href for _, href in entries if not has_page(href)] == []
    assert ("Groups", routes.GROUPS) in layout.MEMBER_LINKS


def test_an_address_without_a_page_gets_the_branded_404_page():
    assert not has_page("/nowhere") and not has_page("/network/nowhere")
    assert "404" in app._unevaluated_pages
    assert app._unevaluated_pages["404"].title == "Page not found · Karma"


def test_home_sends_a_signed_in_member_to_the_dashboard(engine):
    ada = member("ada")
    home = state_of(HomeState, ada.token, url="http://localhost:3000/")
    assert redirected_to(HomeState.send_members_on.fn(home)) == routes.DASHBOARD
    visitor = state_of(HomeState, "", url="http://localhost:3000/")
    assert HomeState.send_members_on.fn(visitor) is None
