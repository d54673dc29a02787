"""Demo marketplace: what a newcomer who logs in as priya sees come alive.

About fifty listings -- offers and requests by the demo accounts and the first
MARKET_POOL generated members, posted over the past month -- and engagements on
them in every state of the lifecycle, each told as a *story* of dated steps:
proposed, accepted, delivered, confirmed and reviewed both ways; declined,
cancelled, disputed (one already resolved by the operator `ops`). priya, marcus
and lena each find something waiting for their answer.

- Every step goes through the real services (listings, engagements, threads,
  reviews) with a FixedClock set to that step's moment, and the whole month is
  replayed in time order, so timelines, response times, held and paid karma,
  IOUs and notifications (ids included: an inbox lists by id) are exactly what
  the app would have written, and the ledger audit stays clean.
- The plan is a pure function of the seed (and of the credit terms, which
  bound what members can pay: karma is mutual credit, and askers go below
  zero within their limits) drawn from the first MARKET_POOL generated
  members (prefix-stable, like the network plan): the same seed makes the same
  market whatever `members` is, and its size is fixed, so seeding 2,000
  members costs no more here than seeding 50.
- A listing is written, with its stories, once its author and every other
  person in them are seeded, and only once: it is recognised by author and
  title, so a re-run writes nothing and a larger `members` adds the listings
  whose people just arrived. What generated members pay is planned within the
  karma the network seed leaves them; a story whose payer no longer has it
  (spent in the app meanwhile) is skipped, never overdrawn.
- Members have read what reached them more than UNREAD_WINDOW ago; the rest
  stays unread, so priya's inbox badge shows a handful.

Like every service it never commits; seed.seed_network calls it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, FixedClock
from marketplace.demo import cards as demo_cards
from marketplace.demo.files import read_csv, read_json
from marketplace.demo.karma import KarmaMove, plan_karma
from marketplace.demo.members import (
    DEMO_HANDLES,
    MemberSpec,
    NetworkPlan,
    plan_network,
)
from marketplace.demo.trust import CreditTerms, planned_limits
from marketplace.domain.ious import OverCreditLimit
from marketplace.domain.money import major_units
from marketplace.domain.taxonomy import DOMAINS
from marketplace.inbox import notifications
from marketplace.ledger import ledger
from marketplace.market import engagements, listings, reviews, threads
from marketplace.models import Engagement, Listing, Member, Notification

MARKET_POOL = 50  # listings involve the demo accounts and these generated members
MARKET_WINDOW_DAYS = 30  # listings were posted over the past month
GENERATED_LISTINGS = 34  # besides the demo accounts' scenes
UNREAD_WINDOW = timedelta(days=2)
LATEST = 0.02  # days: the newest step happened half an hour ago
OPERATOR = "ops"


@dataclass
class MarketReport:
    listings_created: int = 0
    engagements_created: int = 0
    messages_created: int = 0
    reviews_created: int = 0
    notifications_created: int = 0
    # Planned engagements whose asker no longer has the karma they need.
    engagements_skipped: int = 0


@dataclass(frozen=True)
class Step:
    """One move in a story, `days_ago` before seeding. `who` is the listing's
    author, the guest (who books the offer or answers the request) or ops."""

    who: str  # author | guest | ops
    # propose | accept | ... | message | review | answer_dispute | resolve
    action: str
    days_ago: float
    text: str = ""
    rating: int = 0  # review stars
    resolution: str = ""  # resolve: refund | release


@dataclass(frozen=True)
class Story:
    guest: str
    steps: tuple[Step, ...]
    hours: int = 1  # an hourly paid offer: the hours booked
    card: bool = True  # paid: the payer saved a card before booking


@dataclass(frozen=True)
class ListingPlan:
    author: str
    kind: str  # offer | request
    title: str
    description: str
    tags: tuple[str, ...]
    terms: str  # karma | iou | free | paid
    price: int  # points; paid terms: minor units of `currency`
    days_ago: float
    capacity: int = 1
    deadline_in: int | None = None  # days after the day of seeding
    audience: str = "public"
    chosen: tuple[str, ...] = ()
    stories: tuple[Story, ...] = ()
    status: str = "open"  # paused | closed: set after the stories
    status_days_ago: float = 0.0
    currency: str | None = None  # paid terms only
    rate_kind: str | None = None  # paid terms only: fixed | hourly

    def payer(self, story: Story) -> str | None:
        """Who has karma held in `story`: the guest booking an offer, the
        author accepting a helper, or nobody."""
        if self.terms != "karma":
            return None
        if self.kind == "offer":
            return "guest"
        return "author" if any(s.action == "accept" for s in story.steps) else None

    def people(self) -> set[str]:
        """Everyone who must be a seeded member for this listing to be written."""
        found = {self.author, *self.chosen, *(s.guest for s in self.stories)}
        if any(step.who == "ops" for s in self.stories for step in s.steps):
            found.add(OPERATOR)
        return found

    def form(self, now: datetime) -> dict:
        """The listing form as its author would have filled it in."""
        deadline = ""
        if self.deadline_in is not None:
            deadline = (now + timedelta(days=self.deadline_in)).date().isoformat()
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "tags": ", ".join(self.tags),
            "terms": self.terms,
            "price": (
                major_units(self.price, self.currency) if self.currency else self.price
            ),
            "currency": self.currency or "",
            "rate_kind": self.rate_kind or "",
            "capacity": self.capacity,
            "deadline": deadline,
            "audience": self.audience,
            "chosen": ", ".join(self.chosen),
        }


# -------------------------------------------------------------------- the service


def seed_market(
    session: Session,
    plan: Sequence[ListingPlan],
    ids: dict[str, int],
    clock: Clock,
    tick: Callable[[int], None] | None = None,
) -> MarketReport:
    """Write the planned listings not yet there whose people are all seeded,
    replaying their month in time order (so ids, like an inbox, follow time)."""
    report = MarketReport()
    before = session.exec(select(func.max(Notification.id))).one() or 0
    done = _existing(session, plan, ids)
    # Paid help needs a Stripe account; a later seed with one adds it.
    paid = bool(payments.payments_available())
    todo = [
        p
        for p in plan
        if (p.author, p.title) not in done
        and p.people() <= set(ids)
        and (paid or p.terms != "paid")
    ]
    # The services look the same members up again and again, and a session
    # keeps only the rows something refers to: hold the players' rows here.
    players = _players(session, todo, ids)
    replay = _Replay(session, todo, ids, clock.now(), report, tick)
    for event in _timeline(todo):
        replay.play(*event)
    if tick is not None:
        tick(len(plan) - len(todo))
    report.notifications_created = settle_inbox(session, before, clock.now())
    del players
    return report


def _existing(
    session: Session, plan: Sequence[ListingPlan], ids: dict[str, int]
) -> set[tuple[str, str]]:
    handles = {ids[p.author]: p.author for p in plan if p.author in ids}
    rows = session.exec(
        select(Listing.author_id, Listing.title).where(
            col(Listing.author_id).in_(list(handles))
        )
    )
    return {(handles[author], title) for author, title in rows}


def _players(
    session: Session, plan: Sequence[ListingPlan], ids: dict[str, int]
) -> list[Member]:
    wanted = {ids[h] for listing in plan for h in listing.people()}
    return list(session.exec(select(Member).where(col(Member.id).in_(wanted))))


def _timeline(plan: Sequence[ListingPlan]) -> list[tuple[str, int, int, int]]:
    """Every posting, story step and status change, oldest first; steps at
    the same moment keep the order they were planned in."""
    events: list[tuple[float, tuple[str, int, int, int]]] = []
    for i, listing in enumerate(plan):
        events.append((listing.days_ago, ("post", i, 0, 0)))
        for j, story in enumerate(listing.stories):
            events += [
                (step.days_ago, ("step", i, j, k)) for k, step in enumerate(story.steps)
            ]
        if listing.status != "open":
            events.append((listing.status_days_ago, ("status", i, 0, 0)))
    order = sorted(range(len(events)), key=lambda n: (-events[n][0], n))
    return [events[n][1] for n in order]


class _Replay:
    """Plays the timeline through the services. A story starts only if its
    payer can cover the price on top of what stories already under way will
    hold for them (the ledger would refuse later, rolling back the whole
    seed); otherwise it is skipped, never overdrawn."""

    def __init__(self, session, plan, ids, now, report, tick) -> None:
        self.session, self.plan, self.ids = session, plan, ids
        self.now, self.report, self.tick = now, report, tick
        self.listings: dict[int, Listing] = {}
        # held, like the players, for the services' lookups
        self.engagements: dict[tuple[int, int], Engagement] = {}
        self.skipped: set[tuple[int, int]] = set()
        self.reserved: Counter[int] = Counter()

    def play(self, kind: str, i: int, j: int, k: int) -> None:
        listing = self.plan[i]
        author = self.ids[listing.author]
        if kind == "post":
            self.listings[i] = listings.create_listing(
                self.session,
                actor_id=author,
                form=listing.form(self.now),
                clock=_at(self.now, listing.days_ago),
            )
            self.report.listings_created += 1
            if self.tick is not None:
                self.tick(1)
        elif kind == "status":
            listings.set_status(
                self.session,
                actor_id=author,
                listing_id=self.listings[i].id,
                action="pause" if listing.status == "paused" else "close",
                clock=_at(self.now, listing.status_days_ago),
            )
        elif (i, j) not in self.skipped:
            self.step(i, j, k)

    def step(self, i: int, j: int, k: int) -> None:
        listing, story = self.plan[i], self.plan[i].stories[j]
        step = story.steps[k]
        cast = {
            "author": self.ids[listing.author],
            "guest": self.ids[story.guest],
            "ops": self.ids.get(OPERATOR),
        }
        clock, actor = _at(self.now, step.days_ago), cast[step.who]
        role = listing.payer(story)
        payer = cast[role] if role else None
        if step.action == "propose":
            if not self.affordable(listing, payer) or not self.carded(
                listing, story, cast, clock
            ):
                self.skipped.add((i, j))
                self.report.engagements_skipped += 1
                return
            if payer and any(s.action == "accept" for s in story.steps):
                self.reserved[payer] += listing.price
            try:
                with self.session.begin_nested():
                    self.engagements[i, j] = engagements.propose(
                        self.session,
                        actor_id=actor,
                        listing_id=self.listings[i].id,
                        note=step.text,
                        hours=story.hours,
                        clock=clock,
                    )
            except OverCreditLimit:  # IOU terms past the asker's limit: skipped
                self._skip(i, j, payer, listing.price)
                return
            self.report.engagements_created += 1
            return
        if step.action == "accept" and payer:
            self.reserved[payer] -= listing.price  # now held by the ledger
        engagement_id = self.engagements[i, j].id
        try:
            with self.session.begin_nested():
                _step(self.session, engagement_id, step, actor, clock, self.report)
        except OverCreditLimit:  # the story stops where the limit stopped it
            self.skipped.add((i, j))

    def _skip(self, i: int, j: int, payer: int | None, price: int) -> None:
        self.skipped.add((i, j))
        self.report.engagements_skipped += 1
        if payer and any(s.action == "accept" for s in self.plan[i].stories[j].steps):
            self.reserved[payer] -= price

    def carded(self, listing: ListingPlan, story: Story, cast, clock) -> bool:
        """A paid story's payer saved their card first, unless the story is
        about a booking that waits for one."""
        if listing.terms != "paid" or not story.card:
            return True
        payer = cast["guest" if listing.kind == "offer" else "author"]
        return demo_cards.give_test_card(self.session, payer, clock)

    def affordable(self, listing: ListingPlan, payer: int | None) -> bool:
        if payer is None:
            return True
        account = ledger.member_account(self.session, payer)
        room = ledger.totals(self.session, account).room or 0  # credit included
        return room - self.reserved[payer] >= listing.price


def _at(now: datetime, days_ago: float) -> FixedClock:
    return FixedClock(now - timedelta(days=days_ago))


def _step(session, engagement_id, step: Step, actor, clock, report) -> None:
    if step.action == "message":
        threads.post_message(
            session,
            actor_id=actor,
            engagement_id=engagement_id,
            body=step.text,
            clock=clock,
        )
        report.messages_created += 1
    elif step.action == "review":
        reviews.leave_review(
            session,
            actor_id=actor,
            engagement_id=engagement_id,
            rating=step.rating,
            body=step.text,
            clock=clock,
        )
        report.reviews_created += 1
    elif step.action == "answer_dispute":
        engagements.answer_dispute(
            session,
            actor_id=actor,
            engagement_id=engagement_id,
            statement=step.text,
            clock=clock,
        )
    elif step.action == "resolve":
        engagements.resolve_dispute(
            session,
            operator_id=actor,
            engagement_id=engagement_id,
            resolution=step.resolution,
            note=step.text,
            clock=clock,
        )
    else:
        engagements.act(
            session,
            actor_id=actor,
            engagement_id=engagement_id,
            action=step.action,
            note=step.text,
            clock=clock,
        )


def settle_inbox(session: Session, before: int, now: datetime) -> int:
    """Members open what reached them before the last UNREAD_WINDOW a few
    hours after it arrived; the rest of this run's notifications stay unread."""
    session.flush()
    written = session.exec(select(Notification).where(Notification.id > before)).all()
    seen_by = now - UNREAD_WINDOW
    for note in written:
        if note.created_at < seen_by:
            notifications.mark_read(
                session,
                actor_id=note.member_id,
                notification_id=note.id,
                clock=FixedClock(min(note.created_at + timedelta(hours=3), seen_by)),
            )
    return len(written)


