"""The demo's messages: priya (the demo login) has conversations, two with
messages she hasn't read, and a message request waiting from someone two
degrees away; seeding again adds nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from marketplace.db import read_only
from marketplace.inbox import notifications
from marketplace.inbox.badges import unread_badges
from marketplace.models import DirectMessage, Member, MessageRequest
from marketplace.network import conversations, outreach
from tests.integration.demo.test_seed import seed


def priya() -> int:
    with read_only() as s:
        return s.exec(select(Member.id).where(Member.handle == "priya")).one()


def test_priya_has_conversations_some_unread_and_a_request(demo):
    demo.fresh(30)
    me = priya()
    with read_only() as s:
        mine = conversations.conversations_of(s, me)
        unread = conversations.unread_conversations(s, me)
        waiting = conversations.incoming_requests(s, me)
        sender = s.exec(select(Member.id).where(Member.handle == waiting[0].handle))
        distance = outreach.distance_between(s, sender.one(), me)
    assert len(mine) == 3
    assert unread == 3  # two unread conversations and the request
    assert [c.handle for c in mine][1:] == ["lena", "marcus"]  # latest first
    assert [c.unread for c in mine] == [1, 2, 0]
    assert len(waiting) == 1 and "SaaS Summit" in waiting[0].reason
    assert distance.degree == 2


def test_seeding_again_adds_no_messages(demo):
    demo.fresh(30)
    with read_only() as s:
        before = (
            s.exec(select(func.count(DirectMessage.id))).one(),
            s.exec(select(func.count(MessageRequest.id))).one(),
        )
    seed(30)
    with read_only() as s:
        after = (
            s.exec(select(func.count(DirectMessage.id))).one(),
            s.exec(select(func.count(MessageRequest.id))).one(),
        )
    assert after == before


def test_the_heartbeats_one_statement_counts_what_the_two_lists_count(demo):
    demo.fresh(30)
    me = priya()
    with read_only() as s:
        badges = unread_badges(s, me)
        assert badges.conversations == conversations.unread_conversations(s, me)
        assert badges.notifications == notifications.unread_count(s, me)
    assert badges.conversations == 3 and badges.notifications > 0
