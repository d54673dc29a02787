"""Graph memory per worker: what one worker's in-memory relationship graph
takes, and the largest network one worker can hold on this machine (issue 8).

    python benchmarks/graph_memory.py                # 10k x 100k ... 400k x 4M, ~7 min
    python benchmarks/graph_memory.py --quick        # up to 50k x 500k, ~40 s
    python benchmarks/graph_memory.py --max-connections 2000000
    python benchmarks/graph_memory.py --db-check off # no PostgreSQL at all

Every worker process holds its own `RelationshipGraph`
(`marketplace/network/graph_index.py`), so the graph's size decides how many
workers fit on a machine and how large a network they can serve.

What runs, for each size of a ladder (members x connections, always 1:10:
10k x 100k, 25k x 250k, 50k x 500k, 100k x 1M, 200k x 2M, 400k x 4M;
`--quick` stops at 50k x 500k, `--max-connections` wherever asked):

1. a child process generates the network of `benchmarks/graph.py`
   (`generate`: communities, Chung-Lu degrees, tags, availability,
   interactions and warmth, contexts) and the engagements and IOUs its seeding
   would write (its `_copy_help`, the COPY captured instead of sent), and
   pickles them;
2. a second, fresh child unpickles them and builds the graph the way
   `graph_index.load_index` does, through the same bulk calls -- `add_edges`
   fed (requester, addressee, warmth, warmth_at) rows in batches of
   `graph_index.STREAM_BATCH`, `set_tags` per member, `set_availability` for
   members not open, `set_give_counts`, `set_owed`, and a `ContextBoard` of
   the open contexts -- from the generated arrays instead of PostgreSQL:
   seeding and loading 4M connections through the database would take far
   longer than building them. Ids, floats and tag strings are fresh objects
   per row, as the database driver hands them out, so nothing is shared that a
   real load would not share. Two processes, because a process that generated
   the network holds freed memory the build then reuses without the RSS
   growing (measured: the growth came out below the objects' own size);
3. that child measures, without tracemalloc (which would add its own
   bookkeeping): its RSS (VmRSS of /proc/self/status) just before and after
   building, gc collected both times; the peak during the build (VmHWM, reset
   first); the graph's bytes (the RSS growth) and bytes per connection; the
   build time; what the graph's objects add up to by `sys.getsizeof` (no
   allocator overhead, a lower bound); and a who-to-ask p50 / p95 through
   `graph_index.who_to_ask` (as graph.py asks it) to show it still answers fast.

One size (`--db-check`, 100k x 1M by default, 10k x 100k with `--quick`) is
also seeded into a throwaway PostgreSQL database (`bench_graph_mem_<pid>`, with
graph.py's seeding, ~2 minutes at 100k x 1M) and loaded by a fresh process
with `graph_index.load_index` itself, measured the same way, to compare the
in-memory build with a real start-up. A worker's baseline is measured too: a
fresh process that imports the Reflex app (`marketplace.marketplace`), before
it serves anything.

Then a straight line is fitted to the graph's bytes against connections (least
squares; at one fixed members:connections ratio the per-member and
per-connection costs cannot be told apart, so the slope is bytes per
connection with its tenth of a member included), and from /proc/meminfo the
largest network (same 1:10 ratio) one worker can hold: worker baseline + graph
within MemTotal minus a 2 GiB reserve for everything else (the OS, PostgreSQL,
the build's transient), and per worker when 2 or 4 workers each hold their
own copy. Sizes beyond the largest measured one are extrapolated from the
fitted line, and the output says so.

The table goes to stdout, progress to stderr, and the last line of stdout is
one JSON object (sizes, bytes_per_connection, mem_total_gb,
largest_one_worker, largest_per_worker, ok, ...). `ok`: the measured sizes
grow linearly (fit R^2 > 0.98) and the 100k x 1M graph takes under 1 GB.
Exit status 0 when ok, 1 when not, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for where in (ROOT, HERE):
    if str(where) not in sys.path:
        sys.path.insert(0, str(where))

import graph as bench  # noqa: E402  (benchmarks/graph.py)
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from marketplace import db  # noqa: E402
from marketplace.adapters.clock import FixedClock  # noqa: E402
from marketplace.domain.contexts import ContextBoard, ContextSignal  # noqa: E402
from marketplace.domain.graph import RelationshipGraph  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.network import graph_index  # noqa: E402

LADDER = (
    (10_000, 100_000),
    (25_000, 250_000),
    (50_000, 500_000),
    (100_000, 1_000_000),
    (200_000, 2_000_000),
    (400_000, 4_000_000),
)
QUICK_MAX_CONNECTIONS = 500_000
DB_CHECK = {"full": "100000x1000000", "quick": "10000x100000"}
RESERVE_GIB = 2.0
WORKERS = (2, 4)
TARGET_R2 = 0.98
TARGET_MB_AT_1M = 1024.0  # the 100k x 1M graph must fit under 1 GB
MB = 1024 * 1024
GIB = 1024**3
CHILD_SECONDS = 900  # per size; the database check gets twice that

err = Console(file=sys.stderr, highlight=False)


def progress(message: str) -> None:
    err.print(message, markup=False)


def status_kb(field: str) -> int | None:
    """A field of /proc/self/status (VmRSS, VmHWM), in kB; None off Linux."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+), so it shows this step's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes."""
    found = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if parts:
                found[name] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return found


