"""Attacks on karma: a fraudster's every trick against a seeded honest
network, through the service calls the pages make, on SQLite and PostgreSQL.

    python benchmarks/attacks.py           # 500 members, 200 sybils (~3 minutes)
    python benchmarks/attacks.py --quick   # 150 members, 20 sybils (~45 s)
    python benchmarks/attacks.py --backends sqlite

The rules under attack are docs/design/karma-trust.md's. Per database -- a
temporary SQLite file, then a throwaway PostgreSQL database
`bench_attacks_<pid>` made and dropped through MARKETPLACE_BENCH_PG_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test, as for
benchmarks/graph.py) -- in one process, each step a member's own action in
its own unit of work, as a page's handler runs it:

1. **the honest network**: `marketplace.demo.seed` with 500 members (two
   years of connections, gifts, paid help, reviews; `--quick`: 150), then
   `network.trust.recompute`, so honest trust is the real computation's,
   not the seed's planned scores;
2. **honest cost**: 100 newcomers (`--quick`: 20) sign up -- the sign-up
   throttle, `accounts.register`, the link in their mail followed -- and each
   asks two established members (90 days' standing) to connect and is
   accepted; trust is recomputed, as the background sweep would; each books
   a 10-karma offer of the first of the two, who accepts, placing the karma
   hold: *served*. The help is then delivered and confirmed, so the
   integrity report sees honest members paid by fresh accounts, as it
   would after their first week;
3. **sybil farming**: an attacker and 200 verified sybils (`--quick`: 20),
   signing up from as many client addresses and mail domains as the
   throttles force; each sybil connected to the attacker and to the two
   sybils on either side, the attacker to 3 honest members who accepted a
   stranger's request (the attack edges; `--quick`: 1, as fewer sybils get
   more each of what leaks through an edge); trust recomputed. Then every
   sybil tries every route to the attacker's account: a gift
   (`ledger.give_karma`), a request of its own answered by the attacker, and
   the attacker's offer priced at all the room left in the sybil's wallet.
   Measured: the karma the attacker gained, per sybil;
4. **intro minting**: three established, trusted members collude (the worst
   case: fresh accounts have no trust, and an intro reward needs both sides
   trusted): A introduces B to C, B books C's 1-karma offer, C delivers, B
   confirms, C gives the karma back, B removes C -- 50 rounds (`--quick`:
   10); then another pair introduced both ways at once (B2 to C2 by A2, C2
   to B2 by D2, both asked before either accepted), helping each other both
   ways. Measured: the intro karma issued (the ledger audit's
   `intro_reward` issuance), and the most rewards any pair got, as
   `IntroReward` rows and as `intro:<id>:reward` transfers in the ledger;
5. **reputation ring**: two connected established members nobody has
   reviewed run 100 one-karma engagements (`--quick`: 20), taking turns, and
   review each other five stars every time. Measured: what the profile and
   the market's cards show (`market.reviews.reputation`, over
   `market.reputation.rating`): the rating and "from N different people";
6. **IOUs**: two zero-karma accounts -- a throwaway (verified, no ties) and
   one that joined as a newcomer does (two ties, trust recomputed) -- each
   write, as debtor, the largest IOU there is and then 199 (`--quick`: 24)
   of 1 point to one real member after another, then book a real member's
   offer on IOU terms. Measured: the most IOU debt each ran up
   (`ious.outstanding_debt`) against its credit limit;
7. **integrity**: `ledger.integrity.integrity_report` over the whole
   database. Measured: the share of honest members -- everyone the seed
   made and the newcomers, less the established members the attacks
   recruited -- that it flags (and, for the record, the attack accounts it
   names);
8. **baseline, defenses off**, in the same run: the same sybils given the
   limit the pre-fix rules let any account spend, as if fully trusted
   (trust 1: TRUST_LIMIT karma), paying the attacker's offers; reported as
   what the farm yields per sybil without the defenses. The other attacks'
   baselines come from their own actions, as the old rules would have
   counted them: a reward per intro that led to paid help, the plain
   average and count of the ring's reviews, every IOU point the accounts
   tried to owe.

Mail: the verification link is read from the mail `accounts.register`
returns, as tests/members.py does; nothing hands a mail to a mailer, and
SMTP points at a closed loopback port besides. The throttles count in the
database (`rate_counter`; Redis settings are dropped for the run), so each
database starts from a fresh count. The password is hashed once: argon2 is
slow by design, and nobody logs in.

The table (one column per database) goes to stdout, progress to stderr.
The last line of stdout is one JSON object: per database the figures and
their targets, and `ok`: at most 1 karma gained per sybil, at most one
intro reward per pair, the ring shown "from 1 different person", no IOU
debt past the limit, at least 95% of honest newcomers served, at most 1% of
honest members flagged. Exit status 0 when ok, 1 when a target is missed,
2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import ipaddress
import json
import os
import re
import socket
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import select  # noqa: E402

from benchmarks.graph import create_database, drop_database  # noqa: E402
from marketplace import db, events  # noqa: E402
from marketplace.accounts import accounts, throttles, verification  # noqa: E402
from marketplace.adapters.clock import system_clock  # noqa: E402
from marketplace.adapters.mailer import Email  # noqa: E402
from marketplace.adapters.passwords import hash_password  # noqa: E402
from marketplace.demo.integrity import plan_ring  # noqa: E402
from marketplace.demo.seed import seed_network  # noqa: E402
from marketplace.domain.errors import DomainError  # noqa: E402
from marketplace.domain.ious import MAX_IOU_POINTS  # noqa: E402
from marketplace.domain.listings import MAX_CAPACITY  # noqa: E402
from marketplace.ious import ious  # noqa: E402
from marketplace.ledger import credit, ledger  # noqa: E402
from marketplace.ledger.audit import audit_ledger  # noqa: E402
from marketplace.ledger.integrity import integrity_report  # noqa: E402
from marketplace.market import engagements, listings, reviews  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.models import (  # noqa: E402
    Connection,
    Intro,
    IntroReward,
    LedgerTransfer,
    Member,
    MemberTrust,
    Review,
)
from marketplace.network import connections, intros, trust  # noqa: E402
from marketplace.settings import get_settings  # noqa: E402

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://\S+/verify\?\S+")
SYBIL_TIES = 2  # each sybil asks the next two: four sybil ties each
NEWCOMER_PRICE = 10
NEWCOMER_TIES = 2
IOU_OFFER_PRICE = 5
RING_STARS = 5
# Targets (the issue's)
MAX_GAIN_PER_SYBIL = 1.0
MAX_REWARDS_PER_PAIR = 1
MAX_RING_REVIEWERS = 1
MIN_SERVED = 0.95
MAX_FLAGGED = 0.01
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Size:
    members: int  # the honest network the demo seed makes
    newcomers: int
    sybils: int
    rounds: int  # of the intro ring
    ring: int  # engagements of the review ring
    ious: int  # IOUs each zero-karma account writes
    attack_edges: int = 3  # the sybil farm's ties to honest members


FULL = Size(members=500, newcomers=100, sybils=200, rounds=50, ring=100, ious=200)
# Smaller: fewer sybils would each get more of the trust that leaks through
# an attack edge, so the quick run gives its farm one edge, not three.
QUICK = Size(
    members=150, newcomers=20, sybils=20, rounds=10, ring=20, ious=25, attack_edges=1
)


def quiet(_message: str) -> None:
    """No progress lines (the integration test)."""


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Account:
    member_id: int
    handle: str


@dataclass(frozen=True)
class Crowd:
    """Sign-ups one party makes: `per_address` from each client address and
    `per_domain` at each mail domain (the throttles' limits, or fewer), from
    10.<number>.0.1 up and at <domain_stem><number>-<n>.example.net."""

    number: int
    domain_stem: str
    per_address: int
    per_domain: int

    def address(self, i: int) -> str:
        start = ipaddress.IPv4Address(f"10.{self.number}.0.0")
        return str(start + 1 + i // self.per_address)

    def email(self, handle: str, i: int) -> str:
        domain = f"{self.domain_stem}{self.number}-{i // self.per_domain}"
        return f"{handle}@{domain}.example.net"


def fraudsters(number: int) -> Crowd:
    """A fraudster spreads sign-ups as thinly as the throttles force."""
    settings = get_settings()
    return Crowd(
        number,
        "farm",
        settings.signups_per_address_hour,
        settings.signups_per_domain_hour,
    )


def honest_crowd(number: int) -> Crowd:
    """People at home and at work: each their own address and domain."""
    return Crowd(number, "firm", 1, 1)


def sign_up(handle: str, crowd: Crowd, i: int) -> Account:
    """As the sign-up page does (throttle, then register), then the link in
    the mail followed: a verified member at zero."""
    email = crowd.email(handle, i)
    throttles.allow_signup(crowd.address(i), email)
    with db.unit_of_work() as s:
        done = accounts.register(
            s,
            email=email,
            handle=handle,
            display_name=handle.replace("-", " ").title(),
            password=PASSWORD,
        )
    with db.unit_of_work() as s:
        verification.verify_email(s, link_token(done.mail))
    return Account(done.member_id, done.handle)


def sign_up_many(
    stem: str, count: int, crowd: Crowd, progress: Progress
) -> list[Account]:
    with one_password_hash():
        people = []
        for i in range(count):
            people.append(sign_up(f"{stem}{i}", crowd, i))
            tick(progress, f"{stem} signed up", i + 1, count)
    return people


def link_token(mail: Email) -> str:
    found = LINK.search(mail.body)
    if not found:
        raise RuntimeError(f"no verification link in {mail.body!r}")
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


@contextlib.contextmanager
def one_password_hash() -> Iterator[None]:
    """argon2 once, not per sign-up: it is slow by design, nobody logs in."""
    hashed = password_hash()
    original = accounts.hash_password
    accounts.hash_password = lambda _password: hashed
    try:
        yield
    finally:
        accounts.hash_password = original


def tick(progress: Progress, what: str, done: int, total: int) -> None:
    if done == total or done % max(1, total // 4) == 0:
        progress(f"    {what}: {done:,} of {total:,}")


def connect(asker: Account, other: Account) -> None:
    """A connection request, accepted."""
    with db.unit_of_work() as s:
        asked = connections.request_connection(
            s, actor_id=asker.member_id, handle=other.handle, note="We met."
        ).id
    with db.unit_of_work() as s:
        connections.answer_request(
            s, actor_id=other.member_id, connection_id=asked, answer="accept"
        )


def recompute_trust() -> trust.TrustRun:
    """As the background sweep does; every credit limit follows on commit."""
    with db.unit_of_work() as s:
        return trust.recompute(s)


def room(who: Account) -> int:
    """What the member's wallet says they may still spend, credit included."""
    with db.read_only() as s:
        return ledger.member_totals(s, who.member_id).room or 0


def balance(who: Account) -> int:
    with db.read_only() as s:
        return ledger.member_totals(s, who.member_id).balance


def credit_limit(who: Account) -> int:
    with db.read_only() as s:
        return ledger.member_totals(s, who.member_id).credit_limit or 0


def refused(work: Callable[[], object]) -> bool:
    """Run one step a member takes; True when the app said no."""
    try:
        work()
    except DomainError:
        return True
    return False


# ----------------------------------------------------------------------- the market


def post(author: Account, kind: str, price: int, terms: str = "karma") -> int:
    form = {
        "kind": kind,
        "title": "An hour of growth advice" if kind == "offer" else "Help me grow",
        "description": "A call, or written notes.",
        "tags": "growth, marketing",
        "terms": terms,
        "price": price,
        "capacity": MAX_CAPACITY if kind == "offer" else 1,
        "audience": "public",
    }
    with db.unit_of_work() as s:
        return listings.create_listing(s, actor_id=author.member_id, form=form).id


class Shelf:
    """Members' standing offers, one per author, price and terms, posted
    anew once full: an offer's capacity counts every booking it ever took."""

    def __init__(self) -> None:
        self._posted: dict[tuple[int, int, str], tuple[int, int]] = {}

    def offer(self, author: Account, price: int, terms: str = "karma") -> int:
        """The offer to book next (its id)."""
        key = (author.member_id, price, terms)
        listing, booked = self._posted.get(key, (0, MAX_CAPACITY))
        if booked >= MAX_CAPACITY:
            listing, booked = post(author, "offer", price, terms), 0
        self._posted[key] = (listing, booked + 1)
        return listing


def book(actor: Account, listing_id: int) -> int:
    """Book an offer, or answer a request: the engagement's id."""
    with db.unit_of_work() as s:
        return engagements.propose(
            s, actor_id=actor.member_id, listing_id=listing_id
        ).id


def step(actor: Account, engagement_id: int, action: str) -> None:
    with db.unit_of_work() as s:
        engagements.act(
            s, actor_id=actor.member_id, engagement_id=engagement_id, action=action
        )


def accepted(accepter: Account, engagement_id: int) -> bool:
    """The proposal accepted (the karma held), or declined when refused."""
    if not refused(lambda: step(accepter, engagement_id, "accept")):
        return True
    step(accepter, engagement_id, "decline")
    return False


def finish(helper: Account, asker: Account, engagement_id: int) -> None:
    """Delivered and confirmed: the hold is paid to the helper."""
    step(helper, engagement_id, "deliver")
    step(asker, engagement_id, "confirm")


def helped(helper: Account, asker: Account, offer: int) -> int | None:
    """The asker books the helper's offer and the help is paid; None when
    the app refused it on the way."""
    try:
        engagement = book(asker, offer)
    except DomainError:
        return None
    if not accepted(helper, engagement):
        return None
    finish(helper, asker, engagement)
    return engagement


def gift(giver: Account, to: Account, amount: int) -> bool:
    """As the wallet's send form does; True when it went through."""

    def give() -> None:
        with db.unit_of_work() as s:
            ledger.give_karma(
                s, actor_id=giver.member_id, to_handle=to.handle, amount=amount
            )

    return not refused(give)


# ------------------------------------------------------------------ honest network


@dataclass
class HonestNetwork:
    """What the demo seed made, and which of its members the attacks
    recruited (they stop counting as honest)."""

    engine: Engine
    members: dict[int, Account]
    established: list[Account]  # non-operators of SEED_TENURE's standing
    ties: dict[int, set[int]]  # accepted connections
    rng: Random
    recruited: set[int] = field(default_factory=set)
    newcomers: list[Account] = field(default_factory=list)
    shelf: Shelf = field(default_factory=Shelf)

    def honest(self) -> set[int]:
        everyone = set(self.members) | {n.member_id for n in self.newcomers}
        return everyone - self.recruited

    def available(self) -> list[Account]:
        """Established members no attack has recruited yet."""
        return [a for a in self.established if a.member_id not in self.recruited]

    def recruit(self, *people: Account) -> None:
        self.recruited.update(p.member_id for p in people)


def honest_network(
    engine: Engine, members: int, *, seed: int = 7, progress: Progress = quiet
) -> HonestNetwork:
    """Seed the demo network into `engine`'s (empty) database and compute
    trust over it for real."""
    db.use_engine(engine)
    progress(f"  seeding {members:,} honest members (marketplace.demo.seed)")
    quarters: set[int] = set()

    def seeded(done: int, total: int) -> None:
        quarter = 4 * done // max(1, total)
        if quarter not in quarters:
            quarters.add(quarter)
            progress(f"    seed steps: {done:,} of {total:,}")

    with db.unit_of_work() as s:
        seed_network(s, members=members, seed=seed, progress=seeded)
    run = recompute_trust()
    progress(f"  trust: {run.seeds} seeds, median {run.median:.2f}")
    network = _read_network(engine, seed)
    # the seed's own planted review ring is an attack, not honest members
    planted = {m.handle for m in plan_ring().members}
    network.recruit(*(a for a in network.members.values() if a.handle in planted))
    return network


def _read_network(engine: Engine, seed: int) -> HonestNetwork:
    now = system_clock.now()
    with db.read_only() as s:
        rows = s.exec(
            select(Member.id, Member.handle, Member.is_operator, Member.created_at)
            .where(Member.status == "active")
            .order_by(Member.id)
        ).all()
        pairs = s.exec(
            select(Connection.requester_id, Connection.addressee_id).where(
                Connection.status == "accepted"
            )
        ).all()
    ties: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        ties[a].add(b)
        ties[b].add(a)
    members = {r.id: Account(r.id, r.handle) for r in rows}
    return HonestNetwork(
        engine=engine,
        members=members,
        established=[
            members[r.id]
            for r in rows
            if not r.is_operator and now - r.created_at >= trust.SEED_TENURE
        ],
        ties=ties,
        rng=Random(seed),
    )


def scores(people: list[Account]) -> list[float]:
    with db.read_only() as s:
        found = trust.scores(s, [p.member_id for p in people])
    return [found[p.member_id] for p in people]


# -------------------------------------------------------------------- honest cost


@dataclass
class HonestCost:
    newcomers: int
    served: int
    limits: list[int]  # the newcomers' credit limits after the recomputation
    honest: int = 0
    flagged: int = 0
    flagged_signals: dict[str, int] = field(default_factory=dict)
    attackers_named: dict[str, int] = field(default_factory=dict)

    @property
    def served_share(self) -> float:
        return self.served / self.newcomers if self.newcomers else 0.0

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.honest if self.honest else 0.0


def honest_newcomers(
    network: HonestNetwork, count: int, *, progress: Progress = quiet
) -> HonestCost:
    """Newcomers join, connect to two established members each, and try to
    book a 10-karma offer on their first day."""
    db.use_engine(network.engine)
    people = sign_up_many("newcomer", count, honest_crowd(1), progress)
    network.newcomers.extend(people)
    firsts = []
    for done, newcomer in enumerate(people, 1):
        pair = network.rng.sample(network.available(), NEWCOMER_TIES)
        for established in pair:
            connect(newcomer, established)
        firsts.append(pair[0])
        tick(progress, "newcomers connected", done, count)
    recompute_trust()
    limits = [credit_limit(p) for p in people]
    # served: booked and accepted, the karma held (then delivered, confirmed)
    served = sum(
        helped(helper, newcomer, network.shelf.offer(helper, NEWCOMER_PRICE))
        is not None
        for newcomer, helper in zip(people, firsts, strict=True)
    )
    return HonestCost(count, served, limits)


def integrity_cost(network: HonestNetwork, cost: HonestCost) -> HonestCost:
    """How many honest members the integrity report names (and, for the
    record, how many attack accounts it names, by signal)."""
    db.use_engine(network.engine)
    with db.read_only() as s:
        report = integrity_report(s)
    honest = network.honest()
    flagged_honest = [f for f in report.findings if f.member_id in honest]
    cost.honest = len(honest)
    cost.flagged = len({f.member_id for f in flagged_honest})
    cost.flagged_signals = dict(Counter(f.signal for f in flagged_honest))
    cost.attackers_named = dict(
        Counter(f.signal for f in report.findings if f.member_id not in honest)
    )
    return cost


# ------------------------------------------------------------------- sybil farming


@dataclass
class SybilFarm:
    sybils: int
    attack_edges: int
    gained: int  # the attacker's balance after, less before
    gifts_refused: int
    requests_refused: int
    offers_refused: int
    sybil_limits: int  # the sybils' credit limits, summed
    sybil_trust_max: float
    attacker_trust: float
    undefended_gained: int | None = None  # what the baseline added

    @property
    def per_sybil(self) -> float:
        return self.gained / self.sybils if self.sybils else 0.0

    @property
    def undefended_per_sybil(self) -> float | None:
        """What the farm yields per sybil under the pre-fix limits: what the
        defenses let through, and what the baseline added to it."""
        if self.undefended_gained is None or not self.sybils:
            return None
        return (self.gained + self.undefended_gained) / self.sybils


@dataclass
class Farm:
    """The attacker's accounts, for the baseline to use again."""

    attacker: Account
    sybils: list[Account]
    shelf: Shelf  # the attacker's offers


def sybil_farming(
    network: HonestNetwork,
    sybils: int,
    *,
    attack_edges: int = 3,
    progress: Progress = quiet,
) -> tuple[SybilFarm, Farm]:
    """The farm raised and tied, trust recomputed, then every sybil tries
    every route to the attacker's account."""
    db.use_engine(network.engine)
    farm = _raise_farm(network, sybils, attack_edges, progress)
    recompute_trust()
    before = balance(farm.attacker)
    refusals: Counter[str] = Counter()
    for done, sybil in enumerate(farm.sybils, 1):
        for route, went_through in _milk(farm, sybil):
            refusals[route] += not went_through
        tick(progress, "sybils milked", done, sybils)
    sybil_scores = scores(farm.sybils)
    return SybilFarm(
        sybils=sybils,
        attack_edges=attack_edges,
        gained=balance(farm.attacker) - before,
        gifts_refused=refusals["gift"],
        requests_refused=refusals["request"],
        offers_refused=refusals["offer"],
        sybil_limits=sum(credit_limit(s) for s in farm.sybils),
        sybil_trust_max=max(sybil_scores, default=0.0),
        attacker_trust=scores([farm.attacker])[0],
    ), farm


def _raise_farm(
    network: HonestNetwork, sybils: int, attack_edges: int, progress: Progress
) -> Farm:
    """The attacker, the sybils (verified), their ties, and the attacker's
    few ties to honest members who accepted a stranger's request."""
    with one_password_hash():
        attacker = sign_up("attacker", fraudsters(2), 0)
    crowd = sign_up_many("sybil", sybils, fraudsters(3), progress)
    farm = Farm(attacker, crowd, network.shelf)
    for honest in network.rng.sample(network.available(), attack_edges):
        connect(attacker, honest)
    for i, sybil in enumerate(farm.sybils):
        connect(sybil, attacker)
        for other in farm.sybils[i + 1 : i + 1 + SYBIL_TIES]:
            connect(sybil, other)
        tick(progress, "sybils tied", i + 1, sybils)
    return farm


def _milk(farm: Farm, sybil: Account) -> list[tuple[str, bool]]:
    """Every route from the sybil's account to the attacker's, in turn."""
    return [
        ("gift", gift(sybil, farm.attacker, 1)),
        ("request", _answered_request(farm.attacker, sybil)),
        ("offer", _bought_offer(farm, sybil)),
    ]


def _answered_request(attacker: Account, sybil: Account) -> bool:
    """The sybil asks for help at all its room; the attacker answers."""
    request = post(sybil, "request", max(1, room(sybil)))
    try:
        engagement = book(attacker, request)
    except DomainError:
        return False
    if not accepted(sybil, engagement):
        return False
    finish(attacker, sybil, engagement)
    return True


def _bought_offer(farm: Farm, sybil: Account) -> bool:
    """The sybil books the attacker's offer priced at all its room."""
    offer = farm.shelf.offer(farm.attacker, max(1, room(sybil)))
    return helped(farm.attacker, sybil, offer) is not None


def sybil_farming_undefended(
    network: HonestNetwork, result: SybilFarm, farm: Farm, *, progress: Progress = quiet
) -> SybilFarm:
    """The baseline: the same sybils with the limit the pre-fix rules gave
    any account, as if fully trusted, paying the attacker's offers."""
    db.use_engine(network.engine)
    with db.unit_of_work() as s:
        for sybil in farm.sybils:
            s.merge(
                MemberTrust(
                    member_id=sybil.member_id, score=1.0, computed_at=system_clock.now()
                )
            )
        s.flush()
        credit.refresh_limits(s, [sybil.member_id for sybil in farm.sybils])
    before = balance(farm.attacker)
    for done, sybil in enumerate(farm.sybils, 1):
        _bought_offer(farm, sybil)
        tick(progress, "sybils milked, defenses off", done, len(farm.sybils))
    result.undefended_gained = balance(farm.attacker) - before
    return result


# -------------------------------------------------------------------- colluders


def colluders(network: HonestNetwork) -> set[int]:
    """Established members an attack may recruit: not recruited yet,
    trusted (the worst case: fresh accounts earn no intro reward and their
    reviews weigh nothing) and out of debt, so the loops can run."""
    ids = [a.member_id for a in network.available()]
    with db.read_only() as s:
        trusted = trust.scores(s, ids)
        return {
            m
            for m in ids
            if trusted[m] >= trust.TRUSTED and ledger.member_totals(s, m).available >= 0
        }


def shuffled(network: HonestNetwork, ids: set[int]) -> list[int]:
    ordered = sorted(ids)
    network.rng.shuffle(ordered)
    return ordered


def intro_triangle(network: HonestNetwork) -> tuple[Account, Account, Account]:
    """A, connected to B and C, who are not connected."""
    fit = colluders(network)
    for a in shuffled(network, fit):
        friends = sorted(network.ties[a] & fit)
        for i, b in enumerate(friends):
            for c in friends[i + 1 :]:
                if c not in network.ties[b]:
                    return _recruited(network, a, b, c)
    raise RuntimeError("the seeded network has no open triangle of colluders")


def two_way_square(network: HonestNetwork) -> tuple[Account, ...]:
    """B and C, not connected, and A and D, each connected to both."""
    fit = colluders(network)
    for a in shuffled(network, fit):
        friends = sorted(network.ties[a] & fit)
        for i, b in enumerate(friends):
            for c in friends[i + 1 :]:
                common = (network.ties[b] & network.ties[c] & fit) - {a}
                if c not in network.ties[b] and common:
                    return _recruited(network, a, b, c, min(common))
    raise RuntimeError("the seeded network has no pair with two common colluders")


def review_pair(network: HonestNetwork) -> tuple[Account, Account]:
    """Two connected colluders nobody has reviewed yet."""
    fit = colluders(network)
    with db.read_only() as s:
        fit -= set(s.exec(select(Review.reviewee_id)).all())
    for a in shuffled(network, fit):
        for b in sorted(network.ties[a] & fit):
            return _recruited(network, a, b)
    raise RuntimeError("the seeded network has no connected pair without reviews")


def _recruited(network: HonestNetwork, *ids: int) -> tuple[Account, ...]:
    people = tuple(network.members[m] for m in ids)
    network.recruit(*people)
    return people


# -------------------------------------------------------------------- intro minting


@dataclass
class IntroMinting:
    rounds: int
    ring_karma: int  # intro_reward issued while the ring ran
    ring_paid_intros: int  # its intros that led to paid help
    two_way_karma: int
    two_way_paid_intros: int
    most_rewards_per_pair: int  # IntroReward rows, any pair
    most_reward_transfers_per_pair: int  # intro:*:reward transfers, any pair
    intro_karma: int  # the reward setting

    @property
    def most_per_pair(self) -> int:
        return max(self.most_rewards_per_pair, self.most_reward_transfers_per_pair)

    @property
    def old_rule_karma(self) -> int:
        """What a reward per intro that led to paid help would have issued."""
        return (self.ring_paid_intros + self.two_way_paid_intros) * self.intro_karma


def intro_minting(
    network: HonestNetwork, rounds: int, *, progress: Progress = quiet
) -> IntroMinting:
    """The ring of `rounds` rounds, then the two-way intros, each measured
    by the intro karma the ledger issued while it ran."""
    db.use_engine(network.engine)
    a, b, c = intro_triangle(network)
    before = intro_karma_issued()
    paid = 0
    for done in range(1, rounds + 1):
        paid += _ring_round(a, b, c, network.shelf.offer(c, 1))
        tick(progress, "intro ring rounds", done, rounds)
    ring = intro_karma_issued() - before
    two_way_paid = _two_way(network)
    most_rows, most_transfers = rewards_per_pair()
    return IntroMinting(
        rounds=rounds,
        ring_karma=ring,
        ring_paid_intros=paid,
        two_way_karma=intro_karma_issued() - before - ring,
        two_way_paid_intros=two_way_paid,
        most_rewards_per_pair=most_rows,
        most_reward_transfers_per_pair=most_transfers,
        intro_karma=get_settings().intro_karma,
    )


def _ring_round(a: Account, b: Account, c: Account, offer: int) -> bool:
    """A introduces B to C; C helps B for 1 karma and gives it back; B
    removes C. True when the intro led to paid help."""
    intro = introduce(a, b, c)
    paid = helped(c, b, offer) is not None
    gift(c, b, 1)  # what C earned goes back: B's credit never runs out
    with db.unit_of_work() as s:
        connections.remove_connection(s, actor_id=b.member_id, handle=c.handle)
    return paid and intro_completed(intro)


def _two_way(network: HonestNetwork) -> int:
    """B to C by A and C to B by D, both asked before either is accepted,
    then help both ways. How many of the two intros led to paid help."""
    a, b, c, d = two_way_square(network)
    one_way = ask_intro(b, c, via=a)
    other_way = ask_intro(c, b, via=d)
    for introducer, intro, target in ((a, one_way, c), (d, other_way, b)):
        forward_intro(introducer, intro)
        accept_intro(target, intro)
    helped(c, b, network.shelf.offer(c, 1))
    helped(b, c, network.shelf.offer(b, 1))
    return intro_completed(one_way) + intro_completed(other_way)


def ask_intro(asker: Account, target: Account, *, via: Account) -> int:
    with db.unit_of_work() as s:
        return intros.request_intro(
            s,
            actor_id=asker.member_id,
            target=target.handle,
            via=via.handle,
            message="We should work together.",
        ).id


def forward_intro(introducer: Account, intro: int) -> None:
    with db.unit_of_work() as s:
        intros.forward_intro(
            s, actor_id=introducer.member_id, intro_id=intro, answer="forward"
        )


def accept_intro(target: Account, intro: int) -> None:
    with db.unit_of_work() as s:
        intros.answer_intro(
            s, actor_id=target.member_id, intro_id=intro, answer="accept"
        )


def introduce(introducer: Account, asker: Account, target: Account) -> int:
    """Asked, forwarded and accepted: the two are connected."""
    intro = ask_intro(asker, target, via=introducer)
    forward_intro(introducer, intro)
    accept_intro(target, intro)
    return intro


def intro_completed(intro: int) -> bool:
    with db.read_only() as s:
        return s.get(Intro, intro).status == "completed"


def intro_karma_issued() -> int:
    """The intro_reward issuer's total, as `ledger audit` reports it."""
    with db.read_only() as s:
        return audit_ledger(s).issued.get(ledger.INTRO_REWARD, 0)


def rewards_per_pair() -> tuple[int, int]:
    """The most intro rewards any unordered pair got: (IntroReward rows,
    intro:<id>:reward transfers in the ledger)."""
    with db.read_only() as s:
        rows = s.exec(select(IntroReward.member_a_id, IntroReward.member_b_id)).all()
        keys = s.exec(
            select(LedgerTransfer.transfer_key).where(
                LedgerTransfer.code == "intro_reward", LedgerTransfer.amount > 0
            )
        ).all()
        pairs = {
            i.id: frozenset((i.requester_id, i.target_id))
            for i in s.exec(select(Intro)).all()
        }
    by_rows = Counter(frozenset(row) for row in rows)
    by_transfers = Counter(
        pairs[int(key.split(":")[1])]
        for key in keys
        if key.startswith("intro:") and key.endswith(":reward")
    )
    return max(by_rows.values(), default=0), max(by_transfers.values(), default=0)


# ---------------------------------------------------------------- reputation ring


@dataclass
class ReviewRing:
    engagements: int
    reviews: int
    profile: reviews.Reputation  # what the profile and market cards show
    plain_average: str  # every review alike: what the old profile showed

    @property
    def people(self) -> int:
        return self.profile.people

    @property
    def shown(self) -> str:
        return f"{self.profile.average} {self.profile.from_people}"


def reputation_ring(
    network: HonestNetwork, engagements: int, *, progress: Progress = quiet
) -> ReviewRing:
    """Two members take turns helping each other for 1 karma and review
    each other five stars every time; then what the profile shows of the
    one with more different reviewers (of either: they mirror each other)."""
    db.use_engine(network.engine)
    pair = review_pair(network)
    done = 0
    for turn in range(engagements):
        helper, asker = pair if turn % 2 == 0 else pair[::-1]
        engagement = helped(helper, asker, network.shelf.offer(helper, 1))
        if engagement is not None:
            review(asker, engagement)
            review(helper, engagement)
            done += 1
        tick(progress, "ring engagements", turn + 1, engagements)
    shown = max((shown_reputation(who) for who in pair), key=lambda r: r[0].people)
    return ReviewRing(done, 2 * done, *shown)


def review(reviewer: Account, engagement: int) -> None:
    with db.unit_of_work() as s:
        reviews.leave_review(
            s,
            actor_id=reviewer.member_id,
            engagement_id=engagement,
            rating=RING_STARS,
            body="Brilliant, as always!",
        )


def shown_reputation(who: Account) -> tuple[reviews.Reputation, str]:
    """The profile's reputation, and the plain average of every review."""
    with db.read_only() as s:
        plain = s.exec(
            select(func.avg(Review.rating)).where(Review.reviewee_id == who.member_id)
        ).one()
        return reviews.reputation(s, who.member_id), f"{float(plain or 0):.1f}"


# --------------------------------------------------------------------------- IOUs


@dataclass
class IouRunUp:
    account: str  # "throwaway" or "newcomer"
    credit_limit: int
    tried: int  # karma it tried to owe: what it would owe without the limit
    written: int
    refused: int
    most_owed: int

    @property
    def past_limit(self) -> int:
        return max(0, self.most_owed - self.credit_limit)


def iou_run_up(
    network: HonestNetwork, count: int, *, progress: Progress = quiet
) -> list[IouRunUp]:
    """A throwaway account and one set up as a newcomer, both at zero
    karma, write `count` IOUs each as debtor to as many real members."""
    db.use_engine(network.engine)
    with one_password_hash():
        throwaway = sign_up("throwaway", fraudsters(4), 0)
        newcomer = sign_up("iou-newcomer", honest_crowd(5), 0)
    for established in network.rng.sample(network.available(), NEWCOMER_TIES):
        connect(newcomer, established)
    recompute_trust()
    return [
        _write_ious(network, "throwaway", throwaway, count, progress),
        _write_ious(network, "newcomer", newcomer, count, progress),
    ]


def _write_ious(
    network: HonestNetwork, label: str, debtor: Account, count: int, progress: Progress
) -> IouRunUp:
    """The largest IOU there is, then IOUs of 1 point to one real member
    after another, then a booking of a real member's offer on IOU terms;
    the most owed along the way."""
    creditors = network.available()
    amounts = [MAX_IOU_POINTS] + [1] * (count - 1)
    went_through, most = [], 0
    for i, amount in enumerate(amounts):
        creditor = creditors[i % len(creditors)]
        went_through.append(
            not refused(lambda c=creditor, a=amount: _i_owe(debtor, c, a))
        )
        most = max(most, owed(debtor))
        tick(progress, f"IOUs by the {label}", i + 1, count)
    offer = network.shelf.offer(creditors[0], IOU_OFFER_PRICE, terms="iou")
    went_through.append(not refused(lambda: book(debtor, offer)))
    return IouRunUp(
        account=label,
        credit_limit=credit_limit(debtor),
        tried=sum(amounts) + IOU_OFFER_PRICE,
        written=sum(went_through),
        refused=len(went_through) - sum(went_through),
        most_owed=max(most, owed(debtor)),
    )


def _i_owe(debtor: Account, creditor: Account, amount: int) -> None:
    with db.unit_of_work() as s:
        ious.propose_iou(
            s,
            actor_id=debtor.member_id,
            counterpart=creditor.handle,
            direction="i_owe",
            amount=amount,
            note="For the intro last week",
        )


def owed(debtor: Account) -> int:
    with db.read_only() as s:
        return ious.outstanding_debt(s, debtor.member_id)


# --------------------------------------------------------------------------- a run


@dataclass
class Figures:
    """What one database's run measured."""

    backend: str
    size: Size
    honest: HonestCost
    sybils: SybilFarm
    intros: IntroMinting
    ring: ReviewRing
    ious: list[IouRunUp]
    seconds: float = 0.0

    def targets(self) -> dict[str, bool]:
        return {
            "gain_per_sybil": self.sybils.per_sybil <= MAX_GAIN_PER_SYBIL,
            "rewards_per_pair": self.intros.most_per_pair <= MAX_REWARDS_PER_PAIR,
            "ring_reviewers": self.ring.people <= MAX_RING_REVIEWERS,
            "iou_debt_within_limit": all(r.past_limit == 0 for r in self.ious),
            "newcomers_served": self.honest.served_share >= MIN_SERVED,
            "honest_flagged": self.honest.flagged_share <= MAX_FLAGGED,
        }

    @property
    def ok(self) -> bool:
        return all(self.targets().values())

    def as_json(self) -> dict:
        s, i, r, h = self.sybils, self.intros, self.ring, self.honest
        return {
            "seconds": round(self.seconds, 1),
            "gain_per_sybil": round(s.per_sybil, 3),
            "sybil_attack": asdict(s)
            | {"undefended_gain_per_sybil": _round(s.undefended_per_sybil)},
            "intro_ring_karma": i.ring_karma,
            "intro_two_way_karma": i.two_way_karma,
            "max_rewards_per_pair": i.most_per_pair,
            "intro_attack": asdict(i) | {"old_rule_karma": i.old_rule_karma},
            "ring_rating": r.profile.average,
            "ring_reviewers": r.people,
            "ring_attack": {
                "engagements": r.engagements,
                "reviews": r.reviews,
                "shown": r.shown,
                "received": r.profile.received,
                "plain_average": r.plain_average,
            },
            "iou_attack": [asdict(d) | {"past_limit": d.past_limit} for d in self.ious],
            "newcomers_served_share": round(h.served_share, 4),
            "honest_flagged_share": round(h.flagged_share, 4),
            "honest_cost": asdict(h) | {"limits": _spread(h.limits)},
            "targets": self.targets(),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _spread(values: list[int]) -> dict[str, int]:
    ordered = sorted(values) or [0]
    return {"min": ordered[0], "median": ordered[len(ordered) // 2], "max": ordered[-1]}


def run_attacks(
    engine: Engine, size: Size, *, backend: str = "", progress: Progress = quiet
) -> Figures:
    """Every attack, one after another, against one seeded network in
    `engine`'s empty, migrated database; the baseline last."""
    started = time.perf_counter()
    network = honest_network(engine, size.members, progress=progress)
    progress(f"  honest newcomers ({size.newcomers})")
    honest = honest_newcomers(network, size.newcomers, progress=progress)
    progress(f"  sybil farming (N = {size.sybils})")
    sybils, farm = sybil_farming(
        network, size.sybils, attack_edges=size.attack_edges, progress=progress
    )
    progress(f"  intro minting ({size.rounds} rounds, then two-way)")
    minted = intro_minting(network, size.rounds, progress=progress)
    progress(f"  reputation ring ({size.ring} engagements)")
    ring = reputation_ring(network, size.ring, progress=progress)
    progress(f"  IOUs ({size.ious} per account)")
    debts = iou_run_up(network, size.ious, progress=progress)
    integrity_cost(network, honest)
    progress("  baseline: the same sybils with the pre-fix limits")
    sybil_farming_undefended(network, sybils, farm, progress=progress)
    figures = Figures(backend, size, honest, sybils, minted, ring, debts)
    figures.seconds = time.perf_counter() - started
    return figures


# ------------------------------------------------------------------- the databases


@contextlib.contextmanager
def throwaway_database(backend: str) -> Iterator[Engine]:
    """A migrated, empty database the app points at until the block ends;
    a temporary SQLite file, or a PostgreSQL database dropped after."""
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="attacks-"))
            url = f"sqlite:///{folder}/attacks.db"
        else:
            name = f"bench_attacks_{os.getpid()}"
            url = create_database(name)
            stack.callback(drop_database, name)
        engine = db.make_engine(url)
        stack.callback(engine.dispose)
        upgrade_to_head(engine)
        db.use_engine(engine)
        stack.callback(db.use_engine, None)
        # what memory holds (the graph, remembered sessions) is another
        # database's: start afresh, as tests/conftest.py's engine does
        events.tell_here(events.DATA_REPLACED)
        yield engine


def no_mail_and_local_throttles() -> None:
    """SMTP at a loopback port nobody listens on (nothing here sends mail;
    should anything try, it reaches nobody), and the sign-up throttle's
    counters in the database, fresh with each database."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.environ["MARKETPLACE_SMTP_HOST"] = "127.0.0.1"
    os.environ["MARKETPLACE_SMTP_PORT"] = str(port)
    for name in ("MARKETPLACE_THROTTLE_REDIS_URL", "REFLEX_REDIS_URL"):
        os.environ.pop(name, None)
    get_settings.cache_clear()


# ------------------------------------------------------------------------- report


def sybil_rows(f: Figures) -> list[tuple[str, str, str]]:
    s = f.sybils
    refused_ = f"{s.gifts_refused} / {s.requests_refused} / {s.offers_refused}"
    return [
        (f"karma gained per sybil (N = {s.sybils})", "≤ 1", f"{s.per_sybil:.2f}"),
        (
            "  … baseline: the same sybils, pre-fix limits",
            "",
            f"{s.undefended_per_sybil or 0:.2f}",
        ),
        (
            "  sybils' limits summed / top sybil trust",
            "",
            f"{s.sybil_limits} / {s.sybil_trust_max:.3f}",
        ),
        ("  refused: gifts / requests / offers", "", refused_),
    ]


def intro_rows(f: Figures) -> list[tuple[str, str, str]]:
    i = f.intros
    per_pair = f"{i.most_rewards_per_pair} / {i.most_reward_transfers_per_pair}"
    return [
        (f"intro karma, {i.rounds}-round ring", "", str(i.ring_karma)),
        ("intro karma, two-way intros", "", str(i.two_way_karma)),
        ("  … a reward per paid intro (old rule)", "", str(i.old_rule_karma)),
        ("most rewards per pair (rows / transfers)", "≤ 1", per_pair),
    ]


def ring_rows(f: Figures) -> list[tuple[str, str, str]]:
    r = f.ring
    return [
        (f"review ring ({r.engagements} engagements) shows", "1 person", r.shown),
        (
            "  … every review alike (old profile)",
            "",
            f"{r.plain_average} from {r.profile.received} reviews",
        ),
    ]


def iou_rows(f: Figures) -> list[tuple[str, str, str]]:
    return [
        (
            f"IOU debt of the {d.account} / its limit",
            "≤ limit",
            f"{d.most_owed} / {d.credit_limit} (tried {d.tried})",
        )
        for d in f.ious
    ]


def honest_rows(f: Figures) -> list[tuple[str, str, str]]:
    h = f.honest
    limits = _spread(h.limits)
    named = ", ".join(f"{k} {v}" for k, v in sorted(h.attackers_named.items()))
    return [
        (
            "honest newcomers served",
            "≥ 95%",
            f"{h.served_share:.0%} ({h.served}/{h.newcomers})",
        ),
        ("  their limits, min / median", "", f"{limits['min']} / {limits['median']}"),
        (
            "honest members flagged",
            "≤ 1%",
            f"{h.flagged_share:.1%} ({h.flagged}/{h.honest})",
        ),
        ("  attack accounts named, by signal", "", named or "none"),
    ]


def rows(f: Figures) -> list[tuple[str, str, str]]:
    return [
        *sybil_rows(f),
        *intro_rows(f),
        *ring_rows(f),
        *iou_rows(f),
        *honest_rows(f),
        *(
            (f"target: {name}", "", "met" if met else "MISSED")
            for name, met in f.targets().items()
        ),
        ("seconds", "", f"{f.seconds:.0f}"),
    ]


def report(runs: list[Figures], size: Size) -> bool:
    """The table (one column per database), then the JSON line."""
    table = Table(
        title=f"Attacks on karma: {size.members:,} seeded members",
    )
    for column in ("figure", "target", *(f.backend for f in runs)):
        table.add_column(column)
    for lines in zip(*(rows(f) for f in runs), strict=True):
        label, target, _ = lines[0]
        table.add_row(label, target, *(value for *_, value in lines))
    Console(file=sys.stdout, width=160).print(table)
    ok = bool(runs) and all(f.ok for f in runs)
    figures = {f.backend: f.as_json() for f in runs}
    print(json.dumps({"size": asdict(size), **figures, "ok": ok}))
    return ok


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="which databases, in order"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    no_mail_and_local_throttles()
    runs = []
    try:
        for backend in args.backends.split(","):
            say(f"{backend}:")
            with throwaway_database(backend) as engine:
                runs.append(run_attacks(engine, size, backend=backend, progress=say))
    except (Exception, KeyboardInterrupt) as failure:
        traceback.print_exc()
        print(json.dumps({"error": repr(failure), "ok": False}))
        return 2
    return 0 if report(runs, size) else 1


if __name__ == "__main__":
    sys.exit(main())
