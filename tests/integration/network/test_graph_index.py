"""The in-memory relationship graph over the database: loaded once, kept in
step as interactions and connections commit (and only when they commit).
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.domain.strength import Warmth, add_interaction, decayed
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    Engagement,
    Interaction,
    Iou,
    Listing,
    Member,
    MemberTag,
)
from marketplace.network import graph_index, interactions

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database."""
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def add_members(*handles: str, availability: str = "open") -> list[int]:
    with unit_of_work() as s:
        people = [
            Member(
                handle=handle,
                email=f"{handle}@example.com",
                display_name=handle.title(),
                password_hash="x",
                availability=availability,
                email_verified_at=NOW - 400 * DAY,
                created_at=NOW - 400 * DAY,
                updated_at=NOW - 400 * DAY,
            )
            for handle in handles
        ]
        s.add_all(people)
        s.flush()
        return [p.id for p in people]


def connect(a: int, b: int, status: str = "accepted", warmth: float = 0.0, days=0):
    """A connection row as a connection service would leave it."""
    with unit_of_work() as s:
        s.add(
            Connection(
                requester_id=a,
                addressee_id=b,
                status=status,
                created_at=NOW - 300 * DAY,
                responded_at=NOW - 300 * DAY,
                warmth=warmth,
                warmth_at=NOW - days * DAY if warmth else None,
            )
        )


def tag(member_id: int, *tags: str, kind: str = "give") -> None:
    with unit_of_work() as s:
        s.add_all(MemberTag(member_id=member_id, kind=kind, tag=t) for t in tags)


def interact(a: int, b: int, kind: str, when: datetime = NOW, ref: str = ""):
    with unit_of_work() as s:
        return interactions.record_interaction(s, a, b, kind, ref, FixedClock(when))


@pytest.fixture
def circle(engine):
    """ada - bob - cyd - dee warm, ada - eve direct but cool; bob gives SEO."""
    ada, bob, cyd, dee, eve = add_members("ada", "bob", "cyd", "dee", "eve")
    connect(ada, bob, warmth=2.0)
    connect(bob, cyd, warmth=2.0)
    connect(dee, cyd, warmth=1.0)  # asked the other way round: same edge
    connect(ada, eve, warmth=0.2, days=200)
    return ada, bob, cyd, dee, eve


def test_the_graph_loads_accepted_connections_with_their_warmth(circle):
    ada, bob, cyd, dee, eve = circle
    fay, gus = add_members("fay", "gus")
    connect(ada, fay, status="pending")
    connect(gus, cyd, status="blocked")
    graph = graph_index.index().graph
    assert graph.edge_count == 4
    assert not graph.has_edge(ada, fay) and not graph.has_edge(gus, cyd)
    assert graph.warmth(ada, bob, NOW) == pytest.approx(2.0)
    assert graph.warmth(eve, ada, NOW) == pytest.approx(
        decayed(0.2, NOW - 200 * DAY, NOW)
    )
    paths = graph_index.warm_paths(ada, dee, FixedClock(NOW))
    assert [p.members for p in paths] == [(ada, bob, cyd, dee)]
    assert graph_index.index() is graph_index.index()  # loaded once


