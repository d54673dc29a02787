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
- The plan is a pure function of the seed (and of the signup grant, which
  bounds what members can pay) drawn from the first MARKET_POOL generated
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

Like every service it never commits; seed.seed_network calls it last.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, col, select

from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, FixedClock
from marketplace.domain.money import major_units
from marketplace.domain.taxonomy import DOMAINS
from marketplace.inbox import notifications
from marketplace.ledger import ledger
from marketplace.market import engagements, listings, reviews, threads
from marketplace.models import Engagement, Listing, Member, Notification

if TYPE_CHECKING:
    from marketplace.demo.seed import MemberSpec, NetworkPlan

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
    action: str  # propose | accept | ... | message | review | resolve
    days_ago: float
    text: str = ""
    rating: int = 0  # review stars
    resolution: str = ""  # resolve: refund | release


@dataclass(frozen=True)
class Story:
    guest: str
    steps: tuple[Step, ...]
    hours: int = 1  # an hourly paid offer: the hours booked


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
    report.notifications_created = _settle_inbox(session, before, clock.now())
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
            if not self.affordable(listing, payer):
                self.skipped.add((i, j))
                self.report.engagements_skipped += 1
                return
            if payer and any(s.action == "accept" for s in story.steps):
                self.reserved[payer] += listing.price
            self.engagements[i, j] = engagements.propose(
                self.session,
                actor_id=actor,
                listing_id=self.listings[i].id,
                note=step.text,
                hours=story.hours,
                clock=clock,
            )
            self.report.engagements_created += 1
            return
        if step.action == "accept" and payer:
            self.reserved[payer] -= listing.price  # now held by the ledger
        engagement_id = self.engagements[i, j].id
        _step(self.session, engagement_id, step, actor, clock, self.report)

    def affordable(self, listing: ListingPlan, payer: int | None) -> bool:
        if payer is None:
            return True
        account = ledger.member_account(self.session, payer)
        available = ledger.totals(self.session, account).available
        return available - self.reserved[payer] >= listing.price


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


def _settle_inbox(session: Session, before: int, now: datetime) -> int:
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
# Hand-written so that each demo account has every state to look at. Days are
# days before seeding; the inbox shows as unread what happened in the last two.

A, G = "author", "guest"

