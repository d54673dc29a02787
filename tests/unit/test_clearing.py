"""Multilateral IOU clearing: hand-made cases, refusals, and random networks
whose cleared total must equal an independent linear-programming optimum."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter, defaultdict
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from marketplace.domain.clearing import (
    MAX_IOU_AMOUNT,
    Clearing,
    ClearingCycle,
    Obligation,
    clear_obligations,
)
from marketplace.domain.errors import InvalidInput


def cleared_by_id(clearing: Clearing) -> dict:
    return {iou.iou_id: iou.cleared for iou in clearing.ious}


# --------------------------------------------------------------------------- by hand


def test_a_three_cycle_clears_its_smallest_debt_on_every_iou():
    clearing = clear_obligations([(1, "A", "B", 5), (2, "B", "C", 3), (3, "C", "A", 4)])

    assert cleared_by_id(clearing) == {1: 3, 2: 3, 3: 3}
    assert clearing.total_owed_before == 12
    assert clearing.total_cleared == 9
    assert clearing.total_owed_after == 3
    assert clearing.cycles == (ClearingCycle(("A", "B", "C"), 3),)


def test_two_opposite_ious_clear_the_smaller_amount_each():
    clearing = clear_obligations([(1, "A", "B", 5), (2, "B", "A", 3)])

    assert cleared_by_id(clearing) == {1: 3, 2: 3}
    assert clearing.cycles == (ClearingCycle(("A", "B"), 3),)
    assert [iou.remaining for iou in clearing.ious] == [2, 0]


def test_a_chain_without_a_cycle_clears_nothing():
    clearing = clear_obligations([(1, "A", "B", 5), (2, "B", "C", 5), (3, "C", "D", 5)])

    assert clearing.total_cleared == 0
    assert clearing.cycles == ()
    assert all(effect.cleared == 0 for effect in clearing.members.values())


def test_a_member_who_opted_out_breaks_the_cycle_through_them():
    obligations = [
        (1, "A", "B", 5),
        (2, "B", "C", 5),
        (3, "C", "A", 5),
        (4, "A", "C", 2),
    ]

    clearing = clear_obligations(obligations, opted_out={"B"})

    assert cleared_by_id(clearing) == {1: 0, 2: 0, 3: 2, 4: 2}
    assert clearing.cycles == (ClearingCycle(("A", "C"), 2),)


def test_cancelling_opposite_ious_first_would_clear_less_than_the_optimum():
    # Netting A<->B first clears 3+3, then 2 around A->B->C: 12 in all.
    # The optimum routes all 5 around the triangle and leaves only B owes A 3.
    obligations = [
        (1, "A", "B", 5),
        (2, "B", "A", 3),
        (3, "B", "C", 5),
        (4, "C", "A", 5),
    ]

    clearing = clear_obligations(obligations)

    assert clearing.total_cleared == 15
    assert cleared_by_id(clearing) == {1: 5, 2: 0, 3: 5, 4: 5}


def test_ious_between_the_same_two_members_clear_oldest_first():
    obligations = [
        (30, "A", "B", 4),
        (10, "A", "B", 2),
        (20, "B", "C", 7),
        (40, "C", "A", 9),
        (50, "A", "B", 5),
    ]

    clearing = clear_obligations(obligations)

    assert clearing.total_cleared == 21
    assert cleared_by_id(clearing) == {10: 2, 20: 7, 30: 4, 40: 7, 50: 1}
    assert [iou.iou_id for iou in clearing.ious] == [10, 20, 30, 40, 50]


def test_each_member_sees_their_books_before_and_after_and_the_cycles_through_them():
    obligations = [
        (1, "A", "B", 5),
        (2, "B", "C", 3),
        (3, "C", "A", 4),
        (4, "D", "A", 1),
    ]

    clearing = clear_obligations(obligations)

    ana = clearing.members["A"]
    assert (ana.owed_before, ana.owed_after) == (5, 2)
    assert (ana.owing_before, ana.owing_after) == (5, 2)
    assert ana.cleared == 3
    assert ana.net_position == 0
    assert clearing.members["D"].cleared == 0
    assert clearing.cycles_through("B") == clearing.cycles
    assert clearing.cycles_through("D") == ()
    assert clearing.cycles[0].pairs == (("A", "B"), ("B", "C"), ("C", "A"))


def test_the_outcome_does_not_depend_on_the_order_of_the_ious():
    rng = random.Random(7)
    obligations = random_obligations(rng, members=12, ious=60)
    shuffled = obligations[:]
    rng.shuffle(shuffled)

    assert clear_obligations(shuffled) == clear_obligations(obligations)


def test_the_outcome_is_immutable():
    clearing = clear_obligations([(1, "A", "B", 5), (2, "B", "A", 3)])

    with pytest.raises(dataclasses.FrozenInstanceError):
        clearing.ious[0].cleared = 5
    with pytest.raises(TypeError):
        clearing.members["A"] = None


def test_no_ious_means_nothing_to_clear():
    clearing = clear_obligations([])

    assert clearing.ious == ()
    assert dict(clearing.members) == {}
    assert clearing.total_cleared == 0


@pytest.mark.parametrize(
    "obligations",
    [
        [(1, "A", "B", 0)],
        [(1, "A", "B", -2)],
        [(1, "A", "B", 2.5)],
        [(1, "A", "B", "3")],
        [(1, "A", "B", True)],
        [(1, "A", "B", MAX_IOU_AMOUNT + 1)],
        [(1, "A", "A", 3)],
        [(1, "A", "B", 3), (1, "B", "A", 2)],
        [(1, "A", "B")],
        [{"iou_id": 1}],
        [7],
        [(1, "A", "B", 3), ("2", "B", "A", 2)],
    ],
    ids=[
        "zero",
        "negative",
        "fraction",
        "text",
        "bool",
        "too large",
        "owes themselves",
        "duplicate id",
        "short row",
        "mapping row",
        "not a row",
        "incomparable ids",
    ],
)
def test_malformed_ious_are_refused(obligations):
    with pytest.raises(InvalidInput):
        clear_obligations(obligations)


def test_hundreds_of_ious_between_the_same_two_members_merge_into_one_pair():
    obligations = [(i, "A", "B", 1) for i in range(300)] + [(1000, "B", "A", 250)]

    clearing = clear_obligations(obligations)

    assert clearing.total_cleared == 500
    assert cleared_by_id(clearing)[249] == 1
    assert cleared_by_id(clearing)[250] == 0
    assert clearing.cycles == (ClearingCycle(("A", "B"), 250),)


def test_obligation_rows_and_text_ids_are_accepted():
    clearing = clear_obligations(
        [Obligation("iou-2", "ana", "ben", 4), Obligation("iou-1", "ben", "ana", 6)]
    )

    assert [iou.iou_id for iou in clearing.ious] == ["iou-1", "iou-2"]
    assert clearing.total_cleared == 8


def test_numpy_integers_are_accepted_as_whole_amounts():
    clearing = clear_obligations([(1, "A", "B", np.int64(4)), (2, "B", "A", 4)])

    assert clearing.total_cleared == 8
    assert type(clearing.ious[0].amount) is int


# --------------------------------------------------------------------------- random


def random_obligations(rng: random.Random, members: int, ious: int) -> list[tuple]:
    """IOUs among `members` people with uneven activity; amounts skewed small."""
    activity = [rng.paretovariate(1.5) for _ in range(members)]
    rows = []
    for iou_id in range(ious):
        debtor, creditor = rng.choices(range(members), weights=activity, k=2)
        if debtor == creditor:
            creditor = (creditor + rng.randrange(1, members)) % members
        amount = min(20, int(rng.expovariate(0.25)) + 1)
        rows.append((iou_id, debtor, creditor, amount))
    return rows


def lp_optimum(obligations: list[tuple], opted_out: set) -> int:
    """The largest total that can clear, by HiGHS on the textbook LP.

    One variable per IOU, 0 <= cleared <= amount (0 for opted-out parties), and
    per member cleared-out == cleared-in. A network matrix is totally
    unimodular, so the optimum is whole.
    """
    if not obligations:
        return 0
    members = sorted({m for _, d, c, _ in obligations for m in (d, c)})
    index = {m: i for i, m in enumerate(members)}
    count = len(obligations)
    columns = np.arange(count)
    rows = [index[d] for _, d, _, _ in obligations] + [
        index[c] for _, _, c, _ in obligations
    ]
    incidence = csr_matrix(
        (np.r_[np.ones(count), -np.ones(count)], (rows, np.r_[columns, columns])),
        shape=(len(members), count),
    )
    upper = [0 if d in opted_out or c in opted_out else a for _, d, c, a in obligations]
    result = linprog(
        -np.ones(count),
        A_eq=incidence,
        b_eq=np.zeros(len(members)),
        bounds=list(zip([0] * count, upper, strict=True)),
        method="highs",
    )
    assert result.status == 0, result.message
    optimum = -result.fun
    assert abs(optimum - round(optimum)) < 1e-6
    return round(optimum)


def assert_valid_clearing(obligations, opted_out, clearing: Clearing) -> None:
    given_ious = {i: (d, c, a) for i, d, c, a in obligations}
    cleared = {}
    for iou in clearing.ious:  # the same IOUs, none grown, none new
        assert given_ious[iou.iou_id] == (iou.debtor, iou.creditor, iou.amount)
        assert 0 <= iou.cleared <= iou.amount
        if iou.debtor in opted_out or iou.creditor in opted_out:
            assert iou.cleared == 0
        cleared[iou.iou_id] = iou.cleared
    assert cleared.keys() == given_ious.keys()
    assert clearing.total_cleared == sum(cleared.values())
    assert clearing.total_owed_before == sum(a for *_, a in obligations)
    assert_net_positions_unchanged(obligations, cleared, clearing)
    assert_oldest_first(obligations, cleared)
    assert_cycles_sum_to_cleared(obligations, cleared, clearing, opted_out)


def assert_net_positions_unchanged(obligations, cleared, clearing) -> None:
    owed, owing, removed_in, removed_out = (Counter() for _ in range(4))
    for iou_id, debtor, creditor, amount in obligations:
        owing[debtor] += amount
        owed[creditor] += amount
        removed_out[debtor] += cleared[iou_id]
        removed_in[creditor] += cleared[iou_id]
    assert clearing.members.keys() == owed.keys() | owing.keys()
    for member, effect in clearing.members.items():
        assert removed_in[member] == removed_out[member]
        assert (effect.owed_before, effect.owing_before) == (
            owed[member],
            owing[member],
        )
        assert effect.owed_after == owed[member] - removed_in[member]
        assert effect.owing_after == owing[member] - removed_out[member]
        assert effect.net_position == owed[member] - owing[member]


def assert_oldest_first(obligations, cleared) -> None:
    """Per (debtor, creditor): full IOUs, then at most one partly cleared, then none."""
    by_pair = defaultdict(list)
    for iou_id, debtor, creditor, amount in sorted(obligations):
        by_pair[debtor, creditor].append((cleared[iou_id], amount))
    for ious in by_pair.values():
        for (older, older_amount), (newer, _) in pairwise(ious):
            assert newer == 0 or older == older_amount


def assert_cycles_sum_to_cleared(obligations, cleared, clearing, opted_out) -> None:
    per_pair = Counter()
    for iou_id, debtor, creditor, _ in obligations:
        per_pair[debtor, creditor] += cleared[iou_id]
    along_cycles = Counter()
    for cycle in clearing.cycles:
        assert cycle.amount > 0
        assert len(cycle.members) >= 2
        assert len(set(cycle.members)) == len(cycle.members)  # simple
        assert not opted_out & set(cycle.members)
        for pair in cycle.pairs:
            along_cycles[pair] += cycle.amount
    assert along_cycles == +per_pair


@pytest.mark.parametrize("seed", range(60))
def test_random_networks_clear_exactly_the_lp_optimum(seed):
    rng = random.Random(seed)
    members = rng.randint(2, 60)
    obligations = random_obligations(rng, members, rng.randint(0, 300))
    opted_out = {m for m in range(members) if rng.random() < 0.05}

    clearing = clear_obligations(obligations, opted_out)

    assert clearing.total_cleared == lp_optimum(obligations, opted_out)
    assert_valid_clearing(obligations, opted_out, clearing)


@st.composite
def obligation_networks(draw):
    members = draw(st.integers(2, 40))
    member = st.integers(0, members - 1)
    edges = draw(
        st.lists(
            st.tuples(member, member, st.integers(1, 30)).filter(
                lambda e: e[0] != e[1]
            ),
            max_size=200,
        )
    )
    ids = draw(st.permutations(range(len(edges))))
    obligations = [(i, d, c, a) for i, (d, c, a) in zip(ids, edges, strict=True)]
    opted_out = draw(st.sets(member, max_size=3))
    return obligations, opted_out


@settings(max_examples=200, deadline=None)
@given(obligation_networks())
def test_any_network_clears_the_lp_optimum_and_keeps_every_promise(network):
    obligations, opted_out = network

    clearing = clear_obligations(obligations, opted_out)

    assert clearing.total_cleared == lp_optimum(obligations, opted_out)
    assert_valid_clearing(obligations, opted_out, clearing)


def test_a_network_of_thousands_of_ious_clears_the_lp_optimum():
    rng = random.Random(2024)
    obligations = random_obligations(rng, members=400, ious=4000)
    opted_out = set(rng.sample(range(400), 4))

    clearing = clear_obligations(obligations, opted_out)

    assert clearing.total_cleared == lp_optimum(obligations, opted_out)
    assert_valid_clearing(obligations, opted_out, clearing)


def test_large_amounts_stay_exact():
    rng = random.Random(99)
    obligations = [
        (i, d, c, a * 40_000_000) for i, d, c, a in random_obligations(rng, 30, 200)
    ]

    clearing = clear_obligations(obligations)

    assert clearing.total_cleared == lp_optimum(obligations, set())
    assert_valid_clearing(obligations, set(), clearing)
