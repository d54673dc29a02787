"""The demo relationship graph: the seeded history warms connections the way
the app would have, priya has relationships going cold, contexts nudge the
right people within two degrees, groups exist, and re-seeding adds nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.demo.graph import GraphReport
from marketplace.demo.seed import seed_network
from marketplace.domain.strength import ordered_pair, strength
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    GroupMembership,
    Interaction,
    Intro,
    Member,
    MemberGroup,
    Notification,
)
from marketplace.network import graph_index, interactions, intros, nudges
from tests.integration.demo.seeded import NOW

CLOCK = FixedClock(NOW)
MEMBERS = 50  # what the quick start seeds


@pytest.fixture(autouse=True)
def fresh_index(engine):
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def seed(members: int = MEMBERS):
    with unit_of_work() as s:
        return seed_network(s, members=members, seed=7, clock=CLOCK)


def ids() -> dict[str, int]:
    with read_only() as s:
        return dict(s.exec(select(Member.handle, Member.id)).all())


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_priya_has_relationships_that_mattered_going_cold(demo):
    demo.shared(MEMBERS)
    priya = ids()["priya"]
    with read_only() as s:
        cold = interactions.cold_ties(s, priya, CLOCK)
        history = s.exec(select(Interaction)).all()
    assert 2 <= len(cold) <= 3
    for tie in cold:
        assert 240 <= tie.quiet_days <= 430  # 8 to 14 months of silence
        assert tie.past_strength >= 0.8 > 0.25 > tie.current_strength
        pair = ordered_pair(priya, tie.other_id)
        latest = max(i.at for i in history if (i.member_a_id, i.member_b_id) == pair)
        assert (NOW - latest).days >= 240  # nothing since
    with read_only() as s:
        for handle in ("marcus", "lena"):  # the demo friends stay warm
            assert interactions.cold_ties(s, ids()[handle], CLOCK) == []


def test_every_warmth_cache_agrees_with_the_interactions_behind_it(demo):
    demo.shared(MEMBERS)
    with read_only() as s:
        rows = s.exec(select(Connection)).all()
        warmed = [c for c in rows if c.warmth > 0]
        derived = {
            c.id: interactions.warmth_between(s, c.requester_id, c.addressee_id)
            for c in rows
        }
    assert len(warmed) >= 40
    for c in rows:
        truth = derived[c.id]
        assert strength(c.warmth, c.warmth_at, NOW) == pytest.approx(
            strength(truth.value, truth.at, NOW), abs=1e-9
        )
        if truth.at is not None:
            assert c.last_interaction_at == truth.at


def test_contexts_nudge_fitting_people_within_two_degrees_of_their_owner(demo):
    demo.shared(MEMBERS)
    people = ids()
    graph = graph_index.index().graph
    with read_only() as s:
        summit = s.exec(
            select(Context).where(Context.member_id == people["priya"])
        ).one()
        tags = set(
            s.exec(
                select(ContextTag.tag).where(ContextTag.context_id == summit.id)
            ).all()
        )
    assert summit.title == "Northstar SaaS Summit 2027"
    assert summit.starts_on > NOW.date()
    assert {"event-marketing", "sponsorship-sales", "saas"} <= tags
    first = set(graph.neighbours(people["priya"]))
    near = first.union(*(graph.neighbours(m) for m in first)) - {people["priya"]}
    fitting = {m for m in near if graph.expertise(m) & tags}
    nudged = {
        m
        for m in near
        if any(n.context_id == summit.id for n in graph_index.context_nudges(m, CLOCK))
    }
    assert fitting and nudged == fitting
    for handle in ("priya", "marcus", "lena"):
        assert graph_index.context_nudges(people[handle], CLOCK), handle


def test_a_pending_intro_and_a_strong_fit_nudge_show_on_first_start(demo):
    demo.shared(MEMBERS)
    people = ids()
    with read_only() as s:
        made = {(i.requester_id, i.via_id): i for i in s.exec(select(Intro)).all()}
        asked = made[(people["marcus"], people["priya"])]
        introduced = made[(people["lena"], people["marcus"])]
        waiting = intros.pending_intro(s, people["marcus"], asked.target_id)
        note = intros.pending_intro(s, people["lena"], introduced.target_id)
        feeds = {
            h: nudges.feed(s, people[h], CLOCK, 6) for h in ("priya", "marcus", "lena")
        }
        told = {
            h: s.exec(
                select(Notification.text).where(
                    Notification.member_id == people[h],
                    Notification.kind == "context",
                )
            ).all()
            for h in ("priya", "marcus", "lena")
        }
    assert (asked.status, introduced.status) == ("requested", "forwarded")
    assert waiting.sentence.endswith("waiting for Priya.")
    assert note.via_note.startswith("Lena ran the design system at Monzo")
    for handle, feed in feeds.items():
        assert feed[0].strong and feed[0].kind == "give", handle
        assert told[handle], handle


def test_the_demo_groups_have_members_and_priya_is_in_one(demo):
    demo.shared(MEMBERS)
    people = ids()
    with read_only() as s:
        groups = {
            g.slug: set(
                s.exec(
                    select(GroupMembership.member_id).where(
                        GroupMembership.group_id == g.id
                    )
                ).all()
            )
            for g in s.exec(select(MemberGroup))
        }
    assert set(groups) == {"saas-marketers", "founders-raising-in-2027"}
    assert people["priya"] in groups["saas-marketers"]
    assert people["marcus"] in groups["founders-raising-in-2027"]
    assert all(4 <= len(members) <= 8 for members in groups.values())


def test_seeding_again_adds_nothing_to_the_graph(demo):
    first = demo.fresh(MEMBERS)
    assert first.graph.contexts_created >= 5 and first.graph.groups_created == 2
    assert first.graph.intros_created == 2
    tables = (
        Interaction,
        Context,
        ContextTag,
        Intro,
        Notification,
        MemberGroup,
        GroupMembership,
    )
    before = [count(t) for t in tables]
    with read_only() as s:
        caches = sorted(s.exec(select(Connection.id, Connection.warmth)).all())
    later = FixedClock(NOW + timedelta(days=3))
    with unit_of_work() as s:
        again = seed_network(s, members=MEMBERS, seed=7, clock=later)
    assert again.graph == GraphReport()
    assert [count(t) for t in tables] == before
    with read_only() as s:
        assert sorted(s.exec(select(Connection.id, Connection.warmth)).all()) == caches


def test_a_small_seed_still_makes_a_consistent_graph(engine):
    """With few members some demo contexts and ties have nobody to go to:
    they are left out, never half-written."""
    report = seed(12)
    assert report.graph.contexts_created >= 2  # priya's and marcus's at least
    with read_only() as s:
        for context in s.exec(select(Context)):
            assert context.status == "open"
    graph_index.index()  # loads cleanly
