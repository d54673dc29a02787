"""Vouching as members live it: a trusted member stakes part of their credit
on a connection, shown on both profiles; withdrawn while not relied on;
absorbed when the vouchee stays below zero past the grace period. And what a
stranger, an untrusted member or a hostile browser tries: refused, nothing
written. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.ledger import ledger, vouches
from marketplace.ledger.audit import audit_ledger
from marketplace.models import LedgerTransfer, Vouch
from marketplace.states.profile import PublicProfileState
from tests.integration.ledger.test_wallet import member
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of
from tests.members import trust


@pytest.fixture
def pair(engine):
    """Vera, trusted (limit 20), connected to Tom (trust 0.25: limit 5)."""
    vera, tom = member("vera", trust_score=1.0), member("tom", trust_score=0.25)
    connected(tom, vera)
    return vera, tom


def vouch(actor, handle, stake, clock=None):
    with unit_of_work() as s:
        return vouches.vouch(
            s,
            actor_id=actor.member_id,
            vouchee_handle=handle,
            stake=stake,
            **({"clock": clock} if clock else {}),
        ).id


def withdraw(actor, vouch_id):
    with unit_of_work() as s:
        return vouches.withdraw_vouch(s, actor_id=actor.member_id, vouch_id=vouch_id)


def limit(who) -> int:
    with read_only() as s:
        return ledger.member_totals(s, who.member_id).credit_limit


def available(who) -> int:
    with read_only() as s:
        return ledger.member_totals(s, who.member_id).available


def spend(payer, payee, amount, key, clock=None):
    """Pay for help: a hold, posted at once (credit may pay for it)."""
    with unit_of_work() as s:
        ledger.hold(
            s,
            key=key,
            debit_account_id=ledger.member_account(s, payer.member_id),
            credit_account_id=ledger.member_account(s, payee.member_id),
            amount=amount,
            timeout_seconds=3600,
            code="engagement",
            clock=clock or FixedClock(datetime.now(UTC)),
        )
        ledger.post_hold(
            s,
            key=f"{key}:post",
            hold_key=key,
            clock=clock or FixedClock(datetime.now(UTC)),
        )


def vouch_count() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(Vouch)).one()


def profile(viewer, handle) -> PublicProfileState:
    page = state_of(PublicProfileState, viewer.token, url=f"/people/{handle}")
    PublicProfileState.load.fn(page)
    return page


# --------------------------------------------------------------------------- vouch


def test_a_vouch_moves_credit_from_the_voucher_to_the_vouchee(pair):
    vera, tom = pair
    assert (limit(vera), limit(tom)) == (20, 5)
    vouch(vera, "tom", "6")
    assert (limit(vera), limit(tom)) == (14, 11)
    on_toms = profile(vera, "tom")
    assert [(v.handle, v.stake) for v in on_toms.vouched_by] == [("vera", 6)]
    assert on_toms.my_vouch.stake == 6 and on_toms.vouch_max == 0
    on_veras = profile(tom, "vera")
    assert [(v.handle, v.stake) for v in on_veras.vouches_for] == [("tom", 6)]
    assert on_veras.my_vouch.id == 0 and on_veras.vouch_max == 0  # tom: untrusted


def test_the_limit_is_capped_whatever_the_vouches(engine):
    tom = member("tom", trust_score=1.0)
    friends = [member(f"friend{i}", trust_score=1.0) for i in range(6)]
    for friend in friends:
        connected(friend, tom)
        vouch(friend, "tom", 20)
    assert limit(tom) == 100  # LIMIT_MAX, not 20 + 6 * 20


@pytest.mark.parametrize(
    "stake,message",
    [
        (0, "between 1 and 20"),
        (21, "between 1 and 20"),
        ("two", "whole number"),
        ("1.5", "whole number"),
        (None, "whole number"),
        (True, "whole number"),
    ],
)
def test_a_stake_is_a_whole_number_within_the_unused_limit(pair, stake, message):
    vera, _ = pair
    with pytest.raises(InvalidInput, match=message):
        vouch(vera, "tom", stake)
    assert vouch_count() == 0


def test_what_a_voucher_owes_is_not_theirs_to_stake(pair):
    vera, tom = pair
    spend(vera, tom, 15, "vera-owes")
    with pytest.raises(InvalidInput, match="between 1 and 5"):
        vouch(vera, "tom", 6)
    vouch(vera, "tom", 5)
    with pytest.raises(Conflict, match="already vouch"):
        vouch(vera, "tom", 1)
    assert vouch_count() == 1


def test_vouching_needs_a_connection_trust_and_verified_emails(pair):
    vera, tom = pair
    stranger = member("sam", trust_score=1.0)  # not connected to vera
    with pytest.raises(Conflict, match="only for a connection"):
        vouch(vera, "sam", 3)
    with pytest.raises(Conflict, match="needs the network's trust"):
        vouch(tom, "vera", 1)  # tom's trust is 0.25
    with pytest.raises(InvalidInput, match="yourself"):
        vouch(vera, "vera", 1)
    with pytest.raises(NotFound):
        vouch(vera, "nobody", 1)
    assert vouch_count() == 0
    assert limit(stranger) == 20


# --------------------------------------------------------------------------- withdraw


def test_a_vouch_is_withdrawn_while_the_vouchee_does_not_rely_on_it(pair):
    vera, tom = pair
    vouch_id = vouch(vera, "tom", 6)
    spend(tom, vera, 8, "tom-relies")  # 8 is more than his own 5
    with pytest.raises(Conflict, match="relies on your vouch"):
        withdraw(vera, vouch_id)
    assert limit(tom) == 11
    spend(vera, tom, 4, "back-within")  # tom is at -4 now, within 5
    withdraw(vera, vouch_id)
    assert (limit(vera), limit(tom)) == (20, 5)
    with pytest.raises(Conflict, match="already ended"):
        withdraw(vera, vouch_id)
    assert profile(vera, "tom").vouched_by == []


@pytest.mark.parametrize("forged", [0, -1, "1 OR 1=1", None, 10**12, True])
def test_a_forged_vouch_id_is_refused(pair, forged):
    vera, _ = pair
    vouch(vera, "tom", 3)
    with pytest.raises(NotFound, match="No such vouch"):
        withdraw(vera, forged)
    assert limit(vera) == 17


def test_nobody_withdraws_another_members_vouch(pair):
    vera, tom = pair
    vouch_id = vouch(vera, "tom", 3)
    for meddler in (tom, member("mal", trust_score=1.0)):
        with pytest.raises(NotFound, match="No such vouch"):
            withdraw(meddler, vouch_id)
    assert limit(tom) == 8


# --------------------------------------------------------------------------- defaults


def absorb(clock) -> int:
    with unit_of_work() as s:
        return vouches.absorb_defaults(s, clock=clock)


def test_a_default_past_the_grace_period_is_absorbed_by_the_stake(pair):
    vera, tom = pair
    start = datetime.now(UTC)
    vouch(vera, "tom", 6)
    spend(tom, vera, 9, "tom-default", clock=FixedClock(start))
    later = FixedClock(start + timedelta(days=59))
    assert absorb(later) == 0  # still within the grace period
    later.advance(timedelta(days=2))
    assert absorb(later) == 1
    assert available(tom) == -3  # 6 of the 9 covered by vera's stake
    assert available(vera) == 9 - 6
    with read_only() as s:
        row = s.exec(select(Vouch)).one()
        (paid,) = s.exec(
            select(LedgerTransfer).where(LedgerTransfer.code == "vouch_absorbed")
        ).all()
        assert audit_ledger(s).ok
    assert (row.absorbed, row.absorbed_at is not None) == (6, True)
    assert paid.amount == 6 and paid.transfer_key == f"vouch-absorbed:{row.id}"
    assert (limit(vera), limit(tom)) == (20, 5)  # the vouch has ended
    assert absorb(later) == 0  # safe to repeat


def test_a_shortfall_smaller_than_the_stake_takes_only_the_shortfall(pair):
    vera, tom = pair
    start = datetime.now(UTC)
    vouch(vera, "tom", 6)
    spend(tom, vera, 2, "small-default", clock=FixedClock(start))
    assert absorb(FixedClock(start + timedelta(days=61))) == 1
    assert (available(tom), available(vera)) == (0, 0)


def test_a_frozen_vouchee_is_absorbed_at_once(pair):
    from marketplace.accounts import standing
    from tests.integration.market.test_disputes import make_operator

    vera, tom = pair
    vouch(vera, "tom", 6)
    spend(tom, vera, 3, "fake-account")
    ops = member("ops")
    make_operator(ops)
    with unit_of_work() as s:
        standing.freeze(
            s, operator_id=ops.member_id, member_id=tom.member_id, reason="sybil"
        )
    assert absorb(FixedClock(datetime.now(UTC))) == 1
    assert available(tom) == 0


def test_back_above_zero_restarts_the_grace_period(pair):
    vera, tom = pair
    start = datetime.now(UTC)
    vouch(vera, "tom", 6)
    spend(tom, vera, 3, "first", clock=FixedClock(start))
    spend(vera, tom, 3, "repaid", clock=FixedClock(start + timedelta(days=30)))
    spend(tom, vera, 3, "again", clock=FixedClock(start + timedelta(days=40)))
    assert absorb(FixedClock(start + timedelta(days=61))) == 0
    assert absorb(FixedClock(start + timedelta(days=101))) == 1


def test_a_vouchee_who_leaves_below_zero_is_covered_by_the_stake_at_once(pair):
    from marketplace.accounts import closing
    from tests.integration.ledger.test_wallet import PASSWORD

    vera, tom = pair
    start = datetime.now(UTC)
    vouch(vera, "tom", 6)
    spend(tom, vera, 4, "then-left", clock=FixedClock(start))
    with unit_of_work() as s:
        closing.close_account(s, tom.member_id, PASSWORD)
    assert available(vera) == 0  # her stake paid what Tom left owing
    assert limit(vera) == 20  # and the vouch ended: her whole limit is back
    assert absorb(FixedClock(start + timedelta(days=61))) == 0  # nothing twice
    with read_only() as s:
        assert audit_ledger(s).ok


def test_a_vouchee_who_leaves_owing_nothing_ends_the_vouch(pair):
    from marketplace.accounts import closing
    from tests.integration.ledger.test_wallet import PASSWORD

    vera, tom = pair
    vouch(vera, "tom", 6)
    with unit_of_work() as s:
        closing.close_account(s, tom.member_id, PASSWORD)
    assert (limit(vera), available(vera)) == (20, 0)


def test_a_voucher_cannot_leave_while_someones_credit_rests_on_the_vouch(pair):
    from marketplace.accounts import closing
    from tests.integration.ledger.test_wallet import PASSWORD

    vera, tom = pair
    vouch(vera, "tom", 6)
    with unit_of_work() as s, pytest.raises(closing.AccountOpen, match="vouch for"):
        closing.close_account(s, vera.member_id, PASSWORD)
    with unit_of_work() as s:
        [vouch_row] = s.exec(select(Vouch)).all()
        vouches.withdraw_vouch(s, actor_id=vera.member_id, vouch_id=vouch_row.id)
    with unit_of_work() as s:
        closing.close_account(s, vera.member_id, PASSWORD)
    assert limit(tom) == 5  # his own trust's limit, the stake gone with her


# --------------------------------------------------------------------------- the page


def test_the_profile_offers_a_trusted_connection_the_vouch_form(pair):
    vera, tom = pair
    page = profile(vera, "tom")
    assert page.vouch_max == 20 and page.my_vouch.id == 0
    PublicProfileState.vouch.fn(page, {"stake": "4"})
    assert page.vouch_error == ""
    assert page.my_vouch.stake == 4 and page.vouch_max == 0
    PublicProfileState.withdraw_vouch.fn(page, page.my_vouch.id)
    assert page.vouch_error == "" and page.my_vouch.id == 0
    assert page.vouch_max == 20
    assert vouch_count() == 1 and limit(tom) == 5


def test_the_page_refuses_a_vouch_the_service_refuses(pair):
    vera, tom = pair
    page = profile(tom, "vera")  # tom is not trusted enough
    assert page.vouch_max == 0
    PublicProfileState.vouch.fn(page, {"stake": "1"})
    assert "needs the network's trust" in page.vouch_error
    page = profile(vera, "tom")
    PublicProfileState.vouch.fn(page, "not a form")
    assert "whole number" in page.vouch_error
    assert vouch_count() == 0


def test_a_forged_withdrawal_from_the_page_changes_nothing(pair):
    vera, tom = pair
    vouch_id = vouch(vera, "tom", 5)
    mal = member("mal", trust_score=1.0)
    page = profile(mal, "tom")
    for forged in (vouch_id, str(vouch_id), -vouch_id, "x"):
        PublicProfileState.withdraw_vouch.fn(page, forged)
        assert page.vouch_error == "No such vouch."
    assert limit(tom) == 10


@pytest.mark.parametrize("token", ["", "forged-" + "x" * 40])
def test_a_guest_is_sent_to_log_in_and_nothing_is_vouched(pair, token):
    vera, _ = pair
    vouch_id = vouch(vera, "tom", 5)
    page = state_of(PublicProfileState, token, url="/people/tom")
    answer = PublicProfileState.vouch.fn(page, {"stake": "3"})
    assert "/login" in str(answer)
    answer = PublicProfileState.withdraw_vouch.fn(page, vouch_id)
    assert "/login" in str(answer)
    assert vouch_count() == 1 and limit(vera) == 15


def test_an_unverified_vouchee_gets_no_vouch(engine):
    from tests.members import sign_up

    vera = member("vera", trust_score=1.0)
    with unit_of_work() as s:
        new = sign_up(
            s,
            email="new@example.com",
            handle="newbie",
            display_name="Newbie",
            password="correct horse battery",
            verified=False,
        )
        trust(s, new.member_id, 0.5)
    connected(vera, new)
    with pytest.raises(Conflict, match="hasn't verified"):
        vouch(vera, "newbie", 3)
    with pytest.raises(NotAuthorized, match="Verify your email"):
        vouch(new, "vera", 1)  # nor may an unverified member vouch
    assert vouch_count() == 0
