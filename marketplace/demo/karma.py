"""Karma in the demo wallets: who granted, gave and held what, and when.

A couple of operator grants, the open hold and the demo accounts' gifts
("priya~sales": someone from priya's circle, in sales if she knows somebody
there) are data: data/karma.csv. A few dozen gifts between connected
generated members are drawn on top. A pure plan; seed.py writes it.

- Each move has a fixed transfer id (`seed-<seed>-gift-<n>`, ...) and is
  drawn from the first GIFT_POOL members only, so a re-run replays nothing
  new and a larger `members` changes no move.
- Karma is mutual credit (docs/design/karma-trust.md): a gift comes only from
  karma its giver earned -- here, their operator grants, never what others
  gave them, so no move needs another member's. A thank-you whose giver has
  not earned enough becomes what it stands for, a payment for help ("help": a
  hold posted at once), paid from the giver's credit limit (trust.py); one
  their credit can't cover is left out.
"""

from __future__ import annotations

import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, replace

from marketplace.demo.files import number, read_csv, read_json
from marketplace.demo.members import DEMO_HANDLES, NetworkPlan, plan_network
from marketplace.demo.trust import CreditTerms, planned_limits
from marketplace.domain.taxonomy import skill_label

GIFT_POOL = 80  # moves involve the demo accounts and these first generated members
GENERATED_GIFTS = 30
GIFT_WINDOW_DAYS = 240  # gifts are spread over the past eight months
HOLD_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class KarmaMove:
    """One planned transfer: an operator grant (no giver), a gift, a payment
    for help (a hold posted at once), or an open hold."""

    key: str
    kind: str  # grant | gift | help | hold
    giver: str | None
    receiver: str
    amount: int
    memo: str
    days_ago: float  # the hold is placed when seeding runs: 0


def _written_move(row: dict[str, str]) -> KarmaMove:
    """A row of data/karma.csv; plan_karma gives it its transfer id."""
    return KarmaMove(
        key="",
        kind=row["kind"],
        giver=row["giver"] or None,
        receiver=row["receiver"],
        amount=int(row["amount"]),
        memo=row["memo"],
        days_ago=number(row["days_ago"]),
    )


WRITTEN_MOVES = tuple(_written_move(row) for row in read_csv("karma.csv"))
_THANKS: tuple[str, ...] = tuple(read_json("phrases.json")["gift_thanks"])
_AMOUNTS = (1, 2, 2, 3, 3, 4, 5)


def plan_karma(seed: int = 7, terms: CreditTerms | None = None) -> list[KarmaMove]:
    """The demo ledger moves for `seed`: grants, then the hold, then thanks.

    Drawn from the first GIFT_POOL generated members only, so the same for
    every `members`. A thank-you is a gift if its giver earned the karma by
    then in the plan, else a payment for help within their credit limit
    (`terms`: the settings' by default), else left out."""
    pool = plan_network(GIFT_POOL, seed)
    moves = _numbered(seed, _written("grant"))
    moves += _numbered(seed, _written("hold"))
    moves += _numbered(seed, [*_demo_gifts(pool), *_generated_gifts(pool, seed)])
    limits = planned_limits(pool.members, terms or CreditTerms.from_settings())
    return _affordable(moves, limits)


def _written(kind: str) -> list[KarmaMove]:
    return [move for move in WRITTEN_MOVES if move.kind == kind]


def _numbered(seed: int, moves: list[KarmaMove]) -> list[KarmaMove]:
    """Transfer ids `seed-<seed>-<kind>-<n>`, n counting from 1 per kind: the
    idempotency keys that let a re-run find what an earlier one wrote."""
    return [
        replace(move, key=f"seed-{seed}-{move.kind}-{n}")
        for n, move in enumerate(moves, 1)
    ]


def _affordable(moves: list[KarmaMove], limits: dict[str, int]) -> list[KarmaMove]:
    """The moves as the ledger will take them: gifts from what was earned,
    help and holds within the credit limit."""
    wallets = Wallets(limits)
    kept = []
    for move in moves:
        move = wallets.take(move)
        if move is not None:
            kept.append(move)
    return kept


class Wallets:
    """What each giver is sure to have, the plan going in order: their
    operator grants, less everything they paid or hold. What others give or
    pay them is not counted on, so a move never needs another member's move
    (a smaller network writes fewer) and the ledger's rule lets every move
    through: a gift needs karma earned (EARNED), a payment for help or a hold
    room within the credit limit (FLOOR)."""

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits
        self.earned: dict[str, int] = defaultdict(int)  # grants, less what went
        self.held: dict[str, int] = defaultdict(int)

    def take(self, move: KarmaMove) -> KarmaMove | None:
        """The move as written (a gift may become help), or None if the
        ledger could refuse it."""
        giver, amount = move.giver, move.amount
        if giver is None:
            self.earned[move.receiver] += amount
            return move
        free = self.earned[giver] - self.held[giver]
        if move.kind == "gift" and free < amount:
            move = replace(move, kind="help")  # thanks for help, paid on credit
        if move.kind != "gift" and free + self.limits.get(giver, 0) < amount:
            return None
        if move.kind == "hold":
            self.held[giver] += amount
        else:
            self.earned[giver] -= amount
        return move


def _demo_gifts(pool: NetworkPlan) -> list[KarmaMove]:
    circles = _Circles(pool)
    gifts = []
    for gift in _written("gift"):
        # Spread the hour of day a little, the same way on every run.
        when = gift.days_ago + zlib.crc32(gift.memo.encode()) % 500 / 1000
        giver = circles.pick(gift.giver, when)
        receiver = circles.pick(gift.receiver, when)
        if giver is None or receiver is None:
            continue
        when = min(when, circles.known_since(giver, receiver) * 0.9)
        gifts.append(replace(gift, giver=giver, receiver=receiver, days_ago=when))
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
