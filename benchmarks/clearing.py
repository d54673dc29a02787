"""IOU clearing at scale: is `clear_obligations` optimal, and faster than an LP solver?

    python benchmarks/clearing.py                   # both sizes, about a minute
    python benchmarks/clearing.py --skip-networkx   # without networkx (~10 s less)
    python benchmarks/clearing.py --sizes 1000x10000 2000x20000 --seed 7  # seconds

Most of a full run is HiGHS at 10,000 x 100,000 (10-20 s per solve, 3 solves).

For each size (members x IOUs) a seeded random obligation network is made to
look like a karma market: member activity is log-normal (a few people are in
many IOUs), each member leans to giving or to asking help, 80% of IOUs stay
inside one of many small communities, 15% are return favours (the creditor of
an earlier IOU now owes its debtor), amounts run 1-20 points skewed to small
ones, and 1% of members opted out of clearing.

On the same network, in the same run:

1. `marketplace.domain.clearing.clear_obligations`, from the list of tuples to
   the full result (per-IOU amounts, member effects, cycles), median of 3 runs;
2. the yardstick: scipy `linprog(method="highs")` on the plain LP (one variable
   per IOU, 0 <= cleared <= amount, cleared in == cleared out per member,
   maximise the total), timed from the same list of tuples, median of 3;
3. networkx `network_simplex` on the net-position formulation (remaining debt
   per (debtor, creditor) pair, each member's net position as demand, minimise
   the remaining total), once per size; `--skip-networkx` leaves it out.

The last line of stdout is one JSON object: per size `members`, `ious`,
`cleared`, `optimum` (HiGHS), `seconds`, `highs_seconds`, `networkx_seconds`
and more, and `ok`: the cleared total equals the optimum (and the networkx
optimum, when run) and the clearing is faster than HiGHS, at every size.
The exit status is 0 when ok.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marketplace.domain.clearing import Clearing, clear_obligations  # noqa: E402

SIZES = ((5_000, 50_000), (10_000, 100_000))
REPEATS = 3
COMMUNITY_SIZE = 100  # members per community, on average
LOCAL_SHARE = 0.8  # IOUs between members of one community
RETURN_SHARE = 0.15  # IOUs that return an earlier favour
OPT_OUT_SHARE = 0.01
MAX_AMOUNT = 20

Obligations = list[tuple[int, int, int, int]]


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- data


def make_network(members: int, ious: int, seed: int) -> tuple[Obligations, set[int]]:
    """A seeded karma-market obligation network and the members who opted out."""
    rng = np.random.default_rng(seed)
    activity = rng.lognormal(0.0, 1.2, members)
    giving = rng.beta(2.0, 2.0, members)  # 0: only asks for help, 1: only gives
    debtors = rng.choice(members, ious, p=_share(activity * (1 - giving)))
    creditors = _creditors_for(rng, debtors, activity * giving)
    debtors, creditors = _return_some_favours(rng, debtors, creditors)
    amounts = np.minimum(MAX_AMOUNT, rng.geometric(0.3, ious))
    opted_out = rng.choice(members, int(members * OPT_OUT_SHARE), replace=False)
    rows = zip(
        range(ious), debtors.tolist(), creditors.tolist(), amounts.tolist(), strict=True
    )
    return list(rows), set(opted_out.tolist())


def _share(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _creditors_for(rng, debtors: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Mostly someone in the debtor's community, else anyone; helpers more often."""
    members = len(weight)
    community = np.sort(rng.integers(0, max(1, members // COMMUNITY_SIZE), members))
    creditors = rng.choice(members, len(debtors), p=_share(weight))
    local = rng.random(len(debtors)) < LOCAL_SHARE
    # Weighted pick inside [first, last) of the debtor's community by inverse CDF.
    first = np.searchsorted(community, community[debtors[local]], side="left")
    last = np.searchsorted(community, community[debtors[local]], side="right")
    cumulative = np.r_[0.0, np.cumsum(weight)]
    target = cumulative[first] + rng.random(local.sum()) * (
        cumulative[last] - cumulative[first]
    )
    picked = np.searchsorted(cumulative, target, side="right") - 1
    creditors[local] = np.clip(picked, first, last - 1)
    clash = creditors == debtors
    creditors[clash] = (
        debtors[clash] + rng.integers(1, members, clash.sum())
    ) % members
    return creditors


def _return_some_favours(rng, debtors, creditors):
    """Some IOUs run opposite to an earlier one: help given back."""
    count = len(debtors)
    returning = rng.random(count) < RETURN_SHARE
    returning[0] = False
    earlier = (rng.random(count) * np.arange(count)).astype(np.int64)
    return (
        np.where(returning, creditors[earlier], debtors),
        np.where(returning, debtors[earlier], creditors),
    )


def eligible_columns(obligations: Obligations, opted_out: set[int]):
    """Debtor, creditor and amount columns of the IOUs clearing may touch."""
    _, debtors, creditors, amounts = (
        np.array(c) for c in zip(*obligations, strict=True)
    )
    out = np.array(sorted(opted_out), dtype=np.int64)
    keep = ~(np.isin(debtors, out) | np.isin(creditors, out))
    return debtors[keep], creditors[keep], amounts[keep]


# --------------------------------------------------------------------------- solvers


def highs_optimum(obligations: Obligations, opted_out: set[int]) -> int:
    """Max total cleared by the plain LP: one variable per IOU."""
    debtors, creditors, amounts = eligible_columns(obligations, opted_out)
    count, members = len(amounts), int(max(debtors.max(), creditors.max())) + 1
    columns = np.arange(count)
    incidence = csr_matrix(
        (
            np.r_[np.ones(count), -np.ones(count)],
            (np.r_[debtors, creditors], np.r_[columns, columns]),
        ),
        shape=(members, count),
    )
    result = linprog(
        -np.ones(count),
        A_eq=incidence,
        b_eq=np.zeros(members),
        bounds=np.c_[np.zeros(count), amounts],
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"HiGHS: {result.message}")
    return round(-result.fun)


def networkx_optimum(obligations: Obligations, opted_out: set[int]) -> int:
    """Total owed minus the least remaining debt that keeps net positions."""
    debtors, creditors, amounts = eligible_columns(obligations, opted_out)
    graph = nx.DiGraph()
    for debtor, creditor, amount in zip(
        debtors.tolist(), creditors.tolist(), amounts.tolist(), strict=True
    ):
        if graph.has_edge(debtor, creditor):
            graph[debtor][creditor]["capacity"] += amount
        else:
            graph.add_edge(debtor, creditor, capacity=amount, weight=1)
    for member in graph:  # networkx demand = inflow - outflow
        owed = sum(a for _, _, a in graph.in_edges(member, data="capacity"))
        owing = sum(a for _, _, a in graph.out_edges(member, data="capacity"))
        graph.nodes[member]["demand"] = owed - owing
    remaining, _ = nx.network_simplex(graph)
    return int(amounts.sum()) - remaining


# --------------------------------------------------------------------------- run


@dataclass
class Timing:
    """A result and the wall-clock seconds of each run that produced it."""

    result: Any
    runs: list[float]

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs)


def measure(tag: str, label: str, run: Callable[[], Any], repeats: int) -> Timing:
    runs, result = [], None
    for attempt in range(1, repeats + 1):
        started = time.perf_counter()
        result = run()
        runs.append(time.perf_counter() - started)
        say(f"{tag} {label} run {attempt}/{repeats}: {runs[-1]:.3f} s")
    return Timing(result, runs)


@dataclass
class SizeResult:
    members: int
    ious: int
    total_owed: int
    cleared: int
    optimum: int  # by HiGHS
    mine: Timing
    highs: Timing
    networkx: Timing | None
    cycles: int
    mean_cycle_length: float

    @property
    def optimal(self) -> bool:
        agrees = self.networkx is None or self.networkx.result == self.optimum
        return self.cleared == self.optimum and agrees

    @property
    def faster_than_highs(self) -> bool:
        return self.mine.seconds < self.highs.seconds

    def as_json(self) -> dict[str, Any]:
        nx_time = self.networkx
        return {
            "members": self.members,
            "ious": self.ious,
            "total_owed": self.total_owed,
            "cleared": self.cleared,
            "optimum": self.optimum,
            "seconds": round(self.mine.seconds, 4),
            "highs_seconds": round(self.highs.seconds, 4),
            "networkx_seconds": nx_time and round(nx_time.seconds, 3),
            "networkx_optimum": nx_time and nx_time.result,
            "seconds_runs": [round(s, 4) for s in self.mine.runs],
            "highs_seconds_runs": [round(s, 4) for s in self.highs.runs],
            "speedup_vs_highs": round(self.highs.seconds / self.mine.seconds, 2),
            "cycles": self.cycles,
            "mean_cycle_length": self.mean_cycle_length,
            "optimal": self.optimal,
            "faster_than_highs": self.faster_than_highs,
        }


def run_size(members: int, ious: int, seed: int, with_networkx: bool) -> SizeResult:
    tag = f"[{members:,} x {ious:,}]"
    say(f"{tag} making the network (seed {seed})")
    obligations, opted_out = make_network(members, ious, seed)
    mine = measure(
        tag,
        "clear_obligations",
        lambda: clear_obligations(obligations, opted_out),
        REPEATS,
    )
    highs = measure(
        tag, "HiGHS linprog", lambda: highs_optimum(obligations, opted_out), REPEATS
    )
    networkx = None
    if with_networkx:
        say(f"{tag} networkx network_simplex, once (slow) ...")
        networkx = measure(
            tag, "networkx", lambda: networkx_optimum(obligations, opted_out), 1
        )
    clearing: Clearing = mine.result
    lengths = [len(cycle.members) for cycle in clearing.cycles]
    return SizeResult(
        members=members,
        ious=ious,
        total_owed=clearing.total_owed_before,
        cleared=clearing.total_cleared,
        optimum=highs.result,
        mine=mine,
        highs=highs,
        networkx=networkx,
        cycles=len(lengths),
        mean_cycle_length=round(statistics.fmean(lengths), 2) if lengths else 0.0,
    )


def print_table(results: list[SizeResult]) -> None:
    say("")
    say(
        f"{'members x IOUs':>18}  {'solver':<28} {'seconds':>8} {'cleared':>10}"
        f" {'% owed':>7} {'vs HiGHS':>9}"
    )
    for r in results:
        size = f"{r.members:,} x {r.ious:,}"
        rows = [
            (f"clear_obligations (med {REPEATS})", r.mine),
            (f"scipy HiGHS linprog (med {REPEATS})", r.highs),
        ]
        if r.networkx is not None:
            rows.append(("networkx network_simplex", r.networkx))
        for name, timing in rows:
            cleared = timing.result if isinstance(timing.result, int) else r.cleared
            say(
                f"{size:>18}  {name:<28} {timing.seconds:8.3f} {cleared:10,}"
                f" {100 * cleared / r.total_owed:7.1f}"
                f" {r.highs.seconds / timing.seconds:8.2f}x"
            )
            size = ""
        verdict = "optimal" if r.optimal else "NOT OPTIMAL"
        say(
            f"{'':>18}  {verdict}; {r.cycles:,} cycles, mean length"
            f" {r.mean_cycle_length}; total owed {r.total_owed:,}"
        )
    say("")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-networkx", action="store_true", help="quick run")
    parser.add_argument("--seed", type=int, default=20_240)
    parser.add_argument(
        "--sizes",
        nargs="+",
        default=[f"{m}x{i}" for m, i in SIZES],
        help="MEMBERSxIOUS, e.g. 5000x50000",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    results = []
    for size in args.sizes:
        members, ious = (int(part) for part in size.lower().split("x"))
        results.append(run_size(members, ious, args.seed, not args.skip_networkx))
    print_table(results)
    ok = all(r.optimal and r.faster_than_highs for r in results)
    verdict = "met" if ok else "MISSED"
    say(f"target (optimal and faster than HiGHS at every size): {verdict}")
    print(
        json.dumps(
            {"sizes": [r.as_json() for r in results], "seed": args.seed, "ok": ok}
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
