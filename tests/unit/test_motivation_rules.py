"""Giver, matcher, taker -- said with care: few exchanges say nothing, a
doubtful case is called even, and every sentence is kind."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain import motivation as rules
from marketplace.domain.errors import InvalidInput

counts = st.integers(0, 10_000)


@pytest.mark.parametrize(
    ("given_", "received", "style"),
    [
        (0, 0, "starting"),
        (0, 2, "starting"),
        (2, 0, "starting"),
        (1, 1, "starting"),
        (0, 3, "taker"),
        (3, 0, "giver"),
        (9, 4, "giver"),
        (3, 2, "giver"),  # 60 %
        (2, 2, "matcher"),
        (2, 3, "matcher"),
        (1, 2, "matcher"),  # a third: still even
        (1, 3, "taker"),
        (2, 5, "taker"),
    ],
)
def test_styles_follow_the_documented_thresholds(given_, received, style):
    assert rules.style_of(given_, received) == style


@given(counts, counts)
def test_nobody_is_a_taker_on_fewer_than_three_exchanges(given_, received):
    if given_ + received < rules.MIN_EXCHANGES:
        assert rules.style_of(given_, received) == "starting"


@given(counts, counts)
def test_giving_more_never_makes_the_style_worse(given_, received):
    order = ["starting", "taker", "matcher", "giver"]
    before = rules.style_of(given_, received)
    after = rules.style_of(given_ + 1, received)
    if before != "starting":
        assert order.index(after) >= order.index(before)


def test_the_sentence_thanks_a_giver_with_the_counts():
    found = rules.balance(9, 4, "this year")
    assert (found.style, found.label) == ("giver", "Giver")
    assert found.sentence.startswith(
        "You've given help 9 times and received it 4 times this year — thank you."
    )
    assert found.given_share == pytest.approx(9 / 13)


def test_the_taker_label_is_gentle_and_the_sentence_encourages():
    found = rules.balance(1, 5)
    assert found.style == "taker"
    assert "taker" not in (found.label + found.sentence).lower()
    assert "been there for you" in found.sentence


def test_small_numbers_read_as_words_and_nothing_yet_reads_as_an_invitation():
    assert rules.balance(1, 2).sentence.startswith(
        "You've given help once and received it twice"
    )
    assert rules.balance(0, 1).sentence.startswith("You've received help once")
    assert "yet" in rules.balance(0, 0).sentence
    assert rules.balance(0, 0).given_share == 0.5


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_counts_must_be_whole_numbers(bad):
    with pytest.raises(InvalidInput):
        rules.style_of(bad, 0)


def test_months_run_oldest_first_across_the_new_year():
    now = datetime(2026, 2, 14, tzinfo=UTC)
    assert rules.month_keys(now, 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(rules.month_keys(now)) == 12
    assert rules.month_label("2025-11") == "Nov 25"
    assert rules.first_day("2025-11", now) == datetime(2025, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize("months", [0, 37, -1, "12", True])
def test_months_are_bounded(months):
    with pytest.raises(InvalidInput):
        rules.month_keys(datetime(2026, 1, 1, tzinfo=UTC), months)


def test_bar_rows_scale_each_count_to_the_largest_of_either_series():
    rows = rules.bar_rows([("Jan", 4, 1), ("Feb", 0, 2)])

    assert [(r.given_share, r.received_share) for r in rows] == [
        ("100%", "25%"),
        ("0%", "50%"),
    ]
    assert rows[0].summary == "Jan: given 4, received 1"


def test_bar_rows_of_a_quiet_year_draw_no_bar_rather_than_divide_by_zero():
    rows = rules.bar_rows([("design", 0, 0)])

    assert rows[0].given_share == rows[0].received_share == "0%"
    assert rules.bar_rows([]) == []