def test_the_load_brings_what_ranking_needs(circle):
    ada, bob, cyd, _dee, eve = circle
    (busy,) = add_members("busy", availability="limited")
    connect(ada, busy, warmth=2.0)
    tag(bob, "b2b-seo", "pricing")
    tag(bob, "stripe", kind="background")
    tag(cyd, "b2b-seo")
    tag(busy, "b2b-seo")
    tag(eve, "b2b-seo", kind="get")  # a need is no expertise
    with unit_of_work() as s:
        listing = Listing(
            author_id=bob,
            kind="offer",
            title="SEO review",
            terms="free",
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(listing)
        s.flush()
        for status in ("confirmed", "confirmed", "proposed"):
            s.add(
                Engagement(
                    listing_id=listing.id,
                    asker_id=cyd,
                    helper_id=bob,
                    proposed_by_id=cyd,
                    status=status,
                    terms="free",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        s.add(
            Iou(
                debtor_id=bob,
                creditor_id=ada,
                amount=1,
                outstanding=1,
                status="open",
                created_at=NOW,
            )
        )

    graph = graph_index.index().graph
    assert graph.expertise(bob) == {"b2b-seo", "pricing"}
    assert graph.tags(bob) == {"b2b-seo", "pricing", "stripe"}
    assert graph.give_counts(bob) == (2, 0) and graph.give_counts(cyd) == (0, 2)
    assert graph.owed_to(ada, bob) == 1
    ranked = graph_index.who_to_ask(ada, ["b2b-seo"], FixedClock(NOW))
    # cyd is further away and a taker, but open to help; busy has little time
    assert [c.member_id for c in ranked] == [bob, cyd, busy]
    assert "owes you 1 favour" in ranked[0].reasons
    assert (ranked[1].degree, ranked[1].via_id) == (2, bob)
    assert ranked[2].availability == "limited"


def test_open_contexts_within_two_degrees_become_nudges(circle):
    ada, bob, cyd, dee, _eve = circle
    tag(ada, "saas-marketing")
    with unit_of_work() as s:
        for owner, title, status, ends in [
            (cyd, "SaaS Summit 2027", "open", date(2027, 3, 2)),
            (dee, "Growth meetup", "open", None),  # three hops away
            (bob, "Old launch", "closed", None),
            (bob, "Last year's fair", "open", date(2026, 1, 1)),  # over
        ]:
            context = Context(
                member_id=owner,
                kind="event",
                title=title,
                status=status,
                ends_on=ends,
                created_at=NOW,
            )
            s.add(context)
            s.flush()
            s.add(ContextTag(context_id=context.id, tag="saas-marketing"))

    nudges = graph_index.context_nudges(ada, FixedClock(NOW))
    assert [n.reason for n in nudges] == [
        "Cyd is organizing SaaS Summit 2027 — you know saas marketing"
    ]
    assert nudges[0].via_id == bob
    assert graph_index.context_nudges(ada, FixedClock(NOW), skip={nudges[0].key}) == []


def test_an_interaction_warms_the_connection_row_and_the_graph_after_commit(circle):
    ada, bob, *_ = circle
    graph = graph_index.index().graph
    later = NOW + 30 * DAY
    with unit_of_work() as s:
        warmth = interactions.record_interaction(
            s, bob, ada, "engagement", "engagement:12", FixedClock(later)
        )
        assert graph.warmth(ada, bob, later) == pytest.approx(decayed(2.0, NOW, later))
    expected = add_interaction(Warmth(2.0, NOW), "engagement", later)
    assert warmth == expected
    assert graph.warmth(ada, bob, later) == pytest.approx(expected.value)
    with read_only() as s:
        row = s.exec(
            select(Connection).where(
                Connection.requester_id == ada, Connection.addressee_id == bob
            )
        ).one()
        assert (row.warmth, row.warmth_at) == (pytest.approx(expected.value), later)
        assert row.last_interaction_at == later
        stored = s.exec(select(Interaction)).one()
    assert (stored.member_a_id, stored.member_b_id) == (min(ada, bob), max(ada, bob))
    assert (stored.kind, stored.weight, stored.ref) == (
        "engagement",
        1.0,
        "engagement:12",
    )


def test_a_rolled_back_transaction_leaves_database_and_graph_as_they_were(circle):
    ada, bob, *_ = circle
    graph = graph_index.index().graph
    with pytest.raises(RuntimeError), unit_of_work() as s:
        interactions.record_interaction(s, ada, bob, "intro", clock=FixedClock(NOW))
        raise RuntimeError("the rest of the operation failed")
    assert graph.warmth(ada, bob, NOW) == pytest.approx(2.0)
    with read_only() as s:
        assert s.exec(select(Interaction)).all() == []


def test_a_savepoint_that_rolls_back_drops_only_its_own_changes(circle):
    ada, bob, cyd, dee, eve = circle
    graph = graph_index.index().graph
    with unit_of_work() as s:
        interactions.record_interaction(s, ada, bob, "message", clock=FixedClock(NOW))
        with pytest.raises(RuntimeError), s.begin_nested():
            interactions.record_interaction(
                s, cyd, dee, "message", clock=FixedClock(NOW)
            )
            raise RuntimeError("this engagement could not be confirmed")
        with s.begin_nested():  # released, then committed with the rest
            interactions.record_interaction(
                s, ada, eve, "review", clock=FixedClock(NOW)
            )
    assert graph.warmth(ada, bob, NOW) == pytest.approx(2.1)
    assert graph.warmth(cyd, dee, NOW) == pytest.approx(1.0)
    assert graph.warmth(ada, eve, NOW) == pytest.approx(
        decayed(0.2, NOW - 200 * DAY, NOW) + 0.4
    )
    with read_only() as s:
        assert len(s.exec(select(Interaction)).all()) == 2


def test_strangers_interactions_wait_for_their_connection(circle):
    ada, _bob, cyd, *_ = circle
    assert interact(ada, cyd, "engagement", NOW - 90 * DAY) is None
    assert interact(cyd, ada, "review", NOW) is None
    with unit_of_work() as s:
        warmth = interactions.warmth_between(s, ada, cyd)
    assert warmth.at == NOW
    assert warmth.value == pytest.approx(0.5 + 0.4)  # 90 days is one half-life
    assert not graph_index.index().graph.has_edge(ada, cyd)


def test_interactions_on_a_pending_connection_warm_its_row_not_the_graph(circle):
    ada, *_ = circle
    (fay,) = add_members("fay")
    connect(fay, ada, status="pending")
    graph = graph_index.index().graph
    assert interact(ada, fay, "message").value == pytest.approx(0.1)
    assert not graph.has_edge(ada, fay)
    graph_index.apply_connection(fay, ada, "accepted", 0.1, NOW)
    assert graph.warmth(ada, fay, NOW) == pytest.approx(0.1)


@pytest.mark.parametrize(
    "args",
    [(1, 1, "message"), (1, 2, "coffee"), (1, 2, "message", "x" * 41), ("1", 2, "iou")],
)
def test_bad_interactions_are_refused_and_nothing_is_written(circle, args):
    ada, bob, *_ = circle
    a, b, kind, *ref = args
    a, b = {1: ada, 2: bob}.get(a, a), {1: ada, 2: bob}.get(b, b)
    with pytest.raises(InvalidInput), unit_of_work() as s:
        interactions.record_interaction(s, a, b, kind, *ref)
    with read_only() as s:
        assert s.exec(select(Interaction)).all() == []


def test_connections_changed_later_are_applied_one_at_a_time(circle):
    ada, bob, cyd, dee, _eve = circle
    graph = graph_index.index().graph
    graph_index.apply_connection(ada, cyd, "accepted", 3.0, NOW)
    assert graph_index.warm_paths(ada, dee, FixedClock(NOW))[0].members == (
        ada,
        cyd,
        dee,
    )
    graph_index.apply_connection(cyd, ada, "blocked")
    graph_index.apply_connection(bob, cyd, "removed")
    assert graph_index.warm_paths(ada, dee, FixedClock(NOW)) == []
    assert graph.edge_count == 3  # ada-bob, cyd-dee, ada-eve


def test_the_graph_kept_in_step_equals_a_fresh_load(circle):
    ada, bob, cyd, dee, eve = circle
    graph_index.index()
    for day, (a, b, kind) in enumerate(
        [(ada, bob, "message"), (cyd, dee, "engagement"), (eve, ada, "iou")]
    ):
        interact(a, b, kind, NOW + day * DAY)
    kept = graph_index.index().graph
    fresh = graph_index.load_index().graph
    later = NOW + 10 * DAY
    for a, b in [(ada, bob), (bob, cyd), (cyd, dee), (ada, eve)]:
        assert kept.warmth(a, b, later) == pytest.approx(fresh.warmth(a, b, later))


def test_relationships_that_mattered_and_faded_are_listed_as_going_cold(circle):
    ada, bob, _cyd, _dee, _eve = circle
    with read_only() as s:
        assert interactions.cold_ties(s, ada, FixedClock(NOW)) == []
        cold = interactions.cold_ties(s, ada, FixedClock(NOW + 365 * DAY))
    assert [c.other_id for c in cold] == [bob]
    interact(ada, bob, "message", NOW + 365 * DAY)
    with read_only() as s:
        assert interactions.cold_ties(s, ada, FixedClock(NOW + 366 * DAY)) == []


def test_a_change_that_fails_after_commit_drops_the_copy_not_the_data(
    circle, monkeypatch
):
    ada, bob, *_ = circle
    graph_index.index()

    def broken(*_args) -> None:
        raise RuntimeError("a bug in an apply function")

    monkeypatch.setattr(graph_index, "apply_interaction", broken)
    with unit_of_work() as s:
        interactions.record_interaction(s, ada, bob, "review", clock=FixedClock(NOW))
    assert not graph_index.is_loaded()
    assert graph_index.index().graph.warmth(ada, bob, NOW) == pytest.approx(2.4)


def test_profile_and_help_changes_reach_who_to_ask_without_a_reload(circle):
    ada, _bob, cyd, _dee, eve = circle
    loaded = graph_index.index()
    graph_index.apply_tags(eve, ["pricing"], ["stripe"])
    graph_index.apply_help(helper_id=eve, asker_id=cyd)
    graph_index.apply_owed(debtor_id=eve, creditor_id=ada, open_ious=2)
    graph_index.apply_availability(cyd, "away")
    [eve_card] = graph_index.who_to_ask(ada, ["pricing"], FixedClock(NOW))
    assert eve_card.member_id == eve
    assert (eve_card.given, eve_card.owes_me) == (1, 2)
    assert graph_index.index() is loaded
    with pytest.raises(InvalidInput):
        graph_index.who_to_ask(ada, "pricing", FixedClock(NOW))
