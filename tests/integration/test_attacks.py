"""The attacks of benchmarks/attacks.py, smaller, against a seeded honest
network: sybils feeding one account, an intro ring, a review ring, IOUs
from zero-karma accounts -- each fails against the karma-trust rules
(docs/design/karma-trust.md), while honest newcomers get help on their
first day and the integrity report leaves honest members alone.

Seeding the demo network takes most of the time, so each database runs the
attacks once, in the benchmark's order, and each test below reads its own
attack's figures. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from benchmarks import attacks
from marketplace.settings import get_settings

# 15 sybils behind one attack edge: more per edge than the benchmark's 200
# behind three, so each sybil gets more of the trust that leaks through.
# 22 IOUs: the largest, then 21 of 1 point, past any newcomer's limit.
SIZE = attacks.Size(
    members=150, newcomers=10, sybils=15, rounds=3, ring=4, ious=22, attack_edges=1
)


@pytest.fixture(scope="module")
def runs() -> dict[str, attacks.Figures]:
    return {}


@pytest.fixture
def figures(engine, runs, monkeypatch) -> attacks.Figures:
    """This database's run of every attack, made by the first test to ask."""
    backend = engine.dialect.name
    if backend not in runs:
        # the sign-up throttle counts in this database, whatever the shell says
        for name in ("MARKETPLACE_THROTTLE_REDIS_URL", "REFLEX_REDIS_URL"):
            monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
        runs[backend] = attacks.run_attacks(engine, SIZE, backend=backend)
        get_settings.cache_clear()
    return runs[backend]


def test_sybils_feed_the_attacker_at_most_one_karma_each(figures):
    farm = figures.sybils
    assert farm.gifts_refused == SIZE.sybils  # nobody gives what they never earned
    assert farm.gained <= farm.sybil_limits  # paid for help, on credit only
    assert farm.per_sybil <= attacks.MAX_GAIN_PER_SYBIL
    # what trust leaks into the farm stays under the least that gives credit
    assert farm.sybil_trust_max < get_settings().credit_trust_min
    # with the limits anyone had before trust bounded them, the same farm pays
    assert farm.undefended_per_sybil == get_settings().trust_limit


def test_an_intro_ring_and_intros_both_ways_pay_one_reward_per_pair(figures):
    minted, reward = figures.intros, get_settings().intro_karma
    assert minted.ring_paid_intros == SIZE.rounds  # every round led to paid help
    assert minted.two_way_paid_intros == 2
    assert (minted.ring_karma, minted.two_way_karma) == (reward, reward)
    assert minted.most_rewards_per_pair == 1
    assert minted.most_reward_transfers_per_pair == 1
    assert minted.old_rule_karma == (SIZE.rounds + 2) * reward


def test_a_review_ring_shows_one_reviewer(figures):
    ring = figures.ring
    assert (ring.engagements, ring.profile.received) == (SIZE.ring, SIZE.ring)
    assert ring.profile.from_people == "from 1 different person"
    assert float(ring.profile.average) < float(ring.plain_average) == 5.0


def test_zero_karma_accounts_owe_no_more_in_ious_than_their_limit(figures):
    throwaway, newcomer = figures.ious
    assert (throwaway.credit_limit, throwaway.most_owed, throwaway.written) == (0, 0, 0)
    assert 0 < newcomer.most_owed == newcomer.credit_limit  # up to it, never past
    assert newcomer.refused > 0


def test_honest_newcomers_are_served_and_honest_members_not_flagged(figures):
    honest = figures.honest
    assert honest.served_share >= attacks.MIN_SERVED
    assert min(honest.limits) >= attacks.NEWCOMER_PRICE
    assert honest.flagged_share <= attacks.MAX_FLAGGED, honest.flagged_signals
    # both rings named: the attack's and the one the demo seed plants
    assert honest.attackers_named.get("review_ring") == 4


def test_the_benchmark_reports_the_targets_as_its_last_line(figures, capsys):
    assert attacks.report([figures], SIZE) is True
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["ok"] is True
    assert set(last[figures.backend]["targets"]) == set(figures.targets())