# ----------------------------------------------------------------------- the plan


def plan_demo_market(
    seed: int = 7,
    terms: CreditTerms | None = None,
    moves: list[KarmaMove] | None = None,
) -> list[ListingPlan]:
    """The demo marketplace for `seed`, with what generated members pay in it
    planned within their credit limit (`terms`: the settings' by default) and
    the karma `moves` (karma.plan_karma) leave them."""
    terms = terms or CreditTerms.from_settings()
    moves = plan_karma(seed, terms) if moves is None else moves
    pool = plan_network(MARKET_POOL, seed)
    karma = planned_limits(pool.members, terms)
    for move in moves:
        if move.receiver not in karma or move.giver not in (None, *karma):
            continue  # a move with someone beyond the pool: not counted on
        if move.giver is not None:
            karma[move.giver] -= move.amount
        if move.kind != "hold":  # a hold reserves the giver's karma, pays nobody
            karma[move.receiver] += move.amount
    return plan_market(pool, seed, DEMO_HANDLES, karma)


def plan_market(
    pool: NetworkPlan, seed: int, demo: Sequence[str], karma: Mapping[str, int]
) -> list[ListingPlan]:
    """The demo market for `seed`, oldest listing first. `pool` is the network
    plan of MARKET_POOL members, `demo` the handles of the demo accounts, and
    `karma` what each generated member will have available to pay with."""
    cast = _Cast(pool, demo, karma)
    scenes = [p for p in (cast.resolve(scene) for scene in DEMO_SCENES) if p]
    found = scenes + _generated_listings(cast, seed)
    return sorted(found, key=lambda p: -p.days_ago)


