"""SybilRank's arithmetic (domain/trust.py), on graphs small enough to see."""

import numpy as np

from marketplace.domain.trust import HELP_WEIGHT_CAP, Graph, edge_weight, sybil_rank


def graph(n: int, *edges: tuple[int, int]) -> Graph:
    u, v = zip(*edges, strict=True) if edges else ((), ())
    return Graph(n, np.array(u, dtype=int), np.array(v, dtype=int), np.ones(len(u)))


def test_help_adds_weight_up_to_a_cap():
    assert edge_weight(0) == 1.0 and edge_weight(1) == 2.0
    assert edge_weight(100) == edge_weight(HELP_WEIGHT_CAP) == 1.0 + HELP_WEIGHT_CAP
    assert edge_weight(-5) == 1.0  # a miscount never lowers a tie below one


def test_without_seeds_or_edges_nobody_is_trusted():
    assert sybil_rank(graph(3, (0, 1)), np.array([], dtype=int)).tolist() == [0, 0, 0]
    alone = sybil_rank(graph(3, (0, 1)), np.array([0]))
    assert alone[2] == 0.0 and alone[0] > 0 and alone[1] > 0


def test_scores_stay_in_zero_to_one_and_reach_across_a_two_sided_graph():
    # askers 0-2 only ever tie to helpers 3-5: trust must reach both sides
    edges = [(a, h) for a in range(3) for h in range(3, 6)]
    scores = sybil_rank(graph(6, *edges), np.array([0]))
    assert ((scores > 0.5) & (scores <= 1.0)).all()


def test_a_clique_behind_one_edge_gets_little():
    honest = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    fakes = [(i, j) for i in range(10, 30) for j in range(i + 1, 30)]
    scores = sybil_rank(graph(30, *honest, *fakes, (0, 10)), np.array([1, 2, 3]))
    assert scores[:10].min() > 0.9 and scores[10:].max() < 0.2
