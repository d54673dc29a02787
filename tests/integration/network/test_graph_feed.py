"""What members do feeds the relationship graph: confirmed help, messages,
reviews and IOUs warm a connection in the same unit of work, and the
in-memory graph follows only when that unit of work commits. Profile edits
reach who-to-ask. On SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.accounts import profiles
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.graph import STRENGTH_FLOOR
from marketplace.domain.strength import WEIGHTS, Kind
from marketplace.ious import clearing, ious
from marketplace.market import engagements, listings, reviews, threads
from marketplace.models import Connection, Interaction, Member
from marketplace.network import graph_index, interactions
from tests.members import credit_limit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)  # every step at one moment: weights add up exactly
ENGAGEMENT, MESSAGE, REVIEW, IOU = (
    WEIGHTS[k] for k in (Kind.ENGAGEMENT, Kind.MESSAGE, Kind.REVIEW, Kind.IOU)
)


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database."""
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


# --------------------------------------------------------------------------- helpers


def connect(a, b) -> None:
    """An accepted connection row, as the connections service leaves it."""
    with unit_of_work() as s:
        s.add(
            Connection(
                requester_id=a.member_id,
                addressee_id=b.member_id,
                status="accepted",
                created_at=NOW - timedelta(days=30),
                responded_at=NOW - timedelta(days=30),
            )
        )


def post(author, terms="karma", price=2) -> int:
    form = {
        "kind": "request",
        "title": "Review my SaaS pricing page",
        "description": "30 minutes on a call.",
        "tags": "pricing",
        "terms": terms,
        "price": price,
        "capacity": 1,
        "audience": "public",
    }
    with unit_of_work() as s:
        return listings.create_listing(
            s, actor_id=author.member_id, form=form, clock=CLOCK
        ).id


def act(actor, engagement_id, action) -> None:
    with unit_of_work() as s:
        engagements.act(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            action=action,
            clock=CLOCK,
        )


def delivered(asker, helper, terms="karma", price=2) -> int:
    """An engagement the helper delivered, waiting for the asker."""
    listing = post(asker, terms, price)
    with unit_of_work() as s:
        engagement = engagements.propose(
            s, actor_id=helper.member_id, listing_id=listing, clock=CLOCK
        ).id
    act(asker, engagement, "accept")
    act(helper, engagement, "deliver")
    return engagement


def confirmed(asker, helper, terms="karma", price=2) -> int:
    engagement = delivered(asker, helper, terms, price)
    act(asker, engagement, "confirm")
    return engagement


def warmth(a, b) -> float:
    """The warmth re-derived from every interaction row."""
    with read_only() as s:
        return interactions.warmth_between(s, a.member_id, b.member_id).value


def cached(a, b) -> Connection:
    with read_only() as s:
        return s.exec(
            select(Connection).where(
                Connection.requester_id == a.member_id,
                Connection.addressee_id == b.member_id,
            )
        ).one()


def graph():
    return graph_index.index().graph


def strength_in_memory(a, b) -> float:
    return graph().strength(a.member_id, b.member_id, NOW)


def kinds() -> list[tuple[str, str]]:
    with read_only() as s:
        rows = s.exec(select(Interaction).order_by(Interaction.id)).all()
    return [(row.kind, row.ref) for row in rows]


# --------------------------------------------------------------------------- help


def test_a_confirmed_engagement_warms_the_connection_and_the_graph(ada, bo):
    connect(ada, bo)
    assert strength_in_memory(ada, bo) == STRENGTH_FLOOR  # loaded cold
    engagement = confirmed(ada, bo)
    assert warmth(ada, bo) == pytest.approx(ENGAGEMENT)
    row = cached(ada, bo)
    assert row.warmth == pytest.approx(ENGAGEMENT)
    assert row.warmth_at == NOW and row.last_interaction_at == NOW
    assert strength_in_memory(ada, bo) == pytest.approx(1 - math.exp(-ENGAGEMENT))
    assert graph().give_counts(bo.member_id) == (1, 0)  # bo helped
    assert graph().give_counts(ada.member_id) == (0, 1)  # ada was helped
    assert kinds() == [("engagement", f"engagement:{engagement}")]


