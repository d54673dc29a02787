"""Reporting a direct message and moderating it, abuse first: only the two
members of a conversation may report its messages, and not their own; a
forged id reads like a missing one and writes nothing. The desk shows the
message between its neighbours with both members' names; hiding it takes
its words off the conversation page, the list's preview and search; the
reporter is never revealed to the reported; a suspended member's
conversations stay readable to the other side and close for writing.
SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import export as member_export
from marketplace.accounts import moderation
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.market.threads import REMOVED
from marketplace.models import DirectMessage, Notification, Report
from marketplace.network import conversations
from marketplace.states.moderation import ReportState
from tests.integration.accounts.test_moderation import (
    confirm,
    desk_act,
    people,  # noqa: F401
    report,
)
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of

pytestmark = pytest.mark.usefixtures("engine")

# who writes what, in turn; the fourth is Bob's bad one
WORDS = [
    ("ada", "Hi Bob"),
    ("bob", "Hi Ada"),
    ("ada", "How are you?"),
    ("bob", "Send me your card number"),
    ("ada", "No."),
    ("bob", "Your loss"),
]


def write(author, handle, body) -> DirectMessage:
    with unit_of_work() as s:
        return conversations.send_message(
            s, actor_id=author.member_id, handle=handle, body=body
        )


@pytest.fixture
def talk(people):  # noqa: F811
    """Ada and Bob talk, turn by turn (Bob first); Cyd is connected to both
    but not part of it. Returns the messages' ids."""
    ada, bob, cyd, _ = people
    connected(ada, bob)
    connected(cyd, ada)
    connected(cyd, bob)
    ids = []
    for handle, words in WORDS:
        author, other = (ada, "bob") if handle == "ada" else (bob, "ada")
        ids.append(write(author, other, words).id)
    return ids


def reports_written() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(Report)).one()


def page(viewer, handle) -> conversations.ConversationView:
    with read_only() as s:
        return conversations.open_conversation(
            s, viewer_id=viewer.member_id, handle=handle
        )


def search(viewer, words) -> list[str]:
    with read_only() as s:
        hits = conversations.search_messages(s, member_id=viewer.member_id, query=words)
    return [h.body for h in hits]


def previews(viewer) -> list[str]:
    with read_only() as s:
        return [
            c.last_message for c in conversations.conversations_of(s, viewer.member_id)
        ]


# ----------------------------------------------------------------------- abuse


@pytest.mark.parametrize("forged", ["bob's", "ada's", 10**9, "1; --", -1, True])
def test_a_third_member_reporting_someone_elses_dm_is_refused_as_not_found(
    people,  # noqa: F811
    talk,
    forged,
):
    cyd = people[2]
    item = {"bob's": talk[3], "ada's": talk[0]}.get(forged, forged)
    with pytest.raises(NotFound, match="No such message"):
        report(cyd, "dm", item)
    assert reports_written() == 0


def test_reporting_ones_own_dm_is_refused(people, talk):  # noqa: F811
    ada, bob, *_ = people
    with pytest.raises(InvalidInput, match="yourself or what you wrote"):
        report(bob, "dm", talk[3])
    with pytest.raises(InvalidInput):
        report(ada, "dm", str(talk[4]))
    assert reports_written() == 0


def test_a_second_report_of_one_dm_says_so(people, talk):  # noqa: F811
    ada, *_ = people
    report(ada, "dm", talk[3])
    with pytest.raises(Conflict, match="already reported"):
        report(ada, "dm", str(talk[3]), reason="scam")
    assert reports_written() == 1


# ------------------------------------------------------------------ the desk


def test_a_member_reports_a_dm_and_the_desk_shows_it_with_its_neighbours(
    people,  # noqa: F811
    talk,
):
    ada, _bob, _, ops = people
    filed = report(ada, "dm", str(talk[3]), reason="scam", note="asks for my card")
    assert (filed.kind, filed.item_id) == ("dm", talk[3])
    confirm(ops)
    with read_only() as s:
        [item] = moderation.queue(s, operator_id=ops.member_id)
    assert (item.kind, item.item_id, item.handle) == ("dm", talk[3], "bob")
    assert "Ada (@ada)" in item.title and "Bob (@bob)" in item.title
    assert item.content == "Send me your card number"
    assert item.reporters == "@ada" and item.notes == ["asks for my card"]
    assert [(line.author, line.body, line.reported) for line in item.context] == [
        ("@bob", "Hi Ada", False),
        ("@ada", "How are you?", False),
        ("@bob", "Send me your card number", True),
        ("@ada", "No.", False),
        ("@bob", "Your loss", False),
    ]
    with read_only() as s:
        [first] = [
            i
            for i in moderation.queue(s, operator_id=ops.member_id)
            if i.item_id == talk[3]
        ]
    assert first.context[0].body == "Hi Ada"  # two before, not three


def test_the_first_message_shows_with_what_follows_only(people, talk):  # noqa: F811
    _ada, bob, _, ops = people
    report(bob, "dm", talk[0])
    confirm(ops)
    with read_only() as s:
        [item] = moderation.queue(s, operator_id=ops.member_id)
    assert [(line.body, line.reported) for line in item.context] == [
        ("Hi Bob", True),
        ("Hi Ada", False),
        ("How are you?", False),
    ]


