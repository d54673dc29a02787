"""The integrity report names a farm fed by fresh accounts and an earner the
graph does not trust, and leaves honest members alone; an operator freezes
the farm, after which it cannot spend, give, post or owe, and nobody else
can freeze anyone. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from marketplace.accounts import standing
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import NotAuthorized
from marketplace.ledger import ledger
from marketplace.ledger.integrity import FED_BY_MIN, integrity_report
from marketplace.market import listings
from marketplace.models import Member, MemberTrust
from marketplace.states.integrity import IntegrityState
from marketplace.states.moderation import ReauthState
from tests.integration.ledger.test_wallet import PASSWORD, member
from tests.integration.market.test_disputes import make_operator
from tests.integration.market.test_listings import FORM
from tests.integration.test_state_security import state_of

SYBILS = FED_BY_MIN + 3


def pay(payer_id: int, payee_id: int, amount: int, key: str) -> None:
    with unit_of_work() as s:
        ledger.transfer(
            s,
            key=key,
            debit_account_id=ledger.member_account(s, payer_id),
            credit_account_id=ledger.member_account(s, payee_id),
            amount=amount,
            code="gift",
        )


def trusted(*people, score: float = 0.9) -> None:
    with unit_of_work() as s:
        for who in people:
            s.merge(
                MemberTrust(
                    member_id=who.member_id, score=score, computed_at=datetime.now(UTC)
                )
            )


@pytest.fixture
def farm(engine):
    """Fred is fed by fresh accounts; Ada and Bob trade as honest people do."""
    fred, ada, bob, ops = (
        member("fred", trust_score=0.0),
        member("ada"),
        member("bob"),
        member("ops"),
    )
    make_operator(ops)
    trusted(ada, bob, ops)
    for n in range(SYBILS):
        sybil = member(f"sybil{n}")
        pay(sybil.member_id, fred.member_id, 10, key=f"farm-{n}")
    pay(ada.member_id, bob.member_id, 3, key="honest-1")
    pay(bob.member_id, ada.member_id, 2, key="honest-2")
    return fred, ada, bob, ops


def test_the_farm_is_named_with_its_feeders_and_honest_members_are_not(farm):
    _, ada, bob, _ = farm
    with read_only() as s:
        report = integrity_report(s)
    by_signal = {(f.signal, f.handle): f for f in report.findings}
    fed = by_signal[("fed_by_fresh", "fred")]
    assert f"by {SYBILS} accounts" in fed.detail and len(fed.involved) == SYBILS
    # 80 karma earned with no trust at all: an outlier too
    assert ("trust_outlier", "fred") in by_signal
    assert {ada.member_id, bob.member_id}.isdisjoint(report.flagged)


def test_a_frozen_farm_cannot_spend_give_or_post_and_is_shown_frozen(farm):
    fred, _, _, ops = farm
    with unit_of_work() as s:
        standing.freeze(
            s, operator_id=ops.member_id, member_id=fred.member_id, reason="farm"
        )
    refused = pytest.raises(NotAuthorized, match="frozen")
    with unit_of_work() as s, refused:
        ledger.give_karma(s, actor_id=fred.member_id, to_handle="ada", amount=1)
    with unit_of_work() as s, refused:
        listings.create_listing(s, actor_id=fred.member_id, form=FORM)
    with read_only() as s:
        assert all(f.frozen for f in integrity_report(s).findings if f.handle == "fred")
    with unit_of_work() as s:
        standing.unfreeze(s, operator_id=ops.member_id, member_id=fred.member_id)
    with unit_of_work() as s:
        ledger.give_karma(s, actor_id=fred.member_id, to_handle="ada", amount=1)


@pytest.mark.parametrize("forged", [None, "7", True, -1, 10**9])
def test_only_an_operator_freezes_and_only_a_real_member(farm, forged):
    fred, ada, _, ops = farm
    with unit_of_work() as s, pytest.raises(NotAuthorized):
        standing.freeze(
            s, operator_id=ada.member_id, member_id=fred.member_id, reason="mine"
        )
    with unit_of_work() as s, pytest.raises(Exception) as refused:
        standing.freeze(s, operator_id=ops.member_id, member_id=forged, reason="x")
    assert type(refused.value).__name__ in {"InvalidInput", "NotFound"}
    with read_only() as s:
        assert all(m.frozen_at is None for m in s.exec(select(Member)))


def test_the_page_shows_the_report_to_operators_only(farm):
    fred, ada, _, ops = farm
    page = state_of(IntegrityState, ada.token)
    IntegrityState.load.fn(page)
    assert not page.allowed and page.findings == []
    IntegrityState.freeze.fn(page, {"member_id": str(fred.member_id), "reason": "x"})
    assert "Only operators" in page.freeze_error
    desk = state_of(IntegrityState, ops.token)
    IntegrityState.load.fn(desk)
    IntegrityState.freeze.fn(desk, {"member_id": str(fred.member_id), "reason": "x"})
    assert "Confirm your password" in desk.freeze_error  # operator actions need it
    ReauthState.confirm.fn(state_of(ReauthState, ops.token), {"password": PASSWORD})
    assert desk.allowed and any(f["handle"] == "fred" for f in desk.findings)
    IntegrityState.freeze.fn(desk, {"member_id": str(fred.member_id), "reason": "x"})
    assert desk.freeze_error == ""
    assert all(f["frozen"] for f in desk.findings if f["handle"] == "fred")
    IntegrityState.unfreeze.fn(desk, "not a number")
    assert desk.freeze_error == "Choose a member."


def test_the_audit_prints_the_signals_and_stays_clean(farm, capsys):
    from marketplace.cli import main

    assert main(["ledger", "audit", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["ok"]
    assert {f["handle"] for f in printed["integrity"]["findings"]} == {"fred"}


def test_a_review_ring_is_named_both_ways_and_one_good_review_is_not(engine):
    from tests.integration.market.test_market_cards import reviewed

    rae, rob, ada, bob = (member(h) for h in ("rae", "rob", "ada", "bob"))
    reviewed(rae, rob, 5, 5, 5)  # five stars back and forth, again and again
    reviewed(rob, rae, 5, 5, 5)
    reviewed(ada, bob, 5)  # one good turn each way is just manners
    reviewed(bob, ada, 5)
    with read_only() as s:
        report = integrity_report(s)
    rings = {(f.handle, f.involved) for f in report.findings}
    assert rings == {("rae", ("rob",)), ("rob", ("rae",))}
    assert {ada.member_id, bob.member_id}.isdisjoint(report.flagged)
