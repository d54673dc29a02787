"""Warm intros: Ada asks Bob, her connection, to introduce her to Cyd, his.
Bob forwards, Cyd accepts and they are connected; when Cyd then helps Ada the
introducer earns karma, once (what stops a loop from minting more is in
test_intro_rewards.py). Every wrong turn is refused and writes nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.ledger.audit import audit_ledger
from marketplace.models import Intro, Notification
from marketplace.network import connections, intros
from tests.integration.ledger.test_wallet import available
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_connections import connected, state
from tests.members import trusted

HELLO = "I'm raising a seed round and Cyd knows every angel in Berlin."


def ask_intro(asker, target="cyd", via="bob", message=HELLO) -> int:
    with unit_of_work() as s:
        return intros.request_intro(
            s, actor_id=asker.member_id, target=target, via=via, message=message
        ).id


def forward(introducer, intro_id, answer="forward", note=""):
    with unit_of_work() as s:
        return intros.forward_intro(
            s,
            actor_id=introducer.member_id,
            intro_id=intro_id,
            answer=answer,
            note=note,
        ).status


def reply(target, intro_id, answer="accept"):
    with unit_of_work() as s:
        return intros.answer_intro(
            s, actor_id=target.member_id, intro_id=intro_id, answer=answer
        ).status


def last_note(member) -> str:
    with read_only() as s:
        return s.exec(
            select(Notification.text)
            .where(Notification.member_id == member.member_id)
            .order_by(Notification.id.desc())
        ).first()


def all_intros() -> list[tuple]:
    with read_only() as s:
        return [(i.status, i.engagement_id) for i in s.exec(select(Intro))]


@pytest.fixture
def triangle(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    return ada, bo, cy


def test_connect_then_intro_then_help_earns_the_introducer_karma(triangle):
    ada, bo, cy = triangle
    intro = ask_intro(ada)
    assert "Ada asks you to introduce them to Cyd" in last_note(bo)
    assert forward(bo, intro, note="Cyd, Ada is great.") == "forwarded"
    assert "Bob would like to introduce you to Ada" in last_note(cy)
    assert "Bob adds: “Cyd, Ada is great.”" in last_note(cy)
    assert reply(cy, intro) == "accepted"
    assert state(ada, cy) == "connected"
    assert "you are now connected" in last_note(ada)

    trusted(ada.member_id, cy.member_id)  # help between trusted members earns
    before = available(bo.member_id)
    offer = post(cy, kind="offer", title="Intro call with Berlin angels", price=3)
    engagement = propose(ada, offer)
    act(cy, engagement, "accept")
    act(cy, engagement, "deliver")
    act(ada, engagement, "confirm")
    assert available(bo.member_id) == before + 2
    assert all_intros() == [("completed", engagement)]
    assert "you earned 2 karma" in last_note(bo)

    again = propose(ada, post(cy, kind="offer", title="Second intro call", price=1))
    for actor, move in ((cy, "accept"), (cy, "deliver"), (ada, "confirm")):
        act(actor, again, move)
    assert available(bo.member_id) == before + 2  # once per intro
    with read_only() as s:
        assert audit_ledger(s).ok


def test_a_declined_intro_is_told_kindly_and_without_names(triangle):
    ada, bo, _ = triangle
    intro = ask_intro(ada)
    assert forward(bo, intro, answer="decline") == "declined"
    told = last_note(ada)
    assert "didn't happen this time" in told and "Bob" not in told
    assert ask_intro(ada)  # and Ada may ask again later


@pytest.mark.parametrize(
    "target, via, message, error, why",
    [
        ("cyd", "cyd", HELLO, InvalidInput, "someone else"),
        ("ada", "bob", HELLO, InvalidInput, "That's you"),
        ("cyd", "bob", "", InvalidInput, "required"),
        ("cyd", "bob", "<b>hi</b>", InvalidInput, "plain text"),
        ("cyd", "nobody", HELLO, NotFound, "No active member"),
    ],
)
def test_bad_intro_requests_are_refused(triangle, target, via, message, error, why):
    with pytest.raises(error, match=why):
        ask_intro(triangle[0], target, via, message)
    assert all_intros() == []


def test_an_intro_only_goes_through_my_own_connections(ada, bo, cy):
    connected(bo, cy)
    with pytest.raises(InvalidInput, match="not connected with Bob"):
        ask_intro(ada)  # Ada doesn't know Bob
    connected(ada, bo)
    with unit_of_work() as s:
        connections.remove_connection(s, actor_id=cy.member_id, handle="bob")
    with pytest.raises(InvalidInput, match="Bob is not connected with Cyd"):
        ask_intro(ada)
    assert all_intros() == []


def test_no_intro_to_someone_i_know_and_no_second_one_at_a_time(triangle):
    ada, _, cy = triangle
    ask_intro(ada)
    with pytest.raises(Conflict, match="already asked"):
        ask_intro(ada)
    connected(ada, cy)
    with pytest.raises(Conflict, match="already connected"):
        ask_intro(ada)


def test_only_the_introducer_forwards_and_only_the_target_answers(triangle):
    ada, bo, cy = triangle
    intro = ask_intro(ada)
    for forger in (ada, cy):
        with pytest.raises(NotFound):
            forward(forger, intro)
    with pytest.raises(NotFound):
        forward(bo, intro + 999)
    with pytest.raises(InvalidInput):
        forward(bo, intro, answer="maybe")
    with pytest.raises(NotFound):
        reply(bo, intro)  # Bob is not the target
    with pytest.raises(Conflict, match="already requested"):
        reply(cy, intro)  # not forwarded yet
    assert all_intros() == [("requested", None)]


def test_the_introducers_note_is_kept_and_shown_to_both(triangle):
    ada, bo, cy = triangle
    intro = ask_intro(ada)
    with pytest.raises(InvalidInput):  # markup is refused, nothing changes
        forward(bo, intro, note="<b>hi</b>")
    assert all_intros() == [("requested", None)]
    forward(bo, intro, note="You both love pricing puzzles.")
    assert last_note(ada) == (
        "Bob introduced you to Cyd; waiting for their answer. "
        "Bob adds: “You both love pricing puzzles.”"
    )
    with read_only() as s:
        for person in (ada, cy):
            [view] = intros.intros_of(s, person.member_id)
            assert view.via_note == "You both love pricing puzzles."
        [bobs] = intros.intros_of(s, bo.member_id)
    assert bobs.my_part == "introducer"


def test_an_intro_on_its_way_says_where_it_stands_to_the_asker(triangle):
    ada, bo, cy = triangle
    with read_only() as s:
        assert intros.pending_intro(s, ada.member_id, cy.member_id) is None
    intro = ask_intro(ada)
    with read_only() as s:
        waiting = intros.pending_intro(s, ada.member_id, cy.member_id)
    assert waiting.sentence.startswith("You asked Bob on ")
    assert waiting.sentence.endswith(" to introduce you to Cyd; waiting for Bob.")
    forward(bo, intro, note="Say hi!")
    with read_only() as s:
        introduced = intros.pending_intro(s, ada.member_id, cy.member_id)
    assert introduced.sentence == (
        "Bob introduced you to Cyd; waiting for Cyd's answer."
    )
    assert introduced.via_note == "Say hi!"
    reply(cy, intro)
    with read_only() as s:
        assert intros.pending_intro(s, ada.member_id, cy.member_id) is None
