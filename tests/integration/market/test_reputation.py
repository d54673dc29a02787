"""Reputation that counts people (docs/design/karma-trust.md): two accounts
that run a hundred one-karma engagements and review each other five stars
each time show "from 1 different person" and a rating near the prior, their
warmth and quick answers lift nobody in who-to-ask or warm paths, while
honest reviews from trusted people count fully. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketplace import events
from marketplace.accounts import profiles
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.market import reputation, reviews
from marketplace.network import graph_index, interactions
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.market.test_market_cards import reviewed
from tests.integration.market.test_reviews import confirmed, review
from tests.integration.network.test_connections import connected
from tests.members import credit_limit, trusted

WHEN = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ROUNDS = 100


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database."""
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def rep(someone) -> reviews.Reputation:
    with read_only() as s:
        return reviews.reputation(s, someone.member_id)


def gives(someone, *tags: str) -> None:
    with unit_of_work() as s:
        profiles.replace_tags(s, someone.member_id, {"give": list(tags)})


def helped_once(a, b) -> None:
    """One engagement's worth of warmth between a and b."""
    with unit_of_work() as s:
        interactions.record_interaction(s, a.member_id, b.member_id, "engagement")


def run_ring(rae, rob) -> None:
    """A hundred one-karma engagements, taking turns, each answered at once
    and reviewed five stars both ways."""
    clock = FixedClock(WHEN)
    for turn in range(ROUNDS):
        helper, asker = (rae, rob) if turn % 2 == 0 else (rob, rae)
        engagement = propose(asker, post(helper, kind="offer", price=1))
        for actor, move in (
            (helper, "accept"),
            (helper, "deliver"),
            (asker, "confirm"),
        ):
            act(actor, engagement, move)
        review(asker, engagement, 5, "Brilliant!", clock=clock)
        review(helper, engagement, 5, "Brilliant!", clock=clock)


@pytest.fixture
def ring(engine):
    """Rae and Rob, connected, both know SEO, and run the ring. Mia is
    connected to Rob and to Fin; Fin to Hal, an honest SEO expert. Each of
    Mia's ties has one engagement's warmth."""
    rae, rob, mia, fin, hal = (member(h) for h in ("rae", "rob", "mia", "fin", "hal"))
    connected(rae, rob)
    trusted(rae.member_id, rob.member_id, score=0.0)  # no trust reached them
    for partner in (rae, rob):
        credit_limit(partner.member_id, 10)
    for a, b in ((mia, rob), (mia, fin), (fin, hal)):
        connected(a, b)
        helped_once(a, b)
    gives(rae, "seo")
    gives(hal, "seo")
    graph_index.index()  # loaded before the ring: it must follow as it forms
    run_ring(rae, rob)
    return rae, rob, mia, fin, hal


def test_a_ring_shows_one_person_a_rating_near_the_prior_and_no_quick_answers(ring):
    rae, rob, *_ = ring
    shown = rep(rae)
    assert shown.received == ROUNDS
    assert (shown.people, shown.from_people) == (1, "from 1 different person")
    assert shown.average == "4.0"  # Rob is trusted by nobody: his word weighs 0
    assert shown.response_time == ""  # every proposal came from her partner

    trusted(rob.member_id)  # even were Rob fully trusted: one review counts
    assert rep(rae).average == "4.3"  # (2 * 4.0 + 5) / (2 + 1)
    with read_only() as s:
        assert reputation.ring_partners(s, rae.member_id) == {rob.member_id}


def test_a_rings_warmth_lifts_nobody_in_who_to_ask_or_warm_paths(ring):
    rae, rob, mia, _fin, hal = ring

    def ranked():
        found = graph_index.who_to_ask(mia.member_id, ["seo"], FixedClock(WHEN))
        return {c.member_id: c for c in found}, [c.member_id for c in found]

    for _ in ("followed as it formed", "loaded afresh"):
        candidates, order = ranked()
        # Hal, through one warm tie each way, before Rae, whose partner's
        # hundred engagements would have made her the warmest path
        assert order == [hal.member_id, rae.member_id]
        assert candidates[rae.member_id].path_strength < 0.01
        assert candidates[rae.member_id].given == 0  # ring help isn't giving
        [path] = graph_index.warm_paths(mia.member_id, rae.member_id, k=1)
        assert path.members == (mia.member_id, rob.member_id, rae.member_id)
        assert path.strength < 0.01
        graph_index.use_index(None)


def test_a_ring_members_honest_help_still_counts_in_every_worker(ring):
    """Rae also helped Mia once. Her give counts leave out the hundred
    engagements with her partner and keep Mia's, in this worker (which
    committed it), in another (which reads the rows back) and loaded
    afresh."""
    rae, rob, mia, *_ = ring
    confirmed(mia, rae)
    in_this_worker = graph_index.index().graph.give_counts(rae.member_id)
    helped = events.Event(
        "help.given",
        {"helper_id": rae.member_id, "asker_id": mia.member_id},
        local=False,
    )
    graph_index._follow(helped)  # as another worker follows the commit
    in_another = graph_index.index().graph.give_counts(rae.member_id)
    graph_index.use_index(None)
    loaded = graph_index.index().graph.give_counts(rae.member_id)
    assert in_this_worker == in_another == loaded == (1, 0)
    assert graph_index.index().graph.give_counts(rob.member_id) == (0, 0)


def test_honest_reviews_from_trusted_people_count_fully(ada, bo, cy):
    dee = member("dee")
    trusted(ada.member_id, bo.member_id)
    trusted(cy.member_id, score=0.5)
    review(ada, confirmed(ada, dee), 5)
    review(bo, confirmed(bo, dee), 5)
    review(cy, confirmed(cy, dee), 2)
    shown = rep(dee)
    # (2 * 4.0 + 5 + 5 + 0.5 * 2) / (2 + 1 + 1 + 0.5)
    assert (shown.average, shown.from_people) == ("4.2", "from 3 different people")


@pytest.mark.parametrize(
    ("one_way", "other_way", "flagged"),
    [
        ((5, 5, 5), (5, 5, 5), True),
        ((5, 5, 5), (5, 5, 4), False),
        ((5,) * 6, (), False),
    ],
    ids=["three-each-way", "a-four-among-them", "one-way-only"],
)
def test_a_pair_is_flagged_when_both_review_each_other_five_stars_three_times(
    ada, bo, one_way, other_way, flagged
):
    reviewed(ada, bo, *one_way)
    if other_way:
        reviewed(bo, ada, *other_way)
    with read_only() as s:
        assert reputation.is_ring(s, ada.member_id, bo.member_id) is flagged
        assert reputation.is_ring(s, bo.member_id, ada.member_id) is flagged
