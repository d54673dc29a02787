"""Credit limits and stakes (domain/credit.py) and the gift's floor
(domain.ledger.EARNED): karma a member never earned pays for help only."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.credit import check_stake, credit_limit, unused_limit
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import EARNED, FLOOR, Totals

TERMS = {"trust_limit": 20, "limit_max": 100, "trust_min": 0.1}


def limit(verified=True, trust=1.0, vouched_in=0, vouched_out=0) -> int:
    return credit_limit(
        verified=verified,
        trust=trust,
        vouched_in=vouched_in,
        vouched_out=vouched_out,
        **TERMS,
    )


@pytest.mark.parametrize(
    "case,expected",
    [
        ({"verified": False}, 0),
        ({"verified": False, "vouched_in": 50}, 0),
        ({"trust": 0.0}, 0),
        ({"trust": 0.099}, 0),  # the crumbs that leak into a sybil ring
        ({"trust": 0.099, "vouched_in": 3}, 3),  # a vouch still counts
        ({"trust": 0.1}, 2),
        ({"trust": 0.125}, 3),  # half a point rounds up
        ({"trust": 0.5}, 10),
        ({"trust": 1.0}, 20),
        ({"trust": 7.0}, 20),  # a score is at most 1
        ({"trust": 0.5, "vouched_in": 15}, 25),
        ({"trust": 0.5, "vouched_out": 4}, 6),
        ({"trust": 0.2, "vouched_out": 9}, 0),  # never below zero
        ({"vouched_in": 500}, 100),  # LIMIT_MAX
    ],
)
def test_the_credit_limit(case, expected):
    assert limit(**case) == expected


@given(st.booleans(), st.floats(0, 1), st.integers(0, 300), st.integers(0, 300))
def test_a_limit_is_never_negative_nor_over_the_maximum(verified, trust, vin, vout):
    assert 0 <= limit(verified, trust, vin, vout) <= 100


def test_the_unused_limit_is_what_is_not_owed():
    assert unused_limit(Totals(credit_limit=20)) == 20
    assert unused_limit(Totals(credits_posted=5, credit_limit=20)) == 20
    assert (
        unused_limit(Totals(debits_posted=6, debits_pending=2, credit_limit=20)) == 12
    )
    assert unused_limit(Totals(debits_posted=30, credit_limit=20)) == 0


@pytest.mark.parametrize("value", [0, 13, -1, "x", "1.5", True, None, "9" * 20])
def test_a_stake_out_of_bounds_is_refused(value):
    with pytest.raises(InvalidInput):
        check_stake(value, 12)


def test_a_stake_needs_something_unused():
    assert check_stake(" 12 ", 12) == 12
    with pytest.raises(InvalidInput, match="no unused credit"):
        check_stake(1, 0)


def test_a_gift_never_spends_credit_but_help_may():
    owed = Totals(credits_posted=3, debits_pending=1, credit_limit=20)
    assert owed.givable == 2 and owed.room == 22
    assert EARNED.allows(owed, 2) and not EARNED.allows(owed, 3)
    assert FLOOR.allows(owed, 22) and not FLOOR.allows(owed, 23)
    assert owed.can_give(2) and not owed.can_give(3)
    below = Totals(debits_posted=5, credit_limit=20)
    assert below.givable == 0 and not below.can_give(1) and below.can_debit(15)
    assert EARNED.allows(below, -5)  # a release always passes
