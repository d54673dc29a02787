"""Where a log-in may send the browser: a page of this site, nothing else.
The `next` of `/login?next=...` is text anyone can put into a link, so a
path that a browser would take to another host must fall back."""

from __future__ import annotations

import pytest

from marketplace import routes

HOSTILE = [
    "//evil.example",  # scheme-relative: another host
    "//evil.example/market/34",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/\\evil.example",  # browsers read "\" as "/"
    "/market\\..\\..\\evil",
    "/\t/evil.example",  # browsers drop tabs and newlines: "//evil.example"
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",  # a header split
    "/market/34\x00",
    "/market/\x7f",
    "/api/session/end",  # the backend's routes are no landing pages
    "/_event",
    "evil.example",
    "market/34",
    "",
    None,
    34,
    ["/market/34"],
    "/" + "a" * routes.PATH_MAX,
]


@pytest.mark.parametrize("path", HOSTILE)
def test_a_path_that_leaves_the_site_falls_back(path):
    assert routes.same_site_path(path) == routes.DASHBOARD
    assert routes.same_site_path(path, fallback="") == ""


@pytest.mark.parametrize("path", HOSTILE)
def test_the_log_in_link_carries_no_hostile_path(path):
    assert routes.login_to(path) == routes.LOGIN
    assert routes.signup_to(path) == routes.SIGNUP


@pytest.mark.parametrize(
    "path", ["/market/34", "/people/ada", "/market?kind=offer&q=seo", "/inbox#new"]
)
def test_a_page_of_this_site_is_kept(path):
    assert routes.same_site_path(path) == path


def test_the_log_in_link_carries_the_page_encoded():
    assert routes.login_to("/market/34") == "/login?next=%2Fmarket%2F34"
    assert (
        routes.signup_to("/market?kind=offer")
        == "/signup?next=%2Fmarket%3Fkind%3Doffer"
    )


@pytest.mark.parametrize("path", ["/", "/login", "/login?next=/x", "/signup"])
def test_no_log_in_link_returns_to_the_log_in_itself_or_home(path):
    assert routes.login_to(path) == routes.LOGIN
