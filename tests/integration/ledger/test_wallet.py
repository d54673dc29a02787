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
from tests.members import sign_up

PASSWORD = "correct horse battery"


def member(handle: str) -> accounts.LoginResult:
    with unit_of_work() as s:
        return sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password=PASSWORD,
        )


def available(member_id: int) -> int:
    with read_only() as s:
        return wallet.balances(s, member_id).available


def send(token: str, form: dict) -> WalletState:
    state = state_of(WalletState, token)
    WalletState.load.fn(state)
    WalletState.send_karma.fn(state, {"key": state.form_key} | form)
    return state


def test_a_newcomer_sees_the_welcome_grant(engine):
    ada = member("ada")
    with read_only() as s:
        rows, total = wallet.history(s, ada.member_id)
        assert wallet.balances(s, ada.member_id) == wallet.Balances(10, 10, 0, 0)
    assert total == 1
    assert (rows[0].what, rows[0].counterparty, rows[0].amount) == (
        "Welcome grant",
        "Karma",
        10,
    )


def test_history_filters_and_holds_show_both_sides(engine):
    ada, bob = member("ada"), member("bob")
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
        assert [r.amount for r in received] == [4, 3, 10]
        assert given[0].status == "held"
        assert [h.memo for h in wallet.open_holds(s, bob.member_id)] == [
            "Held for: deck review"
        ]
        assert wallet.balances(s, ada.member_id) == wallet.Balances(3, 7, 4, 0)
        assert wallet.balances(s, bob.member_id).incoming == 4


@pytest.mark.parametrize("direction,page", [("sideways", 1), ("in", 0), ("all", "2")])
def test_history_refuses_junk_filters(engine, direction, page):
    ada = member("ada")
    with pytest.raises(InvalidInput), read_only() as s:
        wallet.history(s, ada.member_id, direction=direction, page=page)


def test_monthly_flows_put_each_transfer_in_its_month(engine):
    ada, _ = member("ada"), member("bob")
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
    ada, bob = member("ada"), member("bob")
    state = send(bob.token, {"to_handle": "ada", "amount": "4", "memo": "Thanks!"})
    assert state.gift_error == ""
    assert (available(ada.member_id), available(bob.member_id)) == (14, 6)


def test_a_double_submit_pays_once(engine):
    ada, bob = member("ada"), member("bob")
    state = state_of(WalletState, bob.token)
    WalletState.load.fn(state)
    form = {"key": state.form_key, "to_handle": "ada", "amount": "4"}
    WalletState.send_karma.fn(state, form)
    WalletState.send_karma.fn(state, form)  # same form, sent again
    assert (available(ada.member_id), available(bob.member_id)) == (14, 6)


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
    ada, bob = member("ada"), member("bob")
    state = send(bob.token, form)
    assert message in state.gift_error
    assert (available(ada.member_id), available(bob.member_id)) == (10, 10)


@pytest.mark.parametrize("token", ["", "forged-" + "x" * 40])
def test_a_guest_cannot_send_anyones_karma(engine, token):
    ada, bob = member("ada"), member("bob")
    state = state_of(WalletState, token)
    WalletState.send_karma.fn(
        state,
        {"key": "k" * 20, "to_handle": "ada", "amount": "5", "from": bob.member_id},
    )
    assert (available(ada.member_id), available(bob.member_id)) == (10, 10)
