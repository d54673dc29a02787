"""Karma that cannot be farmed (docs/design/karma-trust.md): joining gives
nothing to spend, credit follows trust and vouches, and gifts come from
earned karma only -- so a crowd of fresh accounts can feed nobody.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace import events
from marketplace.accounts import accounts
from marketplace.db import read_only, unit_of_work
from marketplace.domain.ledger import InsufficientKarma
from marketplace.ledger import credit, ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.market import engagements
from marketplace.models import Engagement, LedgerTransfer, Member, MemberTrust
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post
from tests.members import earn, sign_up, trust

SYBILS = 200


@pytest.fixture
def quick_passwords(monkeypatch):
    """Two hundred sign-ups: skip the deliberately slow password hash."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: "not-a-hash")


def limit_of(who) -> int:
    with read_only() as s:
        return ledger.member_totals(s, who.member_id).credit_limit


def available(who) -> int:
    with read_only() as s:
        return ledger.member_totals(s, who.member_id).available


def set_trust(who, score: float) -> int:
    with unit_of_work() as s:
        return trust(s, who.member_id, score)


def sybil(n: int):
    """A fresh account: verified email, never scored by the trust computation."""
    with unit_of_work() as s:
        return sign_up(
            s,
            email=f"sybil{n}@example.com",
            handle=f"sybil{n}",
            display_name=f"Sybil {n}",
            password="correct horse battery",
        )


# --------------------------------------------------------------------------- abuse


def test_two_hundred_fresh_accounts_cannot_feed_one(engine, quick_passwords):
    attacker = member("attacker", trust_score=0.0)
    refused = 0
    for n in range(SYBILS):
        fake = sybil(n)
        assert limit_of(fake) == 0
        with pytest.raises(InsufficientKarma), unit_of_work() as s:
            ledger.give_karma(
                s, actor_id=fake.member_id, to_handle="attacker", amount=1
            )
        refused += 1
    assert refused == SYBILS
    assert available(attacker) == 0
    with read_only() as s:
        count = select(func.count()).select_from(LedgerTransfer)
        assert s.exec(count).one() == 0  # not one karma moved
        assert audit_ledger(s).ok


def test_a_sybil_cannot_book_the_attackers_offer(engine, quick_passwords):
    attacker = member("attacker", trust_score=0.0)
    offer = post(attacker, kind="offer", price=5)
    fake = sybil(1)
    with (
        pytest.raises(InsufficientKarma, match="costs 5 and you have 0"),
        unit_of_work() as s,
    ):
        engagements.propose(s, actor_id=fake.member_id, listing_id=offer)
    # booked on a request instead, the attacker can't accept: no hold possible
    request = post(fake, kind="request", price=5)
    with unit_of_work() as s:
        engagement = engagements.propose(
            s, actor_id=attacker.member_id, listing_id=request
        ).id
    with pytest.raises(InsufficientKarma), unit_of_work() as s:
        engagements.act(
            s, actor_id=fake.member_id, engagement_id=engagement, action="accept"
        )
    with read_only() as s:
        assert s.get(Engagement, engagement).status == "proposed"
    assert available(attacker) == 0


def test_a_member_with_credit_still_gives_only_what_they_earned(engine):
    giver, taker = member("giver", trust_score=1.0), member("taker")
    with (
        pytest.raises(InsufficientKarma, match="never from your credit"),
        unit_of_work() as s,
    ):
        ledger.give_karma(s, actor_id=giver.member_id, to_handle="taker", amount=1)
    with unit_of_work() as s:
        earn(s, giver.member_id, 2)
        ledger.give_karma(s, actor_id=giver.member_id, to_handle="taker", amount=2)
    assert (available(giver), available(taker)) == (0, 2)


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    "score,expected",
    [(0.0, 0), (0.099, 0), (0.1, 2), (0.125, 3), (0.5, 10), (1.0, 20)],
)
def test_the_limit_follows_trust(engine, score, expected):
    ada = member("ada")
    assert set_trust(ada, score) == expected == limit_of(ada)


def test_a_lowered_limit_undoes_nothing_and_the_audit_says_so(engine):
    ada, bob = member("ada", trust_score=1.0), member("bob")
    with unit_of_work() as s:
        ledger.hold(
            s,
            key="help",
            debit_account_id=ledger.member_account(s, ada.member_id),
            credit_account_id=ledger.member_account(s, bob.member_id),
            amount=15,
            timeout_seconds=3600,
            code="engagement",
        )
    assert set_trust(ada, 0.25) == 5  # she owes 15 now, more than her 5
    with unit_of_work() as s:  # what was held is still paid
        ledger.post_hold(s, key="help:post", hold_key="help")
    assert available(ada) == -15
    with (
        pytest.raises(InsufficientKarma, match="0 available within"),
        unit_of_work() as s,
    ):
        ledger.hold(
            s,
            key="more",
            debit_account_id=ledger.member_account(s, ada.member_id),
            credit_account_id=ledger.member_account(s, bob.member_id),
            amount=1,
            timeout_seconds=3600,
            code="engagement",
        )
    with read_only() as s:
        report = audit_ledger(s)
        account = ledger.find_member_account(s, ada.member_id)
    assert report.ok, report.breaches
    assert report.over_limit == {account: 10}


def test_refreshing_every_limit_counts_what_changed(engine):
    ada, bob, cyd = member("ada"), member("bob"), member("cyd")
    with unit_of_work() as s:
        for who, score in ((ada, 1.0), (bob, 0.5)):
            s.get(MemberTrust, who.member_id).score = score
        assert credit.refresh_limits(s) == 1  # bob was 0.5 already
        assert credit.refresh_limits(s, [cyd.member_id]) == 0
    assert (limit_of(ada), limit_of(bob), limit_of(cyd)) == (20, 10, 10)


def test_a_recomputed_trust_announced_rewrites_the_limits(engine):
    ada = member("ada")
    with unit_of_work() as s:
        s.get(MemberTrust, ada.member_id).score = 0.75
        events.publish(s, "trust.recomputed", member_id=0)
    assert limit_of(ada) == 15


def test_an_unverified_member_has_no_credit(engine):
    ada = member("ada", trust_score=1.0)
    with unit_of_work() as s:
        s.get(Member, ada.member_id).email_verified_at = None
        assert credit.refresh_limit(s, ada.member_id) == 0
    assert limit_of(ada) == 0
