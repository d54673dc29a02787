"""Demo data: `python -m marketplace seed` writes a believable network.

`seed_network` first *plans* everything in memory, from the data files in
demo/data/ and seeded random draws, then writes what is missing, in order:

- the members and their connections (members.py: the demo accounts and
  generated members, deterministic and prefix-stable, so a re-run adds
  nothing and a larger `members` adds only the new tail). Three demo
  accounts have a verified work address (their profile's "Verified at").
  Writes are batched (members by `add_all` + flush, tags and connections as
  bulk inserts) so thousands of members take seconds. The shared demo
  password is hashed once: argon2 is deliberately slow and every demo member
  may share it;
- every seeded member's trust (trust.py: a planned score, for those who have
  none yet) and so their credit limit: karma is mutual credit, members start
  at zero and pay for help on credit (docs/design/karma-trust.md);
- the wallets' history (karma.py): operator grants, gifts from earned karma,
  payments for help on credit and one open hold, each with a fixed transfer
  id, through the ledger;
- demo IOUs and the clearing of their loop (ious.py);
- the marketplace (market.py): listings, engagements in every state, threads
  and reviews of the past month, through the real services. `ops` is the
  demo operator who resolves disputes;
- last the relationship graph (graph.py): warmth from the history before
  that month, contexts that fill the demo accounts' nudges, two groups.

Like every service it never commits; run it inside `db.unit_of_work()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, insert, select

from marketplace.adapters.clock import Clock, FixedClock, system_clock
from marketplace.adapters.passwords import hash_password
from marketplace.demo.calls import seed_calls
from marketplace.demo.contacts import seed_contacts
from marketplace.demo.graph import GraphReport, seed_graph
from marketplace.demo.integrity import (
    IntegrityReport,
    plan_ring,
    plan_vouches,
    seed_integrity,
)
from marketplace.demo.invitations import seed_invitations
from marketplace.demo.ious import seed_ious
from marketplace.demo.karma import HOLD_SECONDS, KarmaMove, plan_karma
from marketplace.demo.market import MarketReport, plan_demo_market, seed_market
from marketplace.demo.members import (
    DEMO_HANDLES,
    DEMO_PASSWORD,
    MAX_MEMBERS,
    Link,
    MemberSpec,
    NetworkPlan,
    plan_network,
)
from marketplace.demo.moderation import seed_reports
from marketplace.demo.privacy import seed_privacy
from marketplace.demo.talk import seed_talk
from marketplace.demo.touchpoints import seed_touchpoints
from marketplace.demo.trust import CreditTerms, seed_trust
from marketplace.domain.errors import InvalidInput
from marketplace.inbox import outbox
from marketplace.ledger import ledger
from marketplace.models import (
    Connection,
    LedgerTransfer,
    Member,
    MemberTag,
)

BATCH_SIZE = 500
WORK_VERIFIED_AFTER = timedelta(days=1)
Progress = Callable[[int, int], None]


@dataclass
class SeedReport:
    members_created: int = 0
    members_existing: int = 0
    connections_created: int = 0
    # A planned handle or email already used by somebody who is not demo data.
    members_skipped: int = 0
    # Active seeded members whose email is verified (all of them: the demo
    # stands for people who joined long ago), and any that are not.
    members_verified: int = 0
    members_unverified: int = 0
    # Planned trust scores written for seeded members who had none.
    trust_scores_created: int = 0
    # Demo gifts, payments for help, operator grants and the open hold
    # written by this run.
    transfers_created: int = 0
    # Planned moves whose giver no longer has the karma (spent it in the app).
    transfers_skipped: int = 0
    # Demo IOUs written by this run (and the clearing of their loop).
    ious_created: int = 0
    # Demo listings, engagements, messages and reviews written by this run.
    market: MarketReport = field(default_factory=MarketReport)
    # Demo interactions, contexts and groups written by this run.
    graph: GraphReport = field(default_factory=GraphReport)
    # The planted review ring and the demo's vouches written by this run.
    integrity: IntegrityReport = field(default_factory=IntegrityReport)
    demo_handles: list[str] = field(default_factory=list)


# -------------------------------------------------------------------- the service


def seed_network(
    session: Session,
    *,
    members: int,
    seed: int = 7,
    progress: Progress | None = None,
    clock: Clock = system_clock,
) -> SeedReport:
    """Make sure the demo accounts and the first `members` generated members of
    the plan for `seed` exist, connected; add only what is missing."""
    if isinstance(members, bool) or not isinstance(members, int):
        raise InvalidInput("Number of members must be a whole number.", "members")
    if not 1 <= members <= MAX_MEMBERS:
        raise InvalidInput(
            f"Number of members must be between 1 and {MAX_MEMBERS}, got {members}.",
            "members",
        )
    plan = plan_network(members, seed)
    terms = CreditTerms.from_settings()
    moves = plan_karma(seed, terms)
    market = plan_demo_market(seed, terms, moves)
    steps = 2 * len(plan.members) + len(plan.links) + len(moves) + len(market)
    tick = _Ticker(steps, progress)
    report = SeedReport(demo_handles=list(DEMO_HANDLES))
    mails_before = outbox.last_id(session)
    ids = _ensure_members(session, plan.members, clock.now(), report, tick)
    report.members_verified, report.members_unverified = _verified(session, ids)
    report.connections_created = _ensure_links(
        session, plan.links, ids, clock.now(), tick
    )
    report.trust_scores_created = seed_trust(session, plan.members, ids, clock.now())
    tick(len(plan.members))
    _ensure_moves(session, moves, ids, clock.now(), report, tick)
    generated = [
        spec.handle for spec in plan.members if spec.handle not in DEMO_HANDLES
    ]
    # weeks before the market's month, so the inbox's ids still follow time
    report.integrity = _seed_integrity(session, plan, ids, clock)
    report.ious_created = seed_ious(session, ids, generated[:3], clock)
    seed_privacy(session, ids, generated[3:6], clock)
    report.market = seed_market(session, market, ids, clock, tick)
    report.graph = seed_graph(session, plan, moves, ids, seed, clock)
    seed_reports(session, ids, clock)  # reports waiting on the moderation desk
    seed_talk(session, ids, clock)  # conversations, a message request (talk.py)
    # priya's network from elsewhere: her LinkedIn export, invitations to
    # those not here yet, conversations logged and private notes
    seed_contacts(session, ids, clock)
    seed_invitations(session, ids, clock)
    seed_touchpoints(session, clock)
    # help on a calendar: hours, call offers, calls booked this week
    seed_calls(session, clock)
    # the demo's story happened before anyone could read mail: no alert
    # emails for it (they would go to demo addresses nobody reads)
    outbox.discard_after(session, mails_before)
    session.flush()
    return report


def _seed_integrity(
    session: Session, plan: NetworkPlan, ids: dict[str, int], clock: Clock
) -> IntegrityReport:
    """The planted review ring (two accounts of its own, apart from the
    network plan, so no story casts them) and the demo's vouches."""
    ring = plan_ring()
    joined = SeedReport()  # the ring's accounts aren't the network's members
    quiet = _Ticker(0, None)
    ring_ids = _ensure_members(session, list(ring.members), clock.now(), joined, quiet)
    everyone = ids | ring_ids
    _ensure_links(session, list(ring.links), everyone, clock.now(), quiet)
    seed_trust(session, list(ring.members), ring_ids, clock.now())
    report = seed_integrity(session, ring, plan_vouches(plan), everyone, clock)
    report.ring_members_created = joined.members_created
    return report


