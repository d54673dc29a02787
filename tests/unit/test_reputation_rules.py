"""Reputation's rules (domain/reputation.py): the Bayesian rating, the
windows one review per person counts in, the words a profile shows; and a
flagged pair's muted tie in the relationship graph (domain/graph.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.domain.graph import STRENGTH_FLOOR, RelationshipGraph
from marketplace.domain.reputation import (
    PRIOR_STARS,
    WINDOW_DAYS,
    WINDOW_EPOCH,
    Rating,
    bayesian_rating,
    from_people,
    window_of,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_with_nothing_counted_the_rating_is_the_prior():
    assert bayesian_rating(0, 0) == PRIOR_STARS


@pytest.mark.parametrize(
    ("weight", "stars", "expected"),
    [
        (1, 5, 13 / 3),  # one trusted five-star review moves it a little
        (10, 50, 58 / 12),  # ten of them a lot
        (0.5, 0.5, 8.5 / 2.5),  # half-trusted, one star
        (100, 100, 108 / 102),  # many one-star reviews pull it down to ~1
    ],
)
def test_the_rating_is_the_prior_pulled_by_the_weighted_reviews(
    weight, stars, expected
):
    assert bayesian_rating(weight, stars) == pytest.approx(expected)


def test_a_rating_reads_to_one_decimal_and_from_how_many_people():
    assert Rating(13 / 3, 1).label == "4.3"
    assert Rating(4.0, 1).from_people == "from 1 different person"
    assert from_people(12) == "from 12 different people"


def test_windows_are_consecutive_periods_from_the_epoch():
    assert window_of(WINDOW_EPOCH) == 0
    start = WINDOW_EPOCH + timedelta(days=WINDOW_DAYS * 100)
    assert window_of(start) == 100
    assert window_of(start - timedelta(microseconds=1)) == 99
    assert window_of(start + timedelta(days=WINDOW_DAYS) - timedelta(seconds=1)) == 100


def test_a_muted_pair_keeps_its_edge_but_no_warmth_and_no_help():
    graph = RelationshipGraph()
    graph.add_edge(1, 2, 50.0, NOW)
    graph.record_help(1, 2)
    graph.mute(2, 1)
    assert graph.has_edge(1, 2) and graph.is_muted(1, 2)
    assert graph.strength(1, 2, NOW) == STRENGTH_FLOOR
    graph.record_interaction(1, 2, "engagement", NOW)
    graph.add_edge(1, 2, 50.0, NOW)  # a warmth cache from the database
    graph.add_edges([(2, 1, 50.0, NOW.timestamp())])  # or a reload
    graph.record_help(2, 1)
    assert graph.strength(1, 2, NOW) == STRENGTH_FLOOR
    assert graph.give_counts(1) == (1, 0)  # the help before; none after
    assert not graph.is_muted(1, 3)
