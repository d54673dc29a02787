"""Demo relationship graph: warmth from the seeded history, contexts and groups.

The market seed (market.py) goes through the real services, and they
already record each confirmed engagement, message, review and binding IOU as
an interaction that warms the connection (graph_index.record_interaction).
What they cannot know is the history before the month the market covers.
This module adds it, then the signals the dashboard's nudges feed on:

- **Thank-you gifts.** Each karma thank-you of the network seed ("Thanks for
  the positioning workshop": a gift, or a payment for help on credit) is a
  considered word of thanks between two connections: one `review`-weight
  interaction on its date. Alone it
  never makes a relationship "one that mattered" (domain/strength.py).
- **A year ago.** Up to three of priya's early connections she has done
  nothing else with get a story 9-14 months old -- messages, help, reviews
  both ways -- so her dashboard shows relationships that mattered and are
  going cold (two with the quick start's 50 members).
- Both are bulk inserts; each touched connection's warmth cache is then set
  from all its interactions (`strength.warmth_from`), exactly what
  `record_interaction` would have left, and the in-memory graph is dropped at
  commit so the next query loads it whole.
- **Contexts** through network/contexts.py: priya organizes Northstar SaaS
  Summit, marcus raises his seed round, and members of the demo accounts'
  circles are launching, hiring, looking and moving -- each with tags that fit
  a demo account's expertise, so priya's, marcus's and lena's nudges start full.
  Each context's best fits are told in their inbox, as posting one in the
  app does, once the month of history is written (an inbox lists by id).
- **Intros** through network/intros.py: marcus asks priya to introduce him
  to someone in her circle (waiting for her), and lena asked marcus, who
  introduced her with a note (waiting for the other side) -- so both
  profile pages show a pending intro, and priya has one to make.
- **Groups**: "SaaS marketers" (priya's) and "Founders raising in 2027"
  (marcus's), with a few members each.

Idempotent: history rows carry refs ("gift:<transfer key>", "seed-<seed>-past"),
contexts are recognised by owner and title, intros by requester and
introducer, groups by slug; a re-run adds nothing. Deterministic: every
choice follows the network plan's order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, select

from marketplace import events
from marketplace.adapters.clock import Clock, FixedClock
from marketplace.demo.files import read_json
from marketplace.demo.karma import KarmaMove
from marketplace.demo.members import DEMO_HANDLES, NetworkPlan
from marketplace.domain.strength import WEIGHTS, Kind, ordered_pair, warmth_from
from marketplace.models import (
    Connection,
    Context,
    GroupMembership,
    Interaction,
    Intro,
    LedgerTransfer,
    MemberGroup,
)
from marketplace.network import connections, contexts, intros
from marketplace.settings import get_settings

INTERACTION = Interaction.__table__
CONNECTION = Connection.__table__
# How many days ago each of priya's cold ties last mattered: 13.5, 11.5 and
# 9 months -- long enough that one strong episode has faded below "warm".
COLD_DAYS = (410, 345, 280)
# One past episode, as (kind, days before its last step): a note, the help,
# a review each way, a thank-you message.
EPISODE = (
    (Kind.MESSAGE, 6),
    (Kind.ENGAGEMENT, 2),
    (Kind.REVIEW, 1),
    (Kind.REVIEW, 1),
    (Kind.MESSAGE, 0),
)


@dataclass
class GraphReport:
    interactions_created: int = 0
    connections_warmed: int = 0
    contexts_created: int = 0
    intros_created: int = 0
    groups_created: int = 0
    memberships_created: int = 0


def seed_graph(
    session: Session,
    plan: NetworkPlan,
    moves: Sequence[KarmaMove],
    ids: dict[str, int],
    seed: int,
    clock: Clock,
) -> GraphReport:
    """Add the demo graph's history, contexts and groups that are missing.
    `plan` is the network plan (its first members are the demo accounts),
    `moves` the karma plan, `ids` handle -> id of every seeded member."""
    report = GraphReport()
    now = clock.now()
    demo = _Demo(plan, ids)
    gifts = _write(session, _gift_interactions(session, moves, ids))
    # after the gifts: a cold tie is someone priya has done nothing with since
    past = _write(session, _cold_history(session, demo, seed, now))
    report.interactions_created = len(gifts) + len(past)
    if gifts or past:
        pairs = {(r["member_a_id"], r["member_b_id"]) for r in gifts + past}
        report.connections_warmed = _rewarm(session, pairs)
        # Written in bulk, behind the services' back: every worker's graph
        # reloads once this commits.
        events.publish(session, events.DATA_REPLACED)
    report.contexts_created = _post_contexts(session, demo, now)
    report.intros_created = _ask_intros(session, demo, now)
    report.groups_created, report.memberships_created = _ensure_groups(
        session, demo, now
    )
    return report


class _Demo:
    """What the choices below read of the plan: who is seeded, each generated
    member's domain and needs, and the demo accounts' circles, in plan order."""

    def __init__(self, plan: NetworkPlan, ids: dict[str, int]) -> None:
        self.ids = ids
        self.generated = [
            m for m in plan.members if m.handle not in DEMO_HANDLES and m.handle in ids
        ]
        self.domain = {m.handle: m.domain for m in self.generated}
        self.circles: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for link in plan.links:
            if link.addressee in DEMO_HANDLES and link.requester in self.domain:
                self.circles[link.addressee].append((link.requester, link.days_ago))


# --------------------------------------------------------------------------- history


def _write(session: Session, rows: list[dict]) -> list[dict]:
    if rows:
        session.execute(insert(INTERACTION), rows)
    return rows


def _interaction(a: int, b: int, kind: Kind, at: datetime, ref: str) -> dict:
    low, high = ordered_pair(a, b)
    return {
        "member_a_id": low,
        "member_b_id": high,
        "kind": kind.value,
        "weight": WEIGHTS[kind],
        "at": at,
        "ref": ref,
    }


def _gift_interactions(
    session: Session, moves: Sequence[KarmaMove], ids: dict[str, int]
) -> list[dict]:
    """A thank-you interaction for each seeded thank-you (a gift, or help
    paid for on credit) that has none yet, dated like its transfer (so a
    later seed's clock changes nothing)."""
    gifts = {
        f"gift:{m.key}": m
        for m in moves
        if m.kind in ("gift", "help") and m.giver in ids and m.receiver in ids
    }
    if not gifts:
        return []
    done = set(
        session.exec(select(Interaction.ref).where(col(Interaction.ref).in_(gifts)))
    )
    keys = [m.key for ref, m in gifts.items() if ref not in done]
    paid = dict(
        session.exec(
            select(LedgerTransfer.transfer_key, LedgerTransfer.created_at).where(
                col(LedgerTransfer.transfer_key).in_(keys)
            )
        ).all()
    )
    return [
        _interaction(ids[m.giver], ids[m.receiver], Kind.REVIEW, paid[m.key], ref)
        for ref, m in gifts.items()
        if m.key in paid and ref not in done
    ]


def _cold_history(
    session: Session, demo: _Demo, seed: int, now: datetime
) -> list[dict]:
    """One strong episode 9-14 months ago with each of a few of priya's
    early connections she has had nothing to do with since."""
    ref = f"seed-{seed}-past"
    priya = demo.ids.get("priya")
    written = session.exec(select(Interaction.id).where(Interaction.ref == ref))
    if priya is None or written.first() is not None:
        return []
    rows = []
    for other, last_days in _quiet_early_ties(session, demo, priya):
        for kind, before in EPISODE:
            at = now - timedelta(days=last_days + before)
            rows.append(_interaction(priya, other, kind, at, ref))
    return rows


def _quiet_early_ties(
    session: Session, demo: _Demo, priya: int
) -> list[tuple[int, float]]:
    """Up to len(COLD_DAYS) of priya's generated connections she has no
    interaction with, each with the days since its episode: the oldest
    connections get the oldest episodes, and a connection always predates
    its episode by a month or more."""
    touched = session.exec(
        select(Interaction.member_a_id, Interaction.member_b_id).where(
            or_(Interaction.member_a_id == priya, Interaction.member_b_id == priya)
        )
    )
    known = {a if b == priya else b for a, b in touched}
    quiet = [
        (days_ago, demo.ids[handle])
        for handle, days_ago in demo.circles["priya"]
        if demo.ids[handle] not in known
    ]
    quiet.sort(key=lambda tie: -tie[0])  # stable: plan order among equals
    ties, episodes = [], list(COLD_DAYS)
    for days_ago, member in quiet:
        fits = [d for d in episodes if days_ago > d + EPISODE[0][1] + 30]
        if fits:
            ties.append((member, fits[0]))
            episodes.remove(fits[0])
    return ties


def _rewarm(session: Session, pairs: Iterable[tuple[int, int]]) -> int:
    """Set each pair's connection warmth cache from all its interactions;
    returns how many connections it set."""
    pairs = set(pairs)
    members = sorted({m for pair in pairs for m in pair})
    i = INTERACTION.c
    history: dict[tuple[int, int], list] = defaultdict(list)
    for a, b, weight, at in session.execute(
        select(i.member_a_id, i.member_b_id, i.weight, i.at).where(
            i.member_a_id.in_(members), i.member_b_id.in_(members)
        )
    ):
        if (a, b) in pairs:
            history[(a, b)].append((weight, at))
    c = CONNECTION.c
    found = session.execute(
        select(c.id, c.requester_id, c.addressee_id).where(
            c.requester_id.in_(members), c.addressee_id.in_(members)
        )
    )
    half_life = get_settings().graph_half_life_days
    updates = []
    for connection_id, requester, addressee in found:
        pair = ordered_pair(requester, addressee)
        if pair in history:
            warmth = warmth_from(history[pair], half_life)
            last = max(at for _, at in history[pair])
            updates.append((connection_id, warmth.value, warmth.at, last))
    for connection_id, value, at, last in updates:
        session.execute(
            update(CONNECTION)
            .where(c.id == connection_id)
            .values(warmth=value, warmth_at=at, last_interaction_at=last)
        )
    return len(updates)


# --------------------------------------------------------------------------- contexts


@dataclass(frozen=True)
class DemoContext:
    """A context to post: by a demo account, or by the first member of a demo
    account's circle in one of `domains` (so it reaches that account)."""

    owner: str  # a handle, or "<demo>~" for someone in the demo's circle
    kind: str
    title: str
    description: str
    tags: str
    posted_days_ago: float
    starts_in: int | None = None  # days after seeding
    ends_in: int | None = None
    domains: tuple[str, ...] = ()
    # fixed first and last days (the summit's): kept when they are 30 to 300
    # days ahead of the seed run, else moved to 160 days ahead
    dates: tuple[date, date] | None = None


def _demo_context(row: dict) -> DemoContext:
    """A context of data/contexts.json."""
    dates = row.get("dates")
    return DemoContext(
        **{
            **row,
            "domains": tuple(row.get("domains", ())),
            "dates": tuple(map(date.fromisoformat, dates)) if dates else None,
        }
    )


DEMO_CONTEXTS = tuple(_demo_context(row) for row in read_json("contexts.json"))


def _post_contexts(session: Session, demo: _Demo, now: datetime) -> int:
    """Post the demo contexts whose owners are seeded and that are not there,
    then tell each one's best fits, as the app does on posting -- but dated
    now, after the month of history already written, since an inbox lists
    by id and ids must follow time."""
    posted = []
    for context, owner in _context_owners(demo).items():
        form = _context_form(context, now)
        if _posted(session, demo.ids[owner], form["title"]):
            continue
        at = FixedClock(now - timedelta(days=context.posted_days_ago))
        posted.append(
            contexts.post_context(
                session, actor_id=demo.ids[owner], form=form, clock=at, tell=False
            )
        )
    for context in sorted(posted, key=lambda c: (c.created_at, c.id)):
        signal = contexts.signal_of(session, context)
        contexts.tell_best_fits(session, signal, FixedClock(now))
    return len(posted)


def _context_owners(demo: _Demo) -> dict[DemoContext, str]:
    """Each demo context's owner: the demo account itself, or someone in its
    circle from the first of the context's domains that has one, never twice."""
    owners: dict[DemoContext, str] = {}
    taken: set[str] = set()
    for context in DEMO_CONTEXTS:
        if not context.owner.endswith("~"):
            if context.owner in demo.ids:
                owners[context] = context.owner
            continue
        circle = [h for h, _ in demo.circles[context.owner[:-1]] if h not in taken]
        for wanted in context.domains:
            match = next((h for h in circle if demo.domain[h] == wanted), None)
            if match is not None:
                owners[context] = match
                taken.add(match)
                break
    return owners


def _context_form(demo: DemoContext, now: datetime) -> dict:
    today = now.date()
    starts, ends = _days(demo, today)
    title = demo.title.format(year=(starts or today).year)
    return {
        "kind": demo.kind,
        "title": title,
        "description": demo.description,
        "tags": demo.tags,
        "starts_on": starts.isoformat() if starts else "",
        "ends_on": ends.isoformat() if ends else "",
    }


def _days(demo: DemoContext, today: date) -> tuple[date | None, date | None]:
    if demo.dates is not None:
        first, last = demo.dates
        if not today + timedelta(days=30) <= first <= today + timedelta(days=300):
            length = last - first
            first = today + timedelta(days=160)  # a seed run long after the dates
            last = first + length
        return first, last
    starts = today + timedelta(days=demo.starts_in) if demo.starts_in else None
    ends = today + timedelta(days=demo.ends_in) if demo.ends_in else None
    return starts, ends


def _posted(session: Session, member_id: int, title: str) -> bool:
    found = session.exec(
        select(Context.id).where(Context.member_id == member_id, Context.title == title)
    ).first()
    return found is not None


# --------------------------------------------------------------------------- intros


@dataclass(frozen=True)
class DemoIntro:
    """A demo account asks another to introduce them to someone in the
    introducer's circle (the first from `domains` they don't know yet);
    with a `note`, the introducer has already introduced them."""

    requester: str
    via: str
    domains: tuple[str, ...]
    message: str
    note: str = ""


DEMO_INTROS = tuple(
    DemoIntro(**{**row, "domains": tuple(row["domains"])})
    for row in read_json("intros.json")
)


def _ask_intros(session: Session, demo: _Demo, now: datetime) -> int:
    """Ask (and forward) the demo intros through the services, so priya has
    an intro to make and marcus's and lena's show as pending on the
    profiles they asked about. Dated now, after the history (an inbox lists
    by id). One per requester and via: a re-run adds nothing."""
    created = 0
    clock = FixedClock(now)
    for planned in DEMO_INTROS:
        if planned.requester not in demo.ids or planned.via not in demo.ids:
            continue
        requester, via = demo.ids[planned.requester], demo.ids[planned.via]
        if _asked_through(session, requester, via):
            continue
        target = _intro_target(session, demo, planned, requester)
        if target is None:
            continue
        intro = intros.request_intro(
            session,
            actor_id=requester,
            target=target,
            via=planned.via,
            message=planned.message,
            clock=clock,
        )
        if planned.note:
            intros.forward_intro(
                session,
                actor_id=via,
                intro_id=intro.id,
                answer="forward",
                note=planned.note,
                clock=clock,
            )
        created += 1
    return created


def _asked_through(session: Session, requester: int, via: int) -> bool:
    found = session.exec(
        select(Intro.id).where(Intro.requester_id == requester, Intro.via_id == via)
    ).first()
    return found is not None


def _intro_target(
    session: Session, demo: _Demo, planned: DemoIntro, requester: int
) -> str | None:
    """The handle of the first of the introducer's circle, by the planned
    domains, whom the requester doesn't know yet."""
    circle = [h for h, _ in demo.circles[planned.via]]
    for domain in planned.domains:
        for handle in circle:
            if demo.domain[handle] != domain:
                continue
            state = connections.relationship(session, requester, demo.ids[handle])
            if state == "none":
                return handle
    return None


# --------------------------------------------------------------------------- groups


@dataclass(frozen=True)
class DemoGroup:
    name: str
    slug: str
    description: str
    creator: str
    domains: tuple[str, ...]  # generated members from these domains join
    needs: tuple[str, ...] = ()  # ...or who need one of these
    size: int = 5


def _demo_group(row: dict) -> DemoGroup:
    """A group of data/groups.json."""
    needs = tuple(row.get("needs", ()))
    return DemoGroup(**{**row, "domains": tuple(row["domains"]), "needs": needs})


DEMO_GROUPS = tuple(_demo_group(row) for row in read_json("groups.json"))
GROUP_POOL = 50  # members are drawn from the first generated members only


def _ensure_groups(session: Session, demo: _Demo, now: datetime) -> tuple[int, int]:
    """Create the demo groups that are missing, with their members."""
    groups = memberships = 0
    for planned in DEMO_GROUPS:
        exists = session.exec(
            select(MemberGroup.id).where(MemberGroup.slug == planned.slug)
        ).first()
        if exists is not None or planned.creator not in demo.ids:
            continue
        group = MemberGroup(
            name=planned.name,
            slug=planned.slug,
            description=planned.description,
            created_by_id=demo.ids[planned.creator],
            created_at=now - timedelta(days=120),
        )
        session.add(group)
        session.flush()
        people = [planned.creator, *_group_members(planned, demo)]
        session.add_all(
            GroupMembership(
                group_id=group.id,
                member_id=demo.ids[handle],
                joined_at=now - timedelta(days=120 - 9 * n),
            )
            for n, handle in enumerate(people)
        )
        groups, memberships = groups + 1, memberships + len(people)
    session.flush()
    return groups, memberships


def _group_members(group: DemoGroup, demo: _Demo) -> list[str]:
    """The first generated members who fit: from the group's domains, or
    needing what it is about."""
    fitting = [
        m.handle
        for m in demo.generated[:GROUP_POOL]
        if m.domain in group.domains or set(m.get) & set(group.needs)
    ]
    return fitting[: group.size]
