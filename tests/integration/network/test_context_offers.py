"""From a context nudge to an offer in one click: Cyd is organizing a summit,
Bob knows event marketing, Bob offers help; only Cyd sees the offer, Cyd is
told, and the nudge rests. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.market import listings
from marketplace.models import Context, ContextTag, Listing, MemberTag, Notification
from marketplace.network import context_offers, nudges
from marketplace.states.people import DashboardState
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of


@pytest.fixture
def summit(bo, cy) -> int:
    connected(bo, cy)
    with unit_of_work() as s:
        s.add(MemberTag(member_id=bo.member_id, kind="give", tag="event-marketing"))
        context = Context(
            member_id=cy.member_id,
            kind="event",
            title="SaaS Summit 2027",
            description="1,500 founders in Toronto",
            starts_on=date.today() + timedelta(days=90),
            created_at=datetime.now(UTC),
        )
        s.add(context)
        s.flush()
        for tag in ("event-marketing", "sponsorship-sales"):
            s.add(ContextTag(context_id=context.id, tag=tag))
        return context.id


def inbox_count(member) -> int:
    with read_only() as s:
        return len(
            s.exec(
                select(Notification.id).where(
                    Notification.member_id == member.member_id
                )
            ).all()
        )


def offer(member, context_id):
    with unit_of_work() as s:
        return context_offers.offer_help(
            s, actor_id=member.member_id, context_id=context_id
        ).id


def test_bob_offers_help_with_cyds_summit_and_only_cyd_sees_it(ada, bo, cy, summit):
    with read_only() as s:
        keys = [n.key for n in nudges.feed(s, bo.member_id)]
    assert f"context:{summit}" in keys
    listing_id = offer(bo, summit)
    with read_only() as s:
        listing = s.get(Listing, listing_id)
        assert (listing.kind, listing.terms, listing.audience) == (
            "offer",
            "free",
            "chosen",
        )
        assert listing.title == "Help with SaaS Summit 2027"
        assert listings.listing_view(s, cy.member_id, listing_id).tags == [
            "event-marketing"
        ]
        with pytest.raises(NotFound):
            listings.listing_view(s, ada.member_id, listing_id)
        told = s.exec(
            select(Notification.text).where(Notification.member_id == cy.member_id)
        ).all()
        assert "Bob offers to help with SaaS Summit 2027." in told
        assert f"context:{summit}" not in [n.key for n in nudges.feed(s, bo.member_id)]


def test_offering_twice_opens_the_first_offer_own_or_closed_is_refused(bo, cy, summit):
    first = offer(bo, summit)
    told = inbox_count(cy)
    assert offer(bo, summit) == first  # a double click: the same offer
    assert inbox_count(cy) == told
    with pytest.raises(InvalidInput, match="your own"):
        offer(cy, summit)
    with unit_of_work() as s:
        s.get(Context, summit).status = "closed"
    for forged in (summit, summit + 99, "1", None):
        with pytest.raises(NotFound):
            offer(bo, forged)
    with read_only() as s:
        assert len(s.exec(select(Listing)).all()) == 1


def test_the_dashboard_button_offers_and_opens_the_new_listing(bo, cy, summit):
    dashboard = state_of(DashboardState, bo.token)
    result = DashboardState.offer_help.fn(dashboard, summit)
    assert dashboard.nudge_error == ""
    assert any("/market/" in str(event) for event in result)
    again = DashboardState.offer_help.fn(dashboard, summit)  # a double click
    assert dashboard.nudge_error == ""
    assert opened(again) == opened(result) != []


def opened(events) -> list[str]:
    """The listing pages a handler's answer sends the browser to."""
    return re.findall(r"'(/market/\d+)'", str(events))
