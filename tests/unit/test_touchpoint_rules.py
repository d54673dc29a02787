"""The rules behind logged conversations: their weight among the other
interactions, how they decay, when a private contact is due a keep-in-touch
reminder, the nudge key that reminder carries, and the dates a log takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain import nudges as rules
from marketplace.domain.errors import InvalidInput
from marketplace.domain.strength import (
    KEEP_IN_TOUCH,
    WEIGHTS,
    Kind,
    Tie,
    Warmth,
    add_interaction,
    check_kind,
    keep_in_touch,
    strength,
)
from marketplace.network.touchpoints import check_day
from marketplace.network.touchpoints import check_kind as check_log_kind

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_a_logged_conversation_weighs_about_a_quarter_of_confirmed_help():
    logged = WEIGHTS[Kind.LOGGED]
    assert logged == pytest.approx(0.3 * WEIGHTS[Kind.ENGAGEMENT], abs=0.06)
    assert WEIGHTS[Kind.MESSAGE] < logged < WEIGHTS[Kind.IOU]
    assert check_kind("logged") is Kind.LOGGED


def test_a_logged_coffee_decays_like_everything_else():
    warmth = add_interaction(Warmth(0.0, None), Kind.LOGGED, NOW)
    assert warmth == Warmth(WEIGHTS[Kind.LOGGED], NOW)
    later = strength(warmth.value, NOW, NOW + 90 * DAY)
    assert later == pytest.approx(strength(WEIGHTS[Kind.LOGGED] / 2))


def test_four_coffees_never_outweigh_one_engagement_and_three_intros():
    coffees = Warmth(0.0, None)
    for day in range(4):
        coffees = add_interaction(coffees, Kind.LOGGED, NOW + day * DAY)
    assert coffees.value < WEIGHTS[Kind.ENGAGEMENT] + 3 * WEIGHTS[Kind.INTRO]


def test_a_contact_is_due_once_what_was_logged_has_faded():
    one_coffee = WEIGHTS[Kind.LOGGED]
    ties = [
        Tie(1, one_coffee, NOW - 10 * DAY),  # talked recently
        Tie(2, one_coffee, NOW - 120 * DAY),  # faded
        Tie(3, 0.0, None),  # imported, never logged: no reminder
        Tie(4, one_coffee, NOW - 300 * DAY),  # faded longest: first
    ]
    due = keep_in_touch(ties, NOW)
    assert [t.other_id for t in due] == [4, 2]
    assert all(t.current_strength < KEEP_IN_TOUCH for t in due)
    assert due[1].quiet_days == pytest.approx(120)


@given(st.floats(min_value=0.01, max_value=50), st.integers(0, 3650))
def test_only_faded_ties_are_due(warmth, days):
    due = keep_in_touch([Tie(1, warmth, NOW - days * DAY)], NOW)
    faded = strength(warmth, NOW - days * DAY, NOW) < KEEP_IN_TOUCH
    assert bool(due) == faded


def test_the_keep_in_touch_key_is_a_reconnect_nudge():
    key = rules.contact_key(42)
    assert rules.check_key(key) == "contact:42"
    assert rules.kind_of(key) == "reconnect"
    for bad in ("contact:", "contact:0", "contact:x", "contact:1:member:2"):
        with pytest.raises(InvalidInput):
            rules.check_key(bad)


def test_log_dates_are_today_or_up_to_ten_years_back():
    today = date(2026, 11, 26)
    assert check_day("2026-11-26", today) == today
    assert check_day(date(2016, 12, 1), today) == date(2016, 12, 1)
    for bad in ("2026-11-27", "2016-11-01", "26/11/2026", "", None, 3, NOW):
        with pytest.raises(InvalidInput):
            check_day(bad, today)


def test_log_kinds_are_the_five_named_ones():
    for kind in ("coffee", "call", "email", "whatsapp", "event"):
        assert check_log_kind(kind) == kind
    for bad in ("Coffee", "logged", "", None, ["coffee"]):
        with pytest.raises(InvalidInput, match="Choose what it was"):
            check_log_kind(bad)