class _Cast:
    """Who plays each part. "priya~sales" is someone priya knows, in sales if
    she knows somebody there, known since before the story; "anyone~design"
    is a generated member in design. A pick prefers people not picked for
    that part yet, then the domain, then people with fewer parts so far, then
    early members (so that a small network has them too). It also keeps what
    each generated member will pay within the karma they have."""

    def __init__(
        self, pool: NetworkPlan, demo: Sequence[str], karma: Mapping[str, int]
    ) -> None:
        self.karma = karma
        self.generated = [m for m in pool.members if m.handle not in set(demo)]
        self.index = {m.handle: i for i, m in enumerate(self.generated)}
        self.name = {m.handle: m.display_name for m in pool.members}
        self.friends: dict[str, set[str]] = defaultdict(set)
        self.since: dict[frozenset[str], float] = {}
        for link in pool.links:
            self.friends[link.requester].add(link.addressee)
            self.friends[link.addressee].add(link.requester)
            self.since[frozenset((link.requester, link.addressee))] = link.days_ago
        self.picked: set[tuple[str, str]] = set()
        self.parts: Counter[str] = Counter()
        self.spent: Counter[str] = Counter()

    def can_pay(self, handle: str, price: int) -> bool:
        # the demo accounts' scenes are planned by hand
        if handle not in self.index:
            return True
        return self.spent[handle] + price <= self.karma.get(handle, 0)

    def cast(self, plan: ListingPlan) -> ListingPlan:
        """Count the parts `plan` gives its people and the karma they pay."""
        self.parts.update([plan.author, *(s.guest for s in plan.stories)])
        for story in plan.stories:
            role = plan.payer(story)
            if role is not None:
                payer = plan.author if role == "author" else story.guest
                self.spent[payer] += plan.price
        return plan

    def first_name(self, handle: str) -> str:
        return self.name[handle].split()[0]

    def known_before(self, a: str, b: str, days_ago: float) -> bool:
        return self.since.get(frozenset((a, b)), 0) > days_ago

    def pick(self, token: str, days_ago: float, price: int = 0) -> str | None:
        """A handle for `token`, able to pay `price` if they pay in the story."""
        if "~" not in token:
            return token
        part, domain = token.split("~")
        people = [
            m
            for m in self.generated
            if (part == "anyone" or m.handle in self.friends[part])
            and self.can_pay(m.handle, price)
        ]
        ranked = sorted(
            people,
            key=lambda m: (
                (part, m.handle) in self.picked,
                m.domain != domain,
                self.parts[m.handle],
                part != "anyone" and not self.known_before(part, m.handle, days_ago),
                self.index[m.handle],
            ),
        )
        if not ranked:
            return None
        self.picked.add((part, ranked[0].handle))
        return ranked[0].handle

    def resolve(self, scene: ListingPlan) -> ListingPlan | None:
        """The scene with its parts played by handles, or None if nobody can."""
        earliest = max(
            (s.days_ago for story in scene.stories for s in story.steps),
            default=scene.days_ago,
        )
        paying = [scene.payer(story) for story in scene.stories]
        price = scene.price if "author" in paying else 0
        author = self.pick(scene.author, earliest, price)
        stories = []
        for story, payer in zip(scene.stories, paying, strict=True):
            price = scene.price if payer == "guest" else 0
            guest = self.pick(story.guest, story.steps[0].days_ago, price)
            if guest is None or guest == author:
                return None
            stories.append(replace(story, guest=guest))
        chosen = tuple(self.pick(token, earliest) for token in scene.chosen)
        if author is None or None in chosen:
            return None
        played = replace(scene, author=author, stories=tuple(stories), chosen=chosen)
        return self.cast(played)


