"""A new context reaches the people who fit it best: the case from the field.

Nora joined and connected with Priya, who knows event marketing, sponsorship
sales and venue booking -- exactly what Nora's summit asks for. Priya's
dashboard is busy (her own requests, warm connections to ask, a tie going
cold), so the summit used to rank ninth of her suggestions while six were
shown, and nothing reached her inbox. Now an exact fit leads her feed, she
is told at once (inbox, and her daily digest email, which she asked for),
and only the few best fits are told. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.inbox import digest
from marketplace.models import Context, Member, Notification
from marketplace.network import connections, contexts, graph_index, nudges
from marketplace.states.people import DashboardState
from tests.integration.network.test_graph_index import add_members, connect, tag
from tests.integration.network.test_nudges import post
from tests.integration.test_state_security import member, state_of

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
SUMMIT = {
    "kind": "event",
    "title": "Lakeside Founders Summit",
    "description": "Two days, 400 founders.",
    "tags": "event-marketing, sponsorship-sales, venue-booking",
    "starts_on": "2027-03-01",
    "ends_on": "2027-03-02",
}


@pytest.fixture(autouse=True)
def fresh_index(engine):
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


@pytest.fixture
def field(engine):
    """Nora (the newcomer) and Priya, connected and never in touch since;
    Priya's feed full of her own business first."""
    nora = member("nora")  # signs up like anyone, so she can use the app
    priya = member("priya")
    bob, cyd, eve, omar = add_members("bob", "cyd", "eve", "omar")
    connect(nora.member_id, priya.member_id)  # a cold, brand-new tie
    connect(nora.member_id, omar)
    for friend in (bob, cyd):
        connect(priya.member_id, friend, warmth=3.0)
        tag(friend, "fundraising", "pricing", "b2b-seo")
    connect(priya.member_id, eve, warmth=2.0, days=300)  # going cold
    tag(priya.member_id, "event-marketing", "sponsorship-sales", "venue-booking")
    tag(omar, "sponsorship-sales")  # one of the three things asked
    for title, tags in (
        ("Seed deck review", "fundraising"),
        ("Pricing page teardown", "pricing"),
        ("SEO audit of our blog", "b2b-seo"),
    ):
        post(priya.member_id, title, tags)
    with unit_of_work() as s:
        s.get(Member, priya.member_id).digest_opt_in = True
    return nora, priya, omar


def announce(owner, form=SUMMIT) -> int:
    with unit_of_work() as s:
        return contexts.post_context(
            s, actor_id=owner.member_id, form=form, clock=CLOCK
        ).id


def told(member_id: int) -> list[Notification]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification).where(
                    Notification.member_id == member_id, Notification.kind == "context"
                )
            )
        )


def test_an_exact_fit_direct_connection_leads_her_feed_and_is_told(field):
    nora, priya, omar = field
    summit = announce(nora)
    with read_only() as s:
        shown, rest = nudges.feed_and_rest(s, priya.member_id, CLOCK, shown=6)
    first = shown[0]
    assert (first.context_id, first.strong) == (summit, True)
    assert first.reason == (
        "You know event marketing, sponsorship sales and venue booking, all it "
        "asks for; Nora is one of your connections"
    )
    # it leads although six of her other suggestions score higher on their
    # own: an exact fit dominates, it is not merely one more card
    assert len([n for n in shown[1:] + rest if n.score > first.score]) >= 6
    [note] = told(priya.member_id)
    assert note.text.startswith(
        "Nora is organizing Lakeside Founders Summit: you know event marketing, "
        "sponsorship sales and venue booking, everything it needs."
    )
    assert note.link == "/dashboard" and note.read_at is None
    # one thing of three: a nudge on Omar's dashboard, not news in his inbox
    assert told(omar) == []
    with read_only() as s:
        his = nudges.feed(s, omar, CLOCK)
    assert [(n.context_id, n.strong) for n in his] == [(summit, False)]


def test_a_best_fit_two_steps_away_is_told_after_the_direct_ones(field):
    nora, priya, omar = field
    [zed] = add_members("zed")  # Priya's friend, a stranger to Nora
    connect(priya.member_id, zed, warmth=3.0)
    tag(zed, "event-marketing", "venue-booking")
    summit = announce(nora)
    with read_only() as s:
        signal = contexts.signal_of(s, s.get(Context, summit))
        fits = contexts.best_fits(s, signal, CLOCK)
    assert [(f.member_id, f.degree) for f in fits] == [
        (priya.member_id, 1),
        (zed, 2),
        (omar, 1),  # a direct tie, but one thing of three
    ]
    assert told(zed) and not told(omar)


def test_her_daily_digest_email_carries_it_since_she_asked_for_one(field):
    nora, priya, _omar = field
    announce(nora)
    with read_only() as s:
        assert priya.member_id in digest.due_member_ids(s, clock=CLOCK)
        me = s.get(Member, priya.member_id)
        mail = digest.compose(me, told(priya.member_id), NOW)
    assert "Lakeside Founders Summit" in mail.body
    assert mail.to == "priya@example.com"


def test_only_the_few_best_fits_are_told_and_never_across_a_block(field):
    nora, priya, _omar = field
    fans = add_members(*(f"fan{i}" for i in range(7)))
    for fan in fans:
        connect(nora.member_id, fan)
        tag(fan, "event-marketing", "sponsorship-sales")  # two of three
    with unit_of_work() as s:
        connections.block_member(s, actor_id=fans[0], handle="nora", clock=CLOCK)
    announce(nora)
    reached = [m for m in (priya.member_id, *fans) if told(m)]
    assert len(reached) == contexts.TELL_MAX
    assert reached[0] == priya.member_id  # the exact fit first
    assert fans[0] not in reached


def test_the_dashboard_shows_six_and_a_see_all_for_the_rest(field):
    nora, priya, _omar = field
    summit = announce(nora)
    page = state_of(DashboardState, priya.token)
    list(DashboardState.load.fn(page))
    assert len(page.nudges) == 6
    assert page.nudges[0].context_id == summit
    assert page.more_nudges and page.nudge_total == 6 + len(page.more_nudges)
    assert not page.all_nudges_shown
    DashboardState.see_all_nudges.fn(page, True)
    assert page.all_nudges_shown
    shown_keys = {n.key for n in page.nudges}
    assert not shown_keys & {n.key for n in page.more_nudges}
