"""Demo data: a believable network of members, their give/get tags and connections.

`seed_network` first *plans* the network in memory, then writes what is missing.

- The plan is deterministic for a seed and **prefix-stable**: member i is drawn
  from random streams that only members before it have consumed, so the first
  50 members of a 5,000-member plan are exactly the 50-member plan. That is what
  makes seeding idempotent and growable: a re-run finds every handle already
  there and adds nothing; a larger `members` adds only the new tail.
- Connections grow the same way (a community-aware Holme–Kim model): each new
  member links to ~4 earlier ones, mostly in its own domain and preferring
  well-connected people, often closing a triangle with a friend's friend. The
  result is clustered and small-world, average degree ~8, with a few hubs.
- Writes are batched (members by `add_all` + flush, tags and connections as bulk
  inserts) so thousands of members take seconds. The shared demo password is
  hashed once: argon2 is deliberately slow and every demo member may share it.
- Every seeded member gets a karma account and the signup grant, dated the day
  they joined, exactly as `ledger.grant_signup` would write it (same transfer
  id, so either path finds the other's grant), but in bulk.
- Then the wallets come alive: a couple of operator grants, a few dozen gifts
  between connected members, and for priya, marcus and lena karma received and
  given over the past months plus one open hold. Each move has a fixed transfer
  id (`seed-<seed>-gift-<n>`, ...) and is drawn from the first GIFT_POOL members
  only, so a re-run replays nothing new and a larger `members` changes no move.
  Nobody gives more than their signup grant plus operator grants, so no balance
  ever needs what someone else gave them.
- Then the marketplace (seed_market.py): listings, engagements in every state,
  threads and reviews of the past month, through the real services. `ops` is
  the demo operator who resolves disputes.
- Last the relationship graph (seed_graph.py): warmth from the history before
  that month (thank-you gifts, a year-old episode with a few of priya's ties
  that are now going cold), contexts that fill the demo accounts' nudges, and
  two explicit groups.

Like every service it never commits; run it inside `db.unit_of_work()`.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import networkx as nx
from faker import Faker
from sqlmodel import Session, col, insert, select, update

from marketplace.adapters.clock import Clock, FixedClock, system_clock
from marketplace.adapters.passwords import hash_password
from marketplace.demo.seed_graph import GraphReport, seed_graph
from marketplace.demo.seed_ious import seed_ious
from marketplace.demo.seed_market import (
    MARKET_POOL,
    ListingPlan,
    MarketReport,
    plan_market,
    seed_market,
)
from marketplace.domain.accounts import (
    HANDLE_MAX,
    RESERVED_HANDLES,
    normalize_handle,
)
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import KARMA, Kind
from marketplace.domain.taxonomy import (
    BIO_CLOSERS,
    BIO_OPENERS,
    CITIES,
    COMPANIES,
    DOMAINS,
    INDUSTRIES,
    SCHOOLS,
    City,
    skill_label,
)
from marketplace.ledger import ledger
from marketplace.models import (
    Connection,
    LedgerAccount,
    LedgerTransfer,
    Member,
    MemberTag,
)
from marketplace.settings import get_settings

DEMO_PASSWORD = "karma-demo-2026"
EMAIL_DOMAIN = "example.com"
MAX_MEMBERS = 200_000
BATCH_SIZE = 500
CONNECTION_WINDOW_DAYS = 730  # connections are spread over the past two years
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MemberSpec:
    """One member of the plan, before it has a database id."""

    handle: str
    display_name: str
    headline: str
    bio: str
    location: str
    timezone: str
    availability: str
    domain: str
    give: tuple[str, ...]
    get: tuple[str, ...]
    background: tuple[str, ...]
    joined_days_ago: float
    is_operator: bool = False

    @property
    def email(self) -> str:
        return f"{self.handle}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Link:
    """An accepted connection: `requester` asked, `addressee` accepted."""

    requester: str
    addressee: str
    days_ago: float
    note: str = ""


@dataclass(frozen=True)
class NetworkPlan:
    members: list[MemberSpec]
    links: list[Link]


@dataclass
class SeedReport:
    members_created: int = 0
    members_existing: int = 0
    connections_created: int = 0
    # A planned handle or email already used by somebody who is not demo data.
    members_skipped: int = 0
    signup_grants_created: int = 0
    # Demo gifts, operator grants and the open hold written by this run.
    transfers_created: int = 0
    # Planned moves whose giver no longer has the karma (spent it in the app).
    transfers_skipped: int = 0
    # Demo IOUs written by this run (and the clearing of their loop).
    ious_created: int = 0
    # Demo listings, engagements, messages and reviews written by this run.
    market: MarketReport = field(default_factory=MarketReport)
    # Demo interactions, contexts and groups written by this run.
    graph: GraphReport = field(default_factory=GraphReport)
    demo_handles: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ demo accounts

DEMO_MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec(
        handle="priya",
        display_name="Priya Raman",
        headline="Organizer of Northstar SaaS Summit · B2B marketing & community",
        bio="I run marketing at a B2B analytics startup and organize Northstar "
        "SaaS Summit, a 1,500-person conference for SaaS founders. Happy to help "
        "with B2B SEO, positioning and community; this year I need help selling "
        "sponsorships and running event logistics.",
        location="Toronto, Canada",
        timezone="America/Toronto",
        availability="open",
        domain="marketing",
        give=(
            "event-marketing",
            "community-building",
            "b2b-seo",
            "positioning",
            "demand-generation",
        ),
        get=("sponsorship-sales", "event-operations", "video-production"),
        background=("hubspot", "saas", "university-of-toronto"),
        joined_days_ago=700,
    ),
    MemberSpec(
        handle="marcus",
        display_name="Marcus Webb",
        headline="Founding engineer at a developer-tools startup · raising our seed",
        bio="I build the backend and infrastructure of a small developer-tools "
        "company, after six years at Datadog. Glad to help with Python, Postgres "
        "and system design; I need help with our seed round and pitch deck.",
        location="Austin, USA",
        timezone="America/Chicago",
        availability="open",
        domain="engineering",
        give=("python", "postgresql", "system-design", "api-design", "kubernetes"),
        get=(
            "seed-fundraising",
            "pitch-deck-review",
            "investor-outreach",
            "financial-modeling",
        ),
        background=("datadog", "developer-tools", "carnegie-mellon"),
        joined_days_ago=650,
    ),
    MemberSpec(
        handle="lena",
        display_name="Lena Okafor",
        headline="Product designer · design systems for fintech",
        bio="I lead design systems for a fintech app in London, after four years "
        "at Monzo. I love reviewing onboarding flows and accessibility; I'm "
        "looking for advice on pricing and on contracts for freelance work.",
        location="London, UK",
        timezone="Europe/London",
        availability="limited",
        domain="design",
        give=(
            "product-design",
            "design-systems",
            "user-research",
            "figma",
            "accessibility",
        ),
        get=("pricing-strategy", "product-led-growth", "contract-review"),
        background=("monzo", "fintech", "central-saint-martins"),
        joined_days_ago=600,
    ),
    MemberSpec(
        handle="ops",
        display_name="Sam Whitfield",
        headline="Community operations at Karma · trust, safety and disputes",
        bio="I look after the Karma community: welcoming new members, answering "
        "questions and helping settle the rare engagement that goes wrong. Ask me "
        "anything about how karma, IOUs and holds work.",
        location="Toronto, Canada",
        timezone="America/Toronto",
        availability="open",
        domain="operations",
        give=(
            "support-operations",
            "conflict-resolution",
            "community-building",
            "process-design",
        ),
        get=("data-visualization", "no-code-automation"),
        background=("saas", "university-of-toronto"),
        joined_days_ago=720,
        is_operator=True,  # sees and resolves disputes
    ),
)
DEMO_HANDLES: tuple[str, ...] = tuple(m.handle for m in DEMO_MEMBERS)
# Which generated members each demo account knows: the first few of these domains.
_DEMO_CIRCLES = {
    "priya": ("marketing", "content", "fundraising", "sales", "operations"),
    "marcus": ("engineering", "data", "fundraising", "product"),
    "lena": ("design", "product", "content", "engineering", "legal"),
    "ops": ("operations", "people", "sales", "marketing", "legal"),
}
_DEMO_CIRCLE_SIZE = 12


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
    signup_karma = get_settings().signup_karma_grant
    moves = plan_karma(seed, signup_karma)
    market = plan_demo_market(seed, signup_karma, moves)
    steps = 2 * len(plan.members) + len(plan.links) + len(moves) + len(market)
    tick = _Ticker(steps, progress)
    report = SeedReport(demo_handles=list(DEMO_HANDLES))
    ids = _ensure_members(session, plan.members, clock.now(), report, tick)
    report.connections_created = _ensure_links(
        session, plan.links, ids, clock.now(), tick
    )
    report.signup_grants_created = _ensure_signup_grants(
        session, ids, signup_karma, tick
    )
    _ensure_moves(session, moves, ids, clock.now(), report, tick)
    generated = [
        spec.handle for spec in plan.members if spec.handle not in DEMO_HANDLES
    ]
    report.ious_created = seed_ious(session, ids, generated[:3], clock)
    report.market = seed_market(session, market, ids, clock, tick)
    report.graph = seed_graph(session, plan, moves, ids, seed, clock)
    session.flush()
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


def _ensure_signup_grants(
    session: Session, ids: dict[str, int], amount: int, tick: _Ticker
) -> int:
    """Give every seeded member who lacks it the signup grant; return how many."""
    if amount <= 0:  # grants switched off, as in ledger.grant_signup
        tick(len(ids))
        return 0
    source = ledger.system_account(session, ledger.SIGNUP_GRANT)
    granted = 0
    for chunk in _chunks(sorted(ids.values()), BATCH_SIZE):
        granted += _grant_chunk(session, chunk, source, amount)
        tick(len(chunk))
    return granted


def _signup_key(member_id: int) -> str:
    return f"signup-grant:{member_id}"  # the id ledger.grant_signup uses


def _grant_chunk(
    session: Session, member_ids: Sequence[int], source: int, amount: int
) -> int:
    keys = {_signup_key(m): m for m in member_ids}
    done = set(
        session.exec(
            select(LedgerTransfer.transfer_key).where(
                col(LedgerTransfer.transfer_key).in_(list(keys))
            )
        )
    )
    missing = [m for key, m in keys.items() if key not in done]
    if not missing:
        return 0
    joined = dict(
        session.exec(
            select(Member.id, Member.created_at).where(col(Member.id).in_(missing))
        ).all()
    )
    opened = set(
        session.exec(
            select(LedgerAccount.member_id).where(
                col(LedgerAccount.member_id).in_(missing),
                LedgerAccount.currency == KARMA,
            )
        )
    )
    for member_id in [m for m in missing if m in opened]:
        # An account but no grant (rare): the ledger's own path.
        clock = FixedClock(joined[member_id])
        ledger.grant_signup(session, member_id, amount=amount, clock=clock)
    fresh = [m for m in missing if m not in opened]
    if fresh:
        _bulk_signup_grants(session, fresh, joined, source, amount)
    return len(missing)


def _bulk_signup_grants(
    session: Session,
    member_ids: list[int],
    joined: dict[int, datetime],
    source: int,
    amount: int,
) -> None:
    """What ledger.grant_signup writes for a member without an account, for
    many members in four statements: open each account already holding the
    grant, record the transfers, debit the issuing account by their sum."""
    session.exec(
        insert(LedgerAccount),
        params=[_granted_account_row(m, joined[m], amount) for m in member_ids],
    )
    accounts = session.exec(
        select(LedgerAccount.member_id, LedgerAccount.id).where(
            col(LedgerAccount.member_id).in_(member_ids),
            LedgerAccount.currency == KARMA,
        )
    )
    transfers = [
        {
            "transfer_key": _signup_key(member_id),
            "debit_account_id": source,
            "credit_account_id": account_id,
            "amount": amount,
            "currency": KARMA,
            "kind": str(Kind.SINGLE),
            "pending_id": None,
            "expires_at": None,
            "code": "signup_grant",
            "memo": "Welcome to Karma",
            "created_at": joined[member_id],
        }
        for member_id, account_id in accounts
    ]
    session.exec(insert(LedgerTransfer), params=transfers)
    session.exec(
        update(LedgerAccount)
        .where(col(LedgerAccount.id) == source)
        .values(debits_posted=LedgerAccount.debits_posted + amount * len(transfers))
    )


def _granted_account_row(member_id: int, joined: datetime, amount: int) -> dict:
    return {
        "code": "member",
        "name": None,
        "member_id": member_id,
        "currency": KARMA,
        "debits_posted": 0,
        "credits_posted": amount,
        "debits_pending": 0,
        "credits_pending": 0,
        "credit_limit": 0,
        "cap": None,
        "created_at": joined,
    }


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
    # The plan keeps every giver within their grants; this guards a giver who
    # has since spent karma in the app (the ledger would refuse, rolling back
    # the whole seed, so check first and skip the gift).
    if move.giver is None:
        return True
    account = ledger.member_account(session, ids[move.giver])
    return ledger.totals(session, account).available >= move.amount


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


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ----------------------------------------------------------------------- the plan


def plan_network(members: int, seed: int = 7) -> NetworkPlan:
    """The demo accounts plus `members` generated members, and their links.

    Deterministic and prefix-stable in `members` (see the module docstring)."""
    generated = _MemberFactory(seed).make(members)
    graph = grow_graph(
        [spec.domain for spec in generated],
        [spec.joined_days_ago for spec in generated],
        seed,
    )
    links = [
        _link(generated[i], generated[j], graph.edges[i, j]["days_ago"])
        for i, j in graph.edges
    ]
    links += _demo_links(generated, seed)
    return NetworkPlan([*DEMO_MEMBERS, *generated], links)


def _link(newer: MemberSpec, older: MemberSpec, days_ago: float) -> Link:
    # The member who joined later is the one who asked to connect.
    note = _NOTES[zlib.crc32(f"{newer.handle}|{older.handle}".encode()) % len(_NOTES)]
    return Link(newer.handle, older.handle, days_ago, note)


_NOTES = (
    "",
    "",
    "",
    "",
    "Great meeting you at the meetup last week!",
    "Loved your talk — would be glad to stay in touch.",
    "We have a few friends in common; let's connect.",
    "Thanks for the help with my question the other day.",
)


def _demo_links(generated: list[MemberSpec], seed: int) -> list[Link]:
    """Demo accounts know each other and the first few members of their circles."""
    links = [
        Link("marcus", "priya", 540, "Met at Northstar SaaS Summit last year."),
        Link("lena", "priya", 500, "Thanks for the intro to the design track!"),
        Link("lena", "marcus", 420, ""),
        Link("priya", "ops", 690, "Thanks for the warm welcome to Karma!"),
        Link("marcus", "ops", 640, ""),
        Link("lena", "ops", 590, ""),
    ]
    for demo in DEMO_MEMBERS:
        circle = _DEMO_CIRCLES[demo.handle]
        known = [m for m in generated if m.domain in circle][:_DEMO_CIRCLE_SIZE]
        for member in known:
            # One stream per pair, so a pair's date never depends on `members`.
            rng = random.Random(f"{seed}:{member.handle}:{demo.handle}")
            span = min(CONNECTION_WINDOW_DAYS, demo.joined_days_ago)
            days = rng.uniform(1, min(span, member.joined_days_ago))
            links.append(Link(member.handle, demo.handle, round(days, 3)))
    return links


def grow_graph(domains: list[str], joined: list[float], seed: int) -> nx.Graph:
    """A clustered small-world graph over members 0..n-1, grown one member at a
    time so the graph of the first k members never depends on n.

    Each newcomer makes 3-5 links: with probability TRIAD to a friend of a
    friend (clustering), else mostly to its own domain, else anywhere; targets
    are picked in proportion to degree + 1 (a few hubs, as in real networks).
    Each edge carries `days_ago`, after both members (`joined` days ago) joined.
    """
    rng = random.Random(f"{seed}:graph")
    graph = nx.Graph()
    by_domain: dict[str, list[int]] = {}  # node repeated degree + 1 times
    everyone: list[int] = []
    for node, domain in enumerate(domains):
        graph.add_node(node)
        targets = _pick_targets(rng, graph, node, by_domain.get(domain, []), everyone)
        for target in targets:
            span = min(CONNECTION_WINDOW_DAYS, joined[node], joined[target])
            graph.add_edge(node, target, days_ago=round(rng.uniform(1, span), 3))
            by_domain.setdefault(domains[target], []).append(target)
            everyone.append(target)
        repeats = 1 + len(targets)
        by_domain.setdefault(domain, []).extend([node] * repeats)
        everyone.extend([node] * repeats)
    return graph


TRIAD, SAME_DOMAIN = 0.6, 0.8


def _pick_targets(
    rng: random.Random,
    graph: nx.Graph,
    node: int,
    same_domain: list[int],
    everyone: list[int],
) -> list[int]:
    wanted = min(node, rng.choice((3, 4, 4, 5)))
    targets: list[int] = []
    for _ in range(wanted * 20):  # bounded retries on repeats
        if len(targets) == wanted:
            break
        roll = rng.random()
        if targets and roll < TRIAD:
            friends = list(graph.adj[rng.choice(targets)])
            pick = rng.choice(friends) if friends else rng.choice(everyone)
        elif same_domain and rng.random() < SAME_DOMAIN:
            pick = rng.choice(same_domain)
        else:
            pick = rng.choice(everyone)
        if pick != node and pick not in targets:
            targets.append(pick)
    return targets


def _joined_days(count: int, seed: int) -> list[float]:
    """How many days ago each generated member joined (30 days to 3 years)."""
    rng = random.Random(f"{seed}:joined")
    return [round(rng.uniform(30, 3 * 365), 3) for _ in range(count)]


class _MemberFactory:
    """Draws members one after another from seeded streams (prefix-stable)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}:members")
        self.fakers: dict[str, Faker] = {}
        self.taken: set[str] = set(DEMO_HANDLES) | set(RESERVED_HANDLES)
        self.domain_keys = list(DOMAINS)
        self.domain_weights = [d.weight for d in DOMAINS.values()]
        self.city_weights = [c.weight for c in CITIES]

    def make(self, count: int) -> list[MemberSpec]:
        joined = _joined_days(count, self.seed)
        return [self.member(joined[i]) for i in range(count)]

    def member(self, joined_days_ago: float) -> MemberSpec:
        rng = self.rng
        city = rng.choices(CITIES, self.city_weights)[0]
        first, last = self.name(city.locale)
        domain = rng.choices(self.domain_keys, self.domain_weights)[0]
        give = self.give_tags(domain)
        get = self.get_tags(domain, give)
        company, industry = rng.choice(list(COMPANIES)), rng.choice(list(INDUSTRIES))
        background = [company, industry]
        if rng.random() < 0.6:
            background.append(rng.choice(list(SCHOOLS)))
        words = {
            "company": COMPANIES[company],
            "industry": INDUSTRIES[industry],
        }
        return MemberSpec(
            handle=self.handle(first, last),
            display_name=f"{first} {last}",
            headline=rng.choice(DOMAINS[domain].headlines).format(**words),
            bio=self.bio(domain, city, give, get, words),
            location=city.label,
            timezone=city.timezone,
            availability=rng.choices(("open", "limited", "away"), (6, 3, 1))[0],
            domain=domain,
            give=tuple(give),
            get=tuple(get),
            background=tuple(background),
            joined_days_ago=joined_days_ago,
        )

    def name(self, locale: str) -> tuple[str, str]:
        faker = self.fakers.get(locale)
        if faker is None:
            faker = self.fakers[locale] = Faker(locale)
            faker.seed_instance(f"{self.seed}:{locale}")
        return faker.first_name(), faker.last_name()

    def give_tags(self, domain: str) -> list[str]:
        """3-6 skills, mostly from the member's own domain, sometimes one more."""
        rng = self.rng
        count = rng.randint(3, 6)
        side = rng.choice(self.domain_keys) if rng.random() < 0.4 else domain
        borrowed = 0 if side == domain else (1 if count < 5 else rng.randint(1, 2))
        own = count - borrowed
        tags = rng.sample(DOMAINS[domain].skills, own)
        extra = [t for t in DOMAINS[side].skills if t not in tags]
        return tags + rng.sample(extra, count - own)

    def get_tags(self, domain: str, give: list[str]) -> list[str]:
        """2-4 needs from the domains people in `domain` usually need."""
        rng = self.rng
        needs = DOMAINS[domain].needs
        tags: list[str] = []
        for _ in range(rng.randint(2, 4)):
            pool = DOMAINS[rng.choice(needs)].skills
            options = [t for t in pool if t not in give and t not in tags]
            tags.append(rng.choice(options))
        return tags

    def bio(
        self,
        domain: str,
        city: City,
        give: list[str],
        get: list[str],
        words: dict[str, str],
    ) -> str:
        rng = self.rng
        values = {
            **words,
            "years": rng.randint(3, 20),
            "domain": DOMAINS[domain].label.lower(),
            "city": city.name,
            "give1": skill_label(give[0]),
            "give2": skill_label(give[1]),
            "get1": skill_label(get[0]),
        }
        opener = rng.choice(BIO_OPENERS).format(**values)
        closer = rng.choice(BIO_CLOSERS).format(**values)
        return f"{opener} {closer}"

    def handle(self, first: str, last: str) -> str:
        """Zoë O'Brien -> zoe-obrien, then zoe-obrien-2, -3... if taken."""
        base = handle_base(f"{first} {last}") or "member"
        for n in range(1, 1_000_000):
            suffix = "" if n == 1 else f"-{n}"
            candidate = base[: HANDLE_MAX - len(suffix)].rstrip("-_") + suffix
            if candidate not in self.taken and _valid_handle(candidate):
                self.taken.add(candidate)
                return candidate
        raise RuntimeError("ran out of handles")  # pragma: no cover


