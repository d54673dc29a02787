"""The groups pages' handlers as a hostile browser may call them: joining
and leaving take the member from the session, forged ids are refused."""

from __future__ import annotations

from sqlmodel import select

from marketplace.db import read_only
from marketplace.models import GroupMembership, MemberGroup
from marketplace.states.groups import GroupsState
from tests.integration.forms import posted
from tests.integration.test_state_security import state_of


def memberships() -> list[tuple[int, int]]:
    with read_only() as s:
        return [(m.group_id, m.member_id) for m in s.exec(select(GroupMembership))]


def test_create_join_and_leave_a_group_from_the_page(ada, bo):
    page = state_of(GroupsState, ada.token)
    GroupsState.load.fn(page)
    group = {"name": "SaaS marketers", "description": "Growth"}
    GroupsState.create.fn(page, posted(page, "group", group))
    assert page.groups_error == ""
    with read_only() as s:
        group = s.exec(select(MemberGroup)).one()
    other = state_of(GroupsState, bo.token)
    GroupsState.load.fn(other)
    assert [g.name for g in other.groups] == ["SaaS marketers"]
    GroupsState.join.fn(other, group.id)
    assert (group.id, bo.member_id) in memberships()
    GroupsState.leave.fn(other, group.id)
    assert (group.id, bo.member_id) not in memberships()


def test_bad_names_and_forged_ids_are_refused_and_nothing_changes(ada):
    page = state_of(GroupsState, ada.token)
    GroupsState.load.fn(page)
    for name in ("ab", "x" * 81, None):
        GroupsState.create.fn(page, posted(page, "group", {"name": name}))
        assert page.groups_error != ""
    for forged in (999, "1", None):
        GroupsState.join.fn(page, forged)
        assert page.groups_error != ""
    with read_only() as s:
        assert s.exec(select(MemberGroup)).all() == []
    assert memberships() == []
