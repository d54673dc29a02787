"""The relationship graph in memory: warm paths, who to ask, context nudges and
micro-networks, fast enough to answer while a page loads.

`RelationshipGraph` holds the accepted connections (an undirected graph), each
edge with its warmth (domain/strength.py), and per member what ranking needs:
expertise and background tags, how often they gave and received help, open
IOUs owed to whom, and availability. It is built once from the database and
then kept in step one change at a time (`add_edge`, `remove_edge`,
`record_interaction`, `set_tags`, ...): nothing ever reloads the whole graph.

One float per edge. Warmth decays exponentially, so warmth w at time t is the
same fact as the number ln(w) + r * t (r = ln 2 / half-life): the *level*.
Warmth at any later moment is exp(level - r * now), adding an interaction is a
log-sum, and an interaction that arrives late lands exactly where it belongs.
Both directions of an edge share the one float object. A flagged pair
(`mute`: they review each other five stars again and again) keeps its edge at
no warmth, so their ring lifts nobody's paths.

Queries never walk the whole graph. A warm path of at most three hops
source - x - y - target needs x among the source's connections and y among the
target's: the search takes the source's edges one by one, warmest first, and
intersects each x's neighbours with the target's (a set intersection in C over
the smaller side), stopping when no remaining x can beat the paths already
found. Who-to-ask and nudges start from the few members whose tags fit (a tag
index) and meet them with the member's first and second degree the same way.
Communities run Louvain (networkx) on a chosen part of the graph, off-line.

What a person is shown follows what they would try: `intro_paths` offers the
mutual connections (two hops) before any longer way, each with its reason in
words (`intro_reason`); a newcomer with nobody within two degrees is shown
the best people beyond them (`who_else_to_ask`); and a context nudge ranks by
fit first (`context_fit`, `context_score`), so an exact fit from a cold new
tie outranks a vague one from a warm friend.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise

import networkx as nx

from marketplace.domain.contexts import ContextSignal, describe, humanize
from marketplace.domain.errors import InvalidInput
from marketplace.domain.strength import (
    DEFAULT_HALF_LIFE_DAYS,
    MAX_STRENGTH,
    SECONDS_PER_DAY,
    WEIGHTS,
    check_half_life,
    check_kind,
)

# Levels count from here, so they stay small numbers (precision).
EPOCH = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
# A connection nobody has used yet still links two people, if weakly: paths
# through it rank last instead of vanishing.
STRENGTH_FLOOR = 1e-6
MAX_HOPS = 3
MAX_ALTERNATIVES = 20
MAX_RESULTS = 200
# Who to ask: how much each signal counts (they sum to 1). Expertise decides
# whether someone can help at all; the path says whether they will take my
# call; the rest break ties among the able and willing.
ASK_WEIGHTS = {
    "expertise": 0.35,
    "path": 0.25,
    "gives": 0.15,
    "available": 0.15,
    "owes_me": 0.10,
}
AVAILABILITY_SCORE = {"open": 1.0, "limited": 0.5, "away": 0.0}
AVAILABILITY_REASON = {
    "open": "open to help",
    "limited": "has limited time",
    "away": "away for now",
}
OWED_ENOUGH = 3  # open IOUs owed to me that count as "owes me a lot"
# Beyond my two degrees nobody has a path to weigh: whether they can help
# decides, then whether they give and have time.
BEYOND_WEIGHTS = {"expertise": 0.5, "gives": 0.25, "available": 0.25}
# Context nudges. Fit decides: each tag of a context is one thing its owner
# asks for, so knowing exactly one of them already makes me someone who can
# help (FIT_FLOOR) and covering more of them makes me the one. Closeness
# comes next -- any direct connection before anyone two steps away -- and
# how soon it is breaks ties. An exact fit from a cold tie still outranks a
# partial fit from a warm one.
NUDGE_WEIGHTS = {"fit": 0.6, "closeness": 0.25, "soon": 0.15}
FIT_FLOOR = 0.4
STRONG_FIT = 0.7  # knows at least half of what the context asks for
DIRECT_CLOSENESS = 0.5  # a direct connection's floor; the tie's strength adds
SOON_DAYS = 90  # a context starting further out than this is not urgent yet
UNDATED_URGENCY = 0.5
# Warmth words, for paths and ties: strength >= WARM talks often.
WARM, STEADY = 0.6, 0.3


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class WarmPath:
    """A chain of connections from source to target; its strength is the
    product of the strengths along it (how likely a warm intro gets through)."""

    members: tuple[int, ...]
    strength: float
    strengths: tuple[float, ...]

    @property
    def hops(self) -> int:
        return len(self.members) - 1

    @property
    def first_hop(self) -> int:
        """Whom to ask for the intro (the target itself on a direct path)."""
        return self.members[1]


@dataclass(frozen=True)
class Candidate:
    """Someone to ask for help, with the score and every reason behind it."""

    member_id: int
    score: float
    # 1: my connection, 2: a connection of one, 3: further, or not connected
    degree: int
    via_id: int | None  # the mutual connection on the warmest path (2nd degree)
    path_strength: float
    matched_tags: tuple[str, ...]
    given: int
    received: int
    give_propensity: float
    availability: str
    owes_me: int  # open IOUs they owe me
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Nudge:
    """A context of someone within two degrees that fits my expertise."""

    key: str  # "context:<id>": what dismissals and snoozes refer to
    context_id: int
    owner_id: int
    score: float
    degree: int
    via_id: int | None
    path_strength: float
    matched_tags: tuple[str, ...]
    reason: str
    fit: float = 0.0  # context_fit: how much of what it asks for I know
    asked: int = 0  # how many things (tags) the context asks for
    strong: bool = False  # fit >= STRONG_FIT: worth telling me at once


@dataclass(frozen=True)
class Community:
    """A micro-network found in the graph, named by its most telling tags."""

    members: frozenset[int]
    top_tags: tuple[str, ...]
    name: str


# --------------------------------------------------------------------------- strength


def _strength(level: float, clock: float) -> float:
    """Strength of an edge at `level` seen at `clock` (= rate * now)."""
    warmth = math.exp(min(level - clock, 700.0))  # exp(-inf) = 0 for no warmth
    value = -math.expm1(-warmth)
    if value < STRENGTH_FLOOR:
        return STRENGTH_FLOOR
    return value if value < MAX_STRENGTH else MAX_STRENGTH


def _cost(level: float, clock: float) -> float:
    """-log(strength): path costs add where strengths multiply."""
    return -math.log(_strength(level, clock))


def _log_add(x: float, y: float) -> float:
    """log(exp(x) + exp(y)) without overflow."""
    high, low = (x, y) if x >= y else (y, x)
    if low == -math.inf:
        return high
    return high + math.log1p(math.exp(low - high))


def _member(value: object, field: str = "member") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a member id.", field)
    return value


def _bounded(value: object, low: int, high: int, field: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not low <= value <= high
    ):
        raise InvalidInput(
            f"{field} must be a whole number from {low} to {high}.", field
        )
    return value


def _store(mapping: dict, key: int, value) -> None:
    """Keep only what differs from the default (empty, zero): less memory for
    the many members with nothing to say."""
    if value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def _tag_set(tags: Iterable[str], field: str = "tags") -> frozenset[str]:
    if isinstance(tags, str):
        raise InvalidInput("Tags must be a list of tags.", field)
    found = frozenset(tags)
    if not all(isinstance(tag, str) and tag for tag in found):
        raise InvalidInput("Tags must be non-empty text.", field)
    return found


# --------------------------------------------------------------------------- the graph


class RelationshipGraph:
    """Accepted connections with their warmth, and what ranking knows of
    each member; see the module docstring for how it stays fast."""

    def __init__(self, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> None:
        self.half_life_days = check_half_life(half_life_days)
        self._rate = math.log(2) / (self.half_life_days * SECONDS_PER_DAY)
        self._adj: dict[int, dict[int, float]] = {}
        self._edges = 0
        self._expertise: dict[int, frozenset[str]] = {}
        self._background: dict[int, frozenset[str]] = {}
        self._experts: dict[str, set[int]] = {}  # tag -> members who give it
        self._given: dict[int, int] = {}
        self._received: dict[int, int] = {}
        self._owed: dict[int, dict[int, int]] = {}  # creditor -> debtor -> IOUs
        self._availability: dict[int, str] = {}  # only members not "open"
        # flagged pairs (low, high): their tie stays cold, their help uncounted
        self._muted: set[tuple[int, int]] = set()

    # ----------------------------------------------------------------- size

    @property
    def edge_count(self) -> int:
        return self._edges

    @property
    def node_count(self) -> int:
        """Members with at least one connection (now or before)."""
        return len(self._adj)

    def degree(self, member: int) -> int:
        return len(self._adj.get(member, ()))

    def neighbours(self, member: int) -> list[int]:
        return sorted(self._adj.get(member, ()))

    def has_edge(self, a: int, b: int) -> bool:
        return b in self._adj.get(a, ())

    # ----------------------------------------------------------------- edges

    def _clock(self, at: datetime | float) -> float:
        seconds = at if isinstance(at, float | int) else at.timestamp()
        return self._rate * (seconds - EPOCH)

    def _level(self, warmth: float, at: datetime | float | None) -> float:
        if not isinstance(warmth, int | float) or not 0 <= warmth < math.inf:
            raise InvalidInput("Warmth must be a finite number, zero or more.")
        if warmth == 0:
            return -math.inf
        if at is None:
            raise InvalidInput("Warmth needs the time it was measured at.", "warmth_at")
        return math.log(warmth) + self._clock(at)

    def add_edge(
        self,
        a: int,
        b: int,
        warmth: float = 0.0,
        warmth_at: datetime | float | None = None,
    ) -> None:
        """Add an accepted connection, or reset the warmth of one already
        there to the cache (warmth as it was at warmth_at; a float warmth_at
        is POSIX seconds)."""
        if _member(a) == _member(b):
            raise InvalidInput("A member cannot be connected to themselves.")
        level = self._level(warmth, warmth_at)
        self._link(a, b, -math.inf if self.is_muted(a, b) else level)

    def add_edges(self, rows: Iterable[tuple]) -> int:
        """Bulk `add_edge` for start-up: (a, b, warmth, warmth_at) rows as
        they come from the database. A warmth without its time cannot be
        decayed and counts as none. Returns how many edges it took."""
        count = 0
        level_of, link, muted = self._level, self._link, self._muted
        for a, b, warmth, warmth_at in rows:
            if a != b:
                level = level_of(warmth if warmth_at is not None else 0, warmth_at)
                if muted and ((a, b) if a < b else (b, a)) in muted:
                    level = -math.inf
                link(a, b, level)
                count += 1
        return count

    def _link(self, a: int, b: int, level: float) -> None:
        adj = self._adj
        out = adj.get(a)
        if out is None:
            out = adj[a] = {}
        back = adj.get(b)
        if back is None:
            back = adj[b] = {}
        if b not in out:
            self._edges += 1
        out[b] = level
        back[a] = level

    def remove_edge(self, a: int, b: int) -> bool:
        """Forget a connection (removed, blocked). False if there was none."""
        out, back = self._adj.get(a), self._adj.get(b)
        if out is None or back is None or b not in out:
            return False
        del out[b]
        del back[a]
        self._edges -= 1
        return True

    def record_interaction(
        self, a: int, b: int, kind: str, at: datetime, weight: float | None = None
    ) -> bool:
        """Warm the edge a-b by one interaction of `kind` at `at` (weight from
        WEIGHTS unless given). False when they are not connected: the warmth
        then lives only in the database until they are."""
        added = WEIGHTS[check_kind(kind)] if weight is None else weight
        level = self._adj.get(a, {}).get(b)
        if level is None or added <= 0 or self.is_muted(a, b):
            return level is not None
        self._link(a, b, _log_add(level, self._level(added, at)))
        return True

    def warmth(self, a: int, b: int, now: datetime) -> float | None:
        """Warmth of the connection a-b at `now`; None when not connected."""
        level = self._adj.get(a, {}).get(b)
        if level is None:
            return None
        return math.exp(min(level - self._clock(now), 700.0))

    def mute(self, a: int, b: int) -> None:
        """A flagged pair (domain/reputation.py: they review each other five
        stars again and again). Their tie still links them, but however warm
        their interactions made it, it counts as an unused one: it lifts
        nobody in who-to-ask, warm paths or intro paths. Their help to each
        other stops counting too (`record_help`; the loader sets the counts
        they had without it)."""
        if _member(a) == _member(b):
            raise InvalidInput("A pair is two different members.")
        self._muted.add((a, b) if a < b else (b, a))
        if self.has_edge(a, b):
            self._link(a, b, -math.inf)

    def is_muted(self, a: int, b: int) -> bool:
        return bool(self._muted) and ((a, b) if a < b else (b, a)) in self._muted

    def strength(self, a: int, b: int, now: datetime) -> float | None:
        """Strength of the connection a-b at `now` (floored for an unused
        one); None when not connected."""
        level = self._adj.get(a, {}).get(b)
        return None if level is None else _strength(level, self._clock(now))

    # ----------------------------------------------------------------- members

    def set_tags(
        self, member: int, expertise: Iterable[str], background: Iterable[str] = ()
    ) -> None:
        """Replace a member's expertise (give tags) and background tags."""
        member = _member(member)
        new, old = _tag_set(expertise), self._expertise.get(member, frozenset())
        for tag in old - new:
            holders = self._experts[tag]
            holders.discard(member)
            if not holders:
                del self._experts[tag]
        for tag in new - old:
            self._experts.setdefault(tag, set()).add(member)
        _store(self._expertise, member, new)
        _store(self._background, member, _tag_set(background, "background"))

    def expertise(self, member: int) -> frozenset[str]:
        return self._expertise.get(member, frozenset())

    def tags(self, member: int) -> frozenset[str]:
        """Expertise and background together: what micro-networks form on."""
        return self.expertise(member) | self._background.get(member, frozenset())

    def set_give_counts(self, member: int, given: int, received: int) -> None:
        """How many times the member helped and was helped (engagements)."""
        member = _member(member)
        _store(self._given, member, _bounded(given, 0, 10**9, "given"))
        _store(self._received, member, _bounded(received, 0, 10**9, "received"))

    def record_help(self, helper: int, asker: int) -> None:
        """One more engagement confirmed: the helper gave, the asker received
        (unless the two are a flagged pair)."""
        helper, asker = _member(helper, "helper"), _member(asker, "asker")
        if self.is_muted(helper, asker):
            return
        self._given[helper] = self._given.get(helper, 0) + 1
        self._received[asker] = self._received.get(asker, 0) + 1

    def give_counts(self, member: int) -> tuple[int, int]:
        return self._given.get(member, 0), self._received.get(member, 0)

    def set_owed(self, debtor: int, creditor: int, open_ious: int) -> None:
        """How many open IOUs `debtor` owes `creditor` (0 forgets the pair)."""
        owed = self._owed.setdefault(_member(creditor, "creditor"), {})
        _store(owed, _member(debtor, "debtor"), _bounded(open_ious, 0, 10**6, "ious"))
        if not owed:
            del self._owed[creditor]

    def owed_to(self, creditor: int, debtor: int) -> int:
        return self._owed.get(creditor, {}).get(debtor, 0)

    def set_availability(self, member: int, availability: str) -> None:
        if availability not in AVAILABILITY_SCORE:
            allowed = ", ".join(AVAILABILITY_SCORE)
            raise InvalidInput(f"Availability must be one of: {allowed}.")
        if availability == "open":
            self._availability.pop(_member(member), None)
        else:
            self._availability[_member(member)] = availability

    def availability(self, member: int) -> str:
        return self._availability.get(member, "open")

    # ----------------------------------------------------------------- warm paths

    def warm_paths(
        self,
        source: int,
        target: int,
        now: datetime,
        max_hops: int = MAX_HOPS,
        k: int = 3,
        avoid: Collection[int] = (),
    ) -> list[WarmPath]:
        """The warmest paths from source to target within `max_hops`, best
        first: the best path through each first hop (the person an intro is
        asked of), for the `k` best first hops. A path's strength is the
        product of its edges' strengths. Empty when no path is that short.
        No path passes through a member in `avoid` (nor ends at one)."""
        if _member(source, "source") == _member(target, "target"):
            raise InvalidInput("Source and target are the same member.", "target")
        max_hops = _bounded(max_hops, 1, MAX_HOPS, "max_hops")
        k = _bounded(k, 1, MAX_ALTERNATIVES, "k")
        out, into = self._adj.get(source), self._adj.get(target)
        if not out or not into or target in avoid:
            return []
        clock = self._clock(now)
        found: list[tuple[float, tuple[int, ...]]] = []  # (-cost, path), worst on top
        if target in out:
            _keep(found, k, _cost(out[target], clock), (source, target))
        if max_hops >= 2:
            self._paths_via_others(source, target, clock, max_hops, k, avoid, found)
        ranked = sorted((-neg, path) for neg, path in found)
        return [self._warm_path(path, clock) for _, path in ranked]

    def _paths_via_others(
        self, source, target, clock, max_hops, k, avoid, found
    ) -> None:
        """Paths source-x-target and source-x-y-target, the best per x, none
        through a member in `avoid`. The xs are tried warmest first; once the
        warmest x plus the warmest last edge cannot beat the k-th path found,
        no later x can either."""
        out, into = self._adj[source], self._adj[target]
        last = {
            y: _cost(level, clock)
            for y, level in into.items()
            if y != source and y not in avoid
        }
        if not last:
            return
        floor = min(last.values())
        firsts = sorted(
            (_cost(level, clock), x) for x, level in out.items() if x not in avoid
        )
        for first, x in firsts:
            if len(found) == k and first + floor >= -found[0][0]:
                break
            if x == target:
                continue
            rest = self._best_rest(x, last, clock, max_hops)
            if rest is not None:
                _keep(found, k, first + rest[0], (source, x, *rest[1], target))

    def _best_rest(self, x, last, clock, max_hops) -> tuple[float, tuple] | None:
        """The cheapest way on from x to the target: directly, or through one
        y among the target's connections (the meet in the middle)."""
        best = (last[x], ()) if x in last else None
        if max_hops < 3:
            return best
        onward = self._adj[x]
        for y in onward.keys() & last.keys():
            cost = _cost(onward[y], clock) + last[y]
            if best is None or cost < best[0]:
                best = (cost, (y,))
        return best

    def _warm_path(self, members: tuple[int, ...], clock: float) -> WarmPath:
        strengths = tuple(
            _strength(self._adj[a][b], clock) for a, b in pairwise(members)
        )
        return WarmPath(members, math.prod(strengths), strengths)

    def within_two_degrees(self, a: int, b: int) -> bool:
        """Whether b is a's connection or a connection of one: whom a
        context's nudges reach (`context_nudges`, `_path_to`)."""
        out, back = self._adj.get(a), self._adj.get(b)
        if a == b or not out or not back:
            return False
        return b in out or not out.keys().isdisjoint(back.keys())

    def mutual_connections(
        self, a: int, b: int, now: datetime | None = None
    ) -> list[int]:
        """The members connected to both a and b: by id, or, given `now`,
        strongest first (by the product of both ties)."""
        out, back = self._adj.get(a, {}), self._adj.get(b, {})
        mutual = out.keys() & back.keys()
        if now is None:
            return sorted(mutual)
        clock = self._clock(now)

        def warmth_of(m: int) -> tuple[float, int]:
            return (-_strength(out[m], clock) * _strength(back[m], clock), m)

        return sorted(mutual, key=warmth_of)

    def intro_paths(
        self,
        source: int,
        target: int,
        now: datetime,
        k: int = 3,
        avoid: Collection[int] = (),
    ) -> list[WarmPath]:
        """The ways to ask for an intro to `target`, in the order a person
        would try them: through a mutual connection first (two hops, the
        warmest first), then three-hop paths through others. Unlike
        `warm_paths`, a mutual connection is always offered as the two-hop
        path it is, never as a longer detour that happens to be warmer: the
        profile shows them as mutuals, and one of them is asked for the intro.
        Empty when the two are connected or further than three hops apart."""
        if _member(source, "source") == _member(target, "target"):
            raise InvalidInput("Source and target are the same member.", "target")
        k = _bounded(k, 1, MAX_ALTERNATIVES, "k")
        out, into = self._adj.get(source), self._adj.get(target)
        if not out or not into or target in out or target in avoid:
            return []
        clock = self._clock(now)
        mutual = [m for m in out.keys() & into.keys() if m not in avoid]
        two = sorted((_cost(out[m], clock) + _cost(into[m], clock), m) for m in mutual)
        found = [self._warm_path((source, m, target), clock) for _, m in two[:k]]
        if len(found) < k:
            longer = self.warm_paths(
                source, target, now, 3, min(MAX_ALTERNATIVES, k + len(mutual)), avoid
            )
            taken = set(mutual)
            found += [p for p in longer if p.hops == 3 and p.first_hop not in taken]
        return found[:k]

    # ----------------------------------------------------------------- who to ask

    def who_to_ask(
        self,
        member: int,
        request_tags: Iterable[str],
        now: datetime,
        limit: int = 10,
        exclude: Collection[int] = (),
    ) -> list[Candidate]:
        """First- and second-degree members ranked for a request with these
        tags: expertise match, path strength, give propensity, availability
        and IOUs they owe me (weights in ASK_WEIGHTS). Only people whose
        expertise shares a tag with the request are candidates."""
        member = _member(member)
        tags = _tag_set(request_tags)
        if not tags:
            raise InvalidInput("Say what the help is about: at least one tag.", "tags")
        limit = _bounded(limit, 1, MAX_RESULTS, "limit")
        able = self._experts_in(tags)
        reach = self._reach(member, able, self._clock(now)) if able else {}
        for excluded in exclude:
            reach.pop(excluded, None)
        scored = ((self._ask_score(member, tags, c, r), c) for c, r in reach.items())
        top = heapq.nlargest(limit, scored, key=lambda pair: (pair[0], -pair[1]))
        return [self._candidate(member, tags, c, reach[c], s) for s, c in top]

    def _experts_in(self, tags: frozenset[str]) -> set[int]:
        holders = [self._experts[t] for t in tags if t in self._experts]
        return set().union(*holders) if holders else set()

    def who_else_to_ask(
        self,
        member: int,
        request_tags: Iterable[str],
        now: datetime,
        limit: int = 5,
        exclude: Collection[int] = (),
    ) -> list[Candidate]:
        """The best people to ask *beyond* my two degrees -- everyone, for a
        newcomer with no connections: expertise match first, then give
        propensity and availability (BEYOND_WEIGHTS); degree 3, no path."""
        member = _member(member)
        tags = _tag_set(request_tags)
        if not tags:
            raise InvalidInput("Say what the help is about: at least one tag.", "tags")
        limit = _bounded(limit, 1, MAX_RESULTS, "limit")
        able = self._experts_in(tags) - {member} - set(exclude)
        near = self._reach(member, able, self._clock(now)) if able else {}
        scored = ((self._beyond_score(tags, c), c) for c in able - near.keys())
        top = heapq.nlargest(limit, scored, key=lambda pair: (pair[0], -pair[1]))
        return [
            self._candidate(member, tags, c, (0.0, None), s, degree=3) for s, c in top
        ]

    def _beyond_score(self, tags: frozenset[str], candidate: int) -> float:
        w = BEYOND_WEIGHTS
        return (
            w["expertise"] * len(tags & self._expertise[candidate]) / len(tags)
            + w["gives"] * self._give_propensity(candidate)
            + w["available"] * AVAILABILITY_SCORE[self.availability(candidate)]
        )

    def _reach(
        self, member: int, wanted: set[int], clock: float
    ) -> dict[int, tuple[float, int | None]]:
        """Each wanted member within two degrees: the strength of the warmest
        path to them (one or two hops) and its middle member (None if direct)."""
        out = self._adj.get(member)
        if not out:
            return {}
        reach = {c: (_strength(out[c], clock), None) for c in out.keys() & wanted}
        for x, level in out.items():
            onward = self._adj[x]
            hits = onward.keys() & wanted
            if not hits:
                continue
            first = _strength(level, clock)
            for c in hits:
                if c == member or c in out:
                    continue
                path = first * _strength(onward[c], clock)
                known = reach.get(c)
                if known is None or path > known[0]:
                    reach[c] = (path, x)
        return reach

    def _give_propensity(self, member: int) -> float:
        """Share of help given among help given and received, smoothed so a
        newcomer with no history sits at one half."""
        given, received = self.give_counts(member)
        return (given + 1) / (given + received + 2)

    def _ask_score(self, me: int, tags, candidate: int, reach) -> float:
        w = ASK_WEIGHTS
        match = len(tags & self._expertise[candidate]) / len(tags)
        owed = min(self.owed_to(me, candidate), OWED_ENOUGH) / OWED_ENOUGH
        return (
            w["expertise"] * match
            + w["path"] * reach[0]
            + w["gives"] * self._give_propensity(candidate)
            + w["available"] * AVAILABILITY_SCORE[self.availability(candidate)]
            + w["owes_me"] * owed
        )

    def _candidate(self, me, tags, member, reach, score, degree=None) -> Candidate:
        path, via = reach
        degree = degree or (1 if via is None else 2)
        given, received = self.give_counts(member)
        availability = self.availability(member)
        owes = self.owed_to(me, member)
        matched = tuple(sorted(tags & self._expertise[member]))
        reasons = [f"knows {humanize(matched)}"]
        if degree == 1:
            reasons.append(f"a direct connection (strength {path:.2f})")
        elif degree == 2:
            reasons.append(f"2nd degree, through a mutual connection ({path:.2f})")
        else:
            reasons.append("not in your network yet")
        if given > received:
            reasons.append(f"gives more than receives ({given} given, {received} got)")
        reasons.append(AVAILABILITY_REASON[availability])
        if owes:
            reasons.append(f"owes you {owes} favour{'s' if owes > 1 else ''}")
        return Candidate(
            member_id=member,
            score=score,
            degree=degree,
            via_id=via,
            path_strength=path,
            matched_tags=matched,
            given=given,
            received=received,
            give_propensity=self._give_propensity(member),
            availability=availability,
            owes_me=owes,
            reasons=tuple(reasons),
        )

    # ----------------------------------------------------------------- nudges

    def context_nudges(
        self,
        member: int,
        contexts: Iterable[ContextSignal],
        now: datetime,
        limit: int = 10,
        skip: Collection[str] = (),
    ) -> list[Nudge]:
        """The contexts of people within two degrees that fit my expertise,
        best first: "Priya is organizing SaaS Summit 2027 -- you know SaaS
        marketing". `skip` holds nudge keys dismissed or snoozed."""
        member = _member(member)
        limit = _bounded(limit, 1, MAX_RESULTS, "limit")
        mine = self._expertise.get(member)
        if not mine:
            return []
        clock, today = self._clock(now), now.date()
        scored = []
        for signal in contexts:
            fit = signal.tags & mine
            if not fit or signal.member_id == member or signal.is_over(today):
                continue
            if f"context:{signal.id}" in skip:
                continue
            reach = self._path_to(member, signal.member_id, clock)
            if reach is not None:
                score = context_score(
                    context_fit(signal.tags, mine),
                    closeness(1 if reach[1] is None else 2, reach[0]),
                    urgency(signal, today),
                )
                scored.append((score, -signal.id, signal, fit, reach))
        top = heapq.nlargest(limit, scored, key=lambda row: row[:2])
        return [
            _nudge(signal, fit, reach, score) for score, _, signal, fit, reach in top
        ]

    def _path_to(
        self, member: int, other: int, clock: float
    ) -> tuple[float, int | None] | None:
        """The warmest path of one or two hops to `other`: (strength, middle
        member or None), or None when `other` is further away."""
        out, back = self._adj.get(member), self._adj.get(other)
        if not out or not back:
            return None
        if other in out:
            return _strength(out[other], clock), None
        best = None
        for x in out.keys() & back.keys():
            path = _strength(out[x], clock) * _strength(back[x], clock)
            if best is None or path > best[0] or (path == best[0] and x < best[1]):
                best = (path, x)
        return best

    # ----------------------------------------------------------------- communities

    def communities(
        self,
        now: datetime,
        members: Iterable[int] | None = None,
        tag_weight: float = 0.25,
        resolution: float = 1.0,
        seed: int = 6,
        min_size: int = 3,
        name_tags: int = 3,
    ) -> list[Community]:
        """Micro-networks: Louvain communities (fixed seed, so the same graph
        gives the same answer) over the connections among `members` (all by
        default), each edge weighted by its strength plus `tag_weight` per tag
        the two share. Largest first, each named by its telling tags. Run it
        off-line or on part of the graph: it visits every edge it is given."""
        graph = self._weighted_graph(now, members, tag_weight)
        if graph.number_of_edges() == 0:
            return []
        parts = nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed
        )
        everyone = Counter(tag for m in graph for tag in self.tags(m))
        found = [
            self._community(frozenset(p), everyone, name_tags)
            for p in parts
            if len(p) >= min_size
        ]
        found.sort(key=lambda c: (-len(c.members), min(c.members)))
        return found

    def _weighted_graph(self, now, members, tag_weight) -> nx.Graph:
        chosen = None if members is None else set(members)
        clock = self._clock(now)
        graph = nx.Graph()
        for a, out in self._adj.items():
            if chosen is not None and a not in chosen:
                continue
            graph.add_node(a)
            mine = self.tags(a)
            for b, level in out.items():
                if b < a and (chosen is None or b in chosen):
                    shared = len(mine & self.tags(b))
                    weight = _strength(level, clock) + tag_weight * shared
                    graph.add_edge(a, b, weight=weight)
        return graph

    def _community(self, members, everyone: Counter, name_tags: int) -> Community:
        """Named by the tags most concentrated in it: common inside, rare
        outside (count inside x share of all holders who are inside)."""
        inside = Counter(tag for m in members for tag in self.tags(m))
        ranked = sorted(
            (tag for tag, n in inside.items() if n >= 2 or len(members) < 4),
            key=lambda tag: (-inside[tag] * inside[tag] / everyone[tag], tag),
        )
        top = tuple(ranked[:name_tags])
        name = " · ".join(top) if top else f"{len(members)} members"
        return Community(members, top, name)