def parse_size(text: str) -> tuple[int, int]:
    members, _, connections = text.lower().partition("x")
    return int(members.replace("_", "")), int(connections.replace("_", ""))


# --------------------------------------------------------------------------- inputs


def help_counts(net: bench.Network):
    """Help given and received per member and open IOUs per (debtor, creditor),
    from the engagement and IOU rows graph.py's seeding would COPY (its own
    `_copy_help`, the rows captured instead of sent). As numpy arrays, so no
    Python object of them is shared with the graph."""
    captured: dict[str, list] = {}

    class Connection:  # stands in for the database: the listing id is 1
        def execute(self, *_args):
            return SimpleNamespace(scalar_one=lambda: 1)

    def capture(_conn, table, _columns, rows, _total) -> None:
        captured[table] = list(rows)

    with mock.patch.object(bench, "copy_rows", capture):
        bench._copy_help(Connection(), net, "")
    size = net.members + 1
    engagements = np.array([(r[1], r[2]) for r in captured["engagement"]], np.int64)
    engagements = engagements.reshape(-1, 2)
    given = np.bincount(engagements[:, 1], minlength=size)
    got = np.bincount(engagements[:, 0], minlength=size)
    open_ious = np.array(
        [(r[0], r[1]) for r in captured["iou"] if r[5] == "open"], np.int64
    ).reshape(-1, 2)
    pairs, owed = np.unique(
        open_ious[:, 0] * size + open_ious[:, 1], return_counts=True
    )
    return given, got, pairs // size, pairs % size, owed


def fresh(text: str) -> str:
    """A new str equal to `text`: the database driver hands out one per row."""
    return text.encode().decode()


def edge_rows(net: bench.Network):
    """(requester, addressee, warmth, warmth_at) rows, as `load_index` streams
    them: STREAM_BATCH at a time, every value a new Python object."""
    batch = graph_index.STREAM_BATCH
    columns = (net.requester, net.addressee, net.warmth, net.warmth_at)
    for start in range(0, len(net.requester), batch):
        yield from zip(
            *(column[start : start + batch].tolist() for column in columns),
            strict=True,
        )


