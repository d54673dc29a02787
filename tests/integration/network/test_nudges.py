"""The dashboard's nudge feed over a real database: who to ask, whom to be
introduced to, whom to help, whom to reconnect with and why -- and how
dismissing, snoozing and acting change it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain import nudges as rules
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.market import listings
from marketplace.models import (
    Context,
    ContextTag,
    Engagement,
    Intro,
    Iou,
    Listing,
    NudgeFeedback,
)
from marketplace.network import graph_index, nudges
from tests.integration.network.test_graph_index import add_members, connect, tag

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CLOCK = FixedClock(NOW)


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database."""
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def post(author: int, title: str, tags: str, kind="request", **extra) -> int:
    form = {
        "kind": kind,
        "title": title,
        "description": "",
        "tags": tags,
        "terms": "free",
        "price": 0,
        "capacity": 1,
        "audience": "public",
    } | extra
    with unit_of_work() as s:
        return listings.create_listing(s, actor_id=author, form=form, clock=CLOCK).id


def announce(member: int, title: str, *tags: str, kind="event", status="open") -> int:
    with unit_of_work() as s:
        context = Context(
            member_id=member, kind=kind, title=title, status=status, created_at=NOW
        )
        s.add(context)
        s.flush()
        s.add_all(ContextTag(context_id=context.id, tag=t) for t in tags)
        return context.id


def helped(listing_id: int, asker: int, helper: int, when=NOW, status="confirmed"):
    with unit_of_work() as s:
        s.add(
            Engagement(
                listing_id=listing_id,
                asker_id=asker,
                helper_id=helper,
                proposed_by_id=helper,
                status=status,
                terms="free",
                created_at=when - DAY,
                updated_at=when,
            )
        )


def feed(member: int, limit: int = 20, clock=CLOCK) -> list[nudges.NudgeView]:
    with read_only() as s:
        return nudges.feed(s, member, clock, limit)


def keys(found) -> list[str]:
    return [n.key for n in found]


def feedback_rows() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(NudgeFeedback)).one()


@pytest.fixture
def town(engine):
    """Ada needs a seed deck reviewed (fundraising). Bob, her warm
    connection, knows fundraising; Dee, Bob's connection, does too; Cyd, her
    connection, organizes a SaaS summit Ada's marketing fits; Eve mattered
    to Ada a year ago and has gone quiet."""
    ada, bob, cyd, dee, eve = add_members("ada", "bob", "cyd", "dee", "eve")
    connect(ada, bob, warmth=2.0)
    connect(bob, dee, warmth=2.0)
    connect(ada, cyd, warmth=1.0)
    connect(ada, eve, warmth=2.0, days=300)
    tag(ada, "saas-marketing")
    tag(bob, "fundraising")
    tag(dee, "fundraising", "pitch-decks")
    tag(eve, "design")
    deck = post(ada, "Seed deck review", "fundraising")
    summit = announce(cyd, "SaaS Summit 2027", "saas-marketing", "events")
    return ada, bob, cyd, dee, eve, deck, summit


def test_the_feed_brings_all_four_kinds_with_reasons(town):
    ada, bob, _cyd, dee, eve, deck, summit = town
    found = {n.key: n for n in feed(ada)}
    ask = found[f"ask:listing:{deck}:member:{bob}"]
    assert (ask.kind, ask.text) == ("ask", "Ask Bob about “Seed deck review”")
    assert ask.reason.startswith("knows fundraising")
    assert (ask.person_handle, ask.listing_id, ask.action) == ("bob", deck, "Ask Bob")
    intro = found[f"intro:listing:{deck}:member:{dee}"]
    assert intro.text == "Ask Bob to introduce you to Dee"
    assert (intro.via_id, intro.person_id, intro.listing_id) == (bob, dee, deck)
    give = found[f"context:{summit}"]
    assert give.kind == "give" and give.context_id == summit
    assert give.text == "Cyd is organizing SaaS Summit 2027 — offer to help?"
    assert give.reason == (
        "You know saas marketing, 1 of the 2 things it asks for; "
        "Cyd is one of your connections"
    )
    reconnect = found[f"reconnect:{eve}"]
    assert reconnect.kind == "reconnect" and reconnect.person_id == eve
    assert reconnect.reason == "You were last in touch 10 months ago."
    ranked = feed(ada)
    # a context asking for what Ada knows leads; the rest by score
    assert (ranked[0].key, ranked[0].strong) == (f"context:{summit}", True)
    scores = [n.score for n in ranked[1:]]
    assert scores == sorted(scores, reverse=True)
    assert all(n.as_dict()["key"] == n.key for n in found.values())