def test_help_counted_in_memory_matches_a_fresh_load(ada, bo, cy):
    connect(ada, bo)
    graph()  # loaded before, kept in step after
    confirmed(ada, bo)
    with unit_of_work() as s:
        s.get(Member, cy.member_id).is_operator = True
    released = delivered(ada, bo)
    with unit_of_work() as s:
        engagements.act(
            s,
            actor_id=ada.member_id,
            engagement_id=released,
            action="dispute",
            note="Late",
            clock=CLOCK,
        )
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s,
            operator_id=cy.member_id,
            engagement_id=released,
            resolution="release",
            clock=CLOCK,
        )
    kept = (graph().give_counts(bo.member_id), strength_in_memory(ada, bo))
    graph_index.use_index(None)
    assert kept == (
        graph().give_counts(bo.member_id),
        pytest.approx(strength_in_memory(ada, bo)),
    )
    assert kept[0] == (2, 0)
    assert warmth(ada, bo) == pytest.approx(2 * ENGAGEMENT)


def test_a_rolled_back_confirmation_changes_neither_database_nor_graph(ada, bo):
    connect(ada, bo)
    engagement = delivered(ada, bo)
    assert strength_in_memory(ada, bo) == STRENGTH_FLOOR
    with pytest.raises(RuntimeError), unit_of_work() as s:
        engagements.act(
            s,
            actor_id=ada.member_id,
            engagement_id=engagement,
            action="confirm",
            clock=CLOCK,
        )
        raise RuntimeError("the page crashed before the commit")
    assert kinds() == []
    assert cached(ada, bo).warmth == 0 and cached(ada, bo).warmth_at is None
    assert strength_in_memory(ada, bo) == STRENGTH_FLOOR
    assert graph().give_counts(bo.member_id) == (0, 0)


def test_help_between_strangers_is_remembered_for_when_they_connect(ada, bo):
    confirmed(ada, bo, terms="free", price=0)
    assert kinds()[0][0] == "engagement"
    assert warmth(ada, bo) == pytest.approx(ENGAGEMENT)  # counts once connected
    assert not graph().has_edge(ada.member_id, bo.member_id)


# --------------------------------------------------------------------------- talk


def test_messages_and_reviews_add_their_weights(ada, bo):
    connect(ada, bo)
    graph()
    engagement = confirmed(ada, bo, terms="free", price=0)
    with unit_of_work() as s:
        for author in (ada, bo):
            threads.post_message(
                s,
                actor_id=author.member_id,
                engagement_id=engagement,
                body="Thanks again!",
                clock=CLOCK,
            )
    assert warmth(ada, bo) == pytest.approx(ENGAGEMENT + 2 * MESSAGE)
    with unit_of_work() as s:
        reviews.leave_review(
            s,
            actor_id=ada.member_id,
            engagement_id=engagement,
            rating=5,
            body="Sharp and kind.",
            clock=CLOCK,
        )
    total = ENGAGEMENT + 2 * MESSAGE + REVIEW
    assert warmth(ada, bo) == pytest.approx(total)
    assert cached(ada, bo).warmth == pytest.approx(total)
    assert strength_in_memory(ada, bo) == pytest.approx(1 - math.exp(-total))
    assert [k for k, _ in kinds()] == ["engagement", "message", "message", "review"]
    assert {ref for _, ref in kinds()} == {f"engagement:{engagement}"}


def test_a_refused_message_warms_nothing(ada, bo, cy):
    connect(ada, bo)
    engagement = confirmed(ada, bo, terms="free", price=0)
    with pytest.raises(NotFound), unit_of_work() as s:
        threads.post_message(
            s, actor_id=cy.member_id, engagement_id=engagement, body="Hi", clock=CLOCK
        )
    with pytest.raises(InvalidInput), unit_of_work() as s:
        reviews.leave_review(
            s, actor_id=ada.member_id, engagement_id=engagement, rating=9, clock=CLOCK
        )
    assert warmth(ada, bo) == pytest.approx(ENGAGEMENT)


# --------------------------------------------------------------------------- IOUs


def propose_iou(actor, other, direction, amount=3):
    with unit_of_work() as s:
        return ious.propose_iou(
            s,
            actor_id=actor.member_id,
            counterpart=other.handle,
            direction=direction,
            amount=amount,
            clock=CLOCK,
        ).id


def owed(creditor, debtor) -> int:
    return graph().owed_to(creditor.member_id, debtor.member_id)


def accept(actor, iou_id) -> None:
    with unit_of_work() as s:
        ious.accept_iou(s, actor_id=actor.member_id, iou_id=iou_id, clock=CLOCK)


