"""The ego-network picture's geometry: warmer is closer, everyone fits in
the picture, and nobody is drawn on top of anybody else."""

import math

from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.ego import SIZE, layout

strengths = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def distance(spot) -> float:
    return math.hypot(spot.x - SIZE / 2, spot.y - SIZE / 2)


def test_a_warmer_connection_is_drawn_closer():
    spots = {s.member_id: s for s in layout(1, [(2, 0.9), (3, 0.1)], [])}
    assert distance(spots[2]) < distance(spots[3])
    assert (spots[1].x, spots[1].y) == (SIZE / 2, SIZE / 2)


@given(st.lists(strengths, min_size=1, max_size=16))
def test_everyone_fits_and_nobody_overlaps(ties):
    first = [(i + 2, s) for i, s in enumerate(ties)]
    second = [
        (100 + i * 2 + n, i + 2, 0.5)
        for i in range(min(8, len(ties)))
        for n in range(2)
    ]
    spots = layout(1, first, second)
    assert len(spots) == 1 + len(first) + len(second)
    for spot in spots:
        assert 20 <= spot.x <= SIZE - 20 and 20 <= spot.y <= SIZE - 20
    points = [(s.x, s.y) for s in spots]
    for i, a in enumerate(points):
        for b in points[i + 1 :]:
            assert math.dist(a, b) > 5


def test_people_beyond_a_connection_sit_on_either_side_of_it():
    spots = layout(1, [(2, 0.5)], [(10, 2, 0.4), (11, 2, 0.6)])
    beyond = [s for s in spots if s.degree == 2]
    assert beyond[0].x != beyond[1].x or beyond[0].y != beyond[1].y
