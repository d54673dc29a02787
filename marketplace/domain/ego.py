"""Where to draw each person in an ego-network picture.

The member sits in the middle. Their connections sit on a ring whose radius
shrinks as the relationship warms (the warmest closest), spread evenly by
angle in order of warmth so neighbours on the ring are alike. People two
steps away sit on an outer ring, next to the connection who knows them.
Plain arithmetic, deterministic, no physics: the picture is the same every
time for the same network, and fast for a page load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SIZE = 440  # the picture is SIZE x SIZE; the member is at the centre
INNER, OUTER, SECOND = 90.0, 145.0, 180.0  # ring radii (warmest, coldest, 2nd)
# a margin around the rings, so names at the edge are not cut off
VIEWBOX = f"-40 -10 {int(SIZE) + 80} {int(SIZE) + 20}"
STAGGER = 18.0  # every other person beyond a connection sits this much further


@dataclass(frozen=True)
class Spot:
    member_id: int
    x: float
    y: float
    degree: int  # 0: me, 1: a connection, 2: their connection
    strength: float  # of the tie to me (1st) or to the connection (2nd)


def layout(
    me: int,
    first: list[tuple[int, float]],
    second: list[tuple[int, int, float]],
) -> list[Spot]:
    """`first`: (member, strength to me); `second`: (member, via, strength to
    via). Returns a Spot for me, each connection and each 2nd-degree person
    whose via is drawn."""
    centre = SIZE / 2
    spots = [Spot(me, centre, centre, 0, 1.0)]
    angles: dict[int, float] = {}
    ordered = sorted(first, key=lambda item: (-item[1], item[0]))
    slots = _alternating(len(ordered))
    for (member, strength), slot in zip(ordered, slots, strict=True):
        angle = 2 * math.pi * slot / max(1, len(ordered)) - math.pi / 2
        radius = OUTER - (OUTER - INNER) * max(0.0, min(1.0, strength))
        angles[member] = angle
        spots.append(_at(member, centre, angle, radius, 1, strength))
    # within half of a via's own slice of the ring, alternating two radii so
    # neighbouring names don't sit on one line
    spread = math.pi / max(3, len(ordered)) / 1.1
    beyond: dict[int, list[tuple[int, float]]] = {}
    for member, via, strength in second:
        if via in angles:
            beyond.setdefault(via, []).append((member, strength))
    for via, people in beyond.items():
        middle = (len(people) - 1) / 2
        for n, (member, strength) in enumerate(people):
            angle = angles[via] + spread * (n - middle)
            radius = SECOND + (STAGGER if n % 2 else 0)
            spots.append(_at(member, centre, angle, radius, 2, strength))
    return spots


def _alternating(count: int) -> list[int]:
    """Ring slots for people sorted warmest first: every other slot, then the
    gaps, so two warm (close-in, crowded) people are never side by side."""
    return [*range(0, count, 2), *range(1, count, 2)]


def _at(member, centre, angle, radius, degree, strength) -> Spot:
    x = centre + radius * math.cos(angle)
    y = centre + radius * math.sin(angle)
    return Spot(member, round(x, 1), round(y, 1), degree, strength)
