"""Intro rewards that no loop can mint (docs/design/karma-trust.md): Ada
introduces Bob to Cyd; when Cyd's paid help to Bob is confirmed, Ada earns
karma -- once for the pair Bob-Cyd, ever, only when both are trusted, and
within Ada's monthly cap. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.ledger.integrity import integrity_report
from marketplace.models import Intro, IntroReward, MemberTrust
from marketplace.network import connections
from marketplace.settings import get_settings
from tests.integration.ledger.test_ledger_concurrency import all_at_once, errors
from tests.integration.ledger.test_wallet import available, member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_connections import connected
from tests.integration.network.test_intros import ask_intro, forward, last_note, reply
from tests.members import credit_limit, trusted

MAY = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Nobody logs in here: skip the deliberately slow password hash."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: "not-a-hash")


@pytest.fixture
def people(engine):
    """Ada the introducer, connected to Bob and Cyd, who don't know each
    other; all three trusted, Bob and Cyd with room to pay for help."""
    ada, bob, cyd = member("ada"), member("bob"), member("cyd")
    connected(ada, bob)
    connected(ada, cyd)
    trusted(ada.member_id, bob.member_id, cyd.member_id)
    for someone in (bob, cyd):
        credit_limit(someone.member_id, 100)
    return ada, bob, cyd


def introduce(introducer, asker, target) -> int:
    intro = ask_intro(asker, target=target.handle, via=introducer.handle)
    forward(introducer, intro)
    reply(target, intro)
    return intro


def helped(helper, asker, *, terms="karma", price=1, clock=None) -> int:
    """The helper's offer, booked by the asker, delivered and confirmed."""
    offer = post(helper, kind="offer", terms=terms, price=price, title="An hour")
    engagement = propose(asker, offer)
    act(helper, engagement, "accept", clock=clock)
    act(helper, engagement, "deliver", clock=clock)
    act(asker, engagement, "confirm", clock=clock)
    return engagement


def part(one, other) -> None:
    with unit_of_work() as s:
        connections.remove_connection(s, actor_id=one.member_id, handle=other.handle)


def rewards() -> list[tuple[int, int, int, int]]:
    """(introducer, pair low, pair high, amount) of each reward paid."""
    with read_only() as s:
        return [
            (r.introducer_id, r.member_a_id, r.member_b_id, r.amount)
            for r in s.exec(select(IntroReward).order_by(IntroReward.id))
        ]


def intro_statuses() -> list[str]:
    with read_only() as s:
        return list(s.exec(select(Intro.status).order_by(Intro.id)))


def audit_is_clean() -> None:
    with read_only() as s:
        report = audit_ledger(s)
    assert report.ok, report.breaches


def test_a_fifty_round_ring_earns_one_reward_for_its_pair(people):
    """Introduce, help, part, and again: the loop that minted 1,000 karma
    in 500 rounds now earns its introducer one reward."""
    ada, bob, cyd = people
    before = available(ada.member_id)
    for _ in range(50):
        introduce(ada, bob, cyd)
        helped(cyd, bob)
        part(bob, cyd)

    assert available(ada.member_id) == before + 2
    pair = tuple(sorted((bob.member_id, cyd.member_id)))
    assert rewards() == [(ada.member_id, *pair, 2)]
    assert intro_statuses() == ["completed"] * 50  # each one did lead to help
    assert last_note(ada) == "Your intro of Bob to Cyd led to help."
    with read_only() as s:
        assert audit_ledger(s).issued["intro_reward"] == 2
        signals = integrity_report(s).findings
    audit_is_clean()
    assert [f for f in signals if f.signal.startswith("intro")] == []


def test_a_pair_the_old_loop_paid_twice_is_reported(people):
    """Rewards the ledger paid before one-per-pair (as the old code wrote
    them) are found by the integrity report, with the pair named."""
    ada, bob, cyd = people
    introduce(ada, bob, cyd)
    helped(cyd, bob)
    part(bob, cyd)
    again = introduce(ada, bob, cyd)
    helped(cyd, bob)  # pays nothing now
    with unit_of_work() as s:  # what the old reward wrote for it
        ledger.transfer(
            s,
            key=f"intro:{again}:reward",
            debit_account_id=ledger.system_account(s, ledger.INTRO_REWARD),
            credit_account_id=ledger.member_account(s, ada.member_id),
            amount=2,
            code="intro_reward",
            memo="Your intro led to help",
        )
    with read_only() as s:
        [repeat] = [
            f for f in integrity_report(s).findings if f.signal == "intro_pair_repeat"
        ]
    assert (repeat.handle, repeat.detail) == (
        "ada",
        "paid 2 intro rewards for one pair",
    )
    assert sorted(repeat.involved) == ["bob", "cyd"]


def test_intros_both_ways_pay_once_for_the_pair(people):
    ada, bob, cyd = people
    dee = member("dee")
    connected(dee, bob)
    connected(dee, cyd)
    before = available(ada.member_id), available(dee.member_id)
    # both asked before either was accepted: two accepted intros of one pair
    one_way = ask_intro(bob, target="cyd", via="ada")
    other_way = ask_intro(cyd, target="bob", via="dee")
    forward(ada, one_way)
    forward(dee, other_way)
    reply(cyd, one_way)
    reply(bob, other_way)

    helped(cyd, bob)
    helped(bob, cyd)

    assert intro_statuses() == ["completed", "completed"]
    assert (available(ada.member_id), available(dee.member_id)) == (
        before[0] + 2,
        before[1],
    )
    assert len(rewards()) == 1
    audit_is_clean()


