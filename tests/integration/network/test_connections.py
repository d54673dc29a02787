"""Connections as members live them: ask with a note, see shared ground,
accept, decline without anyone being told no, remove, block. The in-memory
graph follows each change once it commits. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.models import Connection, MemberTag, Notification
from marketplace.network import connections, graph_index

# strangers must say why they ask (network/outreach.py): tests that are not
# about the note give one
DEFAULT_NOTE = "We met at the meetup."


def ask(asker, handle, note=DEFAULT_NOTE):
    with unit_of_work() as s:
        return connections.request_connection(
            s, actor_id=asker.member_id, handle=handle, note=note
        ).id


def answer(member, connection_id, reply):
    with unit_of_work() as s:
        return connections.answer_request(
            s, actor_id=member.member_id, connection_id=connection_id, answer=reply
        ).status


def state(viewer, other) -> str:
    with read_only() as s:
        return connections.relationship(s, viewer.member_id, other.member_id)


def rows() -> list[tuple]:
    with read_only() as s:
        return [
            (c.requester_id, c.addressee_id, c.status)
            for c in s.exec(select(Connection).order_by(Connection.id))
        ]


def notes_of(member) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text).where(
                    Notification.member_id == member.member_id
                )
            )
        )


def connected(asker, other):
    answer(other, ask(asker, other.handle), "accept")


def test_a_request_with_a_note_is_accepted_and_the_graph_gains_the_edge(ada, bo):
    graph = graph_index.index().graph  # loaded before: kept in step after
    request = ask(ada, "@Bob", "We met at SaaStr; I'd love to compare notes.")
    assert state(ada, bo) == "asked" and state(bo, ada) == "asked_me"
    assert notes_of(bo) == [
        'Ada asked to connect: "We met at SaaStr; I\'d love to compare notes."'
    ]
    assert not graph.has_edge(ada.member_id, bo.member_id)
    assert answer(bo, request, "accept") == "accepted"
    assert state(ada, bo) == state(bo, ada) == "connected"
    assert graph.has_edge(ada.member_id, bo.member_id)
    assert graph.strength(ada.member_id, bo.member_id, _now()) > 0
    assert "Bob accepted your request to connect." in notes_of(ada)


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_asking_someone_who_already_asked_me_accepts_their_request(ada, bo):
    ask(ada, "bob")
    ask(bo, "ada")
    assert rows() == [(ada.member_id, bo.member_id, "accepted")]


def test_a_declined_request_still_looks_pending_to_the_asker(ada, bo):
    answer(bo, ask(ada, "bob"), "decline")
    assert state(ada, bo) == "asked"
    assert state(bo, ada) == "none"
    assert not any("declin" in text for text in notes_of(ada))
    with pytest.raises(Conflict, match="already asked"):
        ask(ada, "bob")  # no second nudge to someone who said no
    ask(bo, "ada")  # but Bob may change his mind and ask himself
    assert state(ada, bo) == "asked_me"


@pytest.mark.parametrize(
    "handle, error",
    [
        ("ada", InvalidInput),
        ("", InvalidInput),
        ("nobody-here", NotFound),
        (7, InvalidInput),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(ada, handle, error):
    with pytest.raises(error):
        ask(ada, handle)
    assert rows() == []


def test_a_note_with_markup_or_too_long_is_refused(ada, bo):
    for note in ("<script>x</script>", "x" * 301):
        with pytest.raises(InvalidInput):
            ask(ada, "bob", note)
    assert rows() == []


def test_asking_twice_or_when_connected_is_a_clear_conflict(ada, bo):
    ask(ada, "bob")
    with pytest.raises(Conflict, match="already asked"):
        ask(ada, "bob")
    answer(bo, rows() and _only_id(), "accept")
    with pytest.raises(Conflict, match="already connected"):
        ask(bo, "ada")


def _only_id() -> int:
    with read_only() as s:
        return s.exec(select(Connection.id)).one()


def test_only_the_addressee_can_answer_a_request(ada, bo, cy):
    request = ask(ada, "bob")
    for forger, forged in ((cy, request), (ada, request), (bo, request + 1000)):
        with pytest.raises(NotFound):
            answer(forger, forged, "accept")
    with pytest.raises(InvalidInput):
        answer(bo, request, "maybe")
    assert rows() == [(ada.member_id, bo.member_id, "pending")]


def test_removing_takes_the_edge_out_of_the_graph(ada, bo):
    connected(ada, bo)
    graph = graph_index.index().graph
    assert graph.has_edge(ada.member_id, bo.member_id)
    with unit_of_work() as s:
        connections.remove_connection(s, actor_id=bo.member_id, handle="ada")
    assert not graph.has_edge(ada.member_id, bo.member_id)
    assert state(ada, bo) == "none"
    ask(ada, "bob")  # and they may connect again later
    assert state(bo, ada) == "asked_me"


def test_a_blocked_member_can_not_ask_and_is_not_told_why(ada, bo):
    connected(ada, bo)
    graph = graph_index.index().graph
    with unit_of_work() as s:
        connections.block_member(s, actor_id=ada.member_id, handle="bob")
    assert not graph.has_edge(ada.member_id, bo.member_id)
    with pytest.raises(Conflict, match=r"^You can't connect with this member\.$"):
        ask(bo, "ada")
    with pytest.raises(Conflict, match="unblock them first"):
        ask(ada, "bob")
    assert state(bo, ada) == "unavailable" and state(ada, bo) == "blocked"
    with pytest.raises(NotFound), unit_of_work() as s:
        connections.unblock_member(s, actor_id=bo.member_id, handle="ada")
    with unit_of_work() as s:
        connections.unblock_member(s, actor_id=ada.member_id, handle="bob")
    assert state(bo, ada) == "none"


def test_a_request_shows_the_shared_ground(ada, bo, cy):
    connected(ada, cy)
    connected(bo, cy)
    with unit_of_work() as s:
        for member, tag in ((ada, "pricing"), (bo, "pricing"), (bo, "seo")):
            s.add(MemberTag(member_id=member.member_id, kind="give", tag=tag))
    ask(bo, "ada", "Cyd said we should talk pricing.")
    with read_only() as s:
        (request,) = connections.incoming_requests(s, ada.member_id)
        count = s.exec(select(func.count()).select_from(Connection)).one()
    assert request.shared == "1 mutual connection; both know pricing"
    assert request.mutual == ["Cyd"] and request.note.startswith("Cyd said")
    assert count == 3


def test_a_need_one_side_meets_is_common_ground_not_nothing(ada, bo):
    """ "Nothing in common yet" is never said when a need matches an
    expertise, whichever way round."""
    with unit_of_work() as s:
        for member, kind, tag in (
            (ada, "get", "pricing"),
            (bo, "give", "pricing"),
            (ada, "give", "seo"),
            (bo, "get", "seo"),
        ):
            s.add(MemberTag(member_id=member.member_id, kind=kind, tag=tag))
    ask(bo, "ada")
    with read_only() as s:
        (request,) = connections.incoming_requests(s, ada.member_id)
        ground = connections.shared_ground(s, ada.member_id, bo.member_id)
    assert request.shared == "can help you with pricing; needs seo, which you know"
    assert (ground.they_can_help, ground.i_can_help) == (["pricing"], ["seo"])