# --------------------------------------------------------------------------- helpers


def _keep(found: list, k: int, cost: float, path: tuple[int, ...]) -> None:
    """Keep the k cheapest (cost, path) in a heap whose top is the worst."""
    entry = (-cost, path)
    if len(found) < k:
        heapq.heappush(found, entry)
    elif entry > found[0]:
        heapq.heapreplace(found, entry)


def context_fit(asked: Collection[str], expertise: Collection[str]) -> float:
    """How well someone's expertise fits what a context asks for, in 0..1:
    0 when none of it, FIT_FLOOR for one thing of many, 1 for all of it."""
    if not asked:
        return 0.0
    known = len(set(asked) & set(expertise))
    return 0.0 if not known else FIT_FLOOR + (1 - FIT_FLOOR) * known / len(asked)


def is_strong_fit(fit: float) -> bool:
    """Fit enough to tell the person when the context is posted."""
    return fit >= STRONG_FIT - 1e-9


def closeness(degree: int, path_strength: float) -> float:
    """How close the context's owner is, in 0..1: any direct connection
    (however cold) before anyone two steps away."""
    strength = min(1.0, max(0.0, path_strength))
    if degree == 1:
        return DIRECT_CLOSENESS + (1 - DIRECT_CLOSENESS) * strength
    return DIRECT_CLOSENESS * strength


