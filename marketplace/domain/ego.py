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

SIZE = 400  # the picture is SIZE x SIZE; the member is at the centre
INNER, OUTER, SECOND = 70.0, 150.0, 185.0  # ring radii (warmest, coldest, 2nd)


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
    for i, (member, strength) in enumerate(ordered):
        angle = 2 * math.pi * i / max(1, len(ordered)) - math.pi / 2
        radius = OUTER - (OUTER - INNER) * max(0.0, min(1.0, strength))
        angles[member] = angle
        spots.append(_at(member, centre, angle, radius, 1, strength))
    spread = math.pi / max(8, len(ordered) * 2)
    placed: dict[int, int] = {}
    for member, via, strength in second:
        if via not in angles:
            continue
        n = placed.get(via, 0)
        placed[via] = n + 1
        angle = angles[via] + spread * (n - 0.5) * (1 if n % 2 else -1)
        spots.append(_at(member, centre, angle, SECOND, 2, strength))
    return spots


def _at(member, centre, angle, radius, degree, strength) -> Spot:
    x = centre + radius * math.cos(angle)
    y = centre + radius * math.sin(angle)
    return Spot(member, round(x, 1), round(y, 1), degree, strength)
