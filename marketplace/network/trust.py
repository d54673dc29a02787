"""Trust over the relationship graph: how far the network vouches, as a
whole, for each member (docs/design/karma-trust.md). Scores are computed in
the background and stored in `member_trust`; everything that trust bounds
(credit limits, intro rewards, how much a review counts) reads them here.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, func
from sqlmodel import Session, select

from marketplace import events
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import Status
from marketplace.domain.trust import Graph, edge_weight, sybil_rank
from marketplace.models import Connection, Engagement, Member, MemberTrust

# At or above this, a member counts as trusted: they may vouch, and help
# between two of them may earn their introducer a reward.
TRUSTED = 0.5


def score(session: Session, member_id: int) -> float:
    """The member's trust in [0, 1]; 0 for a member never scored."""
    row = session.get(MemberTrust, member_id)
    return row.score if row is not None else 0.0


def scores(session: Session, member_ids: Iterable[int]) -> dict[int, float]:
    """Trust of each of `member_ids` (0 for those never scored)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    found = dict(
        session.exec(
            select(MemberTrust.member_id, MemberTrust.score).where(
                MemberTrust.member_id.in_(wanted)
            )
        ).all()
    )
    return {member_id: found.get(member_id, 0.0) for member_id in wanted}


def is_trusted(session: Session, member_id: int) -> bool:
    return score(session, member_id) >= TRUSTED


# ---------------------------------------------------------------- computing it

SEED_TENURE = timedelta(days=90)
SEED_COUNTERPARTS = 3  # distinct people helped by, or helping, in confirmed work
REFRESH_EVERY = timedelta(hours=24)
SOON_AFTER = timedelta(minutes=5)  # a new tie waits at most this, and so on


@dataclass(frozen=True)
class TrustRun:
    """What a computation did, for the CLI and the logs."""

    members: int
    seeds: int
    median: float
    seconds: float


def recompute(session: Session, clock: Clock = system_clock) -> TrustRun:
    """Score every active member from the graph as it is now, and store it
    (one transaction: readers see the old scores or the new, never half)."""
    started = time.perf_counter()
    now = clock.now()
    ids = list(
        session.exec(
            select(Member.id).where(Member.status == "active").order_by(Member.id)
        )
    )
    index = {member_id: i for i, member_id in enumerate(ids)}
    pairs = _confirmed_pairs(session)
    edges = [
        (index[a], index[b], edge_weight(pairs.get((min(a, b), max(a, b)), 0)))
        for a, b in _accepted_ties(session)
        if a in index and b in index
    ]
    seeds = _seeds(session, index, pairs, now)
    graph = Graph(
        len(ids),
        np.array([e[0] for e in edges], dtype=np.int64),
        np.array([e[1] for e in edges], dtype=np.int64),
        np.array([e[2] for e in edges], dtype=np.float64),
    )
    found = sybil_rank(graph, np.array(sorted(seeds), dtype=np.int64))
    _store(session, ids, found, seeds, now)
    events.publish(session, "trust.recomputed", member_id=0)
    return TrustRun(
        len(ids),
        len(seeds),
        float(np.median(found)) if len(ids) else 0.0,
        time.perf_counter() - started,
    )


def _accepted_ties(session: Session) -> list[tuple[int, int]]:
    return list(
        session.exec(
            select(Connection.requester_id, Connection.addressee_id).where(
                Connection.status == "accepted"
            )
        )
    )


def _confirmed_pairs(session: Session) -> dict[tuple[int, int], int]:
    """Confirmed engagements per unordered pair of members."""
    rows = session.exec(
        select(Engagement.asker_id, Engagement.helper_id, func.count())
        .where(Engagement.status == str(Status.CONFIRMED))
        .group_by(Engagement.asker_id, Engagement.helper_id)
    )
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for asker, helper, count in rows:
        pairs[(min(asker, helper), max(asker, helper))] += count
    return pairs


def _seeds(
    session: Session,
    index: dict[int, int],
    pairs: dict[tuple[int, int], int],
    now: datetime,
) -> set[int]:
    """Operators, and members of long standing who worked with several
    different people: where trust starts (as node indexes)."""
    counterparts: dict[int, int] = defaultdict(int)
    for a, b in pairs:
        counterparts[a] += 1
        counterparts[b] += 1
    rows = session.exec(
        select(Member.id, Member.is_operator, Member.created_at).where(
            Member.status == "active"
        )
    )
    return {
        index[member_id]
        for member_id, operator, joined in rows
        if member_id in index
        and (
            operator
            or (
                now - joined >= SEED_TENURE
                and counterparts[member_id] >= SEED_COUNTERPARTS
            )
        )
    }


def _store(
    session: Session, ids: list[int], found, seeds: set[int], now: datetime
) -> None:
    session.exec(delete(MemberTrust))
    session.bulk_insert_mappings(
        MemberTrust,
        [
            {
                "member_id": member_id,
                "score": round(float(found[i]), 6),
                "seed": i in seeds,
                "computed_at": now,
            }
            for i, member_id in enumerate(ids)
        ],
    )


def due(session: Session, clock: Clock = system_clock) -> bool:
    """Whether the background should compute now: never computed, a day
    old, or a tie accepted since the last run (waiting SOON_AFTER between
    runs, so a burst of accepted invitations costs one computation)."""
    last = session.exec(select(func.max(MemberTrust.computed_at))).one()
    now = clock.now()
    if last is None or now - last >= REFRESH_EVERY:
        return True
    if now - last < SOON_AFTER:
        return False
    newest_tie = session.exec(
        select(func.max(Connection.responded_at)).where(Connection.status == "accepted")
    ).one()
    return newest_tie is not None and newest_tie > last