# ----------------------------------------------------- the demo accounts' scenes
#
# Hand-written in data/scenes.json so that each demo account has every state
# to look at. Days are days before seeding; the inbox shows as unread what
# happened in the last two. A part such as "priya~sales" is cast by _Cast.

A, G = "author", "guest"


def _scene(row: dict) -> ListingPlan:
    """A listing of data/scenes.json, its stories and their steps."""
    stories = tuple(
        Story(**{**story, "steps": tuple(Step(**step) for step in story["steps"])})
        for story in row.get("stories", ())
    )
    chosen = tuple(row.get("chosen", ()))
    tags = tuple(row["tags"])
    return ListingPlan(**{**row, "tags": tags, "chosen": chosen, "stories": stories})


DEMO_SCENES: tuple[ListingPlan, ...] = tuple(
    _scene(row) for row in read_json("scenes.json")
)


# ------------------------------------------------------------ generated listings


@dataclass(frozen=True)
class Template:
    domain: str  # the skill the listing is about: the helper's domain
    kind: str
    title: str
    description: str
    tags: tuple[str, ...]


def _template(row: dict[str, str]) -> Template:
    """A row of data/catalog.csv; its tags are separated by spaces."""
    return Template(**{**row, "tags": tuple(row["tags"].split())})


OFFER, REQUEST = "offer", "request"
CATALOG = tuple(_template(row) for row in read_csv("catalog.csv"))