class _Ticker:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def __call__(self, count: int) -> None:
        self.done = min(self.total, self.done + count)
        if self.progress is not None:
            self.progress(self.done, self.total)


def _ensure_members(
    session: Session,
    specs: list[MemberSpec],
    now: datetime,
    report: SeedReport,
    tick: _Ticker,
) -> dict[str, int]:
    """Insert the planned members that are missing; return handle -> id for
    every planned member that is (now) in the database as demo data."""
    ids: dict[str, int] = {}
    password_hash: str | None = None
    for batch in _chunks(specs, BATCH_SIZE):
        by_handle, emails_taken = _existing(session, batch)
        new: list[tuple[MemberSpec, Member]] = []
        for spec in batch:
            found = by_handle.get(spec.handle)
            if found is not None and found[1] == spec.email:
                ids[spec.handle] = found[0]
                report.members_existing += 1
            elif found is not None or spec.email in emails_taken:
                report.members_skipped += 1
            else:
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                new.append((spec, _member_row(spec, password_hash, now)))
        session.add_all([row for _, row in new])
        session.flush()
        ids.update({spec.handle: row.id for spec, row in new})
        _insert_tags(session, [(spec, row.id) for spec, row in new])
        report.members_created += len(new)
        tick(len(batch))
    return ids


