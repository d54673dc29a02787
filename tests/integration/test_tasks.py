"""The background sweep releases holds whose time ran out and confirms
deliveries nobody answered."""

from datetime import timedelta

from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.ledger import ledger, wallet
from marketplace.tasks import confirm_quiet_deliveries, sweep_expired_holds
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import act, post, propose, status


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
        assert wallet.balances(s, ada.member_id).available == -6  # on credit
    assert sweep_expired_holds() == 1
    assert sweep_expired_holds() == 0
    with read_only() as s:
        assert wallet.balances(s, ada.member_id) == wallet.Balances(0, 0, 0, 0, 10)
        rows, _ = wallet.history(s, ada.member_id)
        assert [row.status for row in rows] == ["expired"]


def test_the_sweep_confirms_quiet_deliveries_once(engine):
    ada, bob = member("ada"), member("bob")
    long_ago = FixedClock(system_clock.now() - timedelta(days=8))
    engagement = propose(bob, post(ada, price=5))
    act(ada, engagement, "accept", clock=long_ago)
    act(bob, engagement, "deliver", clock=long_ago)
    assert confirm_quiet_deliveries() == 1
    assert confirm_quiet_deliveries() == 0
    assert status(engagement) == "confirmed"