# Letters NFKD does not decompose into ASCII.
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae"}
    | {"ß": "ss", "đ": "d", "Đ": "D", "œ": "oe", "Œ": "Oe", "þ": "th", "ð": "d"}
)


def handle_base(name: str) -> str:
    """A lowercase, hyphenated, ASCII rendering of a name."""
    text = name.translate(_TRANSLITERATE).replace("'", "").replace("’", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _valid_handle(candidate: str) -> bool:
    try:
        return normalize_handle(candidate) == candidate
    except InvalidInput:
        return False


# ------------------------------------------------------------------ the karma plan

GIFT_POOL = 80  # moves involve the demo accounts and these first generated members
GENERATED_GIFTS = 30
GIFT_WINDOW_DAYS = 240  # gifts are spread over the past eight months
HOLD_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class KarmaMove:
    """One planned transfer: an operator grant (no giver), a gift, or a hold."""

    key: str
    kind: str  # grant | gift | hold
    giver: str | None
    receiver: str
    amount: int
    memo: str
    days_ago: float  # the hold is placed when seeding runs: 0


# (receiver, amount, days ago, memo)
_OPERATOR_GRANTS = (
    ("priya", 40, 236.4, "Community host bonus: Northstar SaaS Summit meetups"),
    ("marcus", 30, 221.7, "Thanks for mentoring at the founders' office hours"),
)
# (giver, receiver, amount, days ago, memo). "priya~sales" is someone from
# priya's circle, in sales if she knows somebody there (see _Circles).
_DEMO_GIFTS = (
    (
        "marcus",
        "priya",
        5,
        205,
        "Thanks for the positioning workshop — our homepage finally says what we do",
    ),
    ("priya", "marcus", 4, 192, "Thanks for untangling our HubSpot webhook sync"),
    (
        "priya",
        "priya~sales",
        5,
        178,
        "Thanks for the sponsorship tiers; two sponsors signed already",
    ),
    (
        "marcus~engineering",
        "marcus",
        3,
        171,
        "Thanks for the Postgres index tuning session",
    ),
    ("lena~design", "lena", 2, 163, "Thanks for the design system review"),
    ("marcus", "marcus~fundraising", 5, 150, "Thanks for the pitch deck review"),
    ("priya~marketing", "priya", 3, 139, "Thanks for the B2B SEO audit of our blog"),
    (
        "lena",
        "lena~legal",
        3,
        127,
        "Thanks for the contract review for my freelance gig",
    ),
    (
        "priya",
        "lena",
        3,
        118,
        "Thanks for the accessibility audit of the Summit website",
    ),
    (
        "marcus~data",
        "marcus",
        2,
        104,
        "Thanks for the system design review of our event pipeline",
    ),
    ("priya", "priya~operations", 4, 96, "Thanks for the venue logistics checklist"),
    ("lena", "priya", 2, 88, "Thanks for the shout-out for my design systems talk"),
    ("marcus", "lena", 3, 74, "Thanks for the Figma components for our dashboard"),
    (
        "priya~marketing",
        "priya",
        2,
        66,
        "Thanks for the demand-gen playbook, it saved me a week",
    ),
    ("marcus", "marcus~product", 3, 58, "Thanks for the investor outreach list"),
    ("lena~product", "lena", 3, 51, "Thanks for the user research interview script"),
    ("lena", "lena~product", 3, 43, "Thanks for the pricing page review"),
    ("priya~sales", "priya", 4, 37, "Thanks for the launch-week community plan"),
    ("priya", "priya~marketing", 3, 29, "Thanks for editing the Summit recap video"),
    ("marcus~engineering", "marcus", 2, 22, "Thanks for the API design feedback"),
    ("marcus", "marcus~data", 4, 16, "Thanks for checking our financial model"),
    (
        "lena~engineering",
        "lena",
        2,
        11,
        "Thanks for the accessibility pass on our forms",
    ),
    ("priya~operations", "priya", 2, 6, "Thanks for the intro to the Summit sponsors"),
)
_HOLD = ("priya", "marcus", 15, "Held for: SaaS Summit sponsorship deck review")
_THANKS = (
    "Thanks for the {skill} review",
    "Thanks for walking me through {skill}",
    "Huge help with {skill} last week, thank you!",
    "Thanks for the {skill} advice before our launch",
    "Appreciate the quick {skill} call",
    "Thanks for the {skill} feedback, really useful",
    "Thanks for the {skill} pointers, they saved me days",
)
_AMOUNTS = (1, 2, 2, 3, 3, 4, 5)


def plan_demo_market(
    seed: int = 7, signup_karma: int = 10, moves: list[KarmaMove] | None = None
) -> list[ListingPlan]:
    """The demo marketplace for `seed` (seed_market.py), with what generated
    members pay in it planned within the karma they have left after `moves`."""
    moves = plan_karma(seed, signup_karma) if moves is None else moves
    pool = plan_network(MARKET_POOL, seed)
    karma = {m.handle: max(signup_karma, 0) for m in pool.members}
    for move in moves:
        if move.receiver not in karma or move.giver not in (None, *karma):
            continue  # a move with someone beyond the pool: not counted on
        if move.giver is not None:
            karma[move.giver] -= move.amount
        if move.kind != "hold":  # a hold reserves the giver's karma, pays nobody
            karma[move.receiver] += move.amount
    return plan_market(pool, seed, DEMO_HANDLES, karma)


def plan_karma(seed: int = 7, signup_karma: int = 10) -> list[KarmaMove]:
    """The demo ledger moves for `seed`: grants, then the hold, then gifts.

    Drawn from the first GIFT_POOL generated members only, so the same for
    every `members`. A gift is planned only if its giver can pay it from their
    signup grant and operator grants alone (whatever others gave them)."""
    pool = plan_network(GIFT_POOL, seed)
    moves = [
        KarmaMove(f"seed-{seed}-grant-{n}", "grant", None, to, amount, memo, days)
        for n, (to, amount, days, memo) in enumerate(_OPERATOR_GRANTS, 1)
    ]
    giver, receiver, amount, memo = _HOLD
    moves.append(
        KarmaMove(f"seed-{seed}-hold-1", "hold", giver, receiver, amount, memo, 0)
    )
    gifts = [*_demo_gifts(pool), *_generated_gifts(pool, seed)]
    moves += [
        replace(gift, key=f"seed-{seed}-gift-{n}") for n, gift in enumerate(gifts, 1)
    ]
    return _affordable(moves, signup_karma)


def _affordable(moves: list[KarmaMove], signup_karma: int) -> list[KarmaMove]:
    budget: dict[str, int] = defaultdict(lambda: max(signup_karma, 0))
    for move in moves:
        if move.giver is None:
            budget[move.receiver] += move.amount
    spent: dict[str, int] = defaultdict(int)
    kept = []
    for move in moves:
        if move.giver is not None:
            if spent[move.giver] + move.amount > budget[move.giver]:
                continue
            spent[move.giver] += move.amount
        kept.append(move)
    return kept


def _demo_gifts(pool: NetworkPlan) -> list[KarmaMove]:
    circles = _Circles(pool)
    gifts = []
    for giver, receiver, amount, days, memo in _DEMO_GIFTS:
        # Spread the hour of day a little, the same way on every run.
        when = days + zlib.crc32(memo.encode()) % 500 / 1000
        giver_, receiver_ = circles.pick(giver, when), circles.pick(receiver, when)
        if giver_ is None or receiver_ is None:
            continue
        when = min(when, circles.known_since(giver_, receiver_) * 0.9)
        gifts.append(KarmaMove("", "gift", giver_, receiver_, amount, memo, when))
    return gifts


class _Circles:
    """Resolves "priya~sales" to a member of priya's circle: in that domain if
    she knows one there, connected before the gift, not picked before."""

    def __init__(self, pool: NetworkPlan) -> None:
        self.domain = {m.handle: m.domain for m in pool.members}
        self.since = {
            frozenset((link.requester, link.addressee)): link.days_ago
            for link in pool.links
        }
        self.circle: dict[str, list[str]] = defaultdict(list)
        for link in pool.links:
            if link.addressee in DEMO_HANDLES and link.requester not in DEMO_HANDLES:
                self.circle[link.addressee].append(link.requester)
        self.picked: set[tuple[str, str]] = set()

    def known_since(self, a: str, b: str) -> float:
        return self.since[frozenset((a, b))]

    def pick(self, token: str, days_ago: float) -> str | None:
        if "~" not in token:
            return token
        demo, domain = token.split("~")
        people = self.circle[demo]
        ranked = sorted(
            people,
            key=lambda h: (
                self.domain[h] != domain,
                (demo, h) in self.picked,
                self.known_since(demo, h) <= days_ago,
            ),
        )
        if not ranked:
            return None
        self.picked.add((demo, ranked[0]))
        return ranked[0]


def _generated_gifts(pool: NetworkPlan, seed: int) -> list[KarmaMove]:
    """Gifts between connected generated members, thanking a skill they give."""
    rng = random.Random(f"{seed}:gifts")
    gives = {m.handle: m.give for m in pool.members}
    links = sorted(
        (
            link
            for link in pool.links
            if link.requester not in DEMO_HANDLES and link.addressee not in DEMO_HANDLES
        ),
        key=lambda link: (link.requester, link.addressee),
    )
    gifts = []
    for link in rng.sample(links, min(GENERATED_GIFTS, len(links))):
        pair = [link.requester, link.addressee]
        rng.shuffle(pair)
        giver, receiver = pair
        skill = skill_label(rng.choice(gives[receiver]))
        memo = rng.choice(_THANKS).format(skill=skill)
        latest = min(GIFT_WINDOW_DAYS, link.days_ago * 0.95)
        days = round(rng.uniform(min(1.0, latest), latest), 3)
        gifts.append(
            KarmaMove("", "gift", giver, receiver, rng.choice(_AMOUNTS), memo, days)
        )
    return gifts
