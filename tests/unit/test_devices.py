"""How a signed-in device is named and placed: simply, and never by its
whole address."""

import pytest

from marketplace.accounts.devices import address_prefix, clean_user_agent, describe

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
EDGE_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    "agent,named",
    [
        (CHROME_MAC, ("Chrome", "macOS")),
        (EDGE_WIN, ("Edge", "Windows")),
        (ANDROID_CHROME, ("Chrome", "Android")),
        ("", ("Unknown browser", "Unknown system")),
        ("<script>", ("Unknown browser", "Unknown system")),
    ],
)
def test_a_user_agent_names_its_browser_and_system(agent, named):
    assert describe(agent) == named


@pytest.mark.parametrize(
    "client,prefix",
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_only_the_network_of_an_address_is_kept(client, prefix):
    assert address_prefix(client) == prefix


def test_a_user_agent_is_kept_short_and_without_control_characters():
    assert clean_user_agent("a\r\nb" + "x" * 500) == ("ab" + "x" * 500)[:300]
    assert clean_user_agent(42) == ""