def context_score(fit: float, near: float, soon: float) -> float:
    """A context nudge's score in 0..1 (NUDGE_WEIGHTS): fit dominates."""
    w = NUDGE_WEIGHTS
    return w["fit"] * fit + w["closeness"] * near + w["soon"] * soon


def urgency(signal: ContextSignal, today: date) -> float:
    """1 when it is happening now, fading to 0 for a start SOON_DAYS away;
    an undated context sits in between."""
    if signal.starts_on is None:
        return UNDATED_URGENCY
    days = (signal.starts_on - today).days
    return 1.0 if days <= 0 else max(0.0, 1.0 - days / SOON_DAYS)


def _nudge(signal: ContextSignal, fit, reach, score: float) -> Nudge:
    path, via = reach
    matched = tuple(sorted(fit))
    how_well = context_fit(signal.tags, fit)
    return Nudge(
        key=f"context:{signal.id}",
        context_id=signal.id,
        owner_id=signal.member_id,
        score=score,
        degree=1 if via is None else 2,
        via_id=via,
        path_strength=path,
        matched_tags=matched,
        reason=f"{describe(signal)} — you know {humanize(matched)}",
        fit=how_well,
        asked=len(signal.tags),
        strong=is_strong_fit(how_well),
    )


# --------------------------------------------------------------------------- words