def test_people_already_helping_or_already_asked_for_are_not_suggested(town):
    ada, bob, _cyd, dee, _eve, deck, _summit = town
    helped(deck, ada, bob, status="proposed")
    with unit_of_work() as s:
        s.add(Intro(requester_id=ada, via_id=bob, target_id=dee, created_at=NOW))
    found = keys(feed(ada))
    assert f"ask:listing:{deck}:member:{bob}" not in found
    assert f"intro:listing:{deck}:member:{dee}" not in found


def test_someone_away_is_not_asked(engine):
    ada, bob = add_members("ada", "bob")
    (away,) = add_members("away", availability="away")
    connect(ada, bob, warmth=1.0)
    connect(ada, away, warmth=3.0)
    tag(bob, "fundraising")
    tag(away, "fundraising")
    deck = post(ada, "Seed deck review", "fundraising")
    assert keys(feed(ada)) == [f"ask:listing:{deck}:member:{bob}"]


def test_requests_near_me_that_fit_are_offered_only_when_i_may_see_them(town):
    ada, bob, _cyd, dee, _eve, _deck, _summit = town
    public = post(dee, "Launch plan for our SaaS", "saas-marketing", deadline="")
    hidden = post(dee, "Private launch review", "saas-marketing", audience="network")
    chosen = post(
        bob, "Positioning workshop", "saas-marketing", audience="chosen", chosen="ada"
    )
    (far,) = add_members("far")
    connect(far, dee)  # third degree from Ada
    distant = post(far, "SaaS newsletter", "saas-marketing")
    found = {n.key: n for n in feed(ada)}
    assert f"give:listing:{public}" in found
    assert f"give:listing:{chosen}" in found
    assert f"give:listing:{hidden}" not in found  # Dee's network only
    assert f"give:listing:{distant}" not in found
    far_request = found[f"give:listing:{public}"]
    assert far_request.text == "Dee needs help: “Launch plan for our SaaS”"
    assert far_request.reason == "You know saas marketing; you know Dee through Bob"
    assert (far_request.via_id, far_request.person_id) == (bob, dee)
    helped(public, dee, ada, status="accepted")
    assert f"give:listing:{public}" not in keys(feed(ada))  # already helping


def test_each_cold_tie_gets_the_most_concrete_reason_there_is(engine):
    ada, fay, gus, hal, ivy, jon = add_members("ada", "fay", "gus", "hal", "ivy", "jon")
    for other in (fay, gus, hal, ivy, jon):
        connect(ada, other, warmth=2.0, days=300)
    tag(ada, "pricing")
    announce(fay, "Series A", "fundraising", kind="fundraising")
    pricing = post(gus, "Pricing page teardown", "pricing")
    old = post(hal, "Old pricing question", "pricing")
    with unit_of_work() as s:
        s.add(
            Iou(
                debtor_id=hal,
                creditor_id=ada,
                amount=3,
                outstanding=3,
                status="open",
                created_at=NOW - 200 * DAY,
            )
        )
    with unit_of_work() as s:
        s.get(Listing, old).status = "closed"
    helped(post(ada, "Help with my pitch", "pitching"), ada, ivy, NOW - 150 * DAY)
    reasons = {n.person_id: n for n in feed(ada) if n.kind == "reconnect"}
    assert reasons[fay].reason == "Fay is fundraising for Series A."
    assert reasons[fay].context_id > 0
    assert reasons[gus].reason == (
        "Gus asked for help with “Pricing page teardown” — you know pricing."
    )
    assert reasons[gus].listing_id == pricing
    assert reasons[hal].reason == "Hal owes you 3 karma."
    assert reasons[ivy].reason == (
        "You last worked together on “Help with my pitch”, 5 months ago."
    )
    assert reasons[jon].reason == "You were last in touch 10 months ago."
    assert reasons[fay].score > reasons[jon].score  # a fresh reason ranks first


def test_a_dismissed_nudge_never_returns_and_lowers_its_kind(town):
    ada, _bob, _cyd, _dee, eve, _deck, summit = town
    key = f"context:{summit}"
    before = {n.key: n.score for n in feed(ada)}
    with unit_of_work() as s:
        nudges.dismiss(s, member_id=ada, key=f"reconnect:{eve}", clock=CLOCK)
        nudges.dismiss(s, member_id=ada, key=f"reconnect:{eve}", clock=CLOCK)
    assert feedback_rows() == 1  # dismissing twice writes once
    after = {n.key: n.score for n in feed(ada)}
    assert f"reconnect:{eve}" not in after
    assert f"reconnect:{eve}" not in keys(feed(ada, clock=FixedClock(NOW + 900 * DAY)))
    assert after[key] == before[key]  # other kinds keep their weight
    with unit_of_work() as s:
        nudges.dismiss(s, member_id=ada, key="context:999", clock=CLOCK)
    lowered = {n.key: n.score for n in feed(ada)}
    assert lowered[key] == pytest.approx(
        before[key] * (1 - rules.DISMISS_STEP), abs=1e-3
    )


