"""Trust over a graph, SybilRank's way (Cao et al., NSDI 2012).

Trust starts at the seeds -- members the network already has reason to
believe -- and spreads along the edges by a short random walk: ceil(log2 n)
steps (a lazy walk: twice that many), stopped early, before it could
mix into every corner. Fake accounts
can make as many edges among themselves as they like; what reaches them
must cross the few edges that join them to real people, so little does.
Dividing by each member's (weighted) degree keeps a busy member from
looking trusted merely because many edges lead to them.

Pure: arrays in, arrays out (numpy and scipy only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

HELP_WEIGHT_CAP = 3  # confirmed engagements between a pair that add weight


def edge_weight(confirmed_between: int) -> float:
    """1 for a connection, plus one per confirmed engagement between the two,
    up to HELP_WEIGHT_CAP: a hundred engagements weigh what three do."""
    return 1.0 + min(HELP_WEIGHT_CAP, max(0, confirmed_between))


@dataclass(frozen=True)
class Graph:
    """`n` nodes 0..n-1; undirected edges (u[i], v[i]) weighing w[i]."""

    n: int
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray


def sybil_rank(graph: Graph, seeds: np.ndarray) -> np.ndarray:
    """Each node's trust in [0, 1]: the degree-normalized trust the walk left
    there, relative to the median seed's, capped at 1. Nodes without edges,
    seeds included, get 0: trust is what the graph says, and it says nothing
    of them (an isolated seed is still trusted by being a seed elsewhere:
    the caller decides)."""
    n = graph.n
    if n == 0 or len(seeds) == 0:
        return np.zeros(n)
    rows = np.concatenate([graph.u, graph.v])
    cols = np.concatenate([graph.v, graph.u])
    weights = np.concatenate([graph.w, graph.w]).astype(np.float64)
    adjacency = sparse.csr_matrix((weights, (rows, cols)), shape=(n, n))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    # walk matrix: trust at j flows to its neighbours in proportion to weight
    inverse = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0)
    walk = (adjacency @ sparse.diags(inverse)).tocsr()
    trust = np.zeros(n)
    trust[seeds] = 1.0 / len(seeds)
    # lazy (half the trust stays put each step), so a graph of two sides --
    # askers and helpers -- does not leave trust stranded on one of them;
    # twice the steps, as a lazy walk moves half as far
    for _ in range(2 * max(2, math.ceil(math.log2(max(n, 2))))):
        trust = 0.5 * trust + 0.5 * (walk @ trust)
    ranked = np.divide(trust, degree, out=np.zeros(n), where=degree > 0)
    connected_seeds = seeds[degree[seeds] > 0]
    if len(connected_seeds) == 0:
        return np.zeros(n)
    reference = float(np.median(ranked[connected_seeds]))
    if reference <= 0:
        return np.zeros(n)
    return np.minimum(1.0, ranked / reference)