OUTCOMES = {
    "reviewed": 62,
    "reviewed_once": 8,
    "proposed": 8,
    "accepted": 7,
    "delivered": 5,
    "declined": 5,
    "cancelled": 5,
}
_KARMA_PRICES = (2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 6, 8, 10, 12, 15)


def _generated_listings(cast: _Cast, seed: int) -> list[ListingPlan]:
    """Listings by generated members, each with a few stories among them."""
    rng = random.Random(f"{seed}:market")
    count = min(GENERATED_LISTINGS, len(cast.generated))
    used: set[str] = set()
    found = []
    for author in rng.sample(cast.generated, count):
        template = _template_for(rng, author, used)
        if template is not None:
            used.add(template.title)
            found.append(_generated_listing(rng, cast, author, template))
    return found


def _template_for(
    rng: random.Random, author: MemberSpec, used: set[str]
) -> Template | None:
    """An offer in the author's own domain, or a request for a domain people
    in it usually need help from."""
    offers = [t for t in CATALOG if t.kind == OFFER and t.domain == author.domain]
    needs = DOMAINS[author.domain].needs
    requests = [t for t in CATALOG if t.kind == REQUEST and t.domain in needs]
    first, second = (offers, requests) if rng.random() < 0.6 else (requests, offers)
    for options in (first, second):
        options = [t for t in options if t.title not in used]
        if options:
            return rng.choice(options)
    return None


