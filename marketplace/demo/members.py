"""Who is in the demo network: the demo accounts and generated members, and
how they are connected. A pure plan; seed.py writes it.

- The demo accounts (priya, marcus, lena and the operator ops) and their
  connections among themselves are data: data/members.json, data/links.csv.
  Each also knows the first few generated members of the domains in its
  `circle`.
- Generated members are drawn from Faker and the taxonomy (domain/taxonomy.py).
  The plan is deterministic for a seed and **prefix-stable**: member i is
  drawn from random streams that only members before it have consumed, so the
  first 50 members of a 5,000-member plan are exactly the 50-member plan.
  That is what makes seeding idempotent and growable: a re-run finds every
  handle already there and adds nothing; a larger `members` adds only the
  new tail.
- Connections grow the same way (a community-aware Holme–Kim model): each new
  member links to ~4 earlier ones, mostly in its own domain and preferring
  well-connected people, often closing a triangle with a friend's friend. The
  result is clustered and small-world, average degree ~8, with a few hubs.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from dataclasses import dataclass

import networkx as nx
from faker import Faker

from marketplace.demo.files import number, read_csv, read_json
from marketplace.domain.accounts import (
    HANDLE_MAX,
    RESERVED_HANDLES,
    normalize_handle,
)
from marketplace.domain.errors import InvalidInput
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

DEMO_PASSWORD = "karma-demo-2026"
EMAIL_DOMAIN = "example.com"
MAX_MEMBERS = 200_000
CONNECTION_WINDOW_DAYS = 730  # connections are spread over the past two years


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
    # a verified work address: the profile shows "Verified at <its domain>"
    work_email: str = ""

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


# ------------------------------------------------------------------ demo accounts


def _demo_member(row: dict) -> MemberSpec:
    """A demo account of data/members.json (its `circle` is read apart)."""
    fields = {key: value for key, value in row.items() if key != "circle"}
    for key in ("give", "get", "background"):
        fields[key] = tuple(fields[key])
    return MemberSpec(**fields)


_ACCOUNTS = read_json("members.json")
DEMO_MEMBERS: tuple[MemberSpec, ...] = tuple(_demo_member(r) for r in _ACCOUNTS)
DEMO_HANDLES: tuple[str, ...] = tuple(m.handle for m in DEMO_MEMBERS)
# Which generated members each demo account knows: the first few of these domains.
_DEMO_CIRCLES = {row["handle"]: tuple(row["circle"]) for row in _ACCOUNTS}
_DEMO_CIRCLE_SIZE = 12
_DEMO_LINKS = tuple(
    Link(row["requester"], row["addressee"], number(row["days_ago"]), row["note"])
    for row in read_csv("links.csv")
)
# Drawn by a hash of the pair; the empty ones leave half the requests unworded.
_NOTES: tuple[str, ...] = tuple(read_json("phrases.json")["connection_notes"])


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


def _demo_links(generated: list[MemberSpec], seed: int) -> list[Link]:
    """Demo accounts know each other and the first few members of their circles."""
    links = list(_DEMO_LINKS)
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
