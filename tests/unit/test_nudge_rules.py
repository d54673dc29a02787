"""Nudge rules: keys, what feedback hides, how dismissals and actions reweigh
a kind (bounded), and how the feed is ranked and spread across kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain import nudges as rules
from marketplace.domain.errors import InvalidInput
from marketplace.domain.nudges import Feedback

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Draft:
    key: str
    kind: str
    score: float


def prefs(*feedback: Feedback) -> rules.Preferences:
    return rules.preferences(feedback, NOW)


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("context:12", "give"),
        ("give:listing:5", "give"),
        ("reconnect:34", "reconnect"),
        ("ask:listing:5:member:9", "ask"),
        ("intro:listing:5:member:9", "intro"),
    ],
)
def test_every_key_the_feed_makes_is_accepted_and_names_its_kind(key, kind):
    assert rules.check_key(key) == key
    assert rules.kind_of(key) == kind


@pytest.mark.parametrize(
    "key",
    [
        "",
        None,
        12,
        "context:",
        "context:0",
        "context:012",
        "context:-1",
        "context:1:member:2",
        "ask:listing:5",
        "intro:listing:5:member:",
        "reconnect:99999999999",
        "reconnect:2147483648",
        "Context:12",
        " context:12",
        "context:12\n",
        "listing:5",
        "x" * 81,
        "context:1" + "0" * 80,
    ],
)
def test_a_malformed_key_is_refused(key):
    with pytest.raises(InvalidInput):
        rules.check_key(key)


def test_key_builders_make_keys_the_checker_accepts():
    for key in (
        rules.ask_key(5, 9),
        rules.intro_key(5, 9),
        rules.give_key(5),
        rules.reconnect_key(34),
    ):
        assert rules.check_key(key) == key


@pytest.mark.parametrize("days", [0, 91, 1000, -1, 1.5, "7", True, None])
def test_snoozing_takes_one_to_ninety_days(days):
    with pytest.raises(InvalidInput):
        rules.check_snooze_days(days)


def test_snooze_bounds_are_allowed():
    assert rules.check_snooze_days(1) == 1
    assert rules.check_snooze_days(90) == 90


# --------------------------------------------------------------------------- feedback


def test_a_dismissed_nudge_is_hidden_for_good():
    long_ago = Feedback("context:1", "dismissed", NOW - 3000 * DAY)
    assert "context:1" in prefs(long_ago).hidden


def test_a_snoozed_nudge_comes_back_when_the_snooze_ends():
    snoozed = Feedback("reconnect:3", "snoozed", NOW - 2 * DAY, NOW + DAY)
    assert "reconnect:3" in prefs(snoozed).hidden
    over = Feedback("reconnect:3", "snoozed", NOW - 9 * DAY, NOW - DAY)
    assert "reconnect:3" not in prefs(over).hidden


def test_the_latest_snooze_of_a_key_counts():
    first = Feedback("context:1", "snoozed", NOW - 10 * DAY, NOW + 30 * DAY)
    again = Feedback("context:1", "snoozed", NOW - DAY, NOW - timedelta(seconds=1))
    assert "context:1" not in prefs(again, first).hidden


def test_a_nudge_acted_on_rests_for_a_while():
    recent = Feedback("ask:listing:1:member:2", "acted", NOW - 5 * DAY)
    assert "ask:listing:1:member:2" in prefs(recent).hidden
    quiet = rules.ACTED_QUIET_DAYS
    older = Feedback("ask:listing:1:member:2", "acted", NOW - (quiet + 1) * DAY)
    assert "ask:listing:1:member:2" not in prefs(older).hidden


def test_each_dismissal_of_a_kind_lowers_its_weight_down_to_a_floor():
    weights = []
    for count in range(8):
        history = [
            Feedback(f"reconnect:{i + 1}", "dismissed", NOW - DAY) for i in range(count)
        ]
        weights.append(prefs(*history).weight("reconnect"))
    assert weights == sorted(weights, reverse=True)
    assert weights[1] < weights[0] == rules.KIND_WEIGHTS["reconnect"]
    floor = rules.KIND_WEIGHTS["reconnect"] * rules.TASTE_FLOOR
    assert weights[-1] == pytest.approx(floor)
    assert prefs(*[]).weight("give") == rules.KIND_WEIGHTS["give"]


def test_dismissing_the_same_nudge_twice_counts_once():
    twice = [Feedback("context:1", "dismissed", NOW - DAY)] * 2
    assert prefs(*twice).taste["give"] == pytest.approx(1 - rules.DISMISS_STEP)


def test_dismissals_age_out_of_the_window_but_stay_hidden():
    old = NOW - (rules.FEEDBACK_WINDOW_DAYS + 1) * DAY
    found = prefs(Feedback("context:1", "dismissed", old))
    assert "give" not in found.taste
    assert "context:1" in found.hidden


def test_snoozes_do_not_change_taste_and_acting_raises_it_to_a_ceiling():
    snoozes = [
        Feedback(f"context:{i}", "snoozed", NOW - DAY, NOW + DAY) for i in range(1, 9)
    ]
    assert "give" not in prefs(*snoozes).taste
    acts = [Feedback(f"context:{i}", "acted", NOW - DAY) for i in range(1, 30)]
    assert prefs(*acts).taste["give"] == rules.TASTE_CEILING


@given(st.integers(0, 500), st.integers(0, 500))
def test_taste_is_always_bounded(dismissed, acted):
    assert rules.TASTE_FLOOR <= rules.taste(dismissed, acted) <= rules.TASTE_CEILING


def test_feedback_on_an_unknown_key_hides_it_without_counting_for_a_kind():
    found = prefs(Feedback("made:up", "dismissed", NOW))
    assert "made:up" in found.hidden and not found.taste


# --------------------------------------------------------------------------- ranking


def test_the_feed_ranks_by_score_times_kind_weight():
    drafts = [
        Draft("reconnect:1", "reconnect", 0.9),  # 0.675
        Draft("ask:listing:1:member:2", "ask", 0.7),  # 0.7
        Draft("context:3", "give", 0.8),  # 0.68
    ]
    ranked = rules.rank(drafts, prefs(), 10)
    assert [d.key for _, d in ranked] == [
        "ask:listing:1:member:2",
        "context:3",
        "reconnect:1",
    ]
    assert ranked[0][0] == pytest.approx(0.7)


def test_dismissing_a_kind_pushes_it_down_the_feed():
    drafts = [Draft("reconnect:1", "reconnect", 0.9), Draft("context:3", "give", 0.7)]
    assert rules.rank(drafts, prefs(), 2)[0][1].kind == "reconnect"
    waved = [Feedback(f"reconnect:{i}", "dismissed", NOW - DAY) for i in (7, 8)]
    assert rules.rank(drafts, prefs(*waved), 2)[0][1].kind == "give"


def test_hidden_keys_are_left_out_and_each_key_appears_once():
    drafts = [
        Draft("context:1", "give", 0.9),
        Draft("context:2", "give", 0.5),
        Draft("context:2", "give", 0.6),
    ]
    found = rules.rank(drafts, prefs(Feedback("context:1", "dismissed", NOW)), 5)
    assert [(d.key, d.score) for _, d in found] == [("context:2", 0.6)]


def test_one_kind_may_not_crowd_out_the_others():
    drafts = [Draft(f"context:{i}", "give", 0.9) for i in range(1, 20)]
    drafts.append(Draft("reconnect:1", "reconnect", 0.1))
    ranked = rules.rank(drafts, prefs(), 5)
    assert len(ranked) == 5
    assert "reconnect:1" in [d.key for _, d in ranked]
    # ...but when nothing else waits, the kind fills the feed
    only = rules.rank(drafts[:-1], prefs(), 5)
    assert [d.kind for _, d in only] == ["give"] * 5


@dataclass(frozen=True)
class StrongDraft(Draft):
    strong: bool = False


def test_a_strong_fit_leads_the_feed_whatever_the_other_scores():
    drafts = [
        StrongDraft("ask:listing:1:member:2", "ask", 0.95),
        StrongDraft("intro:listing:1:member:3", "intro", 0.9),
        StrongDraft("reconnect:4", "reconnect", 0.9),
        StrongDraft("context:5", "give", 0.55, strong=True),
        StrongDraft("context:6", "give", 0.6),
    ]
    ranked = rules.rank(drafts, prefs(), 3)
    assert [d.key for _, d in ranked][:2] == ["context:5", "ask:listing:1:member:2"]
    assert "context:6" not in [d.key for _, d in ranked]


def test_ranking_is_deterministic_on_ties():
    drafts = [Draft(f"context:{i}", "give", 0.5) for i in (3, 1, 2)]
    keys = [d.key for _, d in rules.rank(drafts, prefs(), 3)]
    assert keys == ["context:1", "context:2", "context:3"]


@pytest.mark.parametrize("limit", [0, 101, -1, "5", True])
def test_a_feed_limit_must_be_reasonable(limit):
    with pytest.raises(InvalidInput):
        rules.rank([], prefs(), limit)


# --------------------------------------------------------------------------- scores


def test_a_request_due_soon_from_a_close_person_who_fits_scores_highest():
    today = NOW.date()
    best = rules.request_score(1.0, 0.9, today + DAY, today)
    later = rules.request_score(1.0, 0.9, today + 60 * DAY, today)
    undated = rules.request_score(1.0, 0.9, None, today)
    assert later < undated < best <= 1.0
    assert rules.request_score(0.0, 0.0, date(2030, 1, 1), today) == 0.0


def test_a_fresh_reason_to_reconnect_beats_old_history():
    context = rules.reconnect_score(0.8, 0.1, "context")
    history = rules.reconnect_score(0.8, 0.1, "history")
    assert history < context <= 1.0
    assert rules.reconnect_score(0.9, 0.1, "iou") > rules.reconnect_score(
        0.5, 0.2, "iou"
    )
    with pytest.raises(InvalidInput):
        rules.reconnect_score(0.8, 0.1, "gossip")


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (3, "recently"),
        (21, "3 weeks ago"),
        (100, "3 months ago"),
        (30.44, "4 weeks ago"),
        (200, "7 months ago"),
        (800, "2 years ago"),
        (365, "12 months ago"),
    ],
)
def test_quiet_spells_read_naturally(days, words):
    assert rules.how_long_ago(days) == words


def test_the_reason_to_ask_names_what_they_know_and_what_they_owe():
    assert (
        rules.ask_reason(("fundraising",), 1, 0, 0, "open")
        == "knows fundraising, owes you a favour"
    )
    assert rules.ask_reason(("b2b-seo", "pricing"), 2, 5, 1, "limited") == (
        "knows b2b seo and pricing, owes you 2 favours, has helped 5 times, "
        "has limited time"
    )
    assert rules.first_name("Marcus Webb") == "Marcus"