DEMO_SCENES: tuple[ListingPlan, ...] = (
    # priya: a helper's proposal waits for her answer; an earlier one declined.
    ListingPlan(
        author="priya",
        kind="request",
        title="Help selling two Northstar Summit sponsorship packages",
        description="Northstar SaaS Summit (1,500 SaaS founders, Toronto) still "
        "has two Gold packages open. I'm looking for someone who has sold event "
        "sponsorships to review our prospectus, build a list of 30 target "
        "companies with me and sit in on the first two calls.",
        tags=("sponsorship-sales", "partnerships", "event-marketing"),
        terms="karma",
        price=12,
        days_ago=9.3,
        deadline_in=18,
        stories=(
            Story(
                "priya~marketing",
                (
                    Step(G, "propose", 8.1, "I can help with the target list — "
                         "I've run paid events for B2B brands for years."),
                    Step(A, "decline", 7.6, "Thank you! I need someone who has "
                         "sold sponsorships before, but I'd love your help with "
                         "the recap campaign later."),
                ),
            ),
            Story(
                "priya~sales",
                (
                    Step(G, "propose", 2.3, "I sold sponsorships for a "
                         "3,000-person fintech conference for three years and "
                         "still know most of the partnership leads. Happy to "
                         "build the list and join your first calls."),
                    Step(G, "message", 2.2, "I had a look at the prospectus on "
                         "your site: the Gold tier is underpriced for what it "
                         "includes. Worth a chat before we pitch anyone."),
                    Step(A, "message", 1.2, "That's exactly what I was worried "
                         "about. Could you do Thursday at 4pm Toronto time?"),
                    Step(G, "message", 0.9, "Thursday works. I'll bring a draft "
                         "list of 30 targets."),
                ),
            ),
        ),
    ),
    # priya helps: one booking confirmed and reviewed, a new one waiting.
    ListingPlan(
        author="priya",
        kind="offer",
        title="Review your B2B SEO strategy — 45-minute call",
        description="Send me your site and your top three competitors. On a "
        "45-minute call I'll walk through where your organic traffic comes "
        "from, which pages should rank but don't, and a 90-day content plan. "
        "I've grown two B2B blogs from zero to 80k monthly visits.",
        tags=("b2b-seo", "content-marketing", "demand-generation"),
        terms="karma",
        price=5,
        days_ago=27.5,
        capacity=3,
        stories=(
            Story(
                "priya~marketing",
                (
                    Step(G, "propose", 25.9, "We're a six-person analytics "
                         "startup and our blog gets almost no search traffic. "
                         "Would love your eyes on it."),
                    Step(A, "accept", 25.6),
                    Step(G, "message", 25.5, "Sent the site and our three "
                         "competitors by email — thank you!"),
                    Step(A, "deliver", 23.8, "Notes and the 90-day plan are in "
                         "the doc I shared."),
                    Step(G, "confirm", 23.1),
                    Step(G, "review", 22.9, "Priya found three pages that should "
                         "have been ranking and showed us exactly why they "
                         "weren't. Clear 90-day plan, zero fluff.", 5),
                    Step(A, "review", 22.0, "Came prepared with data and sharp "
                         "questions. Great to work with.", 5),
                ),
            ),
            Story(
                "anyone~product",
                (
                    Step(G, "propose", 0.6, "Hi Priya — we launch a developer "
                         "docs site next month and want the SEO basics right "
                         "from day one. Any slot this week?"),
                    Step(G, "message", 0.55, "The docs preview is linked in our "
                         "README if you'd like a peek first."),
                    Step(A, "message", 0.2, "Thanks! Looking tonight; I'll "
                         "answer properly tomorrow morning."),
                ),
            ),
        ),
    ),
    # priya helps lena (her network only): confirmed, reviewed both ways.
    ListingPlan(
        author="priya",
        kind="offer",
        title="Positioning teardown of your homepage — written notes in 48h",
        description="I read your homepage the way a busy buyer does and send "
        "back written notes within 48 hours: what you do, for whom, and why "
        "now — and a rewritten headline to try.",
        tags=("positioning", "product-marketing"),
        terms="karma",
        price=4,
        days_ago=22.2,
        capacity=2,
        audience="network",
        stories=(
            Story(
                "lena",
                (
                    Step(G, "propose", 20.7, "Would love a teardown of my "
                         "portfolio homepage — I'm repositioning toward "
                         "design-system audits."),
                    Step(A, "accept", 20.4),
                    Step(A, "deliver", 18.9, "Notes are in — the headline "
                         "change alone should help."),
                    Step(G, "confirm", 18.5),
                    Step(G, "review", 18.3, "Priya rewrote my headline in one "
                         "line and suddenly the whole page made sense. Two "
                         "inbound leads the week after.", 5),
                    Step(A, "review", 18.0, "Lena took every note and shipped "
                         "the new page the next day.", 5),
                ),
            ),
        ),
    ),
    # priya accepted a helper: karma held, work under way.
    ListingPlan(
        author="priya",
        kind="request",
        title="Review our event-operations runbook for a 1,500-person conference",
        description="Our runbook covers registration, AV, catering and "
        "volunteer shifts across two days. I'd like someone who has run large "
        "events to poke holes in it: what breaks at 1,500 people that doesn't "
        "at 300?",
        tags=("event-operations", "logistics", "vendor-management"),
        terms="karma",
        price=8,
        days_ago=13.6,
        deadline_in=12,
        stories=(
            Story(
                "priya~operations",
                (
                    Step(G, "propose", 12.9, "I ran operations for two "
                         "2,000-person conferences in Toronto. Happy to go "
                         "through it line by line."),
                    Step(A, "accept", 12.4),
                    Step(A, "message", 12.3, "Wonderful — the runbook is in our "
                         "shared folder. Registration is the part that scares "
                         "me most."),
                    Step(G, "message", 10.8, "Read it twice. Registration is "
                         "fine; the real risk is one loading dock for both "
                         "catering and AV. Let's talk on Monday."),
                    Step(A, "message", 3.2, "Monday works. I'll bring our venue "
                         "contact too."),
                    Step(G, "message", 1.0, "Perfect — I'll send a marked-up "
                         "copy before then."),
                ),
            ),
        ),
    ),
    # priya's IOU request: confirmed (the IOU is written), reviewed, closed.
    ListingPlan(
        author="priya",
        kind="request",
        title="Cut a 60-second promo video from our Summit keynote footage",
        description="We have three hours of keynote footage from last year's "
        "Summit and need a 60-second vertical promo for LinkedIn and "
        "Instagram. I'll owe you one: happy to return the favour with "
        "marketing help.",
        tags=("video-production", "editing", "social-media"),
        terms="iou",
        price=5,
        days_ago=24.8,
        status="closed",
        status_days_ago=14.0,
        stories=(
            Story(
                "priya~content",
                (
                    Step(G, "propose", 23.7, "I edit short-form video for B2B "
                         "brands; 60 seconds out of three hours is my favourite "
                         "kind of puzzle."),
                    Step(A, "accept", 23.5),
                    Step(A, "message", 23.4, "Footage is in the shared drive. "
                         "The moment at 1:12:30 is the one everyone remembers."),
                    Step(G, "deliver", 17.2, "Two cuts: a subtitled one for "
                         "LinkedIn and a vertical one for Instagram."),
                    Step(A, "confirm", 16.9),
                    Step(A, "review", 16.7, "The promo got 40k views in a week. "
                         "Fast, with a great ear for the right soundbite.", 5),
                    Step(G, "review", 15.9, "Clear brief and quick feedback — a "
                         "pleasure.", 4),
                ),
            ),
        ),
    ),
    # marcus delivered to priya: waiting for her confirmation.
    ListingPlan(
        author="priya",
        kind="request",
        title="Send speaker applications from Typeform into HubSpot",
        description="About 200 people will apply to speak at the Summit. Each "
        "application should land in HubSpot as a contact with a "
        "'speaker-2026' tag and the talk abstract, without a Zapier bill.",
        tags=("no-code-automation", "crm-setup", "api-design"),
        terms="karma",
        price=6,
        days_ago=8.4,
        deadline_in=10,
        stories=(
            Story(
                "marcus",
                (
                    Step(G, "propose", 7.9, "I've wired up the HubSpot API more "
                         "times than I'd like to admit. A small webhook will do "
                         "it."),
                    Step(A, "accept", 7.5),
                    Step(A, "message", 7.4, "Amazing. Each application should "
                         "become a contact tagged 'speaker-2026'."),
                    Step(G, "message", 5.1, "Webhook is deployed; testing with "
                         "a few fake applications now."),
                    Step(G, "deliver", 1.3, "Live: every new application lands "
                         "in HubSpot with the tag and the abstract. README in "
                         "the repo."),
                    Step(A, "message", 0.4, "Testing it tonight — looks great so "
                         "far!"),
                ),
            ),
        ),
    ),
    # priya disputed a delivery; the operator has not answered yet.
    ListingPlan(
        author="priya",
        kind="request",
        title="Editable slide template for 40 Summit speakers",
        description="Our speakers need one slide template in the Summit brand: "
        "title, section and quote layouts, editable in Google Slides (most "
        "speakers don't use Keynote).",
        tags=("visual-design", "brand-identity"),
        terms="karma",
        price=5,
        days_ago=19.5,
        stories=(
            Story(
                "anyone~design",
                (
                    Step(G, "propose", 18.6, "I design keynote templates; I can "
                         "do yours in the Summit colours within a week."),
                    Step(A, "accept", 18.3),
                    Step(A, "message", 18.2, "It has to be editable in Google "
                         "Slides — speakers won't have Keynote."),
                    Step(G, "deliver", 9.4, "Template delivered."),
                    Step(A, "message", 9.0, "This is a PDF — we agreed on an "
                         "editable Google Slides file. Could you send the "
                         "source?"),
                    Step(A, "message", 6.8, "Following up — speakers need it by "
                         "Friday."),
                    Step(A, "dispute", 4.6, "We agreed on an editable Google "
                         "Slides template; I received a flattened PDF and no "
                         "reply to two messages."),
                ),
            ),
        ),
    ),
    # priya booked an offer; the helper had to cancel (the hold is released).
    ListingPlan(
        author="priya~content",
        kind="offer",
        title="Ghostwrite three LinkedIn posts about your launch",
        description="Tell me about your launch in a 20-minute call and I'll "
        "write three LinkedIn posts in your voice: the announcement, the "
        "behind-the-scenes story and the thank-you.",
        tags=("linkedin-content", "ghostwriting", "copywriting"),
        terms="karma",
        price=6,
        days_ago=16.0,
        capacity=2,
        stories=(
            Story(
                "priya",
                (
                    Step(G, "propose", 15.1, "Would love three posts announcing "
                         "our speaker line-up."),
                    Step(A, "accept", 14.8),
                    Step(A, "cancel", 12.9, "So sorry, Priya — a family "
                         "emergency means I can't do this properly. Cancelling "
                         "so your karma is released."),
                ),
            ),
        ),
    ),
    # priya booked an offer; waiting for the helper's answer.
    ListingPlan(
        author="priya~sales",
        kind="offer",
        title="Sponsorship pricing sanity check — 30 min",
        description="Bring your sponsorship tiers and last year's numbers; in "
        "30 minutes we'll check your prices against what comparable events "
        "charge and what sponsors actually renew.",
        tags=("sponsorship-sales", "negotiation"),
        terms="karma",
        price=3,
        days_ago=4.7,
        stories=(
            Story(
                "priya",
                (
                    Step(G, "propose", 0.8, "Our Gold tier is $25k and I'm not "
                         "sure it's right. Could you take a look this week?"),
                    Step(G, "message", 0.75, "The prospectus is linked from the "
                         "Summit site, under Partners."),
                    Step(A, "message", 0.4, "Got it — I'll read it tonight and "
                         "confirm a time tomorrow."),
                ),
            ),
        ),
    ),
    # lena's offer: priya's booking confirmed; marcus's waits for lena.
    ListingPlan(
        author="lena",
        kind="offer",
        title="Accessibility audit of 5 key screens (WCAG 2.2)",
        description="I audit five screens of your product against WCAG 2.2 AA "
        "and send a prioritised list of issues with concrete fixes your "
        "developers can ship: contrast, focus order, labels, motion.",
        tags=("accessibility", "usability-testing", "design-systems"),
        terms="karma",
        price=6,
        days_ago=24.0,
        capacity=2,
        stories=(
            Story(
                "priya",
                (
                    Step(G, "propose", 22.8, "Could you audit our Summit "
                         "registration flow? Screen-reader users struggled with "
                         "it last year."),
                    Step(A, "accept", 22.1),
                    Step(A, "deliver", 19.6, "Audit done: 14 issues, 4 critical, "
                         "each with a fix. Contrast and focus order are the big "
                         "ones."),
                    Step(G, "confirm", 19.2),
                    Step(G, "review", 19.0, "Thorough, kind and practical. Our "
                         "developer fixed all four critical issues in a day "
                         "thanks to Lena's notes.", 5),
                    Step(A, "review", 18.4, "Priya shared test accounts and "
                         "context up front. Easy.", 5),
                ),
            ),
            Story(
                "marcus",
                (
                    Step(G, "propose", 0.9, "Our dashboard needs a WCAG pass "
                         "before an enterprise security review. Could you take "
                         "it on?"),
                    Step(G, "message", 0.85, "Happy to pair with you on the "
                         "fixes afterwards."),
                    Step(A, "message", 0.3, "Sounds good — let me check my "
                         "calendar for next week."),
                ),
            ),
        ),
    ),
    # marcus's offer: two bookings confirmed, a third waiting for him.
    ListingPlan(
        author="marcus",
        kind="offer",
        title="Postgres query and index review — send me your slow queries",
        description="Send me your slowest queries and their EXPLAIN ANALYZE "
        "output. I'll come back with index changes, rewrites and an "
        "explanation of why the planner chose what it did.",
        tags=("postgresql", "system-design"),
        terms="karma",
        price=6,
        days_ago=26.3,
        capacity=3,
        stories=(
            Story(
                "marcus~engineering",
                (
                    Step(G, "propose", 25.0, "Our p95 on the orders page is "
                         "1.8s and I can't see why. Slow-query log attached."),
                    Step(A, "accept", 24.8),
                    Step(A, "deliver", 23.9, "Three indexes and one rewritten "
                         "query: p95 went from 1.8s to 120ms in staging."),
                    Step(G, "confirm", 23.5),
                    Step(G, "review", 23.3, "Marcus spotted a missing composite "
                         "index in minutes and explained exactly why the planner "
                         "ignored the old one.", 5),
                    Step(A, "review", 23.0, "Great slow-query log; made my job "
                         "easy.", 5),
                ),
            ),
            Story(
                "marcus~data",
                (
                    Step(G, "propose", 9.6, "Our nightly rollup takes four hours "
                         "on Postgres 15. Could you have a look?"),
                    Step(A, "accept", 9.2),
                    Step(A, "deliver", 6.1, "Partitioned the events table by "
                         "month and rewrote the rollup as an incremental job."),
                    Step(G, "confirm", 5.8),
                    Step(G, "review", 5.5, "Down from four hours to twenty "
                         "minutes. Generous with his time.", 5),
                    Step(A, "review", 5.0, "Clear problem, quick replies.", 4),
                ),
            ),
            Story(
                "marcus~engineering",
                (
                    Step(G, "propose", 0.5, "Our analytics queries time out on a "
                         "200M-row table. Could you help this week?"),
                    Step(G, "message", 0.45, "EXPLAIN ANALYZE output for the "
                         "three worst queries is in our shared doc."),
                    Step(A, "message", 0.25, "Thanks — I'll dig in tomorrow "
                         "morning and let you know."),
                ),
            ),
        ),
    ),
    # marcus's request: confirmed and reviewed both ways.
    ListingPlan(
        author="marcus",
        kind="request",
        title="Pitch deck review before our seed round — 15 slides",
        description="We're raising a $2M seed for our developer-tools company "
        "next month. Looking for someone who has raised (or invested) to tear "
        "apart our 15-slide deck before partners see it.",
        tags=("pitch-deck-review", "seed-fundraising"),
        terms="karma",
        price=10,
        days_ago=12.2,
        deadline_in=10,
        stories=(
            Story(
                "marcus~fundraising",
                (
                    Step(G, "propose", 11.6, "I've raised two seed rounds and "
                         "now write angel cheques. Send it over."),
                    Step(A, "accept", 11.5),
                    Step(A, "message", 11.4, "Deck attached. The market slide is "
                         "the one I'm least sure about."),
                    Step(G, "deliver", 6.3, "Notes on every slide. Biggest "
                         "change: lead with the traction chart, not the market "
                         "size."),
                    Step(A, "confirm", 5.9),
                    Step(A, "review", 5.7, "Brutally honest in the best way. "
                         "The reordered deck got us two partner meetings.", 5),
                    Step(G, "review", 5.2, "Well-prepared founder who took the "
                         "feedback on board fast.", 4),
                ),
            ),
        ),
    ),
    # marcus asks chosen people; lena is helping (free, under way).
    ListingPlan(
        author="marcus",
        kind="request",
        title="Mock investor Q&A for our seed pitch",
        description="Thirty minutes of the hardest investor questions you can "
        "think of, before our first partner meetings. Free, and I'll return "
        "the favour.",
        tags=("seed-fundraising", "public-speaking"),
        terms="free",
        price=0,
        days_ago=3.4,
        deadline_in=9,
        audience="chosen",
        chosen=("priya", "lena", "marcus~fundraising"),
        stories=(
            Story(
                "lena",
                (
                    Step(G, "propose", 2.2, "Happy to play the sceptical, "
                         "design-minded angel!"),
                    Step(A, "accept", 1.6),
                    Step(A, "message", 1.5, "Thank you! Wednesday at 6pm London "
                         "time?"),
                    Step(G, "message", 1.1, "Wednesday works. I'll bring my "
                         "hardest questions."),
                ),
            ),
        ),
    ),
    # marcus's newest offer, no bookings yet.
    ListingPlan(
        author="marcus",
        kind="offer",
        title="System design review of your architecture — 1 hour",
        description="Walk me through your architecture diagram; in an hour we "
        "find the single points of failure, the scaling cliffs and the "
        "cheapest fixes for each.",
        tags=("system-design", "api-design", "kubernetes"),
        terms="karma",
        price=8,
        days_ago=6.5,
        capacity=2,
    ),
    # lena's request: confirmed and reviewed both ways.
    ListingPlan(
        author="lena",
        kind="request",
        title="Review my freelance design contract (8 pages)",
        description="A new client sent me an 8-page contract. I'd like someone "
        "who knows freelance agreements to flag anything unusual, especially "
        "around IP and payment terms.",
        tags=("contract-review", "saas-agreements"),
        terms="karma",
        price=7,
        days_ago=17.1,
        stories=(
            Story(
                "lena~legal",
                (
                    Step(G, "propose", 16.4, "I review freelance and agency "
                         "contracts every week; the usual traps are IP and "
                         "payment terms."),
                    Step(A, "accept", 16.0),
                    Step(G, "deliver", 13.3, "Marked-up contract attached: watch "
                         "clause 7 (IP passes before payment) and the 90-day "
                         "payment terms."),
                    Step(A, "confirm", 12.8),
                    Step(A, "review", 12.6, "Found an IP clause that would have "
                         "given away my component library. Worth ten times the "
                         "karma.", 5),
                    Step(G, "review", 12.1, "Clear questions, quick replies.", 5),
                ),
            ),
        ),
    ),
    # lena's request (her network only): delivered, waiting for her.
    ListingPlan(
        author="lena",
        kind="request",
        title="Advice on pricing a design-system audit for startups",
        description="I want to offer design-system audits to early-stage "
        "startups. Fixed fee or day rate? What do founders expect to pay?",
        tags=("pricing-strategy", "product-led-growth"),
        terms="free",
        price=0,
        days_ago=5.2,
        audience="network",
        stories=(
            Story(
                "lena~product",
                (
                    Step(G, "propose", 4.1, "I price B2B services for a living "
                         "— happy to share what worked for fixed-scope audits."),
                    Step(A, "accept", 3.8),
                    Step(A, "message", 3.7, "Thank you! I'm torn between a fixed "
                         "fee and a day rate."),
                    Step(G, "message", 2.0, "Fixed fee with a clear scope — I'll "
                         "explain why in the write-up."),
                    Step(G, "deliver", 1.1, "Three pricing options with anchors; "
                         "option B is where I'd start."),
                ),
            ),
        ),
    ),
    # lena's offer: one confirmed booking, then paused while she travels.
    ListingPlan(
        author="lena",
        kind="offer",
        title="Figma component library starter — 1-hour walkthrough",
        description="We set up the foundations of a component library "
        "together: tokens, variants and naming, so your team stops copying "
        "buttons between files.",
        tags=("figma", "design-systems"),
        terms="karma",
        price=4,
        days_ago=28.7,
        status="paused",
        status_days_ago=10.0,
        stories=(
            Story(
                "lena~design",
                (
                    Step(G, "propose", 27.5, "Our Figma file has 40 kinds of "
                         "button. Help!"),
                    Step(A, "accept", 27.2),
                    Step(A, "deliver", 26.0, "Library set up with tokens and "
                         "variants; recording of the session shared."),
                    Step(G, "confirm", 25.6),
                    Step(G, "review", 25.4, "We went from chaos to a tidy "
                         "library in one hour.", 5),
                    Step(A, "review", 24.9, "Came with the file ready and great "
                         "questions.", 4),
                ),
            ),
        ),
    ),
    # two generated members: a dispute the operator resolved (released).
    ListingPlan(
        author="anyone~design",
        kind="offer",
        title="Usability test of your onboarding with 5 users",
        description="I recruit five people who match your users, run "
        "moderated sessions on your onboarding and send the recordings with a "
        "short report of what to fix first.",
        tags=("usability-testing", "user-research"),
        terms="karma",
        price=7,
        days_ago=20.5,
        capacity=2,
        stories=(
            Story(
                "anyone~engineering",
                (
                    Step(G, "propose", 19.8, "We just rebuilt our onboarding "
                         "and need real users on it."),
                    Step(A, "accept", 19.5),
                    Step(A, "deliver", 14.2, "Report and recordings shared."),
                    Step(G, "dispute", 12.9, "Only three sessions were run, not "
                         "the five the listing promised."),
                    Step("ops", "resolve", 11.0, "Three sessions with clear "
                         "findings were delivered and the helper agreed to run "
                         "two more for free, so the karma is released.",
                         resolution="release"),
                    Step(G, "review", 10.6, "Useful findings, though fewer "
                         "sessions than promised.", 3),
                    Step(A, "review", 10.2, "Fair outcome; thanks for bearing "
                         "with the recruiting delays.", 4),
                ),
            ),
        ),
    ),
    # Paid help (only where a Stripe account is set up): a consultant's hours
    # Priya booked, held on her card; her own fixed-price audit, paid out.
    ListingPlan(
        author="priya~finance",
        kind="offer",
        title="Fractional CFO hour: fundraising model and board deck",
        description="An hour on your financial model before a raise: revenue "
        "build, burn, hiring plan and the three numbers investors will ask "
        "about first. I've been CFO at two Series A SaaS companies.",
        tags=("financial-modeling", "fundraising", "saas-metrics"),
        terms="paid",
        price=15000,
        currency="usd",
        rate_kind="hourly",
        days_ago=12.0,
        stories=(
            Story(
                "priya",
                (
                    Step(G, "propose", 1.6, "Two hours on the sponsorship "
                         "revenue model for Northstar, please: our board meets "
                         "next week."),
                    Step(A, "accept", 1.1, "Booked. Send the model the day "
                         "before and I'll come with questions."),
                    Step(G, "message", 0.8, "Model shared. The sponsorship tab "
                         "is the one I'm least sure about."),
                ),
                hours=2,
            ),
        ),
    ),
    ListingPlan(
        author="priya",
        kind="offer",
        title="Written B2B SEO audit with a 90-day plan",
        description="A written audit of your site's organic search: technical "
        "issues, the ten pages to fix first, keyword gaps against three "
        "competitors and a 90-day content plan. Delivered in five working days.",
        tags=("b2b-seo", "content-marketing"),
        terms="paid",
        price=35000,
        currency="usd",
        rate_kind="fixed",
        days_ago=21.0,
        stories=(
            Story(
                "priya~sales",
                (
                    Step(G, "propose", 15.2, "Our blog gets traffic but no "
                         "demos. Could you audit it?"),
                    Step(A, "accept", 14.8, "Yes: I'll start Monday."),
                    Step(A, "deliver", 9.4, "Audit and plan are in your inbox."),
                    Step(G, "confirm", 8.9),
                    Step(G, "review", 8.7, "Specific, prioritised, worth every "
                         "cent.", 5),
                ),
            ),
        ),
    ),
)  # fmt: skip