def _generated_listing(rng, cast: _Cast, author: MemberSpec, t: Template):
    days = round(rng.uniform(1.5, MARKET_WINDOW_DAYS - 1), 3)
    terms, price = _terms(rng, cast, author.handle, t.kind)
    capacity = rng.choice((1, 2, 2, 3)) if t.kind == OFFER else 1
    audience = rng.choices(("public", "network", "chosen"), (17, 2, 1))[0]
    booking = price if terms == "karma" and t.kind == OFFER else 0
    guests = _guests(rng, cast, author.handle, t, capacity, audience, days, booking)
    if not guests:
        audience = "public"
    stories: list[Story] = []
    for n, guest in enumerate(guests):
        # a request's second helper answers after the first was declined, so
        # the one spot is free when they propose
        start = stories[-1].steps[-1].days_ago if t.kind == REQUEST and n else days
        stories.append(
            _generated_story(
                rng, cast, author.handle, guest, t.kind, start, n, len(guests)
            )
        )
    chosen = ()
    if audience == "chosen":
        extra = sorted(cast.friends[author.handle] & set(cast.index) - set(guests))
        chosen = (*guests, *extra[:2])
    deadline = rng.randint(4, 30) if t.kind == REQUEST and rng.random() < 0.6 else None
    return cast.cast(
        ListingPlan(
            author=author.handle,
            kind=t.kind,
            title=t.title,
            description=t.description,
            tags=t.tags,
            terms=terms,
            price=price,
            days_ago=days,
            capacity=capacity,
            deadline_in=deadline,
            audience=audience,
            chosen=chosen,
            stories=tuple(stories),
        )
    )


def _terms(rng, cast: _Cast, author: str, kind: str) -> tuple[str, int]:
    """Mostly karma, some IOU, some free. The author of a request pays: one
    short of karma offers what they can, or an IOU."""
    terms = rng.choices(("karma", "iou", "free"), (70, 15, 15))[0]
    if terms == "karma":
        price = rng.choice(_KARMA_PRICES)
        if kind == REQUEST:
            price = min(price, cast.karma.get(author, 0) - cast.spent[author])
        if price >= 2:
            return terms, price
        terms = "iou"
    if terms == "iou":
        return terms, rng.randint(1, 5)
    return terms, 0


def _guests(
    rng, cast: _Cast, author: str, t: Template, capacity, audience, days, price
):
    """Who books the offer (people who need its domain and can pay `price`) or
    answers the request (people in its domain): mostly the author's
    connections, only connections when the listing is not public, and people
    with few parts so far."""
    if t.kind == OFFER:
        wanted = min(capacity, rng.choice((0, 1, 1, 2, 2, 2, 3)))
    else:
        wanted = rng.choice((0, 1, 1, 1, 2, 2))  # the first of two is declined
    others = [
        m
        for m in cast.generated
        if m.handle != author and cast.can_pay(m.handle, price)
    ]
    fits = [m for m in others if _fits(m, t)] or others
    guests: list[str] = []
    for _ in range(wanted):
        far = [m for m in fits if m.handle not in guests]
        near = [m for m in far if cast.known_before(author, m.handle, days)]
        if audience == "public" and (not near or rng.random() >= 0.7):
            near = far
        if not near:
            break
        fewest = min(cast.parts[m.handle] for m in near)
        guests.append(
            rng.choice([m for m in near if cast.parts[m.handle] == fewest]).handle
        )
    return guests


def _fits(member: MemberSpec, t: Template) -> bool:
    if t.kind == OFFER:
        return t.domain in DOMAINS[member.domain].needs
    return member.domain == t.domain or bool(set(t.tags) & set(member.give))


# ------------------------------------------------------------ generated stories