def build(net: bench.Network, helped, today: date) -> graph_index.NetworkIndex:
    """The graph and context board from the generated network, through the
    calls `load_index` makes."""
    started = time.perf_counter()
    graph, board = RelationshipGraph(bench.HALF_LIFE_DAYS), ContextBoard()
    edges = graph.add_edges(edge_rows(net))
    progress(f"    {edges:,} connections in {time.perf_counter() - started:.1f}s")
    for member in range(1, net.members + 1):
        graph.set_tags(
            member,
            [fresh(tag) for tag in net.expertise[member - 1]],
            [fresh(tag) for tag in net.background[member - 1]],
        )
    for member, availability in enumerate(net.availability, 1):
        if availability != "open":
            graph.set_availability(member, fresh(availability))
    given, got, debtors, creditors, owed = helped
    people = np.flatnonzero((given > 0) | (got > 0))
    for member, gave, received in zip(
        people.tolist(), given[people].tolist(), got[people].tolist(), strict=True
    ):
        graph.set_give_counts(member, gave, received)
    for debtor, creditor, count in zip(
        debtors.tolist(), creditors.tolist(), owed.tolist(), strict=True
    ):
        graph.set_owed(debtor, creditor, count)
    for n, (owner, kind, title, tags, starts, ends) in enumerate(net.contexts, 1):
        if ends >= today:  # open: what `_open_contexts` selects
            board.put(
                ContextSignal(
                    id=n,
                    member_id=owner,
                    owner_name=f"Member {owner}",
                    kind=fresh(kind),
                    title=fresh(title),
                    tags=frozenset(fresh(tag) for tag in tags),
                    starts_on=starts,
                    ends_on=ends,
                )
            )
    progress(
        f"    tags, give/get history, contexts: {time.perf_counter() - started:.1f}s"
    )
    return graph_index.NetworkIndex(graph, board, time.perf_counter() - started)


def object_bytes(index: graph_index.NetworkIndex) -> int:
    """What the graph's objects add up to by sys.getsizeof (no allocator
    overhead). Adjacency by its known shape -- every inner key its own int
    (a member's outer key is the same object as one of them) and one level
    float per edge shared by both directions -- the rest by a walk that
    counts each object once."""
    graph = index.graph
    adjacency = graph._adj
    total = sys.getsizeof(adjacency) + graph.edge_count * sys.getsizeof(0.0)
    for inner in adjacency.values():
        total += sys.getsizeof(inner) + sum(map(sys.getsizeof, inner))
    roots = [v for k, v in vars(graph).items() if k != "_adj"]
    seen: set[int] = set()
    stack = [*roots, vars(index.contexts)]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif isinstance(obj, ContextSignal):
            stack.append(vars(obj))
    return total


def who_to_ask_ms(net: bench.Network, samples: int, seed: int) -> bench.Timing:
    """who-to-ask through the service, for random members and 2-3 skills of a
    domain each needs (as graph.py asks it)."""
    rng = random.Random(seed)
    clock = FixedClock(datetime.fromtimestamp(net.now, UTC))
    timing = bench.Timing("who to ask")
    for _ in range(samples):
        member = rng.randint(1, net.members)
        tags = bench.request_tags(net, rng, member)
        bench.timed(
            timing, lambda m=member, t=tags: graph_index.who_to_ask(m, t, clock)
        )
    return timing


# --------------------------------------------------------------------------- children


def child_baseline() -> dict:
    """RSS of a worker that imported the Reflex app and holds no graph yet."""
    started = time.perf_counter()
    __import__("marketplace.marketplace")
    gc.collect()
    return {
        "rss_mb": round(bench.rss_mb(), 1),
        "import_s": round(time.perf_counter() - started, 2),
    }


def child_generate(members: int, connections: int, seed: int, data: Path) -> dict:
    """Generate the network (and its help counts) and pickle it for the
    process that builds: that one then holds nothing the generator freed,
    which the build would otherwise reuse without the RSS growing."""
    began = time.perf_counter()
    net = bench.generate(members, connections, seed)
    helped = help_counts(net)
    with data.open("wb") as f:
        pickle.dump((net, helped), f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"generate_s": round(time.perf_counter() - began, 1)}


def load_data(data: Path) -> tuple[bench.Network, tuple]:
    with data.open("rb") as f:
        return pickle.load(f)


