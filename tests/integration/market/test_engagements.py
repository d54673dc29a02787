"""Engagements as two members live them -- ask, offer, accept, deliver, confirm --
with karma held and paid, IOUs written, disputes resolved, and every move by the
wrong person or out of order refused with nothing changed. SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.engagements import TAKES_A_SPOT
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.domain.ledger import InsufficientKarma
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.market import engagements, listings
from marketplace.models import (
    Engagement,
    EngagementEvent,
    Iou,
    LedgerTransfer,
    Listing,
    Member,
    Notification,
)
from tests.integration.ledger.test_wallet import available
from tests.members import credit_limit, trust

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def post(author, kind="request", terms="karma", price=5, **extra) -> int:
    form = {
        "kind": kind,
        "title": "Review my SaaS pricing page",
        "description": "30 minutes on a call, or written notes.",
        "tags": "pricing, saas",
        "terms": terms,
        "price": price,
        "capacity": 1,
        "audience": "public",
    } | extra
    with unit_of_work() as s:
        return listings.create_listing(s, actor_id=author.member_id, form=form).id


def propose(actor, listing_id, note="Happy to help") -> int:
    with unit_of_work() as s:
        return engagements.propose(
            s, actor_id=actor.member_id, listing_id=listing_id, note=note
        ).id


def act(actor, engagement_id, action, note="", clock=None) -> str:
    extra = {"clock": clock} if clock else {}
    with unit_of_work() as s:
        return engagements.act(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            action=action,
            note=note,
            **extra,
        ).status


def status(engagement_id) -> str:
    with read_only() as s:
        return s.get(Engagement, engagement_id).status


def held(member_id) -> int:
    from marketplace.ledger import wallet

    with read_only() as s:
        return wallet.balances(s, member_id).held


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


# ------------------------------------------------------------------------ happy paths


def test_a_request_answered_accepted_delivered_and_confirmed_moves_the_karma(ada, bo):
    listing = post(ada, price=5)
    engagement = propose(bo, listing)
    assert status(engagement) == "proposed"
    assert act(ada, engagement, "accept") == "accepted"
    # ada starts at 0 and pays on credit (her limit is 10)
    assert available(ada.member_id) == -5 and held(ada.member_id) == 5
    assert act(bo, engagement, "deliver") == "delivered"
    assert act(ada, engagement, "confirm") == "confirmed"
    assert available(ada.member_id) == -5 and held(ada.member_id) == 0
    assert available(bo.member_id) == 5
    with read_only() as s:
        assert audit_ledger(s).ok


def test_booking_an_offer_makes_the_booker_the_one_who_pays(ada, bo):
    offer = post(bo, kind="offer", price=3)
    engagement = propose(ada, offer)
    assert act(bo, engagement, "accept") == "accepted"
    assert held(ada.member_id) == 3
    act(bo, engagement, "deliver")
    act(ada, engagement, "confirm")
    assert available(ada.member_id) == -3 and available(bo.member_id) == 3


def test_cancelling_after_acceptance_gives_the_held_karma_back(ada, bo):
    engagement = propose(bo, post(ada, price=4))
    act(ada, engagement, "accept")
    assert act(bo, engagement, "cancel") == "cancelled"
    assert available(ada.member_id) == 0 and held(ada.member_id) == 0


def test_iou_terms_write_the_iou_at_confirmation(ada, bo):
    credit_limit(ada.member_id, 2)  # room to owe it (test_iou_limits.py)
    engagement = propose(bo, post(ada, terms="iou", price=2))
    act(ada, engagement, "accept")
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(Iou)).one() == 0
    act(bo, engagement, "deliver")
    act(ada, engagement, "confirm")
    with read_only() as s:
        iou = s.exec(select(Iou)).one()
        assert (iou.debtor_id, iou.creditor_id) == (ada.member_id, bo.member_id)
        assert (iou.amount, iou.status, iou.engagement_id) == (2, "open", engagement)
    assert available(ada.member_id) == 0  # no karma moved


def test_free_help_moves_nothing(ada, bo):
    engagement = propose(bo, post(ada, terms="free", price=0))
    for actor, action in ((ada, "accept"), (bo, "deliver"), (ada, "confirm")):
        act(actor, engagement, action)
    assert status(engagement) == "confirmed"
    assert count(LedgerTransfer) == 0


def test_a_quiet_delivery_is_confirmed_automatically(ada, bo):
    clock = FixedClock(datetime.now(UTC))
    engagement = propose(bo, post(ada, price=5))
    act(ada, engagement, "accept", clock=clock)
    act(bo, engagement, "deliver", clock=clock)
    with unit_of_work() as s:
        assert engagements.auto_confirm_due(s, clock=clock) == 0
    clock.advance(timedelta(days=7, minutes=1))
    with unit_of_work() as s:
        assert engagements.auto_confirm_due(s, clock=clock) == 1
    assert status(engagement) == "confirmed"
    assert available(bo.member_id) == 5


def test_a_dispute_is_resolved_by_an_operator_either_way(ada, bo, cy):
    with unit_of_work() as s:
        s.get(Member, cy.member_id).is_operator = True
    refunded = propose(bo, post(ada, price=5, capacity=2))
    act(ada, refunded, "accept")
    act(bo, refunded, "deliver")
    assert act(ada, refunded, "dispute", note="Never showed up") == "disputed"
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=cy.member_id, engagement_id=refunded, resolution="refund"
        )
    assert available(ada.member_id) == 0 and available(bo.member_id) == 0
    released = propose(bo, post(ada, price=3))
    act(ada, released, "accept")
    act(bo, released, "deliver")
    act(ada, released, "dispute", note="Late")
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=cy.member_id, engagement_id=released, resolution="release"
        )
    assert available(bo.member_id) == 3


def test_each_move_tells_the_other_party(ada, bo):
    engagement = propose(bo, post(ada))
    act(ada, engagement, "accept")
    with read_only() as s:
        texts = {n.member_id: n.text for n in s.exec(select(Notification)).all()}
    assert "offered to help" in texts[ada.member_id]
    assert "accepted" in texts[bo.member_id]


# --------------------------------------------------------------------------- refusals


def unchanged(engagement_id):
    """A snapshot of everything a refused move must leave alone."""
    with read_only() as s:
        return (
            s.get(Engagement, engagement_id).status,
            s.exec(select(func.count()).select_from(EngagementEvent)).one(),
            s.exec(select(func.count()).select_from(LedgerTransfer)).one(),
            s.exec(select(func.count()).select_from(Notification)).one(),
        )


@pytest.mark.parametrize(
    "action", ["accept", "decline", "cancel", "deliver", "confirm", "dispute"]
)
def test_a_third_member_cannot_move_someone_elses_engagement(ada, bo, cy, action):
    engagement = propose(bo, post(ada))
    before = unchanged(engagement)
    with pytest.raises(NotFound):
        act(cy, engagement, action, note="x")
    assert unchanged(engagement) == before


@pytest.mark.parametrize(
    ("who", "action", "error"),
    [
        ("bo", "accept", NotAuthorized),  # the proposer cannot accept their own
        ("ada", "deliver", Conflict),  # not accepted yet
        ("ada", "confirm", Conflict),
        ("ada", "dispute", Conflict),
        ("ada", "resolve", InvalidInput),
        ("ada", "teleport", InvalidInput),
    ],
)
def test_out_of_order_or_wrong_party_moves_are_refused(ada, bo, who, action, error):
    engagement = propose(bo, post(ada))
    before = unchanged(engagement)
    with pytest.raises(error):
        act({"ada": ada, "bo": bo}[who], engagement, action, note="x")
    assert unchanged(engagement) == before


def test_only_the_helper_delivers_and_only_the_asker_confirms(ada, bo):
    engagement = propose(bo, post(ada))
    act(ada, engagement, "accept")
    with pytest.raises(NotAuthorized):
        act(ada, engagement, "deliver")
    act(bo, engagement, "deliver")
    before = unchanged(engagement)
    with pytest.raises(NotAuthorized):
        act(bo, engagement, "confirm")
    assert unchanged(engagement) == before


def test_accepting_without_enough_karma_is_refused_and_changes_nothing(ada, bo):
    engagement = propose(bo, post(ada, price=25))
    before = unchanged(engagement)
    with pytest.raises(InsufficientKarma, match="needs 25 and 10 available"):
        act(ada, engagement, "accept")
    assert unchanged(engagement) == before
    assert available(ada.member_id) == 0


def test_booking_an_offer_you_cannot_afford_is_refused_up_front(ada, bo):
    offer = post(bo, kind="offer", price=11)
    with pytest.raises(InsufficientKarma, match="costs 11"):
        propose(ada, offer)
    assert count(Engagement) == 0


def test_booking_your_own_listing_or_twice_is_refused(ada, bo):
    listing = post(ada)
    with pytest.raises(InvalidInput, match="your own"):
        propose(ada, listing)
    propose(bo, listing)
    with pytest.raises(Conflict, match="already"):
        propose(bo, listing)
    assert count(Engagement) == 1


def test_a_full_listing_takes_no_more_bookings(ada, bo, cy):
    listing = post(ada, price=1)
    first, second = propose(bo, listing), propose(cy, listing)
    act(ada, first, "accept")
    with pytest.raises(Conflict, match="full"):
        act(ada, second, "accept")
    assert status(second) == "proposed"


def test_two_accepts_at_once_fill_a_one_spot_listing_once(ada, bo, cy):
    """The abuse: click accept on two proposals in two tabs at the same
    moment, to get more help than the listing offers (and hold karma twice).
    The listing row is locked and its count read afresh: one wins."""
    listing = post(ada, price=1)
    first, second = propose(bo, listing), propose(cy, listing)
    start, outcomes = threading.Barrier(2), []

    def accept(engagement_id):
        start.wait()
        try:
            outcomes.append(act(ada, engagement_id, "accept"))
        except Conflict as refused:
            outcomes.append(str(refused))

    tabs = [threading.Thread(target=accept, args=(e,)) for e in (first, second)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(30)

    assert sorted(outcomes) == sorted(
        ["accepted", "This listing is full: every spot is taken."]
    )
    assert spots(listing) == (1, 1)


def spots(listing_id) -> tuple[int, int]:
    """(what the listing row says is taken, what its engagements hold)."""
    taking = [str(s) for s in TAKES_A_SPOT]
    with read_only() as s:
        kept = s.get(Listing, listing_id).spots_taken
        held = s.exec(
            select(func.count()).where(
                Engagement.listing_id == listing_id,
                col(Engagement.status).in_(taking),
            )
        ).one()
    return kept, held


def test_spots_taken_follow_every_engagement_however_it_is_written(ada, bo, cy):
    listing = post(ada, price=1, capacity=2)
    first, second = propose(bo, listing), propose(cy, listing)
    assert spots(listing) == (0, 0)
    act(ada, first, "accept")
    act(ada, second, "accept")
    assert spots(listing) == (2, 2)
    act(bo, first, "deliver")
    act(ada, first, "confirm")
    assert spots(listing) == (2, 2)  # a confirmed engagement keeps its spot
    # an operator's SQL, not the service: the row still follows
    with unit_of_work() as s:
        s.get(Engagement, second).status = "cancelled"
    assert spots(listing) == (1, 1)
    with unit_of_work() as s:
        extra = Engagement(
            listing_id=listing,
            asker_id=ada.member_id,
            helper_id=cy.member_id,
            proposed_by_id=cy.member_id,
            status="accepted",
            terms="karma",
            created_at=START,
            updated_at=START,
        )
        s.add(extra)
    assert spots(listing) == (2, 2)
    with unit_of_work() as s:
        s.delete(s.get(Engagement, extra.id))
    assert spots(listing) == (1, 1)


def test_a_dispute_needs_a_reason_and_an_operator_who_is_not_a_party(ada, bo):
    engagement = propose(bo, post(ada))
    act(ada, engagement, "accept")
    act(bo, engagement, "deliver")
    with pytest.raises(InvalidInput, match="went wrong"):
        act(ada, engagement, "dispute", note="  ")
    act(ada, engagement, "dispute", note="Not what we agreed")
    with unit_of_work() as s:
        s.get(Member, ada.member_id).is_operator = True
    with pytest.raises(NotAuthorized), unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=ada.member_id, engagement_id=engagement, resolution="release"
        )
    with pytest.raises(NotFound), unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=bo.member_id, engagement_id=engagement, resolution="release"
        )
    assert status(engagement) == "disputed"


def test_an_untrusted_member_cannot_book_paid_help(ada, bo):
    """A sybil (verified, no trust, nobody vouching) has no credit at all."""
    with unit_of_work() as s:
        trust(s, ada.member_id, 0.0)
    offer = post(bo, kind="offer", price=5)
    with pytest.raises(InsufficientKarma, match="costs 5 and you have 0"):
        propose(ada, offer)
    assert count(Engagement) == 0


# ----------------------------------------------------- holds that outlive the help


def lower_trust(member, score: float) -> None:
    with unit_of_work() as s:
        trust(s, member.member_id, score)


def ious_owed(debtor, creditor) -> list[tuple[int, str, str]]:
    with read_only() as s:
        rows = s.exec(
            select(Iou).where(
                Iou.debtor_id == debtor.member_id, Iou.creditor_id == creditor.member_id
            )
        ).all()
    return [(iou.amount, iou.status, iou.note) for iou in rows]


def test_a_delivery_after_the_hold_ran_out_holds_again_when_the_asker_has_room(ada, bo):
    clock = FixedClock(datetime.now(UTC))
    engagement = propose(bo, post(ada, price=4))
    act(ada, engagement, "accept", clock=clock)
    clock.advance(timedelta(days=91))  # the hold ran out; no sweep has run yet
    assert act(bo, engagement, "deliver", clock=clock) == "delivered"
    assert held(ada.member_id) == 4  # held again, for the helper
    with read_only() as s:
        assert s.get(Engagement, engagement).hold_key.endswith(":hold:renewed")
    assert act(ada, engagement, "confirm", clock=clock) == "confirmed"
    assert (available(ada.member_id), available(bo.member_id)) == (-4, 4)
    assert ious_owed(ada, bo) == []
    with read_only() as s:
        assert audit_ledger(s).ok


@pytest.mark.parametrize("score,paid", [(0.1, 2), (0.0, 0)])
def test_a_delivery_after_the_hold_ran_out_without_room_ends_in_an_iou(
    ada, bo, score, paid
):
    """What the asker can't cover when the help is confirmed (automatically
    here) becomes an IOU to the helper: never a stuck engagement."""
    clock = FixedClock(datetime.now(UTC))
    engagement = propose(bo, post(ada, price=6))
    act(ada, engagement, "accept", clock=clock)
    clock.advance(timedelta(days=91))
    with unit_of_work() as s:
        assert ledger.expire_holds(s, clock=clock) == 1  # swept this time
    lower_trust(ada, score)  # her credit is 2, or none, by now
    act(bo, engagement, "deliver", clock=clock)
    assert held(ada.member_id) == paid
    clock.advance(timedelta(days=7, minutes=1))
    with unit_of_work() as s:
        assert engagements.auto_confirm_due(s, clock=clock) == 1
    assert status(engagement) == "confirmed"
    assert available(bo.member_id) == paid
    assert ious_owed(ada, bo) == [
        (
            6 - paid,
            "open",
            "Unpaid karma for “Review my SaaS pricing page”: the hold ran out",
        ),
    ]
    with read_only() as s:
        assert s.get(Engagement, engagement).iou_id is not None
        assert audit_ledger(s).ok


def test_after_the_hold_ran_out_confirming_pays_what_the_asker_can(ada, bo, cy):
    """Delivered in time, confirmed after the hold ran out: the karma is paid
    from what the asker has room for then, the rest owed as an IOU."""
    clock = FixedClock(datetime.now(UTC))
    paid_late = propose(bo, post(ada, price=4, capacity=2))
    cannot_pay = propose(bo, post(cy, price=6))
    for asker, engagement in ((ada, paid_late), (cy, cannot_pay)):
        act(asker, engagement, "accept", clock=clock)
    clock.advance(timedelta(days=85))
    for engagement in (paid_late, cannot_pay):
        act(bo, engagement, "deliver", clock=clock)
    clock.advance(timedelta(days=8))  # past 90 days: the sweep releases the holds
    with unit_of_work() as s:
        assert ledger.expire_holds(s, clock=clock) == 2
    lower_trust(cy, 0.0)  # cyd has no credit left meanwhile
    with unit_of_work() as s:
        assert engagements.auto_confirm_due(s, clock=clock) == 2
    assert (status(paid_late), status(cannot_pay)) == ("confirmed", "confirmed")
    assert available(bo.member_id) == 4
    assert ious_owed(ada, bo) == []
    assert [amount for amount, *_ in ious_owed(cy, bo)] == [6]
    with read_only() as s:
        assert audit_ledger(s).ok


def test_a_refund_after_the_hold_ran_out_moves_nothing_and_ends(ada, bo, cy):
    with unit_of_work() as s:
        s.get(Member, cy.member_id).is_operator = True
    clock = FixedClock(datetime.now(UTC))
    engagement = propose(bo, post(ada, price=5))
    act(ada, engagement, "accept", clock=clock)
    act(bo, engagement, "deliver", clock=clock)
    act(ada, engagement, "dispute", note="Not what we agreed", clock=clock)
    clock.advance(timedelta(days=91))  # a long dispute: the hold ran out
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s,
            operator_id=cy.member_id,
            engagement_id=engagement,
            resolution="refund",
            clock=clock,
        )
    assert status(engagement) == "resolved"
    assert (available(ada.member_id), available(bo.member_id)) == (0, 0)