# ------------------------------------------------------------ generated listings


@dataclass(frozen=True)
class Template:
    domain: str  # the skill the listing is about: the helper's domain
    kind: str
    title: str
    description: str
    tags: tuple[str, ...]


def _templates(
    rows: tuple[tuple[str, str, str, str, str], ...],
) -> tuple[Template, ...]:
    return tuple(
        Template(domain, kind, title, text, tuple(tags.split()))
        for domain, kind, title, text, tags in rows
    )


OFFER, REQUEST = "offer", "request"
CATALOG = _templates((
    ("marketing", OFFER, "Audit your paid acquisition funnel — 45 min call",
     "Bring your ad accounts and the last 90 days of spend; I'll show you "
     "where money leaks between click and signup.",
     "paid-acquisition marketing-analytics"),
    ("marketing", OFFER, "Lifecycle email teardown: your onboarding sequence",
     "Forward me your first ten onboarding emails and get back a marked-up "
     "sequence with subject lines, timing and one experiment to run.",
     "lifecycle-marketing email-marketing"),
    ("marketing", OFFER, "Community launch plan for your first 100 members",
     "One hour to pick the right platform, rituals and first events, so your "
     "community doesn't go quiet after week three.",
     "community-building growth-loops"),
    ("marketing", REQUEST, "Need an intro to a B2B SEO consultant by Friday",
     "Our organic traffic dropped 40% after a site migration. Looking for an "
     "intro to someone who has untangled redirects and canonicals before.",
     "b2b-seo content-marketing"),
    ("marketing", REQUEST, "Feedback on our product launch positioning",
     "We launch on Product Hunt in three weeks. Looking for a marketer to "
     "pressure-test our one-liner and launch-day messaging.",
     "positioning product-marketing"),
    ("engineering", OFFER, "Code review of your Python service — async and tests",
     "Send me a repository; I'll review structure, async pitfalls and test "
     "coverage and leave comments you can act on the same day.",
     "python api-design"),
    ("engineering", OFFER, "Kubernetes cluster health check — 1 hour",
     "We look at your manifests, resource limits and alerts together and "
     "leave with a short list of fixes ordered by risk.",
     "kubernetes devops aws"),
    ("engineering", OFFER, "React performance review: find your slow renders",
     "A profiling session on your app: we find the components that re-render "
     "too often and fix the worst two together.",
     "react typescript"),
    ("engineering", REQUEST, "Help debugging a flaky CI pipeline (GitHub Actions)",
     "One in five of our builds fails for no clear reason. Looking for someone "
     "who has tamed flaky pipelines to pair for an hour.",
     "devops python"),
    ("engineering", REQUEST, "Security review of our auth flow before launch",
     "We built login, sessions and password reset ourselves. Looking for a "
     "security-minded engineer to look for holes before we launch.",
     "security-engineering api-design"),
    ("design", OFFER, "Landing page design critique with a Loom walkthrough",
     "Send me a link; within two days you get a 15-minute Loom walking through "
     "hierarchy, copy and the three changes I'd make first.",
     "visual-design interaction-design"),
    ("design", OFFER, "Design system audit: tokens, components and docs",
     "I review your component library and its documentation and send a "
     "prioritised list of gaps and inconsistencies.",
     "design-systems figma"),
    ("design", OFFER, "Brand identity sprint: logo direction in one session",
     "A 90-minute working session to explore three logo directions and a "
     "colour palette you can take to a designer.",
     "brand-identity visual-design"),
    ("design", REQUEST, "Need a designer to tidy up our pitch deck visuals",
     "The story of our deck is solid but it looks homemade. Looking for a "
     "designer to give it a clean, consistent visual system.",
     "visual-design brand-identity"),
    ("design", REQUEST, "Looking for a Figma prototype of our mobile checkout",
     "We want to test a new checkout flow with users next week and need a "
     "clickable Figma prototype of four screens.",
     "prototyping figma"),
    ("product", OFFER, "Review your SaaS pricing page — 30 min",
     "Thirty minutes on your pricing page: packaging, anchors, the plan "
     "everyone should pick and what to test first.",
     "pricing-strategy product-led-growth"),
    ("product", OFFER, "Jobs-to-be-done interview script review",
     "Send me your interview script; I'll rewrite the questions that lead the "
     "witness and add the ones that uncover the real job.",
     "jobs-to-be-done user-interviews"),
    ("product", OFFER, "Roadmap sanity check for early-stage teams",
     "An hour with your roadmap and your goals: what to cut, what to sequence "
     "differently and how to say no to the rest.",
     "roadmapping product-strategy okrs"),
    ("product", REQUEST, "Help writing a PRD for our first enterprise feature",
     "We're building SSO and audit logs for our first enterprise customer and "
     "have never written a proper PRD. Looking for a PM to guide us.",
     "prd-writing product-discovery"),
    ("product", REQUEST, "Feedback on our onboarding activation metrics",
     "We track ten onboarding events and don't know which one matters. Looking "
     "for a product person to help define activation.",
     "onboarding-flows product-analytics"),
    ("sales", OFFER, "Cold email teardown — I'll rewrite your first touch",
     "Send me your outbound sequence; I'll rewrite the first email and explain "
     "every change so you can do the rest.",
     "cold-email outbound-prospecting"),
    ("sales", OFFER, "Mock discovery call with honest feedback",
     "I play your ideal customer on a 30-minute discovery call, then we go "
     "through the recording together.",
     "discovery-calls sales-playbooks"),
    ("sales", OFFER, "Set up your HubSpot pipeline stages in one session",
     "We define your deal stages, exit criteria and the three reports you'll "
     "actually look at, live in your HubSpot.",
     "crm-setup sales-playbooks"),
    ("sales", REQUEST, "Advice negotiating our first enterprise contract",
     "A 5,000-seat customer wants a 30% discount and net-90 terms. Looking for "
     "someone who has negotiated deals like this.",
     "negotiation enterprise-sales"),
    ("sales", REQUEST, "Intro to a channel partnerships lead in EMEA",
     "We want to sell through resellers in Europe and would love an intro to "
     "someone who has built a partner channel there.",
     "partnerships channel-sales"),
    ("finance", OFFER, "Build your first three-statement financial model together",
     "Two sessions: we build a monthly model with P&L, cash flow and balance "
     "sheet from your actuals, and you leave owning it.",
     "financial-modeling fp&a"),
    ("finance", OFFER, "SaaS metrics check: CAC, LTV and payback",
     "Send me your numbers and I'll check how you calculate CAC, LTV and "
     "payback, and what investors will question.",
     "saas-metrics unit-economics"),
    ("finance", OFFER, "R&D tax credit eligibility review — 30 min",
     "Thirty minutes to find out whether your engineering work qualifies for "
     "R&D tax credits and what records to keep.",
     "r&d-tax-credits tax-planning"),
    ("finance", REQUEST, "Sanity check on our 18-month cash-flow plan",
     "We have 18 months of runway on paper. Looking for a finance person to "
     "check the assumptions before we share it with the board.",
     "cash-flow-planning budgeting"),
    ("finance", REQUEST, "Help cleaning up our cap table before a round",
     "Two SAFEs, an option pool and a departed co-founder: we need someone to "
     "help us get the cap table right before the seed.",
     "cap-table-management"),
    ("legal", OFFER, "Review your SaaS terms of service — plain-English notes",
     "I read your terms and send plain-English notes on what is missing, "
     "risky or unenforceable.",
     "terms-of-service saas-agreements"),
    ("legal", OFFER, "GDPR quick check for your signup and analytics",
     "A 45-minute walkthrough of what you collect at signup and in analytics, "
     "and what GDPR asks of you for each.",
     "gdpr data-processing-agreements"),
    ("legal", OFFER, "Trademark search walkthrough before you pick a name",
     "Before you print the swag: how to search for conflicting trademarks and "
     "when it's worth filing your own.",
     "trademarks ip-protection"),
    ("legal", REQUEST, "Need someone to look over a contractor agreement",
     "We're hiring our first overseas contractor. Looking for someone to check "
     "the agreement for IP and employment risks.",
     "contract-review employment-law"),
    ("legal", REQUEST, "Questions on open-source licensing for our SDK",
     "We want to open-source our SDK but keep the server proprietary. Which "
     "licence, and what do we need to watch?",
     "open-source-licensing ip-protection"),
    ("people", OFFER, "Structured interview loop design for engineers",
     "We design a four-stage interview loop with scorecards so every "
     "interviewer knows what they're testing.",
     "interviewing technical-recruiting"),
    ("people", OFFER, "First-time manager coaching session — 45 min",
     "For new managers: one-on-ones, feedback and the first hard "
     "conversation, with a plan for your next month.",
     "management-coaching performance-reviews"),
    ("people", OFFER, "Compensation bands for your first 20 hires",
     "We build simple, defensible salary and equity bands from market data, "
     "so every offer stops being a negotiation from scratch.",
     "compensation-bands hiring"),
    ("people", REQUEST, "Help writing our remote-work policy",
     "We're 12 people in 6 countries and it's time to write down how we work. "
     "Looking for someone who has written a remote policy before.",
     "remote-culture hr-policies"),
    ("people", REQUEST, "Looking for a recruiter's take on our job ads",
     "Our engineering job ads get few good applicants. Looking for a recruiter "
     "to tell us what candidates skip past.",
     "employer-branding hiring"),
    ("data", OFFER, "dbt project review: models, tests and naming",
     "I review your dbt project's structure, tests and naming conventions and "
     "send a prioritised list of improvements.",
     "dbt analytics-engineering"),
    ("data", OFFER, "A/B test design review before you launch it",
     "Before you launch an experiment: we check the hypothesis, sample size, "
     "metrics and stopping rules together.",
     "a-b-testing statistics"),
    ("data", OFFER, "Build a first metrics dashboard with you",
     "In two hours we write the SQL for your five most important metrics and "
     "put them on one dashboard your team will actually open.",
     "dashboards sql data-visualization"),
    ("data", REQUEST, "Need help choosing an LLM approach for support tickets",
     "We get 2,000 support tickets a week and want to auto-tag them. Fine-tune, "
     "prompt or classic NLP? Looking for someone who has done it.",
     "llm-applications nlp"),
    ("data", REQUEST, "Forecasting model review for our demand planning",
     "Our weekly demand forecast is off by 30% around holidays. Looking for a "
     "data scientist to review the model.",
     "forecasting machine-learning"),
    ("operations", OFFER, "Map and simplify one messy process in 60 minutes",
     "Pick the process everyone complains about; we map it, remove the steps "
     "nobody needs and decide what to automate.",
     "process-design business-operations"),
    ("operations", OFFER, "Vendor contract and procurement checklist review",
     "I review how you choose and contract vendors and send a checklist that "
     "stops surprise renewals.",
     "vendor-management procurement"),
    ("operations", OFFER, "No-code automation clinic: Zapier, Make and Airtable",
     "Bring the task you repeat every week; we automate it together in an "
     "hour.",
     "no-code-automation internal-tools"),
    ("operations", REQUEST, "Advice on expanding operations to Germany",
     "We're opening a Berlin office. Looking for someone who has set up "
     "operations in Germany: entity, payroll, office, logistics.",
     "international-expansion logistics"),
    ("operations", REQUEST, "Help setting up a support operations playbook",
     "Our support is three people and a shared inbox. Looking for someone to "
     "help us set up queues, SLAs and macros.",
     "support-operations process-design"),
    ("fundraising", OFFER, "Pitch deck teardown from a former VC associate",
     "I read a few hundred decks a year at my old fund. Send me yours and get "
     "slide-by-slide notes within three days.",
     "pitch-deck-review fundraising-strategy"),
    ("fundraising", OFFER, "Investor update template and feedback",
     "I share the monthly investor update template my portfolio companies use "
     "and review your first two updates.",
     "investor-updates board-management"),
    ("fundraising", OFFER, "Accelerator application review (YC, Techstars)",
     "I review your accelerator application and video and tell you what a "
     "partner will think in the first 30 seconds.",
     "accelerator-applications"),
    ("fundraising", REQUEST, "Need warm intros to climate-tech angel investors",
     "We're raising a pre-seed for a grid-storage startup and would love intros "
     "to angels who invest in climate tech.",
     "investor-outreach angel-investing"),
    ("fundraising", REQUEST, "Term sheet questions before we sign — 30 min",
     "We have our first term sheet. Looking for a founder or investor to walk "
     "us through the terms that matter.",
     "term-sheet-negotiation valuation"),
    ("content", OFFER, "Edit your next blog post for clarity and punch",
     "Send me a draft; I'll edit it for structure and clarity and explain the "
     "changes so your next post needs fewer.",
     "editing copywriting"),
    ("content", OFFER, "Newsletter growth review: from 500 to 5,000 subscribers",
     "We look at your signup flow, referral loop and best-performing issues "
     "and pick three growth experiments.",
     "newsletter-growth"),
    ("content", OFFER, "Conference talk rehearsal with honest feedback",
     "Rehearse your talk with me over video; you get feedback on structure, "
     "slides and delivery.",
     "public-speaking speechwriting"),
    ("content", REQUEST, "Looking for a technical writer to review our API docs",
     "Developers say our API docs are hard to follow. Looking for a technical "
     "writer to review the getting-started guide.",
     "technical-writing"),
    ("content", REQUEST, "Need a podcast guest prep session",
     "I'm a guest on a popular SaaS podcast next week and want to practise "
     "telling our story in under two minutes.",
     "podcasting storytelling"),
))  # fmt: skip

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