def test_a_snoozed_nudge_comes_back_when_the_snooze_ends(town):
    ada, _bob, _cyd, _dee, _eve, _deck, summit = town
    key = f"context:{summit}"
    with unit_of_work() as s:
        row = nudges.snooze(s, member_id=ada, key=key, days=7, clock=CLOCK)
    assert row.until == NOW + 7 * DAY
    assert key not in keys(feed(ada))
    assert key not in keys(feed(ada, clock=FixedClock(NOW + 6 * DAY)))
    assert key in keys(feed(ada, clock=FixedClock(NOW + 8 * DAY)))


def test_a_nudge_acted_on_rests_and_its_kind_gains(town):
    ada, bob, _cyd, _dee, _eve, deck, _summit = town
    key = f"ask:listing:{deck}:member:{bob}"
    with unit_of_work() as s:
        nudges.acted(s, member_id=ada, key=key, clock=CLOCK)
    assert key not in keys(feed(ada))
    later = FixedClock(NOW + (rules.ACTED_QUIET_DAYS + 1) * DAY)
    assert key in keys(feed(ada, clock=later))


@pytest.mark.parametrize(
    "key",
    [
        "",
        "context:",
        "context:abc",
        "context:0",
        "ask:listing:5",
        "reconnect:1:member:2",
        "x" * 200,
        None,
        ["context:1"],
        "context:99999999999",
    ],
)
def test_bad_keys_are_refused_and_nothing_is_written(town, key):
    ada = town[0]
    for write in (nudges.dismiss, nudges.acted):
        with pytest.raises(InvalidInput), unit_of_work() as s:
            write(s, member_id=ada, key=key, clock=CLOCK)
    with pytest.raises(InvalidInput), unit_of_work() as s:
        nudges.snooze(s, member_id=ada, key=key, days=7, clock=CLOCK)
    assert feedback_rows() == 0


@pytest.mark.parametrize("days", [0, 91, 1000, -3, "7", 2.5, True, None])
def test_snooze_days_outside_one_to_ninety_are_refused(town, days):
    ada, _bob, _cyd, _dee, _eve, _deck, summit = town
    with pytest.raises(InvalidInput, match="1 to 90 days"), unit_of_work() as s:
        nudges.snooze(s, member_id=ada, key=f"context:{summit}", days=days, clock=CLOCK)
    assert feedback_rows() == 0


@pytest.mark.parametrize("member", [0, -1, 10**12, "1", True, None])
def test_forged_members_are_not_found_and_nothing_is_written(town, member):
    with pytest.raises(NotFound), unit_of_work() as s:
        nudges.dismiss(s, member_id=member, key="context:1", clock=CLOCK)
    with pytest.raises(NotFound), read_only() as s:
        nudges.feed(s, member, CLOCK)
    assert feedback_rows() == 0


@pytest.mark.parametrize("limit", [0, 51, "10", None])
def test_a_bad_feed_limit_is_refused(town, limit):
    with pytest.raises(InvalidInput), read_only() as s:
        nudges.feed(s, town[0], CLOCK, limit)


def test_a_newcomer_without_connections_gets_an_empty_feed(ada):
    assert feed(ada.member_id) == []


def test_the_going_cold_list_keeps_ties_the_feed_has_snoozed(engine):
    ada, fay = add_members("ada", "fay")
    connect(ada, fay, warmth=2.0, days=300)
    with unit_of_work() as s:
        nudges.snooze(s, member_id=ada, key=f"reconnect:{fay}", days=30, clock=CLOCK)
    assert f"reconnect:{fay}" not in keys(feed(ada))
    with read_only() as s:
        cold = nudges.going_cold(s, ada, clock=CLOCK)
    assert [n.person_id for n in cold] == [fay]
    assert cold[0].reason == "You were last in touch 10 months ago."


def test_nobody_blocked_either_way_is_ever_suggested(engine):
    ada, bob, cyd = add_members("ada", "bob", "cyd")
    connect(ada, bob, warmth=1.0)
    connect(bob, cyd, warmth=1.0)
    tag(ada, "pricing")
    post(cyd, "Pricing page teardown", "pricing")
    assert any(n.person_id == cyd for n in feed(ada))
    connect(cyd, ada, status="blocked")  # Cyd blocked Ada
    graph_index.use_index(None)
    assert not any(cyd in (n.person_id, n.via_id) for n in feed(ada))
