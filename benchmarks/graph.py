"""Relationship graph: warm intros, who-to-ask and context nudges over 100,000
members and 1,000,000 connections, beside a naive per-query baseline.

    python benchmarks/graph.py                  # 100,000 x 1,000,000 (~10 minutes)
    python benchmarks/graph.py --quick          # 10,000 x 100,000, a smoke run
    python benchmarks/graph.py --members 50000 --connections 400000

What runs, against its own throwaway PostgreSQL database (bench_graph_<pid>):

1. seed: migrate to head, then COPY a generated network in: members with
   expertise and background tags and an availability; accepted connections
   shaped like a professional network (communities of ~100 people, 75% of
   ties inside one, and heavy-tailed activity -- each end drawn in proportion
   to a Pareto weight, the Chung-Lu model, whose degrees follow the power law
   preferential attachment grows); a "connect" interaction per connection
   and, on a quarter of them, a few more (messages, engagements, reviews,
   IOUs, intros) over the past three years, the connection's warmth cache
   derived from them exactly as the service would; a confirmed engagement per
   engagement interaction, an IOU per IOU interaction, and open contexts
   (events, hiring, ...) for 3% of the members;
2. start-up: `graph_index.load_index` reads it all -- time and memory (RSS);
3. warm queries through the service (`graph_index.warm_paths`, `who_to_ask`,
   `context_nudges`) for random members: intro targets are 2-3 random steps
   away (so a path usually exists and the search does its full work);
4. the naive baseline: per query, read every accepted connection from the
   database into a networkx graph and run Dijkstra (`nx.shortest_path`) on
   -log(strength); fewer samples. Where its path has at most three hops the
   fast answer must be exactly as strong;
5. incremental updates: new connections (row + "connect" interaction, one
   unit of work each) and interactions on existing ones through
   `interactions.record_interaction`, each applied to the loaded graph on
   commit; the graph must match the rows afterwards, without any reload.

The last line of stdout is one JSON object (intro_p95_ms, who_to_ask_p95_ms,
nudges_p95_ms, naive_p95_ms, speedup, load_seconds, rss_mb, ok, ...). `ok`
means every target was met: p95 < 50 ms for warm intros and who-to-ask, the
naive baseline's median at least 100x the warm-intro p95 (`speedup`), the
answers agree, and incremental updates kept the graph in step. Exit status 0
when ok, 1 when a target is missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import random
import resource
import signal
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from marketplace import db, events  # noqa: E402
from marketplace.adapters.clock import FixedClock  # noqa: E402
from marketplace.domain import taxonomy  # noqa: E402
from marketplace.domain.graph import STRENGTH_FLOOR  # noqa: E402
from marketplace.domain.strength import WEIGHTS, Kind, strength  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.models import Connection  # noqa: E402
from marketplace.network import graph_index, interactions  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "MARKETPLACE_BENCH_PG_URL",
    os.environ.get(
        "MARKETPLACE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
)
TARGET_P95_MS = 50.0
TARGET_SPEEDUP = 100.0
HALF_LIFE_DAYS = 90.0
YEARS = 3  # how far back the network's history goes
COMMUNITY_SIZE = 100
INSIDE_SHARE = 0.75  # ties inside one's community
ACTIVE_SHARE = 0.25  # connections with more than the "connect" interaction
CONTEXT_SHARE = 0.03
# kinds of the extra interactions, and how common each is
EXTRA_KINDS = {
    Kind.MESSAGE: 0.45,
    Kind.ENGAGEMENT: 0.2,
    Kind.REVIEW: 0.12,
    Kind.IOU: 0.13,
    Kind.INTRO: 0.1,
}
AVAILABILITY = {"open": 0.7, "limited": 0.2, "away": 0.1}
CONTEXT_KINDS = ("event", "hiring", "fundraising", "launching", "looking")
COPY_PROGRESS = 250_000  # rows between progress lines
FULL = {
    "members": 100_000,
    "connections": 1_000_000,
    "samples": 1_000,
    "naive_samples": 5,
    "updates": 1_000,
}
QUICK = {
    "members": 10_000,
    "connections": 100_000,
    "samples": 300,
    "naive_samples": 10,
    "updates": 300,
}


def say(message: str) -> None:
    print(message, flush=True)


def rss_mb() -> float:
    """Resident memory of this process now (Linux), else its peak."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return ordered[rank]


# --------------------------------------------------------------------------- network


