"""The inbox: what a member is told, newest first, counted for the badge, and
marked read by its owner only -- at the service and through the handlers a
hostile browser can call. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.inbox import notifications
from marketplace.market import threads
from marketplace.models import Member, Notification
from marketplace.states.inbox import InboxState
from marketplace.states.nav import NavState
from tests.integration.market.test_engagements import post, propose
from tests.integration.test_state_security import state_of

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BAD_IDS = ["x", -1, 0, 2**40, None, 1.5, True, [1], {"id": 1}, "1; drop table"]


def tell(member_id: int, text: str, *, link: str = "", minutes: int = 0) -> int:
    clock = FixedClock(START + timedelta(minutes=minutes))
    with unit_of_work() as s:
        note = notifications.notify(
            s, member_id=member_id, kind="test", text=text, link=link, clock=clock
        )
        s.flush()
        return note.id


def unread(member_id: int) -> int:
    with read_only() as s:
        return notifications.unread_count(s, member_id)


def rows() -> list[dict]:
    """Every notification, to prove a refused call changed nothing."""
    with read_only() as s:
        return [
            n.model_dump()
            for n in s.exec(select(Notification).order_by(Notification.id))
        ]


# ------------------------------------------------------------------------ service


def test_the_inbox_lists_newest_first_and_counts_the_unread(ada, bo):
    for minute in range(3):
        tell(ada.member_id, f"note {minute}", link="/engagements/1", minutes=minute)
    tell(bo.member_id, "for bob")

    with read_only() as s:
        items, total = notifications.inbox(s, ada.member_id)
    assert total == 3
    assert [i.text for i in items] == ["note 2", "note 1", "note 0"]
    assert all(i.unread and i.link == "/engagements/1" for i in items)
    assert items[0].when == "26 Nov 2026, 09:02 UTC"
    assert unread(ada.member_id) == 3 and unread(bo.member_id) == 1


def test_times_are_on_the_members_clock(ada):
    tell(ada.member_id, "winter", minutes=2)
    tell(ada.member_id, "summer", minutes=60 * 24 * 200)  # 14 June 2027
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "America/Toronto"
    with read_only() as s:
        items, _ = notifications.inbox(s, ada.member_id)
    assert [i.when for i in items] == [
        "14 Jun 2027, 05:00 EDT",
        "26 Nov 2026, 04:02 EST",
    ]


def test_the_inbox_pages_through_everything(ada):
    for minute in range(notifications.PAGE_SIZE + 3):
        tell(ada.member_id, f"note {minute}", minutes=minute)
    with read_only() as s:
        first, total = notifications.inbox(s, ada.member_id, 1)
        second, _ = notifications.inbox(s, ada.member_id, 2)
    assert total == notifications.PAGE_SIZE + 3
    assert len(first) == notifications.PAGE_SIZE and len(second) == 3
    assert second[-1].text == "note 0"


@pytest.mark.parametrize("page", [0, -1, "2", None, 1.0, True, 10**6])
def test_a_bad_page_is_refused(ada, page):
    with read_only() as s, pytest.raises(InvalidInput):
        notifications.inbox(s, ada.member_id, page)


def test_an_outside_link_is_never_shown(ada):
    tell(ada.member_id, "odd", link="//evil.example/x")
    tell(ada.member_id, "odder", link="javascript:alert(1)")
    with read_only() as s:
        items, _ = notifications.inbox(s, ada.member_id)
    assert [i.link for i in items] == ["", ""]


def test_marking_one_read_keeps_the_first_reading_time(ada):
    note = tell(ada.member_id, "hello")
    later = FixedClock(START + timedelta(hours=1))
    with unit_of_work() as s:
        view = notifications.mark_read(
            s, actor_id=ada.member_id, notification_id=note, clock=later
        )
    assert not view.unread and unread(ada.member_id) == 0
    with unit_of_work() as s:
        notifications.mark_read(
            s,
            actor_id=ada.member_id,
            notification_id=note,
            clock=FixedClock(START + timedelta(days=1)),
        )
    assert rows()[0]["read_at"] == later.now()


def test_another_members_notification_is_not_found_and_stays_unread(ada, bo):
    bobs = tell(bo.member_id, "private to bob")
    before = rows()
    with unit_of_work() as s, pytest.raises(NotFound):
        notifications.mark_read(s, actor_id=ada.member_id, notification_id=bobs)
    assert rows() == before and unread(bo.member_id) == 1


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_malformed_id_is_refused_at_the_service(ada, bad):
    tell(ada.member_id, "hello")
    before = rows()
    with unit_of_work() as s, pytest.raises(NotFound):
        notifications.mark_read(s, actor_id=ada.member_id, notification_id=bad)
    assert rows() == before


def test_mark_all_read_touches_only_my_unread(ada, bo):
    tell(ada.member_id, "one")
    tell(ada.member_id, "two")
    tell(bo.member_id, "bob's")
    with unit_of_work() as s:
        assert notifications.mark_all_read(s, actor_id=ada.member_id) == 2
    with unit_of_work() as s:
        assert notifications.mark_all_read(s, actor_id=ada.member_id) == 0
    assert unread(ada.member_id) == 0 and unread(bo.member_id) == 1


def test_a_message_in_an_engagement_reaches_the_other_party(ada, bo):
    engagement = propose(bo, post(ada))
    before = unread(bo.member_id)
    with unit_of_work() as s:
        threads.post_message(
            s, actor_id=ada.member_id, engagement_id=engagement, body="See you at 3"
        )
    assert unread(bo.member_id) == before + 1
    with read_only() as s:
        newest = notifications.inbox(s, bo.member_id)[0][0]
    assert newest.text.endswith("See you at 3")
    assert newest.link == f"/engagements/{engagement}"


# ------------------------------------------------------------------------ handlers


def inbox_of(token: str) -> InboxState:
    state = state_of(InboxState, token)
    InboxState.load.fn(state)
    return state


def test_the_inbox_state_shows_my_items_and_the_badge(ada, bo):
    tell(ada.member_id, "for ada")
    tell(bo.member_id, "for bob")
    state = inbox_of(ada.token)
    assert [i.text for i in state.items] == ["for ada"]
    assert state.unread == 1


def test_the_heartbeat_counts_for_the_session_not_for_anyone_else(ada, bo):
    tell(ada.member_id, "one")
    tell(ada.member_id, "two")
    nav = state_of(NavState, ada.token)
    NavState.check_unread.fn(nav)
    assert nav.unread_count == 2 and nav.unread_badge == "2"
    guest = state_of(NavState, "forged-token-" + "x" * 30)
    NavState.check_unread.fn(guest)
    assert guest.unread_count == 0 and guest.inbox_label == "Inbox"


def test_a_page_whose_state_was_lost_stays_signed_in(ada):
    """Redis restarted under an open page: the next heartbeat finds a fresh
    state, but the member comes from the socket's cookie, not from the state."""
    tell(ada.member_id, "one")
    lost = state_of(NavState, ada.token)  # what the store hands out after the loss
    assert lost.my_handle == ""
    NavState.check_unread.fn(lost)
    assert lost.my_handle == "ada" and lost.unread_count == 1