def _verified(session: Session, ids: dict[str, int]) -> tuple[int, int]:
    """(verified, unverified) among the seeded members who are active: what
    the summary tells, so nobody exploring as one is stopped at "verify your
    email first"."""
    verified = unverified = 0
    for batch in _chunks(list(ids.values()), BATCH_SIZE):
        rows = session.exec(
            select(Member.email_verified_at).where(
                col(Member.id).in_(batch), Member.status == "active"
            )
        ).all()
        done = sum(1 for at in rows if at is not None)
        verified, unverified = verified + done, unverified + len(rows) - done
    return verified, unverified


def _existing(
    session: Session, batch: Sequence[MemberSpec]
) -> tuple[dict[str, tuple[int, str]], set[str]]:
    handles = [s.handle for s in batch]
    emails = [s.email for s in batch]
    by_handle = {
        handle: (member_id, email)
        for member_id, handle, email in session.exec(
            select(Member.id, Member.handle, Member.email).where(
                col(Member.handle).in_(handles)
            )
        )
    }
    taken = set(session.exec(select(Member.email).where(col(Member.email).in_(emails))))
    return by_handle, taken


def _member_row(spec: MemberSpec, password_hash: str, now: datetime) -> Member:
    joined = now - timedelta(days=spec.joined_days_ago)
    work_verified = joined + WORK_VERIFIED_AFTER if spec.work_email else None
    return Member(
        handle=spec.handle,
        email=spec.email,
        display_name=spec.display_name,
        headline=spec.headline,
        bio=spec.bio,
        location=spec.location,
        timezone=spec.timezone,
        availability=spec.availability,
        password_hash=password_hash,
        status="active",
        is_operator=spec.is_operator,
        # Demo members are verified: they stand for people who joined long
        # ago, and a newcomer exploring as one of them must be able to post.
        email_verified_at=joined,
        # verified the day after joining, where the plan gives one
        work_email=spec.work_email or None,
        work_email_verified_at=work_verified,
        created_at=joined,
        updated_at=joined,
    )


def _insert_tags(session: Session, members: list[tuple[MemberSpec, int]]) -> None:
    rows = [
        {"member_id": member_id, "kind": kind, "tag": tag}
        for spec, member_id in members
        for kind, tags in (
            ("give", spec.give),
            ("get", spec.get),
            ("background", spec.background),
        )
        for tag in tags
    ]
    if rows:
        session.exec(insert(MemberTag), params=rows)


