"""Trust over the relationship graph, as the background computes it: an
honest network and a newcomer tied into it score high; a crowd of fake
accounts joined to it by two edges scores low however many they are; a pair
that works together a hundred times weighs no more than three times; the
sweep runs daily and soon after a new tie. SQLite and PostgreSQL."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

import pytest
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.db import read_only, unit_of_work
from marketplace.models import Connection, Member, MemberTrust
from marketplace.network import trust
from tests.integration.network.test_graph_index import DAY, NOW, add_members
from tests.integration.network.test_nudges import helped, post

CLOCK = FixedClock(NOW)


def tie_all(pairs, when=NOW - 300 * DAY) -> None:
    with unit_of_work() as s:
        s.add_all(
            Connection(
                requester_id=a,
                addressee_id=b,
                status="accepted",
                created_at=when,
                responded_at=when,
            )
            for a, b in pairs
        )


def operators(*ids: int) -> None:
    with unit_of_work() as s:
        for member_id in ids:
            s.get(Member, member_id).is_operator = True


def scored() -> dict[int, MemberTrust]:
    with read_only() as s:
        return {row.member_id: row for row in s.exec(select(MemberTrust))}


def recompute(clock=CLOCK) -> trust.TrustRun:
    with unit_of_work() as s:
        return trust.recompute(s, clock)


@pytest.fixture
def network(engine):
    """60 honest members, each tied to four others at random, five of them
    operators; a newcomer tied to two of them; 60 fake accounts tied densely
    among themselves and to the honest network by two edges."""
    rng = random.Random(7)
    honest = add_members(*(f"h{i}" for i in range(60)))
    newcomer = add_members("newcomer")[0]
    fakes = add_members(*(f"f{i}" for i in range(60)))
    ties = set()
    for group, degree in ((honest, 4), (fakes, 8)):
        for a in group:
            for b in rng.sample(group, degree):
                if a != b:
                    ties.add((min(a, b), max(a, b)))
    ties |= {(honest[3], newcomer), (honest[9], newcomer)}
    ties |= {(honest[10], fakes[0]), (honest[11], fakes[1])}  # attack edges
    tie_all(ties)
    operators(*honest[:5])
    return honest, newcomer, fakes


def test_honest_members_and_a_tied_in_newcomer_are_trusted_fakes_are_not(network):
    honest, newcomer, fakes = network
    run = recompute()
    got = scored()
    assert run.members == 121 and run.seeds == 5
    assert statistics.median(got[m].score for m in honest) > 0.8
    assert got[newcomer].score >= trust.TRUSTED
    assert statistics.median(got[m].score for m in fakes) < 0.1
    assert max(got[m].score for m in fakes) < trust.TRUSTED
    with read_only() as s:
        assert trust.is_trusted(s, newcomer) and not trust.is_trusted(s, fakes[5])


def test_more_fake_accounts_do_not_buy_more_trust(network):
    _, _, fakes = network
    recompute()
    before = statistics.median(scored()[m].score for m in fakes)
    more = add_members(*(f"g{i}" for i in range(60)))
    tie_all((min(a, b), max(a, b)) for a in more for b in fakes[:3])
    recompute()
    after = scored()
    assert statistics.median(after[m].score for m in more) <= before + 0.05
    assert max(after[m].score for m in more + fakes) < trust.TRUSTED


def test_a_hundred_engagements_between_two_weigh_what_three_do(engine):
    ada, bob, cy, ops = add_members("ada", "bob", "cy", "ops")
    operators(ops)
    tie_all([(ops, ada), (ops, bob), (ada, bob), (ada, cy)])
    listing = post(ada, "Pricing call", "pricing")
    for _ in range(3):
        helped(listing, ada, bob)
    recompute()
    three = {m: r.score for m, r in scored().items()}
    for _ in range(97):
        helped(listing, ada, bob)
    recompute()
    assert {m: r.score for m, r in scored().items()} == three


def test_long_standing_members_who_worked_with_three_people_are_seeds(engine):
    ada, bob, cy, dan, eve = add_members("ada", "bob", "cy", "dan", "eve")
    tie_all([(ada, bob), (ada, cy), (ada, dan), (dan, eve)])
    listing = post(ada, "Pricing call", "pricing")
    for other in (bob, cy, dan):
        helped(listing, ada, other)
    recompute()
    got = scored()
    assert got[ada].seed and not got[bob].seed  # bob worked with one person
    assert got[eve].score > 0  # trust reached her through dan


def test_nobody_is_trusted_without_seeds_and_closed_members_are_left_out(engine):
    ada, bob = add_members("ada", "bob")
    tie_all([(ada, bob)])
    with unit_of_work() as s:
        s.get(Member, bob).status = "closed"
    run = recompute()
    assert run.members == 1 and scored()[ada].score == 0.0


def test_the_sweep_runs_when_never_run_a_day_on_and_soon_after_a_new_tie(network):
    honest, _, _ = network
    with read_only() as s:
        assert trust.due(s, CLOCK)
    recompute()
    later = FixedClock(NOW + timedelta(minutes=2))
    with read_only() as s:
        assert not trust.due(s, later)  # nothing new, and too soon anyway
    tie_all([(honest[20], honest[40])], when=NOW + timedelta(minutes=1))
    with read_only() as s:
        assert not trust.due(s, later)  # a burst waits a few minutes
        assert trust.due(s, FixedClock(NOW + timedelta(minutes=6)))
        assert trust.due(s, FixedClock(NOW + timedelta(days=1)))


def test_recomputing_twice_gives_the_same_scores(network):
    recompute()
    first = {m: r.score for m, r in scored().items()}
    recompute()
    assert {m: r.score for m, r in scored().items()} == first


def test_the_command_prints_what_it_scored(network, capsys):
    assert main(["trust", "recompute"]) == 0
    out = capsys.readouterr().out
    assert "Members scored" in out and "121" in out and "Median trust" in out
