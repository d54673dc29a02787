"""A karma payment for help is one entry in the wallet, however many transfers
the ledger keeps for it (the hold and its outcome), and the balances tell
karma held by me from karma held for me. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.ledger import ledger, wallet
from marketplace.market import engagements
from marketplace.models import Member
from marketplace.states.wallet import WalletState
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.test_state_security import state_of
from tests.members import earn


def help_entries(member_id: int) -> list[tuple[int, str]]:
    """(amount, state) of each help entry in the member's history."""
    with read_only() as s:
        rows, _ = wallet.history(s, member_id)
    return [(r.amount, r.status) for r in rows if r.what == "Help"]


def test_a_paid_hold_is_one_entry_for_each_side(ada, bo):
    engagement = propose(bo, post(ada, price=5))
    act(ada, engagement, "accept")
    assert help_entries(ada.member_id) == [(-5, "held")]
    assert help_entries(bo.member_id) == [(5, "held")]
    act(bo, engagement, "deliver")
    act(ada, engagement, "confirm")
    assert help_entries(ada.member_id) == [(-5, "paid")]
    assert help_entries(bo.member_id) == [(5, "paid")]
    with read_only() as s:
        rows, total = wallet.history(s, ada.member_id)
    assert total == 1  # the payment, nothing else
    paid = rows[0]
    assert (paid.status_label, paid.moved) == ("Paid", True)
    assert paid.detail.startswith("Held ") and ", paid " in paid.detail


def test_released_and_refunded_holds_say_nothing_moved(ada, bo, cy):
    cancelled = propose(bo, post(ada, price=4))
    act(ada, cancelled, "accept")
    act(bo, cancelled, "cancel")
    refunded = propose(bo, post(ada, price=3, title="Second look at the deck"))
    act(ada, refunded, "accept")
    act(bo, refunded, "deliver")
    act(ada, refunded, "dispute", note="Never delivered")
    with unit_of_work() as s:
        s.get(Member, cy.member_id).is_operator = True
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=cy.member_id, engagement_id=refunded, resolution="refund"
        )
    with read_only() as s:
        rows, total = wallet.history(s, ada.member_id)
        assert wallet.balances(s, ada.member_id) == wallet.Balances(0, 0, 0, 0, 10)
    assert total == 2
    assert [(r.amount, r.status, r.moved) for r in rows[:2]] == [
        (-3, "refunded", False),
        (-4, "released", False),
    ]
    assert "nothing moved" in rows[0].detail


def test_the_history_is_ordered_by_the_last_change(ada, bo):
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    clock = FixedClock(start)
    engagement = propose(bo, post(ada, price=5))
    act(ada, engagement, "accept", clock=clock)
    clock.advance(timedelta(days=2))
    with unit_of_work() as s:
        earn(s, ada.member_id, 6)  # a gift comes from karma earned, not held
        ledger.give_karma(
            s, actor_id=ada.member_id, to_handle="bob", amount=1, key="g", clock=clock
        )
    clock.advance(timedelta(days=2))
    act(bo, engagement, "deliver", clock=clock)
    act(ada, engagement, "confirm", clock=clock)
    with read_only() as s:
        rows, _ = wallet.history(s, ada.member_id, direction="out")
    assert [(r.what, r.when) for r in rows] == [
        ("Help", "05 May 2026"),
        ("Paid forward", "03 May 2026"),
    ]
    assert rows[0].detail == "Held 01 May 2026, paid 05 May 2026"


def test_dates_are_in_the_members_time_zone(ada, bo):
    late = FixedClock(datetime(2026, 5, 1, 23, 30, tzinfo=UTC))
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "Asia/Tokyo"
        earn(s, ada.member_id, 1)
        ledger.give_karma(
            s, actor_id=ada.member_id, to_handle="bob", amount=1, key="g", clock=late
        )
    with read_only() as s:
        mine, _ = wallet.history(s, ada.member_id, direction="out")
        theirs, _ = wallet.history(s, bo.member_id, direction="in")
    gift = [r for r in theirs if r.what == "Paid forward"]
    assert mine[0].when == "02 May 2026"  # 08:30 in Tokyo
    assert gift[0].when == "01 May 2026"  # bob reads UTC


def test_the_helper_sees_karma_held_for_them_apart_from_karma_they_hold(ada, bo, cy):
    for asker, price in ((ada, 6), (cy, 3)):
        act(asker, propose(bo, post(asker, price=price)), "accept")
    act(bo, propose(ada, post(bo, price=2, title="My own question")), "accept")
    with read_only() as s:
        # bob is at zero; his own hold uses 2 of his credit of 10
        assert wallet.balances(s, bo.member_id) == wallet.Balances(-2, 0, 2, 9, 10)
    state = state_of(WalletState, bo.token)
    WalletState.load.fn(state)
    assert [h.amount for h in state.held_for_me] == [3, 6]
    assert [(h.amount, h.counterparty) for h in state.held_by_me] == [(-2, "Ada")]