@dataclass
class Network:
    """A generated network, as arrays (member ids are 1..members)."""

    members: int
    now: float  # POSIX seconds: "now" for the whole run
    community: np.ndarray
    domain: list[str]  # per member (index id - 1)
    expertise: list[list[str]]
    background: list[list[str]]
    availability: list[str]
    requester: np.ndarray
    addressee: np.ndarray
    created: np.ndarray  # connection times
    warmth: np.ndarray
    warmth_at: np.ndarray  # NaN: no warmth
    last_at: np.ndarray
    # extra interactions: edge index, kind index (into EXTRA_KINDS), time
    extra_edge: np.ndarray
    extra_kind: np.ndarray
    extra_at: np.ndarray
    giver: np.ndarray  # per member: the share of their engagements they help in
    contexts: list[tuple] = field(default_factory=list)


def generate(members: int, connections: int, seed: int) -> Network:
    rng = np.random.default_rng(seed)
    now = time.time()
    say(f"  members: {members:,} in ~{members // COMMUNITY_SIZE:,} communities")
    community, activity = _people(rng, members)
    domain, expertise, background = _tags(rng, community)
    availability = list(
        rng.choice(list(AVAILABILITY), members, p=list(AVAILABILITY.values()))
    )
    say(f"  connections: drawing {connections:,} (Chung-Lu within communities)")
    requester, addressee = _edges(rng, community, activity, connections)
    created = now - rng.random(len(requester)) * YEARS * 365 * 86_400
    say("  interactions and warmth")
    extra_edge, extra_kind, extra_at = _extra_interactions(rng, created, now)
    warmth, warmth_at, last_at = _warmth(created, extra_edge, extra_kind, extra_at)
    network = Network(
        members=members,
        now=now,
        community=community,
        domain=domain,
        expertise=expertise,
        background=background,
        availability=[str(a) for a in availability],
        requester=requester,
        addressee=addressee,
        created=created,
        warmth=warmth,
        warmth_at=warmth_at,
        last_at=last_at,
        extra_edge=extra_edge,
        extra_kind=extra_kind,
        extra_at=extra_at,
        giver=rng.beta(2, 2, members),
    )
    network.contexts = _contexts(rng, network)
    return network


