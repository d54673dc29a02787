"""Which address a device is recorded from: the connection's peer, or the
X-Forwarded-For entry of the last trusted proxy, only when the operator
says how many proxies stand in front (REFLEX_TRUSTED_PROXY_HOPS)."""

import pytest
from reflex.config import get_config
from starlette.requests import Request

from marketplace.api import client_address


def request(forwarded: str = "") -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "headers": headers, "client": ("10.0.0.5", 5123)})


@pytest.fixture
def hops(monkeypatch):
    def set_hops(n: int) -> None:
        monkeypatch.setattr(get_config(), "trusted_proxy_hops", n)

    return set_hops


def test_a_forged_header_is_ignored_unless_the_operator_trusts_a_proxy(hops):
    hops(0)
    assert client_address(request("198.51.100.9")) == "10.0.0.5"


def test_behind_one_proxy_the_address_it_saw_counts(hops):
    hops(1)
    # the client forged the first entry; the proxy appended what it saw
    assert client_address(request("6.6.6.6, 198.51.100.9")) == "198.51.100.9"


def test_a_chain_shorter_than_the_proxies_falls_back_to_the_peer(hops):
    hops(2)
    assert client_address(request("198.51.100.9")) == "10.0.0.5"