def test_opening_my_item_marks_it_read_and_moves_the_badge(ada):
    note = tell(ada.member_id, "hello", link="/engagements/1")
    state = inbox_of(ada.token)
    nav = state_of(NavState, ada.token)
    NavState.check_unread.fn(nav)
    assert nav.unread_count == 1
    answer = InboxState.open_item.fn(state, note)
    assert unread(ada.member_id) == 0
    assert state.unread == 0 and not state.items[0].unread
    assert answer is NavState.check_unread  # the badge counts again at once
    NavState.check_unread.fn(nav)
    assert nav.unread_count == 0 and nav.inbox_label == "Inbox"


def test_a_forged_id_sent_to_the_handler_changes_nothing(ada, bo):
    bobs = tell(bo.member_id, "private to bob")
    before = rows()
    state = inbox_of(ada.token)
    InboxState.open_item.fn(state, bobs)
    assert rows() == before
    assert [i.text for i in state.items] == []


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_malformed_id_sent_to_the_handler_changes_nothing(ada, bad):
    tell(ada.member_id, "hello")
    before = rows()
    InboxState.open_item.fn(inbox_of(ada.token), bad)
    assert rows() == before


@pytest.mark.parametrize("token", ["", "forged-token-" + "x" * 30, 12345, None])
def test_a_guest_or_forged_session_reads_and_marks_nothing(ada, token):
    note = tell(ada.member_id, "hello")
    before = rows()
    state = state_of(InboxState, token)
    InboxState.load.fn(state)
    InboxState.open_item.fn(state, note)
    InboxState.mark_all_read.fn(state)
    assert rows() == before and state.items == []


def test_mark_all_read_from_the_handler_is_only_mine(ada, bo):
    tell(ada.member_id, "mine")
    tell(bo.member_id, "bob's")
    state = inbox_of(ada.token)
    answer = InboxState.mark_all_read.fn(state)
    assert unread(ada.member_id) == 0 and unread(bo.member_id) == 1
    assert state.unread == 0 and NavState.check_unread in answer


@pytest.mark.parametrize("page", ["x", -1, 0, 2**40, None])
def test_a_bad_page_from_the_browser_keeps_the_page(ada, page):
    tell(ada.member_id, "hello")
    state = inbox_of(ada.token)
    InboxState.go_to_page.fn(state, page)
    assert state.page == 1 and len(state.items) == 1