def _people(rng, members: int) -> tuple[np.ndarray, np.ndarray]:
    """Community of each member (sizes heavy-tailed around COMMUNITY_SIZE) and
    an activity weight (Pareto: a few hubs, many light users)."""
    count = max(2, members // COMMUNITY_SIZE)
    sizes = rng.pareto(2.0, count) + 1
    community = rng.choice(count, members, p=sizes / sizes.sum())
    activity = rng.pareto(2.1, members) + 1
    return community, np.minimum(activity, members / 50)


def _tags(rng, community: np.ndarray):
    """Each community has a home domain and a shared background (a company or
    school); members mostly share them, and draw 3-6 skills of their domain."""
    keys = list(taxonomy.DOMAINS)
    weights = np.array([taxonomy.DOMAINS[k].weight for k in keys], float)
    weights /= weights.sum()
    backgrounds = taxonomy.background_tags()
    count = int(community.max()) + 1
    home = rng.choice(len(keys), count, p=weights)
    home_background = rng.choice(len(backgrounds), count)
    domain, expertise, background = [], [], []
    for c in community.tolist():
        key = keys[home[c] if rng.random() < 0.7 else rng.choice(len(keys), p=weights)]
        skills = taxonomy.DOMAINS[key].skills
        picked = rng.choice(len(skills), min(len(skills), rng.integers(3, 7)), False)
        domain.append(key)
        expertise.append([skills[i] for i in picked])
        mine = [backgrounds[home_background[c]]] if rng.random() < 0.8 else []
        if rng.random() < 0.5:
            mine.append(backgrounds[rng.integers(len(backgrounds))])
        background.append(sorted(set(mine)))
    return domain, expertise, background


def _edges(rng, community, activity, wanted: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct pairs: one end drawn by activity over everyone, the other by
    activity within the first one's community (or everyone, 25%)."""
    members = len(community)
    order = np.argsort(community, kind="stable")
    cum = np.concatenate(([0.0], np.cumsum(activity[order])))
    start = np.searchsorted(community[order], np.arange(community.max() + 2))
    everyone = np.concatenate(([0.0], np.cumsum(activity)))
    keys = np.empty(0, np.int64)
    while len(keys) < wanted:
        draw = int((wanted - len(keys)) * 1.2) + 1000
        a = _weighted(rng, everyone, draw)
        c = community[a]
        low, high = cum[start[c]], cum[start[c + 1]]
        inside = order[
            np.minimum(
                np.searchsorted(cum, low + rng.random(draw) * (high - low), "right")
                - 1,
                members - 1,
            )
        ]
        b = np.where(
            rng.random(draw) < INSIDE_SHARE, inside, _weighted(rng, everyone, draw)
        )
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        fresh = (lo * members + hi)[lo != hi]
        keys = np.unique(np.concatenate((keys, fresh)))
    keys = rng.permutation(keys)[:wanted]
    lo, hi = keys // members + 1, keys % members + 1  # ids from 1
    flip = rng.random(wanted) < 0.5
    return np.where(flip, hi, lo), np.where(flip, lo, hi)


def _weighted(rng, cumulative: np.ndarray, size: int) -> np.ndarray:
    """Indexes drawn in proportion to their weights (cumulative sums)."""
    u = rng.random(size) * cumulative[-1]
    return np.minimum(np.searchsorted(cumulative, u, "right") - 1, len(cumulative) - 2)


def _extra_interactions(rng, created: np.ndarray, now: float):
    edges = np.flatnonzero(rng.random(len(created)) < ACTIVE_SHARE)
    per_edge = rng.poisson(1.5, len(edges)) + 1
    edge = np.repeat(edges, per_edge)
    kinds = list(EXTRA_KINDS)
    kind = rng.choice(len(kinds), len(edge), p=list(EXTRA_KINDS.values()))
    at = created[edge] + rng.random(len(edge)) * (now - created[edge])
    return edge, kind, at


def _warmth(created, extra_edge, extra_kind, extra_at):
    """Each connection's warmth cache, as the service derives it: every
    interaction's weight decayed to the latest one's time."""
    weights = np.array([WEIGHTS[k] for k in EXTRA_KINDS])
    last = created.copy()
    np.maximum.at(last, extra_edge, extra_at)
    half_life = HALF_LIFE_DAYS * 86_400
    warmth = WEIGHTS[Kind.CONNECT] * 0.5 ** ((last - created) / half_life)
    decay = 0.5 ** ((last[extra_edge] - extra_at) / half_life)
    np.add.at(warmth, extra_edge, weights[extra_kind] * decay)
    return warmth, last.copy(), last


def _contexts(rng, network: Network) -> list[tuple]:
    """(owner id, kind, title, tags, starts_on, ends_on) for 3% of members."""
    owners = rng.choice(
        network.members, int(network.members * CONTEXT_SHARE), replace=False
    )
    today = datetime.fromtimestamp(network.now, UTC).date()
    found = []
    for n, owner in enumerate(owners.tolist()):
        domain = taxonomy.DOMAINS[network.domain[owner]]
        tags = sorted(set(rng.choice(domain.skills, 3).tolist()))
        kind = CONTEXT_KINDS[n % len(CONTEXT_KINDS)]
        starts = today + timedelta(days=int(rng.integers(-10, 120)))
        ends = starts + timedelta(days=int(rng.integers(1, 30)))
        title = f"{domain.label} {kind} #{n}"
        found.append((owner + 1, kind, title, tags, starts, ends))
    return found


# --------------------------------------------------------------------------- seeding


def create_database(name: str) -> str:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def drop_database(name: str) -> None:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _admin_engine() -> Engine:
    return db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")


def _iso(seconds) -> str:
    return datetime.fromtimestamp(float(seconds), UTC).isoformat()


def copy_rows(
    conn, table: str, columns: str, rows: Iterable[tuple], total: int
) -> None:
    """COPY rows into a table, with a progress line every COPY_PROGRESS rows."""
    started, done = time.perf_counter(), 0
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            done += 1
            if done % COPY_PROGRESS == 0:
                say(f"    {table}: {done:,} of {total:,} rows")
    say(f"    {table}: {done:,} rows in {time.perf_counter() - started:.1f}s")


def seed(engine: Engine, net: Network) -> dict[str, int]:
    """COPY the network into the migrated database; returns row counts."""
    joined = _iso(net.now - YEARS * 365 * 86_400)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        counts["member"] = _copy_members(conn, net, joined)
        counts["member_tag"] = _copy_tags(conn, net)
        counts["connection"] = _copy_connections(conn, net)
        counts["interaction"] = _copy_interactions(conn, net)
        counts["engagement"], counts["iou"] = _copy_help(conn, net, joined)
        counts["context"] = _copy_contexts(conn, net, joined)
        for table in ("member", "member_tag", "connection", "interaction"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return counts


def _copy_members(conn, net: Network, joined: str) -> int:
    columns = (
        "id, handle, email, email_canonical, email_verified_at, display_name, "
        "headline, bio, location, timezone, availability, password_hash, status, "
        "is_operator, clearing_opt_out, digest_opt_in, created_at, updated_at"
    )
    rows = (
        (
            i,
            f"m{i}",
            f"m{i}@bench.example",
            f"m{i}@bench.example",  # already canonical (revision 0019)
            joined,  # verified when they joined
            f"Member {i}",
            "",
            "",
            "",
            "UTC",
            net.availability[i - 1],
            "x",
            "active",
            False,
            False,
            False,
            joined,
            joined,
        )
        for i in range(1, net.members + 1)
    )
    copy_rows(conn, "member", columns, rows, net.members)
    return net.members


def _copy_tags(conn, net: Network) -> int:
    rows = [
        (i + 1, kind, tag)
        for i in range(net.members)
        for kind, tags in (
            ("give", net.expertise[i]),
            ("background", net.background[i]),
        )
        for tag in tags
    ]
    copy_rows(conn, "member_tag", "member_id, kind, tag", rows, len(rows))
    return len(rows)


def _copy_connections(conn, net: Network) -> int:
    columns = (
        "requester_id, addressee_id, status, note, created_at, responded_at, "
        "warmth, warmth_at, last_interaction_at"
    )
    total = len(net.requester)
    rows = (
        (a, b, "accepted", "", _iso(c), _iso(c), w, _iso(at), _iso(at))
        for a, b, c, w, at in zip(
            net.requester.tolist(),
            net.addressee.tolist(),
            net.created.tolist(),
            net.warmth.tolist(),
            net.warmth_at.tolist(),
            strict=True,
        )
    )
    copy_rows(conn, "connection", columns, rows, total)
    return total


def _pair(net: Network, edge: int) -> tuple[int, int]:
    a, b = int(net.requester[edge]), int(net.addressee[edge])
    return (a, b) if a < b else (b, a)


def _copy_interactions(conn, net: Network) -> int:
    kinds = list(EXTRA_KINDS)
    connects = (
        (*_pair(net, e), "connect", WEIGHTS[Kind.CONNECT], _iso(net.created[e]), "")
        for e in range(len(net.requester))
    )
    extras = (
        (*_pair(net, e), kinds[k].value, WEIGHTS[kinds[k]], _iso(at), "bench")
        for e, k, at in zip(
            net.extra_edge.tolist(),
            net.extra_kind.tolist(),
            net.extra_at.tolist(),
            strict=True,
        )
    )
    total = len(net.requester) + len(net.extra_edge)
    columns = "member_a_id, member_b_id, kind, weight, at, ref"
    copy_rows(conn, "interaction", columns, _chain(connects, extras), total)
    return total


def _chain(*iterables: Iterable) -> Iterable:
    for iterable in iterables:
        yield from iterable


def _copy_help(conn, net: Network, joined: str) -> tuple[int, int]:
    """A confirmed engagement per engagement interaction (the member with the
    higher giver share more likely helps) and an IOU per IOU interaction."""
    listing = conn.execute(
        text(
            "INSERT INTO listing (author_id, kind, title, description, terms, price, "
            "capacity, audience, status, search_text, created_at, updated_at) VALUES "
            "(1, 'offer', 'Benchmark help', '', 'free', 0, 50, 'public', 'open', '', "
            ":at, :at) RETURNING id"
        ),
        {"at": joined},
    ).scalar_one()
    rng = random.Random(7)
    engagements, ious = [], []
    kinds = list(EXTRA_KINDS)
    for e, k, at in zip(
        net.extra_edge.tolist(),
        net.extra_kind.tolist(),
        net.extra_at.tolist(),
        strict=True,
    ):
        a, b = _pair(net, e)
        ga, gb = net.giver[a - 1], net.giver[b - 1]
        helper, asker = (a, b) if rng.random() < ga / (ga + gb) else (b, a)
        if kinds[k] is Kind.ENGAGEMENT:
            engagements.append(
                (
                    listing,
                    asker,
                    helper,
                    asker,
                    "confirmed",
                    "free",
                    0,
                    1,
                    "",
                    "none",
                    "",
                    _iso(at),
                    _iso(at),
                )
            )
        elif kinds[k] is Kind.IOU:
            status = "open" if rng.random() < 0.5 else "settled"
            ious.append(
                (asker, helper, 1, 1 if status == "open" else 0, "", status, _iso(at))
            )
    columns = (
        "listing_id, asker_id, helper_id, proposed_by_id, status, terms, price, "
        "hours, note, payment_status, dispute_reason, created_at, updated_at"
    )
    copy_rows(conn, "engagement", columns, engagements, len(engagements))
    columns = "debtor_id, creditor_id, amount, outstanding, note, status, created_at"
    copy_rows(conn, "iou", columns, ious, len(ious))
    return len(engagements), len(ious)


def _copy_contexts(conn, net: Network, joined: str) -> int:
    rows = [
        (n + 1, owner, kind, title, "", starts, ends, "open", joined)
        for n, (owner, kind, title, _tags, starts, ends) in enumerate(net.contexts)
    ]
    columns = (
        "id, member_id, kind, title, description, starts_on, ends_on, status, "
        "created_at"
    )
    copy_rows(conn, "context", columns, rows, len(rows))
    tags = [(n + 1, tag) for n, c in enumerate(net.contexts) for tag in c[3]]
    copy_rows(conn, "context_tag", "context_id, tag", tags, len(tags))
    conn.exec_driver_sql(
        "SELECT setval(pg_get_serial_sequence('context', 'id'), "
        "(SELECT max(id) FROM context))"
    )
    return len(rows)


# --------------------------------------------------------------------------- queries


@dataclass
class Timing:
    """Latencies of one kind of query, in milliseconds."""

    name: str
    samples: list[float] = field(default_factory=list)
    empty: int = 0  # answers with nothing in them

    def p(self, pct: float) -> float:
        return percentile(self.samples, pct)


def timed(timing: Timing, call: Callable[[], list]) -> list:
    began = time.perf_counter()
    answer = call()
    timing.samples.append((time.perf_counter() - began) * 1000)
    timing.empty += not answer
    return answer


def intro_targets(graph, rng: random.Random, sources: list[int]) -> list[int]:
    """For each source, a member two or three random steps away: mostly a
    2nd- or 3rd-degree contact, the people one asks intros to."""
    targets = []
    for source in sources:
        here = source
        for _ in range(rng.choice((2, 3))):
            around = graph.neighbours(here)
            if around:
                here = rng.choice(around)
        targets.append(here if here != source else (source % graph.node_count) + 1)
    return targets


def request_tags(net: Network, rng: random.Random, member: int) -> list[str]:
    """2-3 skills of a domain the member needs (not their own)."""
    own = net.domain[member - 1]
    needs = taxonomy.DOMAINS[own].needs
    key = rng.choice(
        [k for k in needs if k in taxonomy.DOMAINS] or list(taxonomy.DOMAINS)
    )
    return rng.sample(taxonomy.DOMAINS[key].skills, rng.choice((2, 3)))


def measure_queries(net: Network, samples: int, now: datetime, seed: int):
    """Warm-intro, who-to-ask and nudge latencies through the service."""
    rng = random.Random(seed)
    graph = graph_index.index().graph
    clock = FixedClock(now)
    members = [rng.randint(1, net.members) for _ in range(samples)]
    targets = intro_targets(graph, rng, members)
    intro, ask, nudge = Timing("warm intro"), Timing("who to ask"), Timing("nudges")
    anyone = Timing("warm intro, any target")
    for n, (member, target) in enumerate(zip(members, targets, strict=True), 1):
        timed(intro, lambda m=member, t=target: graph_index.warm_paths(m, t, clock))
        stranger = rng.randint(1, net.members)
        if stranger != member:
            timed(
                anyone, lambda m=member, t=stranger: graph_index.warm_paths(m, t, clock)
            )
        tags = request_tags(net, rng, member)
        timed(ask, lambda m=member, t=tags: graph_index.who_to_ask(m, t, clock))
        timed(nudge, lambda m=member: graph_index.context_nudges(m, clock))
        if n % max(1, samples // 4) == 0:
            say(
                f"    {n:,}/{samples:,}: p95 intro {intro.p(95):.2f} ms, "
                f"who-to-ask {ask.p(95):.2f} ms, nudges {nudge.p(95):.2f} ms"
            )
    pairs = list(zip(members, targets, strict=True))
    return Queries(intro, anyone, ask, nudge, pairs)


@dataclass
class Queries:
    intro: Timing  # targets 2-3 random steps away
    anyone: Timing  # any member as target: often no path within 3 hops
    ask: Timing
    nudge: Timing
    pairs: list[tuple[int, int]]


# --------------------------------------------------------------------------- naive


def naive_path(engine: Engine, source: int, target: int, now: datetime):
    """The baseline: read every accepted connection, build a networkx graph
    weighted by -log(strength), Dijkstra from source to target. Returns
    (path or None, seconds loading, seconds searching)."""
    began = time.perf_counter()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT requester_id, addressee_id, warmth, warmth_at FROM connection "
                "WHERE status = 'accepted'"
            )
        ).all()
    graph = nx.Graph()
    for a, b, warmth, at in rows:
        value = max(strength(warmth, at, now, HALF_LIFE_DAYS), STRENGTH_FLOOR)
        graph.add_edge(a, b, cost=-math.log(value))
    loaded = time.perf_counter()
    try:
        path = nx.shortest_path(graph, source, target, weight="cost")
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        path = None
    return path, loaded - began, time.perf_counter() - loaded


@dataclass
class Naive:
    timing: Timing
    load_s: list[float]
    search_s: list[float]
    agree: int = 0
    compared: int = 0
    disagreements: list[str] = field(default_factory=list)


def measure_naive(engine: Engine, pairs: list, samples: int, now: datetime) -> Naive:
    """The baseline on the first `samples` intro pairs; where its path has at
    most three hops, the fast search must find one exactly as strong."""
    naive = Naive(Timing("naive"), [], [])
    graph = graph_index.index().graph
    for n, (source, target) in enumerate(pairs[:samples], 1):
        began = time.perf_counter()
        path, load_s, search_s = naive_path(engine, source, target, now)
        naive.timing.samples.append((time.perf_counter() - began) * 1000)
        naive.load_s.append(load_s)
        naive.search_s.append(search_s)
        gc.collect()
        _compare(naive, graph, source, target, path, now)
        say(
            f"    {n}/{samples}: {naive.timing.samples[-1] / 1000:.1f}s "
            f"(read + build {load_s:.1f}s, Dijkstra {search_s * 1000:.1f} ms)"
        )
    return naive


def _compare(naive: Naive, graph, source, target, path, now) -> None:
    """Dijkstra finds the strongest path of any length: a fast answer (at most
    three hops) can never be stronger, and must be as strong when Dijkstra's
    path is short enough."""
    if path is None:
        return
    naive.compared += 1
    fast = graph.warm_paths(source, target, now, k=1)
    found = fast[0].strength if fast else 0.0
    best = math.prod(graph.strength(a, b, now) for a, b in pairwise(path))
    if len(path) - 1 <= 3:
        agrees = math.isclose(found, best, rel_tol=1e-9)
    else:
        agrees = found <= best * (1 + 1e-9)
    naive.agree += agrees
    if not agrees:
        naive.disagreements.append(f"{source}->{target}: {found} vs {best}")


# --------------------------------------------------------------------------- updates


@dataclass
class Updates:
    connections: Timing
    interactions: Timing
    in_memory: Timing
    reloaded: bool = False
    checked: int = 0
    mismatched: int = 0

    @property
    def ok(self) -> bool:
        return not self.reloaded and self.checked > 0 and self.mismatched == 0


def measure_updates(engine: Engine, net: Network, count: int, now: datetime) -> Updates:
    """`count` new connections and `count` interactions through the service,
    each its own unit of work, applied to the graph as it commits."""
    rng = random.Random(99)
    loaded = graph_index.index()
    graph, clock = loaded.graph, FixedClock(now)
    edges_before = graph.edge_count
    updates = Updates(
        Timing("new connection"), Timing("interaction"), Timing("graph only")
    )
    fresh = _unconnected_pairs(graph, rng, net.members, count)
    for a, b in fresh:
        timed(updates.connections, lambda a=a, b=b: _connect(a, b, clock) or [1])
    picks = [
        (int(net.requester[e]), int(net.addressee[e]))
        for e in (rng.randrange(len(net.requester)) for _ in range(count))
    ]
    kinds = [k.value for k in EXTRA_KINDS]
    for a, b in picks:
        kind = rng.choice(kinds)
        timed(updates.interactions, lambda a=a, b=b, k=kind: _interact(a, b, k, clock))
    updates.reloaded = graph_index.index() is not loaded
    grown = graph.edge_count - edges_before == len(fresh)
    _check_rows(engine, graph, fresh[:200] + picks[:200], now, updates)
    updates.mismatched += 0 if grown else 1
    _time_in_memory(graph, rng, net.members, count * 10, now, updates.in_memory)
    return updates


def _unconnected_pairs(graph, rng, members: int, count: int) -> list[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < count:
        a, b = rng.randint(1, members), rng.randint(1, members)
        if a != b and not graph.has_edge(a, b) and (b, a) not in pairs:
            pairs.add((a, b))
    return sorted(pairs)


def _connect(a: int, b: int, clock: FixedClock) -> None:
    """What accepting a connection will do: the row, then a "connect"
    interaction; the graph gains the edge when the unit of work commits."""
    with db.unit_of_work() as s:
        s.execute(
            insert(Connection.__table__).values(
                requester_id=a,
                addressee_id=b,
                status="accepted",
                note="",
                created_at=clock.now(),
                responded_at=clock.now(),
            )
        )
        events.publish(
            s, "connections.changed", requester_id=a, addressee_id=b, status="accepted"
        )
        interactions.record_interaction(s, a, b, "connect", "bench", clock)


def _interact(a: int, b: int, kind: str, clock: FixedClock) -> list:
    with db.unit_of_work() as s:
        warmth = interactions.record_interaction(s, a, b, kind, "bench", clock)
    return [warmth] if warmth else []


def _check_rows(engine, graph, pairs, now: datetime, updates: Updates) -> None:
    """The graph's warmth for these pairs must equal their rows' caches."""
    with engine.connect() as conn:
        for a, b in pairs:
            warmth, at = conn.execute(
                text(
                    "SELECT warmth, warmth_at FROM connection WHERE "
                    "(requester_id = :a AND addressee_id = :b) OR "
                    "(requester_id = :b AND addressee_id = :a)"
                ),
                {"a": a, "b": b},
            ).one()
            expected = strength(warmth, at, now, HALF_LIFE_DAYS)
            seen = graph.strength(a, b, now)
            updates.checked += 1
            if seen is None or not math.isclose(
                seen, max(expected, STRENGTH_FLOOR), rel_tol=1e-9
            ):
                updates.mismatched += 1


def _time_in_memory(graph, rng, members, count, now, timing: Timing) -> None:
    """The graph's own share of an update: add an edge, warm it, take it out."""
    for _ in range(count):
        a, b = rng.randint(1, members), rng.randint(1, members)
        if a == b or graph.has_edge(a, b):
            continue
        began = time.perf_counter()
        graph.add_edge(a, b)
        graph.record_interaction(a, b, "message", now)
        graph.remove_edge(a, b)
        timing.samples.append((time.perf_counter() - began) * 1000)


# --------------------------------------------------------------------------- main


@dataclass
class StartUp:
    seconds: float
    rss_before_mb: float
    rss_after_mb: float
    nodes: int
    edges: int
    contexts: int


def start_up(engine: Engine) -> StartUp:
    """Load the index from the database, as the app's first query would."""
    gc.collect()
    before = rss_mb()
    loaded = graph_index.load_index(
        engine, half_life_days=HALF_LIFE_DAYS, progress=lambda m: say(f"    {m}")
    )
    graph_index.use_index(loaded)
    gc.collect()
    graph = loaded.graph
    degrees = sorted(graph.degree(m) for m in range(1, graph.node_count + 1))
    say(
        f"    degrees: median {degrees[len(degrees) // 2]}, p99 "
        f"{degrees[int(len(degrees) * 0.99)]}, max {degrees[-1]:,}"
    )
    return StartUp(
        loaded.load_seconds,
        before,
        rss_mb(),
        graph.node_count,
        graph.edge_count,
        len(loaded.contexts),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, help="100,000 (quick: 10,000)")
    parser.add_argument("--connections", type=int, help="1,000,000 (quick: 100,000)")
    parser.add_argument("--samples", type=int, help="per query kind: 1,000 (300)")
    parser.add_argument("--naive-samples", type=int, help="5 (quick: 10)")
    parser.add_argument("--updates", type=int, help="of each kind: 1,000 (300)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    for name, value in preset.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.connections > args.members * (args.members - 1) // 4:
        parser.error("too many connections for so few members")

    name = f"bench_graph_{os.getpid()}"
    budget = 900 + args.connections // 250 + 120 * args.naive_samples
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(budget)  # bounded: whatever hangs, the database is dropped
    say(
        f"Graph benchmark: {args.members:,} members, {args.connections:,} connections, "
        f"{os.cpu_count()} CPUs, load average {_load()} (gives up after {budget}s)"
    )
    engine = None
    try:
        say(f"\n[1/5] seed a generated network into {name}")
        engine = db.make_engine(create_database(name))
        db.use_engine(engine)
        upgrade_to_head(engine)
        began = time.perf_counter()
        net = generate(args.members, args.connections, args.seed)
        counts = seed(engine, net)
        say(f"  seeded in {time.perf_counter() - began:.0f}s: {counts}")
        now = datetime.fromtimestamp(net.now, UTC)

        say("\n[2/5] start-up: load the graph from the database")
        boot = start_up(engine)
        say(
            f"  {boot.edges:,} edges, {boot.nodes:,} members, {boot.contexts:,} open "
            f"contexts in {boot.seconds:.1f}s; RSS {boot.rss_after_mb:,.0f} MB "
            f"(+{boot.rss_after_mb - boot.rss_before_mb:,.0f} MB)"
        )

        say(f"\n[3/5] warm queries, {args.samples:,} random members each")
        queries = measure_queries(net, args.samples, now, args.seed)

        say(f"\n[4/5] naive baseline, {args.naive_samples} of the same intro pairs")
        naive = measure_naive(engine, queries.pairs, args.naive_samples, now)

        say(f"\n[5/5] incremental updates, {args.updates:,} of each kind")
        updates = measure_updates(engine, net, args.updates, now)
    except Exception as exc:
        traceback.print_exc()
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 2
    finally:
        signal.alarm(0)
        graph_index.use_index(None)
        db.use_engine(None)
        if engine is not None:
            engine.dispose()
        drop_database(name)
    return report(args, counts, boot, queries, naive, updates)


def _out_of_time(_signum, _frame) -> None:
    raise TimeoutError("the benchmark ran out of its time budget")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(args, counts, boot, queries: Queries, naive: Naive, updates) -> int:
    intro, ask, nudge = queries.intro, queries.ask, queries.nudge
    speedup = naive.timing.p(50) / intro.p(95) if intro.p(95) else 0.0
    targets = {
        "intro_p95": intro.p(95) < TARGET_P95_MS,
        "who_to_ask_p95": ask.p(95) < TARGET_P95_MS,
        "speedup": speedup >= TARGET_SPEEDUP,
        "paths_agree": naive.agree == naive.compared,
        "incremental": updates.ok,
    }
    ok = all(targets.values())
    say("")
    header = (
        f"{'what':<34}{'samples':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
        f"{'empty':>7}"
    )
    say(header)
    say("-" * len(header))
    rows = [
        ("warm intro (<= 3 hops, k=3)", intro),
        ("warm intro, any member as target", queries.anyone),
        ("who to ask (top 10)", ask),
        ("context nudges (top 10)", nudge),
        ("naive: read all + Dijkstra", naive.timing),
        ("new connection (db + graph)", updates.connections),
        ("interaction (db + graph)", updates.interactions),
        ("graph alone: add, warm, remove", updates.in_memory),
    ]
    for label, t in rows:
        say(
            f"{label:<34}{len(t.samples):>8,}{t.p(50):>10.3f}{t.p(95):>10.3f}"
            f"{max(t.samples, default=0):>10.3f}{t.empty:>7,}"
        )
    say("")
    say(
        f"start-up load {boot.seconds:.1f}s; RSS {boot.rss_after_mb:,.0f} MB after "
        f"loading (graph +{boot.rss_after_mb - boot.rss_before_mb:,.0f} MB)"
    )
    if naive.load_s:
        say(
            f"naive: median {statistics.median(naive.load_s):.1f}s reading and "
            f"building, {statistics.median(naive.search_s) * 1000:.1f} ms Dijkstra; "
            f"speedup (naive p50 / intro p95) {speedup:,.0f}x"
        )
    say(
        f"answers: {naive.agree}/{naive.compared} agree with Dijkstra (as strong "
        "when its path has <= 3 hops, never stronger when longer)"
        + "".join(f"\n  MISMATCH {d}" for d in naive.disagreements[:5])
    )
    say(
        f"incremental: {updates.checked} rows checked, {updates.mismatched} "
        f"mismatched, {'no reload' if not updates.reloaded else 'RELOADED'}"
    )
    say(
        "targets: "
        + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items())
    )
    summary = {
        "intro_p50_ms": round(intro.p(50), 3),
        "intro_p95_ms": round(intro.p(95), 3),
        "who_to_ask_p50_ms": round(ask.p(50), 3),
        "who_to_ask_p95_ms": round(ask.p(95), 3),
        "nudges_p50_ms": round(nudge.p(50), 3),
        "nudges_p95_ms": round(nudge.p(95), 3),
        "intro_any_target_p95_ms": round(queries.anyone.p(95), 3),
        "naive_p50_ms": round(naive.timing.p(50), 1),
        "naive_p95_ms": round(naive.timing.p(95), 1),
        "naive_dijkstra_p50_ms": round(percentile(naive.search_s, 50) * 1000, 2),
        "speedup": round(speedup, 1),
        "load_seconds": round(boot.seconds, 2),
        "rss_mb": round(boot.rss_after_mb, 1),
        "graph_rss_mb": round(boot.rss_after_mb - boot.rss_before_mb, 1),
        "update_connection_p95_ms": round(updates.connections.p(95), 3),
        "update_interaction_p95_ms": round(updates.interactions.p(95), 3),
        "update_graph_only_p95_ms": round(updates.in_memory.p(95), 4),
        "members": args.members,
        "connections": counts.get("connection", 0),
        "interactions": counts.get("interaction", 0),
        "samples": args.samples,
        "naive_samples": len(naive.timing.samples),
        "paths_compared": naive.compared,
        "paths_agree": naive.agree,
        "targets": targets,
        "ok": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