@pytest.mark.parametrize(
    "scores",
    [(0.0, 1.0), (1.0, 0.0), (0.49, 0.9), (None, None)],
    ids=["asker-untrusted", "helper-untrusted", "just-below", "never-scored"],
)
def test_help_between_untrusted_members_earns_nothing(people, scores):
    ada, bob, cyd = people
    with unit_of_work() as s:
        for someone, score in zip((bob, cyd), scores, strict=True):
            row = s.get(MemberTrust, someone.member_id)
            if score is None:
                s.delete(row)
            else:
                row.score = score
    before = available(ada.member_id)
    introduce(ada, bob, cyd)
    helped(cyd, bob, price=5)

    assert available(ada.member_id) == before
    assert rewards() == []
    assert intro_statuses() == ["completed"]
    assert last_note(ada) == "Your intro of Bob to Cyd led to help."
    audit_is_clean()


@pytest.mark.parametrize("terms", ["free", "iou"])
def test_help_that_moves_no_karma_earns_nothing(people, terms):
    """The attack's free offer, and an IOU: nothing moved between the two."""
    ada, bob, cyd = people
    before = available(ada.member_id)
    introduce(ada, bob, cyd)
    helped(cyd, bob, terms=terms, price=0 if terms == "free" else 3)
    assert available(ada.member_id) == before
    assert rewards() == []


@pytest.fixture
def hub(people, monkeypatch):
    """Ada, connected to Bob and to five more trusted people Bob doesn't
    know; her monthly cap is 5 karma, 2 karma an intro."""
    monkeypatch.setenv("MARKETPLACE_INTRO_REWARD_MONTHLY_CAP", "5")
    get_settings.cache_clear()
    ada, bob, cyd = people
    others = [cyd]
    for handle in ("dee", "eve", "fay", "gus"):
        someone = member(handle)
        connected(ada, someone)
        trusted(someone.member_id)
        credit_limit(someone.member_id, 100)
        others.append(someone)
    return ada, bob, others


def test_the_monthly_cap_holds_and_a_new_month_starts_afresh(hub):
    ada, bob, others = hub
    before = available(ada.member_id)
    may = FixedClock(MAY)
    for helper in others[:4]:
        introduce(ada, bob, helper)
        helped(helper, bob, clock=may)
    # 2 + 2, then the 1 left of the month's 5, then nothing
    assert [amount for *_, amount in rewards()] == [2, 2, 1]
    assert available(ada.member_id) == before + 5
    assert last_note(ada) == "Your intro of Bob to Fay led to help."

    introduce(ada, bob, others[4])
    helped(others[4], bob, clock=FixedClock(MAY.replace(month=6, day=1)))
    assert available(ada.member_id) == before + 7  # June has its own cap
    with read_only() as s:
        june = audit_ledger(s, FixedClock(MAY.replace(month=6, day=2)))
    assert june.issued_this_month["intro_reward"] == 2
    assert june.issued["intro_reward"] == 7
    audit_is_clean()
    with read_only() as s:  # May's full cap was worth a look; June's 2 isn't
        may_signals = integrity_report(s, FixedClock(MAY)).findings
        june_signals = integrity_report(s, FixedClock(MAY.replace(month=6))).findings
    [at_cap] = [f for f in may_signals if f.signal == "intro_cap_reached"]
    assert (at_cap.handle, at_cap.detail) == (
        "ada",
        "earned 5 karma from 3 intro rewards this month (the cap is 5)",
    )
    assert not [f for f in june_signals if f.signal == "intro_cap_reached"]


def test_rewards_confirmed_at_once_stay_within_the_cap(hub, monkeypatch):
    """Three pairs Ada introduced, with nobody in common but her, confirm
    their help at the same moment: her cap of 2 still pays 2."""
    monkeypatch.setenv("MARKETPLACE_INTRO_REWARD_MONTHLY_CAP", "2")
    get_settings.cache_clear()
    ada, bob, (cyd, dee, eve, fay, gus) = hub
    delivered = []
    for asker, helper in ((bob, cyd), (dee, eve), (fay, gus)):
        introduce(ada, asker, helper)
        engagement = propose(asker, post(helper, kind="offer", price=1))
        act(helper, engagement, "accept")
        act(helper, engagement, "deliver")
        delivered.append((asker, engagement))

    results = all_at_once(lambda i: act(*delivered[i], "confirm"), n=3)

    assert errors(results) == []
    assert [amount for *_, amount in rewards()] == [2]
    assert intro_statuses() == ["completed"] * 3
    audit_is_clean()


def test_a_call_cancelled_late_pays_the_helper_but_rewards_no_introducer(people):
    """A ring can't mint intro rewards by booking calls and cancelling them
    late: the late cancel pays the helper for the time kept, but no help
    happened, so the intro isn't completed and earns nothing."""
    from marketplace.adapters.clock import FixedClock
    from marketplace.domain.scheduling import slot_key
    from tests.integration.market.test_calls import (
        NOW,
        book,
        call_listing,
        free,
        hours_for,
    )
    from tests.integration.market.test_calls import act as act_at

    ada, bob, cyd = people
    introduce(ada, bob, cyd)
    clock = FixedClock(NOW)
    hours_for(cyd, clock)  # free cancellation until 24 h before
    offer = call_listing(cyd, terms="karma", price=4)
    call = book(bob, offer, slot_key(free(cyd, clock)[0]), clock)  # 21 h ahead
    act_at(cyd, call, "accept", clock)
    act_at(bob, call, "cancel", clock)
    assert available(cyd.member_id) == 4  # paid for the time, per the policy
    assert rewards() == []
    with read_only() as s:
        assert s.exec(select(Intro.status)).one() == "accepted"
        assert audit_ledger(s).ok
