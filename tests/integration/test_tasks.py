"""The background sweep releases holds whose time ran out."""

from datetime import timedelta

from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.services import ledger, wallet
from marketplace.tasks import sweep_expired_holds
from tests.integration.test_wallet import member


def test_a_sweep_gives_expired_holds_back_and_is_safe_to_repeat(engine):
    ada, bob = member("ada"), member("bob")
    past = FixedClock(system_clock.now() - timedelta(hours=2))
    with unit_of_work() as s:
        ledger.hold(
            s,
            key="old",
            debit_account_id=ledger.member_account(s, ada.member_id),
            credit_account_id=ledger.member_account(s, bob.member_id),
            amount=6,
            timeout_seconds=3600,
            code="engagement",
            clock=past,
        )
    with read_only() as s:
        assert wallet.balances(s, ada.member_id).available == 4
    assert sweep_expired_holds() == 1
    assert sweep_expired_holds() == 0
    with read_only() as s:
        assert wallet.balances(s, ada.member_id) == wallet.Balances(10, 10, 0, 0)
        rows, _ = wallet.history(s, ada.member_id)
        assert [row.status for row in rows] == ["done", "expired"]  # grant, hold