def test_hiding_a_dm_takes_its_words_off_the_page_the_list_and_search(
    people,  # noqa: F811
    talk,
):
    ada, bob, cyd, ops = people
    report(ada, "dm", talk[3], reason="scam")
    report(ada, "dm", talk[5], reason="harassment")  # the last: the list's preview
    confirm(ops)
    assert search(ada, "card number") == ["Send me your card number"]
    assert desk_act(ops, "hide", "dm", talk[3], "No asking for card details") == (
        "hidden"
    )
    desk_act(ops, "hide", "dm", str(talk[5]), "Be civil")
    for viewer, other in ((ada, "bob"), (bob, "ada")):
        bodies = [m.body for m in page(viewer, other).messages]
        assert bodies == ["Hi Bob", "Hi Ada", "How are you?", REMOVED, "No.", REMOVED]
        assert search(viewer, "card") == [] and search(viewer, "loss") == []
        assert previews(viewer) == [REMOVED]
    assert [m.hidden for m in page(ada, "bob").messages] == [False] * 3 + [
        True,
        False,
        True,
    ]
    with read_only() as s:  # kept for the record
        assert s.get(DirectMessage, talk[3]).body == "Send me your card number"
        notes = s.exec(
            select(Notification.text).where(Notification.member_id == bob.member_id)
        ).all()
    assert "A moderator hid your message: No asking for card details" in notes
    # a hidden message is gone: nothing more to report
    with pytest.raises(NotFound):
        report(cyd, "dm", talk[3])
    with pytest.raises(NotFound):
        report(ada, "dm", talk[3])


def test_the_reporter_is_never_revealed_to_the_reported(people, talk):  # noqa: F811
    _ada, bob, cyd, ops = people
    # a conversation of Bob with Cyd, who reports him; Ada's is untouched
    bad = write(bob, "cyd", "Buy my course").id
    report(cyd, "dm", bad, reason="spam", note="cyd says spam")
    confirm(ops)
    desk_act(ops, "hide", "dm", bad, "No selling in messages")
    with read_only() as s:
        notes = s.exec(
            select(Notification.text).where(Notification.member_id == bob.member_id)
        ).all()
        exported = json.dumps(member_export.collect(s, bob.member_id), default=str)
    assert any("hid your message: No selling in messages" in n for n in notes)
    assert "cyd says spam" not in exported and "Report" not in " ".join(notes)
    for trace in ("spam", "reported"):
        assert trace not in " ".join(notes)
    assert "cyd@example.com" not in exported


# ------------------------------------------------------------------ suspension


def test_a_suspended_members_conversations_read_but_close_for_writing(
    people,  # noqa: F811
    talk,
):
    ada, _bob, _, ops = people
    report(ada, "dm", talk[3], reason="scam")
    confirm(ops)
    desk_act(ops, "suspend", "dm", talk[3], "Card fishing")
    view = page(ada, "bob")
    assert [m.body for m in view.messages][3] == "Send me your card number"
    assert not view.can_write and view.notice == conversations.CLOSED
    with read_only() as s:
        before = s.exec(select(func.count()).select_from(DirectMessage)).one()
    with (
        pytest.raises(Conflict, match="conversation is closed"),
        unit_of_work() as s,
    ):
        conversations.post_message(
            s,
            actor_id=ada.member_id,
            conversation_id=view.conversation_id,
            body="Still there?",
        )
    with pytest.raises(NotFound):
        write(ada, "bob", "Hello?")
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(DirectMessage)).one() == before
    assert previews(ada) == ["Your loss"]


@pytest.mark.parametrize("forged", ["bob's", "ada's", "999999", "1 OR 1=1", "", None])
def test_the_report_dialog_refuses_a_forged_dm_id_from_a_third_member(
    people,  # noqa: F811
    talk,
    forged,
):
    """The dialog's handler, called by a hostile browser: Cyd sends the id of
    a message in Ada and Bob's conversation (or junk); nothing is written."""
    cyd = people[2]
    item = {"bob's": str(talk[3]), "ada's": str(talk[0])}.get(forged, forged)
    dialog = state_of(ReportState, cyd.token)
    ReportState.dialog_changed.fn(dialog, True)
    ReportState.send.fn(dialog, {"kind": "dm", "item": item, "reason": "spam"})
    assert dialog.report_error != "" and dialog.report_sent == ""
    assert reports_written() == 0


def test_my_data_shows_hidden_words_as_the_page_does_but_keeps_my_own(
    people,  # noqa: F811
    talk,
):
    ada, bob, _cyd, ops = people
    report(ada, "dm", talk[3], reason="scam")
    confirm(ops)
    desk_act(ops, "hide", "dm", talk[3], "No asking for card details")
    with read_only() as s:
        hers = member_export.collect(s, ada.member_id)["conversations"]
        his = member_export.collect(s, bob.member_id)["conversations"]
    assert [m["body"] for m in hers[0]["messages"]][3] == REMOVED
    assert "card number" not in json.dumps(hers)
    # Bob's own words are his to take, marked as removed
    kept = his[0]["messages"][3]
    assert (kept["body"], kept["removed_by_moderator"]) == (
        "Send me your card number",
        True,
    )


def inbox_texts(who) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text)
                .where(Notification.member_id == who.member_id)
                .order_by(Notification.id)
            )
        )


def test_a_hidden_dm_leaves_the_readers_inbox_too(people, talk):  # noqa: F811
    ada, _bob, _cyd, ops = people
    assert "Bob wrote to you: Send me your card number" in inbox_texts(ada)
    report(ada, "dm", talk[3], reason="scam")
    confirm(ops)
    desk_act(ops, "hide", "dm", talk[3], "No asking for card details")
    texts = inbox_texts(ada)
    assert f"Bob wrote to you: {REMOVED}" in texts
    assert not any("card number" in t for t in texts)
    assert "Bob wrote to you: Hi Ada" in texts  # the rest is untouched
