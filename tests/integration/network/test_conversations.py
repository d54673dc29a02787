"""Direct messages and message requests as members live them, abuse first:
forged ids and handles, strangers, blocks, markup and floods are refused
with a clear message and nothing written; then connections talk, a 2nd-degree
member asks to talk and is accepted, ignored or blocked. SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import closing, privacy
from marketplace.accounts import export as member_export
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.inbox import alerts
from marketplace.models import (
    Connection,
    Conversation,
    DirectMessage,
    Interaction,
    Intro,
    MailOutbox,
    Member,
    MessageRequest,
    Notification,
)
from marketplace.network import connections, conversations
from marketplace.settings import get_settings
from tests.integration.ledger.test_wallet import PASSWORD, member
from tests.integration.network.test_connections import ask, connected

REASON = "Bob says you know pricing; may I ask two questions?"


def write(author, handle, body):
    with unit_of_work() as s:
        return conversations.send_message(
            s, actor_id=author.member_id, handle=handle, body=body
        ).conversation_id


def post(author, conversation_id, body="Hello"):
    with unit_of_work() as s:
        return conversations.post_message(
            s, actor_id=author.member_id, conversation_id=conversation_id, body=body
        )


def request(sender, handle, reason=REASON, clock=None):
    with unit_of_work() as s:
        extra = {"clock": clock} if clock else {}
        return conversations.send_message_request(
            s, actor_id=sender.member_id, handle=handle, reason=reason, **extra
        ).id


def answer(recipient, request_id, reply):
    with unit_of_work() as s:
        return conversations.answer_message_request(
            s, actor_id=recipient.member_id, request_id=request_id, answer=reply
        ).status


def unread(who) -> int:
    with read_only() as s:
        return conversations.unread_conversations(s, who.member_id)


def listing_of(who) -> list[tuple[str, str, int]]:
    with read_only() as s:
        return [
            (c.handle, c.last_message, c.unread)
            for c in conversations.conversations_of(s, who.member_id)
        ]


def page(viewer, handle) -> conversations.ConversationView:
    with read_only() as s:
        return conversations.open_conversation(
            s, viewer_id=viewer.member_id, handle=handle
        )


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def written() -> tuple[int, int, int]:
    return count(Conversation), count(DirectMessage), count(MessageRequest)


@pytest.fixture
def dee(engine):
    return member("dee")


@pytest.fixture
def triangle(ada, bo, cy):
    """Ada-Bob and Bob-Cyd connected: Ada and Cyd two degrees apart."""
    connected(ada, bo)
    connected(bo, cy)


# ----------------------------------------------------------------------- abuse


@pytest.mark.parametrize("forged", [999, "1", None, -3, "abc", True, 2**40, 1.0])
def test_forged_conversation_ids_are_refused_and_nothing_is_written(
    ada, bo, cy, forged
):
    connected(ada, bo)
    mine = write(ada, "bob", "Hi Bob")
    before = written()
    for wrong in (forged, mine):  # Cyd is not in Ada and Bob's conversation
        with pytest.raises(NotFound, match="No such conversation"):
            post(cy, wrong)
        with unit_of_work() as s, pytest.raises(NotFound, match="No such conversation"):
            conversations.mark_read(s, actor_id=cy.member_id, conversation_id=wrong)
    assert written() == before
    assert unread(bo) == 1


@pytest.mark.parametrize(
    ("handle", "error", "message"),
    [
        ("nobody", NotFound, "No active member with the handle 'nobody'"),
        ("", InvalidInput, "Say who to write to."),
        (None, InvalidInput, "Say who to write to."),
        (42, InvalidInput, "Say who to write to."),
        ("<script>", NotFound, "No active member"),
        ("ada", InvalidInput, "You can't message yourself."),
    ],
)
def test_forged_handles_are_refused_and_nothing_is_written(
    ada, bo, handle, error, message
):
    connected(ada, bo)
    with pytest.raises(error, match=message):
        write(ada, handle, "Hello")
    with pytest.raises(error, match=message):
        request(ada, handle)
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("forged", [999, "1", None, -3, "x", False])
def test_forged_message_request_ids_are_refused(ada, bo, cy, triangle, forged):
    asked = request(cy, "ada")
    for wrong in (forged, asked):  # Bob was not asked
        with pytest.raises(NotFound, match="No such message request"):
            answer(bo, wrong, "accept")
    with pytest.raises(InvalidInput, match="accept, ignore or block"):
        answer(ada, asked, "delete")
    assert written() == (0, 0, 1)


def test_a_stranger_can_not_message_or_ask_to(ada, cy):
    with pytest.raises(Conflict, match="write only to your connections"):
        write(ada, "cyd", "Buy my course")
    with pytest.raises(NotAuthorized, match="share a connection with them"):
        request(ada, "cyd")
    assert written() == (0, 0, 0)
    with read_only() as s:
        them = s.get(Member, cy.member_id)
        option = conversations.message_option(s, ada.member_id, them)
    assert option.action == "none"
    assert "intro" in option.why


def test_an_accepted_intro_brings_strangers_together(ada, bo, cy):
    with unit_of_work() as s:
        s.add(
            Intro(
                requester_id=ada.member_id,
                via_id=bo.member_id,
                target_id=cy.member_id,
                status="accepted",
                created_at=datetime.now(UTC),
            )
        )
    request(ada, "cyd")
    assert written() == (0, 0, 1)


def choose(member, level):
    with unit_of_work() as s:
        privacy.change(
            s,
            actor_id=member.member_id,
            member_id=member.member_id,
            name="message_requests",
            value=level,
        )


def test_nobody_keeps_even_the_2nd_degree_from_requesting(ada, bo, cy, triangle):
    choose(cy, "nobody")
    with pytest.raises(NotAuthorized, match="doesn't take message requests"):
        request(ada, "cyd")
    assert written() == (0, 0, 0)
    with read_only() as s:
        option = conversations.message_option(
            s, ada.member_id, s.get(Member, cy.member_id)
        )
    assert (option.action, option.why) == (
        "none",
        "Cyd doesn't take message requests.",
    )


def test_a_member_open_to_everyone_takes_one_request_from_a_stranger(ada, cy):
    choose(cy, "everyone")
    request(ada, "cyd")
    assert written() == (0, 0, 1)
    with pytest.raises(Conflict):  # still one request only
        request(ada, "cyd")


def test_messages_across_a_block_are_refused_and_the_conversation_reads_only(ada, bo):
    connected(ada, bo)
    ours = write(ada, "bob", "Hi Bob")
    with unit_of_work() as s:
        connections.block_member(s, actor_id=bo.member_id, handle="ada")
    before = written()
    with pytest.raises(NotFound, match="No active member"):
        write(ada, "bob", "Why?")  # the blocked one can't tell a block from nobody
    with pytest.raises(Conflict, match="conversation is closed"):
        post(ada, ours)
    with pytest.raises(Conflict, match="unblock them first"):
        write(bo, "ada", "Bye")
    with pytest.raises(Conflict, match="conversation is closed"):
        post(bo, ours)
    assert written() == before
    view = page(bo, "ada")  # the blocker still reads it
    assert [m.body for m in view.messages] == ["Hi Bob"]
    assert not view.can_write
    assert view.notice == conversations.CLOSED


def test_markup_and_oversized_messages_are_refused_plain_text_is_kept(ada, bo):
    connected(ada, bo)
    with pytest.raises(InvalidInput, match="plain text only"):
        write(ada, "bob", "<img src=x onerror=alert(1)>")
    with pytest.raises(InvalidInput, match="too long"):
        write(ada, "bob", "x" * (conversations.MESSAGE_MAX + 1))
    with pytest.raises(InvalidInput, match="Message is required"):
        write(ada, "bob", "   ")
    assert written() == (0, 0, 0)
    write(ada, "bob", "2 < 3 & I <3 pricing")
    assert [m.body for m in page(bo, "ada").messages] == ["2 < 3 & I <3 pricing"]


def test_a_frozen_member_reads_but_does_not_write(ada, bo, cy, triangle):
    ours = write(ada, "bob", "Hi Bob")
    with unit_of_work() as s:
        frozen = s.get(Member, ada.member_id)
        frozen.frozen_at = datetime.now(UTC)
        s.add(frozen)
    with pytest.raises(NotAuthorized, match="frozen"):
        post(ada, ours)
    with pytest.raises(NotAuthorized, match="frozen"):
        request(ada, "cyd")
    assert written() == (1, 1, 0)


def test_the_weekly_cap_counts_connection_and_message_requests(
    ada, bo, cy, dee, triangle, monkeypatch
):
    eve = member("eve")
    connected(bo, dee)
    connected(bo, eve)
    monkeypatch.setenv("MARKETPLACE_OUTREACH_WEEKLY_CAP", "3")
    get_settings.cache_clear()
    request(ada, "cyd")  # Ada asked Bob to connect: two requests this week
    ask(ada, "dee", "")  # 2nd degree: no note needed; three
    with pytest.raises(Conflict, match="3 requests this week"):
        request(ada, "eve")
    with pytest.raises(Conflict, match="3 requests this week"):
        ask(ada, "eve")
    assert count(MessageRequest) == 1
    next_week = FixedClock(datetime.now(UTC) + timedelta(days=7, minutes=1))
    request(ada, "eve", clock=next_week)
    assert count(MessageRequest) == 2


def test_a_connection_request_beyond_the_2nd_degree_needs_a_reason(ada, cy):
    with pytest.raises(InvalidInput, match="reason is required"):
        ask(ada, "cyd", "")
    assert count(Connection) == 0
    ask(ada, "cyd", "We both run pricing workshops.")
    assert count(Connection) == 1


def test_one_message_request_only(ada, bo, cy, triangle):
    request(cy, "ada")
    with pytest.raises(Conflict, match="one is enough"):
        request(cy, "ada", "Please answer")
    with pytest.raises(Conflict, match="already asked to talk with you"):
        request(ada, "cyd")
    with pytest.raises(InvalidInput, match="Reason is required"):
        request(bo, "ada", "")  # (connected anyway)
    assert count(MessageRequest) == 1


# ------------------------------------------------------------------- as it works


def test_a_message_round_trip_between_connections_with_unread_counts(ada, bo):
    connected(ada, bo)
    ours = write(ada, "bob", "Hi Bob, free for a call on Friday?")
    write(ada, "bob", "About pricing.")
    assert unread(bo) == 1
    assert listing_of(bo) == [("ada", "About pricing.", 2)]
    assert unread(ada) == 0
    with unit_of_work() as s:
        assert (
            conversations.mark_read(s, actor_id=bo.member_id, conversation_id=ours) == 2
        )
    assert unread(bo) == 0
    post(bo, ours, "Friday works.")
    assert listing_of(ada) == [("bob", "Friday works.", 1)]
    view = page(ada, "bob")
    assert [(m.body, m.mine) for m in view.messages] == [
        ("Hi Bob, free for a call on Friday?", True),
        ("About pricing.", True),
        ("Friday works.", False),
    ]
    assert view.can_write
    with read_only() as s:
        refs = s.exec(select(Interaction.ref).where(Interaction.kind == "message"))
        assert list(refs) == [f"dm:{ours}"] * 3
        told = s.exec(
            select(Notification.text).where(Notification.member_id == bo.member_id)
        ).all()
    # one note for a quiet conversation's first unread message, not per line
    assert [t for t in told if "wrote to you" in t] == [
        "Ada wrote to you: Hi Bob, free for a call on Friday?"
    ]


def test_search_finds_only_my_own_messages_and_escapes_wildcards(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    write(ada, "bob", "Pricing for 100% of the SaaS tiers")
    write(cy, "bob", "pricing secrets of Cyd")
    with read_only() as s:
        hits = conversations.search_messages(
            s, member_id=ada.member_id, query="PRICING"
        )
        assert [h.handle for h in hits] == ["bob"]
        assert conversations.search_messages(s, member_id=ada.member_id, query="%")
        assert not conversations.search_messages(
            s, member_id=ada.member_id, query="_secrets"
        )
        everything = conversations.search_messages(
            s, member_id=bo.member_id, query="pricing"
        )
        assert sorted(h.handle for h in everything) == ["ada", "cyd"]


def test_a_2nd_degree_message_request_accepted_opens_the_conversation(
    ada, bo, cy, triangle
):
    asked = request(cy, "ada")
    with read_only() as s:
        waiting = conversations.incoming_requests(s, ada.member_id)
        them = s.get(Member, cy.member_id)
        assert (
            conversations.message_option(
                s, cy.member_id, s.get(Member, ada.member_id)
            ).action
            == "requested"
        )
        assert conversations.message_option(s, ada.member_id, them).action == "answer"
    assert [(r.handle, r.reason) for r in waiting] == [("cyd", REASON)]
    assert "1 mutual connection" in waiting[0].shared
    assert waiting[0].mutual == ["Bob"]
    assert answer(ada, asked, "accept") == "accepted"
    view = page(ada, "cyd")
    assert [(m.body, m.mine) for m in view.messages] == [(REASON, False)]
    assert unread(ada) == 0  # she read it to accept it
    write(cy, "ada", "Thank you!")
    assert unread(ada) == 1
    assert page(cy, "ada").option.action == "message"


def test_an_ignored_message_request_is_silent(ada, bo, cy, triangle):
    asked = request(cy, "ada")
    with read_only() as s:
        before = s.exec(
            select(func.count()).where(Notification.member_id == cy.member_id)
        ).one()
    assert answer(ada, asked, "ignore") == "ignored"
    with read_only() as s:
        after = s.exec(
            select(func.count()).where(Notification.member_id == cy.member_id)
        ).one()
        assert conversations.incoming_requests(s, ada.member_id) == []
    assert after == before
    assert page(cy, "ada").option.action == "requested"  # nobody is told no
    assert written() == (0, 0, 1)


def test_a_blocked_message_request_blocks_the_sender(ada, bo, cy, triangle):
    asked = request(cy, "ada")
    assert answer(ada, asked, "block") == "blocked"
    with read_only() as s:
        assert connections.relationship(s, ada.member_id, cy.member_id) == "blocked"
    with pytest.raises(NotFound):
        write(cy, "ada", "Hello?")
    with pytest.raises(NotFound):
        request(cy, "ada")
    assert written() == (0, 0, 1)


def test_opening_a_conversation_marks_its_inbox_note_read(ada, bo):
    connected(ada, bo)
    ours = write(ada, "bob", "Hi Bob")
    with unit_of_work() as s:
        conversations.mark_read(s, actor_id=bo.member_id, conversation_id=ours)
    with read_only() as s:
        notes = s.exec(
            select(Notification.read_at).where(
                Notification.member_id == bo.member_id,
                Notification.link == "/messages/ada",
            )
        ).all()
    assert len(notes) == 1 and notes[0] is not None


def test_a_closed_account_leaves_no_words_behind(ada, bo, cy, triangle):
    write(ada, "bob", "My phone number is 555-0100")
    request(ada, "cyd")
    with unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    with read_only() as s:
        assert s.exec(select(DirectMessage.body)).all() == [""]
        assert s.exec(select(MessageRequest.reason)).all() == [""]
        assert conversations.incoming_requests(s, cy.member_id) == []


def test_email_follows_the_messages_alert_choice(ada, bo, cy, triangle):
    with unit_of_work() as s:
        alerts.choose(s, actor_id=cy.member_id, kind="message", choice="never")
    write(ada, "bob", "Hi Bob")
    write(bo, "cyd", "Hi Cyd")
    with read_only() as s:
        mails = s.exec(
            select(MailOutbox.member_id, MailOutbox.kind).where(
                MailOutbox.kind == "message"
            )
        ).all()
    assert mails == [(bo.member_id, "message")]  # Cyd chose never


# ----------------------------------------------------------- download my data


def exported(who) -> dict:
    with read_only() as s:
        return member_export.collect(s, who.member_id)


def test_my_data_holds_my_conversations_and_requests_and_nobody_elses(
    ada, bo, cy, dee, triangle
):
    write(ada, "bob", "Hi Bob")
    write(bo, "ada", "Hi Ada")
    write(bo, "cyd", "Bob and Cyd only")  # not Ada's business
    connected(cy, dee)
    write(cy, "dee", "Cyd and Dee only")
    asked = request(cy, "ada")
    answer(ada, asked, "ignore")
    mine = exported(ada)
    assert [c["with"] for c in mine["conversations"]] == [
        {"handle": "bob", "name": "Bob"}
    ]
    assert [
        (m["author"]["handle"], m["body"]) for m in mine["conversations"][0]["messages"]
    ] == [("ada", "Hi Bob"), ("bob", "Hi Ada")]
    text = json.dumps(mine)
    assert "Bob and Cyd only" not in text and "Cyd and Dee only" not in text
    assert not any(f"{h}@example.com" in text for h in ("bob", "cyd", "dee"))
    [received] = mine["message_requests"]
    assert (received["sent_by_me"], received["reason"], received["status"]) == (
        False,
        REASON,
        "ignored",
    )
    # the sender's copy says only what the app shows them: sent, unanswered
    [sent] = exported(cy)["message_requests"]
    assert (sent["sent_by_me"], sent["status"], sent["responded_at"]) == (
        True,
        "sent",
        None,
    )
    assert sent["recipient"] == {"handle": "ada", "name": "Ada"}