def child_build(data: Path, seed: int, samples: int) -> dict:
    rss_start = bench.rss_mb()
    net, helped = load_data(data)
    today = datetime.fromtimestamp(net.now, UTC).date()
    gc.collect()
    before = bench.rss_mb()
    peak_ok = reset_peak()
    started = time.perf_counter()
    index = build(net, helped, today)
    build_s = time.perf_counter() - started
    gc.collect()
    after = bench.rss_mb()
    peak = (status_kb("VmHWM") or 0) / 1024 if peak_ok else None
    return measure_index(net, index, seed, samples) | measured(
        net.members, index, rss_start, before, after, peak, build_s
    )


def measure_index(net, index, seed: int, samples: int) -> dict:
    """The graph's objects by getsizeof, and who-to-ask through the service
    (after the RSS figures: neither may count in them)."""
    objects = object_bytes(index)
    graph_index.use_index(index)
    try:
        timing = who_to_ask_ms(net, samples, seed)
    finally:
        graph_index.use_index(None)
    return {
        "objects_mb": round(objects / MB, 1),
        "who_to_ask_p50_ms": round(timing.p(50), 3),
        "who_to_ask_p95_ms": round(timing.p(95), 3),
    }


def measured(members, index, rss_start, before, after, peak, seconds) -> dict:
    graph = index.graph
    grown = (after - before) * MB
    return {
        "members": members,
        "connections": graph.edge_count,
        "path": "in memory",
        "nodes": graph.node_count,
        "contexts": len(index.contexts),
        "graph_mb": round(after - before, 1),
        "rss_mb": round(after, 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(peak, 1) if peak is not None else None,
        "bytes_per_connection": round(grown / max(graph.edge_count, 1), 1),
        "build_s": round(seconds, 2),
    }


def database_url(name: str) -> str:
    return make_url(bench.PG_ADMIN_URL).set(database=name).render_as_string(False)


def child_seed(members: int, connections: int, args) -> dict:
    """Create the database, migrate it, and COPY the generated network in
    (graph.py's seeding); the network is pickled for the loading process."""
    began = time.perf_counter()
    engine = db.make_engine(bench.create_database(args.database))
    try:
        upgrade_to_head(engine)
        net = bench.generate(members, connections, args.seed)
        counts = bench.seed(engine, net)
    finally:
        engine.dispose()
    with args.data.open("wb") as f:
        pickle.dump((net, None), f, protocol=pickle.HIGHEST_PROTOCOL)
    progress(f"  seeded in {time.perf_counter() - began:.0f}s: {counts}")
    return {"seed_s": round(time.perf_counter() - began, 1), "rows": counts}


def child_load(args) -> dict:
    """Load the seeded database with `graph_index.load_index`, as a worker's
    first query does, in a fresh process."""
    rss_start = bench.rss_mb()
    net, _ = load_data(args.data)
    engine = db.make_engine(database_url(args.database))
    db.use_engine(engine)
    try:
        gc.collect()
        peak_ok = reset_peak()
        boot = bench.start_up(engine)  # load_index, RSS before and after
        peak = (status_kb("VmHWM") or 0) / 1024 if peak_ok else None
        index = graph_index.index()
        graph_index.use_index(None)
        return (
            measure_index(net, index, args.seed, args.samples)
            | measured(
                net.members,
                index,
                rss_start,
                boot.rss_before_mb,
                boot.rss_after_mb,
                peak,
                boot.seconds,
            )
            | {"path": "PostgreSQL load_index"}
        )
    finally:
        graph_index.use_index(None)
        db.use_engine(None)
        engine.dispose()


def child_main(args) -> int:
    """One step in this (fresh) process; the JSON result is the last line of
    stdout, everything else goes to stderr."""
    members, connections = parse_size(args.size or "0x0")
    with contextlib.redirect_stdout(sys.stderr):  # graph.py's progress lines
        if args.child == "baseline":
            result = child_baseline()
        elif args.child == "generate":
            result = child_generate(members, connections, args.seed, args.data)
        elif args.child == "build":
            result = child_build(args.data, args.seed, args.samples)
        elif args.child == "seed":
            result = child_seed(members, connections, args)
        else:
            result = child_load(args)
    print(json.dumps(result), flush=True)
    return 0


def run_child(kind: str, args, seconds: int, **options) -> dict:
    """Run one step in a fresh interpreter; its stderr (progress) passes
    through, the last line of its stdout is its JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    command += ["--seed", str(args.seed), "--samples", str(args.samples)]
    for name, value in options.items():
        command += [f"--{name}", str(value)]
    done = subprocess.run(
        command, stdout=subprocess.PIPE, text=True, timeout=seconds, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} {options} failed (exit {done.returncode})")
    return json.loads(lines[-1])


def measure_size(members: int, connections: int, args, scratch: Path) -> dict:
    data = scratch / f"net_{members}x{connections}.pickle"
    size = f"{members}x{connections}"
    try:
        made = run_child("generate", args, CHILD_SECONDS, size=size, data=data)
        progress(f"  generated in {made['generate_s']:.1f}s; building, fresh process")
        return run_child("build", args, CHILD_SECONDS, data=data) | made
    finally:
        data.unlink(missing_ok=True)


def check_database(members: int, connections: int, args, scratch: Path) -> dict:
    """The same network through PostgreSQL: seeded by one process, loaded by
    `load_index` in another; the database is dropped whatever happens."""
    data = scratch / "net_db.pickle"
    name = f"bench_graph_mem_{os.getpid()}"
    size = f"{members}x{connections}"
    try:
        seeded = run_child(
            "seed", args, 2 * CHILD_SECONDS, size=size, database=name, data=data
        )
        return run_child("load", args, CHILD_SECONDS, database=name, data=data) | {
            "seed_s": seeded["seed_s"]
        }
    finally:
        data.unlink(missing_ok=True)
        bench.drop_database(name)


# --------------------------------------------------------------------------- fit


def fit(sizes: list[dict]) -> dict:
    """graph bytes = intercept + slope * connections, least squares."""
    x = np.array([s["connections"] for s in sizes], float)
    y = np.array([s["graph_mb"] * MB for s in sizes], float)
    if len(sizes) < 2:
        slope = float(y[0] / x[0]) if len(x) else 0.0
        return {"intercept": 0.0, "slope": slope, "r2": 0.0}
    design = np.column_stack((np.ones_like(x), x))
    (intercept, slope), *_ = np.linalg.lstsq(design, y, rcond=None)
    predicted = design @ (intercept, slope)
    spread = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float(((y - predicted) ** 2).sum()) / spread if spread else 0.0
    return {"intercept": float(intercept), "slope": float(slope), "r2": r2}


def largest(budget: float, base: float, line: dict, ratio: float) -> dict:
    """The largest network whose graph plus the worker's baseline fits `budget`
    bytes, at `ratio` connections per member (on the fitted line)."""
    room = budget - base - line["intercept"]
    connections = max(0, int(room / line["slope"])) if line["slope"] > 0 else 0
    connections = connections // 1000 * 1000
    return {
        "members": int(connections / ratio) // 1000 * 1000,
        "connections": connections,
        "budget_gb": round(budget / GIB, 2),
        "graph_gb": round((line["intercept"] + line["slope"] * connections) / GIB, 2),
    }


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="up to 50k x 500k")
    parser.add_argument("--max-connections", type=int, help="largest size to build")
    parser.add_argument(
        "--db-check",
        help="members x connections to also load from PostgreSQL "
        "(100000x1000000; quick: 10000x100000), or off",
    )
    parser.add_argument("--samples", type=int, default=300, help="who-to-ask queries")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reserve-gib", type=float, default=RESERVE_GIB)
    parser.add_argument(
        "--child",
        choices=("baseline", "generate", "build", "seed", "load"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    limit = args.max_connections or math.inf
    if args.quick:
        limit = min(limit, QUICK_MAX_CONNECTIONS)
    ladder = [(m, c) for m, c in LADDER if c <= limit]
    if not ladder:
        parser.error("--max-connections is below the smallest size (100,000)")
    db_check = args.db_check or DB_CHECK["quick" if args.quick else "full"]
    memory = meminfo()
    progress(
        f"Graph memory per worker: sizes up to {ladder[-1][0]:,} x {ladder[-1][1]:,}, "
        f"{os.cpu_count()} CPUs, load average {bench._load()}, "
        f"MemTotal {memory.get('MemTotal', 0) / GIB:.1f} GiB, "
        f"MemAvailable {memory.get('MemAvailable', 0) / GIB:.1f} GiB"
    )
    began = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="graph_memory_"))
    try:
        progress("\n[baseline] a worker that imported the Reflex app, no graph")
        baseline = run_child("baseline", args, 300)
        progress(f"  RSS {baseline['rss_mb']:.0f} MB")
        sizes = []
        for members, connections in ladder:
            line = fit(sizes) if len(sizes) >= 2 else None
            if line and not fits_now(line, connections, args.reserve_gib):
                progress(f"\nskipping {members:,} x {connections:,}: memory")
                break
            progress(
                f"\n[{len(sizes) + 1}/{len(ladder)}] {members:,} x {connections:,} "
                f"in a fresh process (load average {bench._load()})"
            )
            size = measure_size(members, connections, args, scratch)
            sizes.append(size)
            progress(
                f"  graph {size['graph_mb']:,.0f} MB "
                f"({size['bytes_per_connection']:.0f} B/connection), "
                f"RSS {size['rss_mb']:,.0f} MB, built in {size['build_s']:.1f}s, "
                f"who-to-ask p50 {size['who_to_ask_p50_ms']:.2f} ms"
            )
        checked = None
        if db_check.lower() != "off":
            members, connections = parse_size(db_check)
            progress(
                f"\n[database] {members:,} x {connections:,} seeded into PostgreSQL, "
                f"loaded with graph_index.load_index (load average {bench._load()})"
            )
            checked = check_database(members, connections, args, scratch)
            progress(
                f"  graph {checked['graph_mb']:,.0f} MB, RSS {checked['rss_mb']:,.0f} "
                f"MB, loaded in {checked['build_s']:.1f}s"
            )
    except Exception as exc:
        traceback.print_exc()
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress(
        f"\nall done in {time.perf_counter() - began:.0f}s, "
        f"load average {bench._load()}"
    )
    return report(sizes, checked, baseline, meminfo(), args.reserve_gib)


def fits_now(line: dict, connections: int, reserve_gib: float) -> bool:
    """Whether the next size's graph (on the line so far, twice over for the
    generator's arrays) fits in what is available now."""
    need = 2 * (line["intercept"] + line["slope"] * connections)
    return need < meminfo().get("MemAvailable", 0) - reserve_gib * GIB


def report(sizes, checked, baseline, memory, reserve_gib: float) -> int:
    line = fit(sizes)
    ratio = sizes[-1]["connections"] / sizes[-1]["members"]
    base = baseline["rss_mb"] * MB
    total, available = memory.get("MemTotal", 0), memory.get("MemAvailable", 0)
    budget = total - reserve_gib * GIB
    # Loading through PostgreSQL costs a little more than the in-memory build
    # (driver and SQLAlchemy state, batches of rows come and gone): what the
    # database check measured over the line, added to every worker's graph.
    overhead = 0.0
    if checked:
        on_line = line["intercept"] + line["slope"] * checked["connections"]
        overhead = max(0.0, checked["graph_mb"] * MB - on_line)
    loaded = line | {"intercept": line["intercept"] + overhead}
    one = largest(budget, base, loaded, ratio)
    now = largest(available - reserve_gib * GIB, base, loaded, ratio)
    per_worker = {str(n): largest(budget / n, base, loaded, ratio) for n in WORKERS}
    at_1m = [
        s for s in [*sizes, checked] if s and s["connections"] == 1_000_000
    ]  # measured, in memory and through the database; else on the line
    mb_at_1m = (
        max(s["graph_mb"] for s in at_1m)
        if at_1m
        else (line["intercept"] + line["slope"] * 1_000_000) / MB
    )
    ok = line["r2"] > TARGET_R2 and mb_at_1m < TARGET_MB_AT_1M
    top = sizes[-1]

    out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 150)
    table = Table(title="Relationship graph memory, one fresh process per size")
    for name in (
        "members",
        "connections",
        "path",
        "graph MB",
        "B/conn",
        "objects MB",
        "RSS MB",
        "peak MB",
        "build s",
        "who-to-ask p50/p95 ms",
    ):
        table.add_column(
            name, justify="left" if name == "path" else "right", no_wrap=True
        )
    for s in [*sizes, *([checked] if checked else [])]:
        table.add_row(
            f"{s['members']:,}",
            f"{s['connections']:,}",
            s["path"],
            f"{s['graph_mb']:,.0f}",
            f"{s['bytes_per_connection']:.0f}",
            f"{s['objects_mb']:,.0f}",
            f"{s['rss_mb']:,.0f}",
            f"{s['peak_mb']:,.0f}" if s["peak_mb"] is not None else "-",
            f"{s['build_s']:.1f}",
            f"{s['who_to_ask_p50_ms']:.2f} / {s['who_to_ask_p95_ms']:.2f}",
        )
    out.print(table)
    out.print(
        f"graph MB = RSS growth while building (gc collected, no tracemalloc); "
        f"objects MB = sys.getsizeof over the graph's objects; peak MB = RSS high "
        f"water mark during the build.\nfit: graph = {line['intercept'] / MB:,.1f} MB"
        f" + {line['slope']:.1f} B x connections (1 member per {ratio:.0f}), "
        f"R^2 {line['r2']:.4f}; loading through PostgreSQL adds "
        f"{overhead / MB:,.0f} MB"
        + (
            f" (at {checked['members']:,} x {checked['connections']:,})"
            if checked
            else " (not checked)"
        )
        + f"; worker baseline (Reflex app imported) {baseline['rss_mb']:.0f} MB",
        highlight=False,
    )
    capacity = Table(
        title=f"Largest network per worker (measured up to {top['members']:,} x "
        f"{top['connections']:,}; larger sizes extrapolated on the fitted line)"
    )
    for name in ("workers", "memory per worker", "graph", "members", "connections"):
        capacity.add_column(name, justify="right")
    rows = [
        ("1", one),
        *((n, per_worker[n]) for n in per_worker),
        ("1, MemAvailable now", now),
    ]
    for workers, found in rows:
        capacity.add_row(
            workers,
            f"{found['budget_gb']:.1f} GiB",
            f"{found['graph_gb']:.1f} GiB",
            f"{found['members']:,}",
            f"{found['connections']:,}",
        )
    out.print(capacity)
    out.print(
        f"MemTotal {total / GIB:.1f} GiB minus a {reserve_gib:g} GiB reserve, "
        f"shared equally by the workers; each holds the baseline plus its own "
        f"graph (the fitted line plus the database overhead). "
        f"MemAvailable now {available / GIB:.1f} GiB. "
        f"ok = R^2 > {TARGET_R2} and the 100k x 1M graph under 1 GB "
        f"({mb_at_1m:,.0f} MB{'' if at_1m else ', on the fitted line'}): {ok}",
        highlight=False,
    )
    summary = {
        "sizes": sizes,
        "db_check": checked,
        "bytes_per_connection": round(line["slope"], 1),
        "fit": {
            "intercept_mb": round(line["intercept"] / MB, 2),
            "bytes_per_connection": round(line["slope"], 2),
            "r2": round(line["r2"], 5),
            "members_per_connection": round(1 / ratio, 3),
        },
        "db_load_overhead_mb": round(overhead / MB, 1),
        "measured_up_to": {
            "members": top["members"],
            "connections": top["connections"],
        },
        "extrapolated": one["connections"] > top["connections"],
        "worker_baseline_mb": baseline["rss_mb"],
        "mem_total_gb": round(total / GIB, 2),
        "mem_available_gb": round(available / GIB, 2),
        "reserve_gib": reserve_gib,
        "largest_one_worker": one,
        "largest_one_worker_available_now": now,
        "largest_per_worker": per_worker,
        "load_average": bench._load(),
        "ok": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