def warmth_label(strength: float) -> str:
    """A tie's or a path's strength in a word: Warm, Steady or Cool."""
    return "Warm" if strength >= WARM else "Steady" if strength >= STEADY else "Cool"


def intro_reason(names: Sequence[str], strengths: Sequence[float]) -> str:
    """Why a way to someone ranks where it does, in words. `names` are the
    people after me along the path, the target last; `strengths` its ties.

    "2 hops via Marcus, who talks to both of you often";
    "3 hops: via Marcus, then Priya, who knows Dana"."""
    if len(names) != len(strengths) or not 2 <= len(names) <= MAX_HOPS:
        raise InvalidInput("A path to explain has two or three hops.", "path")
    via, target = names[0], names[-1]
    if len(names) == 3:
        return f"3 hops: via {via}, then {names[1]}, who knows {target}"
    to_me, to_them = strengths
    if to_me >= WARM and to_them >= WARM:
        how = "who talks to both of you often"
    elif to_me >= WARM:
        how = f"who knows you well, and {target} less so"
    elif to_them >= WARM:
        how = f"who talks to {target} often"
    elif min(to_me, to_them) >= STEADY:
        how = "who knows you both"
    else:
        how = "who knows you both, though neither tie is warm right now"
    return f"2 hops via {via}, {how}"
