"""Trust over the relationship graph (SybilRank, domain/trust.py) on the
graph benchmark's network: 100,000 members x 1,000,000 connections.

    python benchmarks/trust.py            # 100,000 x 1,000,000 (~2 minutes)
    python benchmarks/trust.py --quick    # 10,000 x 100,000

What runs, in one process:
1. the network, generated exactly as benchmarks/graph.py generates it
   (communities, Chung-Lu degrees), with help between a quarter of the pairs
   as edge weights and 1% of the members as seeds;
2. the computation the app runs (`sybil_rank`), three times: median seconds,
   and the memory it added (its peak allocation, by tracemalloc);
3. the baseline, in the same run: networkx's personalized PageRank from the
   same seeds -- what one would reach for first -- on a network a tenth the
   size (at full size networkx's graph alone takes gigabytes), beside the
   app's computation on that same smaller network.

The last line is one JSON object; `ok` means the full-size computation took
under 60 s and under 1 GB (the issue's target), and it agrees with the
baseline on who is trusted at the smaller size (rank correlation > 0.5).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.graph import FULL, QUICK, generate, say
from marketplace.domain.trust import Graph, edge_weight, sybil_rank

SEED_SHARE = 0.01
RUNS = 3
TARGET_SECONDS, TARGET_MB = 60.0, 1024.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def computation_mb(graph: Graph, seeds: np.ndarray) -> float:
    """Peak memory one computation allocates (numpy reports to tracemalloc)."""
    tracemalloc.start()
    sybil_rank(graph, seeds)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def network(members: int, connections: int, seed: int) -> tuple[Graph, np.ndarray]:
    net = generate(members, connections, seed)
    rng = np.random.default_rng(seed)
    helped = rng.poisson(0.6, len(net.requester))  # confirmed work per pair
    weights = np.vectorize(edge_weight)(helped).astype(np.float64)
    graph = Graph(
        members, net.requester - 1, net.addressee - 1, weights
    )  # ids 1.. -> indexes 0..
    seeds = rng.choice(members, max(1, int(members * SEED_SHARE)), replace=False)
    return graph, seeds


def timed(graph: Graph, seeds: np.ndarray) -> tuple[float, np.ndarray]:
    times, scores = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        scores = sybil_rank(graph, seeds)
        times.append(time.perf_counter() - started)
    return statistics.median(times), scores


def networkx_baseline(graph: Graph, seeds: np.ndarray) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(graph.n))
    g.add_weighted_edges_from(
        zip(graph.u.tolist(), graph.v.tolist(), graph.w.tolist(), strict=True)
    )
    personal = {int(s): 1.0 for s in seeds}
    ranks = nx.pagerank(g, personalization=personal, weight="weight")
    degree = dict(g.degree(weight="weight"))
    scores = np.array([ranks[i] / degree[i] if degree[i] else 0.0 for i in g])
    return time.perf_counter() - started, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    small = {k: v // 10 for k, v in size.items()}

    say(f"Generating {size['members']:,} members x {size['connections']:,} ties")
    before = peak_mb()
    graph, seeds = network(size["members"], size["connections"], args.seed)
    generated = peak_mb()
    say("Computing trust (the app's SybilRank)")
    seconds, scores = timed(graph, seeds)
    memory = computation_mb(graph, seeds)

    say(f"Baseline at {small['members']:,} x {small['connections']:,}")
    small_graph, small_seeds = network(
        small["members"], small["connections"], args.seed
    )
    ours_small, ours_scores = timed(small_graph, small_seeds)
    base_small, base_scores = networkx_baseline(small_graph, small_seeds)
    agreement = float(stats.spearmanr(ours_scores, base_scores).statistic)

    rows = [
        ("members x connections", f"{size['members']:,} x {size['connections']:,}"),
        ("trust: median of 3 runs", f"{seconds:.2f} s"),
        ("memory added by the computation", f"{memory:.0f} MB"),
        ("memory of the generated network", f"{generated - before:.0f} MB"),
        ("trusted (>= 0.5)", f"{(scores >= 0.5).mean():.1%}"),
        (f"app at {small['members']:,}", f"{ours_small:.3f} s"),
        (f"networkx pagerank at {small['members']:,}", f"{base_small:.2f} s"),
        ("speed-up over networkx", f"{base_small / ours_small:.0f}x"),
        ("rank agreement with networkx", f"{agreement:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        say(f"  {name:<{width}}  {value}")
    ok = seconds < TARGET_SECONDS and memory < TARGET_MB and agreement > 0.5
    print(
        json.dumps(
            {
                "members": size["members"],
                "connections": size["connections"],
                "seconds": round(seconds, 3),
                "memory_mb": round(memory, 1),
                "baseline_members": small["members"],
                "app_small_seconds": round(ours_small, 4),
                "networkx_small_seconds": round(base_small, 3),
                "speedup_vs_networkx": round(base_small / ours_small, 1),
                "rank_agreement": round(agreement, 3),
                "ok": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