# What generated members write (data/phrases.json). Drawn by a seeded random
# stream: adding or reordering a phrase changes every seed's market.
_PHRASES = read_json("phrases.json")
_PROPOSALS = {kind: tuple(texts) for kind, texts in _PHRASES["proposals"].items()}
_DECLINES: tuple[str, ...] = tuple(_PHRASES["declines"])
_DELIVERIES: tuple[str, ...] = tuple(_PHRASES["deliveries"])
_CANCELS: tuple[str, ...] = tuple(_PHRASES["cancels"])
_THREADS = tuple(
    tuple((who, text) for who, text in thread) for thread in _PHRASES["threads"]
)
# (stars, text) an asker writes about their helper, and a helper about an asker
_OF_HELPER = tuple((stars, text) for stars, text in _PHRASES["reviews_of_helper"])
_OF_ASKER = tuple((stars, text) for stars, text in _PHRASES["reviews_of_asker"])


def _generated_story(rng, cast: _Cast, author, guest, kind, posted, n, count):
    """A story with a drawn outcome; the first of two answers to a request is
    declined (a request wants one helper)."""
    outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
    if kind == REQUEST and count > 1 and n == 0:
        outcome = "declined"
    asker, helper = (G, A) if kind == OFFER else (A, G)
    names = {A: cast.first_name(author), G: cast.first_name(guest)}
    moves = _moves(rng, outcome, kind, asker, helper, names)
    return Story(guest, _dated(rng, moves, posted, outcome))


def _moves(rng, outcome, kind, asker, helper, names) -> list[tuple]:
    """(who, action, hours after the previous move, text, stars)."""
    other = {A: G, G: A}
    moves = [(G, "propose", 0, rng.choice(_PROPOSALS[kind]).format(first=names[A]), 0)]
    if outcome == "declined":
        return [*moves, (A, "decline", rng.uniform(2, 40), rng.choice(_DECLINES), 0)]
    if outcome == "proposed":
        return moves + _thread(rng, 1)
    moves.append((A, "accept", rng.uniform(1, 30), "", 0))
    if outcome == "cancelled":
        who = rng.choice((A, G))
        return [*moves, (who, "cancel", rng.uniform(24, 96), rng.choice(_CANCELS), 0)]
    if outcome == "accepted":
        return moves + _thread(rng, 2)
    if rng.random() < 0.4 or outcome == "delivered":
        moves += _thread(rng, 1)
    moves.append((helper, "deliver", rng.uniform(24, 120), rng.choice(_DELIVERIES), 0))
    if outcome == "delivered":
        return moves
    moves.append((asker, "confirm", rng.uniform(2, 40), "", 0))
    reviewers = [asker, helper]
    if outcome == "reviewed_once":
        reviewers = [rng.choice(reviewers)]
    for who in reviewers:
        stars, text = _review(rng, _OF_HELPER if who == asker else _OF_ASKER)
        text = text.format(first=names[other[who]])
        moves.append((who, "review", rng.uniform(1, 30), text, stars))
    return moves


def _review(rng, pool) -> tuple[int, str]:
    """Mostly five stars, some four, rarely less (as the texts in `pool` are)."""
    weights = [{5: 60, 4: 30, 3: 8, 2: 2}[stars] for stars, _ in pool]
    return rng.choices(pool, weights)[0]


def _thread(rng, start: int) -> list[tuple]:
    script = rng.choice(_THREADS)[: start + 1]
    return [(who, "message", rng.uniform(1, 20), text, 0) for who, text in script]


def _dated(rng, moves, posted: float, outcome: str) -> tuple[Step, ...]:
    """Date the moves: the proposal a little after the listing was posted
    (recently, for a story still under way), each move its hours later, all
    squeezed to end before now."""
    hours = [m[2] for m in moves]
    span = sum(hours) / 24
    start = posted - min(rng.uniform(0.05, 3.0), posted * 0.3)
    if outcome in ("proposed", "accepted", "delivered"):
        start = min(start, span + rng.uniform(0.1, 2.5))
    squeeze = max(0.0, min(1.0, (start - LATEST) / span)) if span else 1.0
    steps, at = [], start
    for who, action, gap, text, stars in moves:
        at -= gap * squeeze / 24
        steps.append(Step(who, action, round(at, 4), text, stars))
    return tuple(steps)