_PROPOSALS = {
    OFFER: (
        "Hi {first}, this is exactly what we need right now. Do you have time "
        "next week?",
        "Would love your help with this; happy to work around your schedule.",
        "We're stuck on exactly this. Could we do it before the end of the month?",
        "Booked! I'll send the context as soon as you accept.",
    ),
    REQUEST: (
        "I've done this a few times — happy to help, {first}.",
        "This is most of my day job; glad to take it on.",
        "I can help with this next week if that works for you.",
        "Happy to help — I did something very similar last quarter.",
    ),
}
_DECLINES = (
    "Thanks so much — I found someone with a bit more hands-on experience "
    "for this one.",
    "Sorry, my schedule just filled up this month. Maybe next time!",
    "Thank you! We decided to handle this in-house after all.",
)
_DELIVERIES = (
    "Notes and next steps are in the doc I shared.",
    "Done — summary and recording are in your inbox.",
    "All done. Comments are inline, with the three priorities at the top.",
    "Sent over the write-up; ping me with any questions.",
)
_CANCELS = (
    "Sorry — something urgent came up at work and I can't give this the time it needs.",
    "We've paused the project for now, so cancelling to free up your time.",
)
_THREADS = (
    (
        (G, "Thanks! When would suit you for a call?"),
        (A, "How about Tuesday afternoon? I'll send an invite."),
        (G, "Tuesday works — I'll share the materials beforehand."),
    ),
    (
        (A, "Thanks for reaching out! Could you share a bit of context first?"),
        (G, "Sure — I'll send a short doc with where we are and what we tried."),
    ),
    (
        (G, "Quick question before we start: is there a deadline I should know?"),
        (A, "End of the month would be perfect, but nothing hard."),
        (G, "Great, I'll get going this week."),
    ),
)
# (stars, text) an asker writes about their helper, and a helper about an asker
_OF_HELPER = (
    (
        5,
        "{first} knew exactly where to look. Clear notes, and a follow-up the "
        "next day without being asked.",
    ),
    (
        5,
        "Generous with time and very practical — we shipped the changes the same week.",
    ),
    (
        5,
        "Exactly the help I needed. {first} asked sharp questions before "
        "giving any advice.",
    ),
    (5, "Saved me days of trial and error. Would book again."),
    (5, "Thoughtful, fast and kind. The written summary afterwards was gold."),
    (
        4,
        "Really useful session; a couple of points were generic, but the key "
        "advice was spot on.",
    ),
    (
        4,
        "Good help and a quick turnaround. I'd have liked a bit more detail "
        "on next steps.",
    ),
    (3, "Helpful in parts; we ran out of time before the bit I cared about most."),
    (2, "The advice was generic and the promised follow-up never came."),
)
_OF_ASKER = (
    (5, "Came prepared with context and clear questions. A pleasure to help."),
    (5, "Great brief, quick replies, and {first} actually acted on the "
        "feedback."),
    (5, "Easy to work with — shared everything I needed up front."),
    (4, "Friendly and organised; the scope grew a little mid-way, but we "
        "sorted it out."),
)  # fmt: skip


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
