"""Payouts to consultants through Stripe Connect. localstripe has no Connect,
so the three Connect calls go to `ConnectGatewayFake`, which records them;
the card itself is held and captured by localstripe for real."""

from __future__ import annotations

import pytest

from marketplace.adapters import payments
from marketplace.adapters.payments import StripeGateway, Transfer
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import PaymentsUnavailable
from marketplace.ledger import payouts
from marketplace.ledger.audit import audit_ledger
from marketplace.models import Member
from marketplace.settings import get_settings
from tests.integration.ledger.test_paid_engagements import PAID, balance, book
from tests.integration.market.test_engagements import act, post


class ConnectGatewayFake(StripeGateway):
    """A boundary nothing here can reach (Connect): recorded, not sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[tuple] = []

    def create_connected_account(self, params, *, idempotency_key):
        self.calls.append(("account", params, idempotency_key))
        return "acct_fake_consultant"

    def create_onboarding_link(self, params):
        self.calls.append(("link", params))
        return "https://connect.stripe.com/setup/e/acct_fake_consultant/fake"

    def transfer_to_connected_account(self, params, *, idempotency_key):
        self.calls.append(("transfer", params, idempotency_key))
        return Transfer("tr_fake", params["amount"], params["currency"], "acct_x")


@pytest.fixture
def connect(stripe_env, monkeypatch) -> ConnectGatewayFake:
    monkeypatch.setenv("MARKETPLACE_STRIPE_CONNECT", "1")
    get_settings.cache_clear()
    settings = get_settings()
    gateway = ConnectGatewayFake(
        settings.stripe_secret_key,
        api_base=settings.stripe_api_base,
        webhook_secret=settings.stripe_webhook_secret,
    )
    monkeypatch.setattr(payments, "gateway_from_settings", lambda *a: gateway)
    return gateway


def onboard(member) -> str:
    with unit_of_work() as s:
        return payouts.start_onboarding(
            s, actor_id=member.member_id, return_url="https://karma.example/wallet"
        )


def confirmed_paid_help(consultant, client) -> int:
    booked = book(client, post(consultant, kind="offer", **PAID), hours=1)
    act(consultant, booked, "accept")
    act(consultant, booked, "deliver")
    act(client, booked, "confirm")
    return booked


def test_a_consultant_sets_up_payouts_once(ada, connect):
    assert onboard(ada).startswith("https://connect.stripe.com/")
    onboard(ada)
    accounts = [call for call in connect.calls if call[0] == "account"]
    assert len(accounts) == 1
    assert accounts[0][1]["type"] == "express"
    with read_only() as s:
        assert s.get(Member, ada.member_id).stripe_account_id == "acct_fake_consultant"


def test_earnings_go_to_the_connected_account_at_capture(ada, bo, connect):
    onboard(ada)
    booked = confirmed_paid_help(ada, bo)
    (transfer,) = [call for call in connect.calls if call[0] == "transfer"]
    params = transfer[1]
    assert (params["amount"], params["currency"]) == (4095, "eur")  # less 10 %
    assert params["destination"] == "acct_fake_consultant"
    assert params["transfer_group"] == f"engagement-{booked}"
    assert params.get("source_transaction", "ch_").startswith("ch_")
    assert balance(ada.member_id) == 0  # it left the platform
    with read_only() as s:
        assert audit_ledger(s).ok


def test_without_payouts_set_up_earnings_stay_in_the_wallet(ada, bo, connect):
    confirmed_paid_help(ada, bo)
    assert [call for call in connect.calls if call[0] == "transfer"] == []
    assert balance(ada.member_id) == 4095


def test_payouts_are_refused_clearly_where_connect_is_off(ada, stripe_env):
    with pytest.raises(PaymentsUnavailable, match="stay in your wallet"):
        onboard(ada)
    with read_only() as s:
        assert s.get(Member, ada.member_id).stripe_account_id is None


def test_the_wallet_button_sends_the_consultant_to_stripe(ada, connect):
    from marketplace.states.wallet import WalletState
    from tests.integration.test_state_security import state_of

    page = state_of(WalletState, ada.token)
    WalletState.load.fn(page)
    assert page.payout_state == "not_set_up"
    event = WalletState.set_up_payouts.fn(page)
    assert page.payout_error == ""
    assert "connect.stripe.com" in str(event)
    WalletState.load.fn(page)
    assert page.payout_state == "set_up"