def owes(debtor, creditor, amount=3) -> int:
    """An IOU the debtor wrote (with room under their credit limit) and the
    creditor accepted."""
    credit_limit(debtor.member_id, 100)
    iou_id = propose_iou(debtor, creditor, "i_owe", amount)
    accept(creditor, iou_id)
    return iou_id


def test_an_iou_warms_once_it_binds_and_the_graph_counts_what_is_owed(ada, bo):
    connect(ada, bo)
    graph()
    credit_limit(ada.member_id, 100)
    acknowledged = propose_iou(ada, bo, "i_owe")  # the debtor's word: not yet
    assert warmth(ada, bo) == 0 and owed(bo, ada) == 0
    accept(bo, acknowledged)  # the creditor accepts: it binds
    assert warmth(ada, bo) == pytest.approx(IOU)
    assert owed(bo, ada) == 1
    asked = propose_iou(bo, ada, "owes_me")  # the creditor asks: not yet
    assert warmth(ada, bo) == pytest.approx(IOU) and owed(bo, ada) == 1
    accept(ada, asked)
    assert warmth(ada, bo) == pytest.approx(2 * IOU)
    assert owed(bo, ada) == 2
    with unit_of_work() as s:
        ious.record_settlement(
            s, actor_id=bo.member_id, iou_id=asked, kind="forgiven", amount=None
        )
    assert owed(bo, ada) == 1
    assert warmth(ada, bo) == pytest.approx(2 * IOU)  # settling is no new trust
    assert [ref for _, ref in kinds()][-1] == f"iou:{asked}"


def test_iou_terms_warm_for_the_help_and_for_the_iou(ada, bo):
    connect(ada, bo)
    graph()
    credit_limit(ada.member_id, 2)  # room to owe the price
    confirmed(ada, bo, terms="iou", price=2)
    assert warmth(ada, bo) == pytest.approx(ENGAGEMENT + IOU)
    assert owed(bo, ada) == 1


def test_a_clearing_settles_loops_in_the_graph_too(ada, bo, cy):
    owes(ada, bo)
    owes(bo, cy)
    owes(cy, ada)
    assert (owed(bo, ada), owed(cy, bo), owed(ada, cy)) == (1, 1, 1)
    with unit_of_work() as s:
        assert clearing.run_clearing(s, clock=CLOCK).total_cleared == 9
    assert (owed(bo, ada), owed(cy, bo), owed(ada, cy)) == (0, 0, 0)


# --------------------------------------------------------------------------- profiles

PROFILE = {
    "display_name": "Bob",
    "headline": "SEO for SaaS",
    "availability": "limited",
    "timezone": "UTC",
    "give": "B2B SEO, Positioning",
    "background": "HubSpot",
}


def edit(member, form) -> None:
    with unit_of_work() as s:
        profiles.update_profile(
            s, actor_id=member.member_id, member_id=member.member_id, form=form
        )


def asked_for(member, *tags) -> list[tuple[int, str]]:
    return [
        (c.member_id, c.availability)
        for c in graph_index.who_to_ask(member.member_id, tags, CLOCK)
    ]


def test_profile_edits_reach_who_to_ask(ada, bo):
    connect(ada, bo)
    assert asked_for(ada, "b2b-seo") == []
    edit(bo, PROFILE)
    assert asked_for(ada, "b2b-seo") == [(bo.member_id, "limited")]
    assert graph().tags(bo.member_id) == {"b2b-seo", "positioning", "hubspot"}
    edit(bo, PROFILE | {"give": "Positioning", "availability": "open"})
    assert asked_for(ada, "b2b-seo") == []
    assert asked_for(ada, "positioning") == [(bo.member_id, "open")]


def test_a_refused_or_rolled_back_profile_edit_leaves_the_graph_alone(ada, bo):
    connect(ada, bo)
    edit(bo, PROFILE)
    with pytest.raises(InvalidInput):
        edit(bo, PROFILE | {"give": "x" * 500})
    with pytest.raises(RuntimeError), unit_of_work() as s:
        profiles.update_profile(
            s,
            actor_id=bo.member_id,
            member_id=bo.member_id,
            form=PROFILE | {"give": "Pricing", "availability": "away"},
        )
        raise RuntimeError("crash before commit")
    assert asked_for(ada, "b2b-seo") == [(bo.member_id, "limited")]
    assert asked_for(ada, "pricing") == []
