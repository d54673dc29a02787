"""The motivation graph: help given and received per month and per tag, and
a give/take balance only the member sees. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.market import listings
from marketplace.models import Engagement, EngagementEvent
from marketplace.network import motivation

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CLOCK = FixedClock(NOW)


def post(author: int, title: str, tags: str, kind: str = "request") -> int:
    form = {
        "kind": kind,
        "title": title,
        "tags": tags,
        "terms": "free",
        "price": 0,
        "capacity": 50,
    }
    with unit_of_work() as s:
        return listings.create_listing(s, actor_id=author, form=form, clock=CLOCK).id


def help_done(
    listing: int,
    asker: int,
    helper: int,
    at: datetime,
    status: str = "confirmed",
    resolution: str | None = None,
) -> None:
    """An engagement that reached `status` at `at` (its row was touched a
    month later, as a review would)."""
    with unit_of_work() as s:
        engagement = Engagement(
            listing_id=listing,
            asker_id=asker,
            helper_id=helper,
            proposed_by_id=asker,
            status=status,
            resolution=resolution,
            terms="free",
            created_at=at - 3 * DAY,
            updated_at=at + 30 * DAY,
        )
        s.add(engagement)
        s.flush()
        s.add(
            EngagementEvent(
                engagement_id=engagement.id,
                from_status="delivered",
                to_status=status,
                actor_id=asker,
                at=at,
            )
        )


def view(member: int, viewer: int | None = None, **extra) -> motivation.MotivationView:
    with read_only() as s:
        return motivation.motivation(
            s,
            member_id=member,
            viewer_id=member if viewer is None else viewer,
            clock=CLOCK,
            **extra,
        )


def test_help_is_counted_per_month_and_per_tag(ada, bo):
    a, b = ada.member_id, bo.member_id
    deck = post(a, "Seed deck review", "fundraising, pitch-decks")
    seo = post(b, "An SEO audit please", "b2b-seo")
    help_done(deck, a, b, NOW - 2 * DAY)  # Bob gave, Ada received
    help_done(deck, a, b, datetime(2026, 9, 30, 23, tzinfo=UTC))
    help_done(seo, b, a, datetime(2026, 10, 1, 8, tzinfo=UTC))  # Ada gave
    help_done(seo, b, a, NOW - 400 * DAY)  # too old for the chart
    found = view(a)
    assert (found.months[0].key, found.months[-1].key) == ("2025-12", "2026-11")
    assert len(found.months) == 12
    per_month = {m.key: (m.given, m.received) for m in found.months}
    assert per_month["2026-11"] == (0, 1)
    assert per_month["2026-10"] == (1, 0)
    assert per_month["2026-09"] == (0, 1)
    assert sum(g + r for g, r in per_month.values()) == 3
    assert found.months[-1].month == "Nov 26"
    per_tag = {t.tag: (t.given, t.received) for t in found.tags}
    assert per_tag == {"fundraising": (0, 2), "pitch-decks": (0, 2), "b2b-seo": (1, 0)}
    assert [t.tag for t in found.tags][:2] == ["fundraising", "pitch-decks"]
    assert (found.given, found.received) == (1, 2)
    assert (found.all_time_given, found.all_time_received) == (2, 2)
    assert view(b).given == 2 and view(b).received == 1


def test_only_help_that_was_given_counts(ada, bo):
    a, b = ada.member_id, bo.member_id
    deck = post(a, "Seed deck review", "fundraising")
    help_done(deck, a, b, NOW - DAY, status="resolved", resolution="release")
    help_done(deck, a, b, NOW - DAY, status="resolved", resolution="refund")
    for status in ("proposed", "accepted", "delivered", "cancelled", "disputed"):
        help_done(deck, a, b, NOW - DAY, status=status)
    found = view(b)
    assert (found.given, found.received) == (1, 0)


def test_the_balance_is_shown_to_the_member_only(ada, bo):
    a, b = ada.member_id, bo.member_id
    talk = post(b, "Practice my talk", "public-speaking")
    for days in range(9):
        help_done(talk, b, a, NOW - (days * 20 + 1) * DAY)
    deck = post(a, "Seed deck review", "fundraising")
    for days in range(4):
        help_done(deck, a, b, NOW - (days * 30 + 2) * DAY)
    mine = view(a)
    assert mine.balance is not None
    assert (mine.balance.style, mine.balance.label) == ("giver", "Giver")
    assert mine.balance.sentence.startswith(
        "You've given help 9 times and received it 4 times in the past year — "
        "thank you."
    )
    assert mine.balance.given_share == pytest.approx(9 / 13, abs=1e-3)
    seen_by_bob = view(a, viewer=b)
    assert seen_by_bob.balance is None
    assert seen_by_bob.months == mine.months  # the charts are the same
    assert "balance" in mine.as_dict() and mine.as_dict()["balance"]["style"]


def test_a_newcomer_is_just_getting_started_never_a_taker(ada, bo):
    a, b = ada.member_id, bo.member_id
    assert view(a).balance.style == "starting"
    deck = post(a, "Seed deck review", "fundraising")
    help_done(deck, a, b, NOW - DAY)
    help_done(deck, a, b, NOW - 2 * DAY)
    assert view(a).balance.style == "starting"  # received twice, gave never
    help_done(deck, a, b, NOW - 3 * DAY)
    found = view(a).balance
    assert found.style == "taker"
    assert found.label == "Mostly receiving, for now"


def test_months_can_be_chosen_within_bounds(ada):
    assert len(view(ada.member_id, months=3).months) == 3
    for months in (0, 37, "12", None):
        with pytest.raises(InvalidInput):
            view(ada.member_id, months=months)


@pytest.mark.parametrize("member", [0, -5, 10**12, "1", None, True])
def test_a_forged_member_is_not_found(ada, member):
    with pytest.raises(NotFound), read_only() as s:
        motivation.motivation(s, member_id=member, viewer_id=ada.member_id)
