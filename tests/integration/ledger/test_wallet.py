"""The wallet as a member sees it, and its handlers called by a hostile browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.ledger import ledger, wallet
from marketplace.states.wallet import WalletState
from tests.integration.test_state_security import state_of
from tests.members import earn, sign_up, trust

PASSWORD = "correct horse battery"
TRUST = 0.5  # a credit limit of 10 karma: what the old welcome grant allowed


def member(
    handle: str, *, trust_score: float = TRUST, earned: int = 0
) -> accounts.LoginResult:
    """A verified member at zero who may go `round(20 * trust_score)` karma
    below zero to pay for help, holding `earned` karma they may also give."""
    with unit_of_work() as s:
        signed_up = sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password=PASSWORD,
        )
        trust(s, signed_up.member_id, trust_score)
        if earned:
            earn(s, signed_up.member_id, earned)
        return signed_up


def available(member_id: int) -> int:
    with read_only() as s:
        return wallet.balances(s, member_id).available


def send(token: str, form: dict) -> WalletState:
    state = state_of(WalletState, token)
    WalletState.load.fn(state)
    WalletState.send_karma.fn(state, {"key": state.form_key} | form)
    return state


def test_a_newcomer_starts_at_zero_with_credit_to_get_help(engine):
    ada = member("ada")  # trust 0.5: a credit limit of 10
    with read_only() as s:
        rows, total = wallet.history(s, ada.member_id)
        assert wallet.balances(s, ada.member_id) == wallet.Balances(
            0, 0, 0, 0, credit_limit=10, givable=0
        )
    assert (rows, total) == ([], 0)
    state = state_of(WalletState, ada.token)
    WalletState.load.fn(state)
    assert state.credit_line == "You can go down to -10 karma to get help."
    assert "you can give up to 0 now" in state.give_line


def test_an_unverified_member_has_no_credit_whatever_their_trust(engine):
    with unit_of_work() as s:
        ada = sign_up(
            s,
            email="ada@example.com",
            handle="ada",
            display_name="Ada",
            password=PASSWORD,
            verified=False,
        )
        assert trust(s, ada.member_id, 1.0) == 0
    with read_only() as s:
        assert wallet.balances(s, ada.member_id).credit_limit == 0


def test_history_filters_and_holds_show_both_sides(engine):
    ada, bob = member("ada", earned=10), member("bob")
    with unit_of_work() as s:
        ledger.give_karma(
            s, actor_id=ada.member_id, to_handle="bob", amount=3, key="g1"
        )
        ledger.hold(
            s,
            key="h1",
            debit_account_id=ledger.member_account(s, ada.member_id),
            credit_account_id=ledger.member_account(s, bob.member_id),
            amount=4,
            timeout_seconds=3600,
            code="engagement",
            memo="Held for: deck review",
        )
    with read_only() as s:
        given, _ = wallet.history(s, ada.member_id, direction="out")
        received, _ = wallet.history(s, bob.member_id, direction="in")
        assert [r.amount for r in given] == [-4, -3]
        assert [r.amount for r in received] == [4, 3]
        assert given[0].status == "held"
        assert [h.memo for h in wallet.open_holds(s, bob.member_id)] == [
            "Held for: deck review"
        ]
        assert wallet.balances(s, ada.member_id) == wallet.Balances(3, 7, 4, 0, 10, 3)
        assert wallet.balances(s, bob.member_id).incoming == 4


@pytest.mark.parametrize("direction,page", [("sideways", 1), ("in", 0), ("all", "2")])
def test_history_refuses_junk_filters(engine, direction, page):
    ada = member("ada")
    with pytest.raises(InvalidInput), read_only() as s:
        wallet.history(s, ada.member_id, direction=direction, page=page)


def test_monthly_flows_put_each_transfer_in_its_month(engine):
    ada, _ = member("ada", earned=10), member("bob")
    now = datetime(2026, 11, 15, tzinfo=UTC)
    with unit_of_work() as s:
        for months_ago, amount in [(0, 2), (2, 3)]:
            clock = FixedClock(now - timedelta(days=30 * months_ago))
            ledger.give_karma(
                s,
                actor_id=ada.member_id,
                to_handle="bob",
                amount=amount,
                key=f"g{months_ago}",
                clock=clock,
            )
    with read_only() as s:
        flows = wallet.monthly_flows(s, ada.member_id, now=now)
    assert len(flows) == 12
    assert flows[-1].month == "Nov 26" and flows[-1].given == 2
    assert flows[-3].month == "Sep 26" and flows[-3].given == 3


def test_sending_karma_moves_it_from_the_session_member_only(engine):
    ada, bob = member("ada"), member("bob", earned=10)
    state = send(bob.token, {"to_handle": "ada", "amount": "4", "memo": "Thanks!"})
    assert state.gift_error == ""
    assert (available(ada.member_id), available(bob.member_id)) == (4, 6)


def test_a_gift_comes_from_earned_karma_never_from_credit(engine):
    ada, bob = member("ada"), member("bob", trust_score=1.0, earned=3)
    state = send(bob.token, {"to_handle": "ada", "amount": "4"})
    assert state.gift_error == (
        "Not enough karma to give: 3 earned and free to give, 4 needed. "
        "Gifts come from karma you earned, never from your credit."
    )
    assert (available(ada.member_id), available(bob.member_id)) == (0, 3)
    assert send(bob.token, {"to_handle": "ada", "amount": "3"}).gift_error == ""
    assert (available(ada.member_id), available(bob.member_id)) == (3, 0)


def test_a_double_submit_pays_once(engine):
    ada, bob = member("ada"), member("bob", earned=10)
    state = state_of(WalletState, bob.token)
    WalletState.load.fn(state)
    form = {"key": state.form_key, "to_handle": "ada", "amount": "4"}
    WalletState.send_karma.fn(state, form)
    WalletState.send_karma.fn(state, form)  # same form, sent again
    assert (available(ada.member_id), available(bob.member_id)) == (4, 6)


@pytest.mark.parametrize(
    "form,message",
    [
        ({"to_handle": "ada", "amount": "11"}, "Not enough karma"),
        ({"to_handle": "ada", "amount": "1.5"}, "whole number"),
        ({"to_handle": "ada", "amount": "-3"}, "whole number"),
        ({"to_handle": "ada", "amount": "0"}, "more than zero"),
        ({"to_handle": "bob", "amount": "1"}, "yourself"),
        ({"to_handle": "nobody", "amount": "1"}, "No active member"),
        ({"to_handle": "ada", "amount": "1", "memo": "<b>hi</b>"}, "plain text"),
        ({"to_handle": "ada", "amount": "1", "key": ""}, "out of date"),
    ],
)
def test_bad_gifts_explain_and_move_nothing(engine, form, message):
    ada, bob = member("ada"), member("bob", earned=10)
    state = send(bob.token, form)
    assert message in state.gift_error
    assert (available(ada.member_id), available(bob.member_id)) == (0, 10)


@pytest.mark.parametrize("token", ["", "forged-" + "x" * 40])
def test_a_guest_cannot_send_anyones_karma(engine, token):
    ada, bob = member("ada"), member("bob", earned=10)
    state = state_of(WalletState, token)
    WalletState.send_karma.fn(
        state,
        {"key": "k" * 20, "to_handle": "ada", "amount": "5", "from": bob.member_id},
    )
    assert (available(ada.member_id), available(bob.member_id)) == (0, 10)