def _ensure_links(
    session: Session,
    links: list[Link],
    ids: dict[str, int],
    now: datetime,
    tick: _Ticker,
) -> int:
    """Insert the planned connections between seeded members not yet connected
    in either direction (whatever the status: a block is never overwritten)."""
    connected = _connected_pairs(session, list(ids.values()))
    created = 0
    for batch in _chunks(links, BATCH_SIZE):
        rows = []
        for link in batch:
            a, b = ids.get(link.requester), ids.get(link.addressee)
            if a is None or b is None or frozenset((a, b)) in connected:
                continue
            connected.add(frozenset((a, b)))
            rows.append(_connection_row(a, b, link, now))
        if rows:
            session.exec(insert(Connection), params=rows)
        created += len(rows)
        tick(len(batch))
    return created


def _connected_pairs(session: Session, member_ids: list[int]) -> set[frozenset[int]]:
    # Every pair touching a seeded member has a seeded requester or addressee;
    # querying both columns per chunk finds it whichever way it points.
    pairs: set[frozenset[int]] = set()
    for chunk in _chunks(member_ids, BATCH_SIZE):
        for column in (Connection.requester_id, Connection.addressee_id):
            rows = session.exec(
                select(Connection.requester_id, Connection.addressee_id).where(
                    col(column).in_(chunk)
                )
            )
            pairs.update(frozenset(row) for row in rows)
    return pairs


def _connection_row(a: int, b: int, link: Link, now: datetime) -> dict:
    asked = now - timedelta(days=link.days_ago)
    # Accepted a few hours to a few days later, never in the future.
    answered = min(now, asked + timedelta(hours=2 + (a * 31 + b) % 70))
    return {
        "requester_id": a,
        "addressee_id": b,
        "status": "accepted",
        "note": link.note,
        "created_at": asked,
        "responded_at": answered,
    }


# ------------------------------------------------------------------------ karma


def _ensure_moves(
    session: Session,
    moves: list[KarmaMove],
    ids: dict[str, int],
    now: datetime,
    report: SeedReport,
    tick: _Ticker,
) -> None:
    """Write the planned moves between seeded members that are not there yet."""
    done = set(
        session.exec(
            select(LedgerTransfer.transfer_key).where(
                col(LedgerTransfer.transfer_key).in_([m.key for m in moves])
            )
        )
    )
    for move in moves:
        tick(1)
        seeded = move.receiver in ids and (move.giver is None or move.giver in ids)
        if move.key in done or not seeded:
            continue
        if not _can_pay(session, move, ids):
            report.transfers_skipped += 1
            continue
        _write_move(session, move, ids, now)
        report.transfers_created += 1


def _can_pay(session: Session, move: KarmaMove, ids: dict[str, int]) -> bool:
    # The plan keeps every giver within the ledger's rule; this guards a giver
    # who has since spent karma in the app (the ledger would refuse, rolling
    # back the whole seed, so check first and skip the move).
    if move.giver is None:
        return True
    totals = ledger.totals(session, ledger.member_account(session, ids[move.giver]))
    if move.kind == "gift":
        return totals.can_give(move.amount)
    return totals.can_debit(move.amount)


def _write_move(
    session: Session, move: KarmaMove, ids: dict[str, int], now: datetime
) -> None:
    clock = FixedClock(now - timedelta(days=move.days_ago))
    if move.kind == "grant":
        ledger.grant(
            session,
            handle=move.receiver,
            amount=move.amount,
            memo=move.memo,
            key=move.key,
            clock=clock,
        )
    elif move.kind == "gift":
        ledger.give_karma(
            session,
            actor_id=ids[move.giver],
            to_handle=move.receiver,
            amount=move.amount,
            memo=move.memo,
            key=move.key,
            clock=clock,
        )
    else:
        ledger.hold(
            session,
            key=move.key,
            debit_account_id=ledger.member_account(session, ids[move.giver]),
            credit_account_id=ledger.member_account(session, ids[move.receiver]),
            amount=move.amount,
            timeout_seconds=HOLD_SECONDS,
            code="engagement",
            memo=move.memo,
            clock=clock,
        )
        if move.kind == "help":  # help paid for: confirmed at once
            ledger.post_hold(
                session, key=f"{move.key}:post", hold_key=move.key, clock=clock
            )


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
