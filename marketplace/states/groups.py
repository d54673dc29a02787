"""Micro-networks: communities found around me, groups to join, one group."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.network import groups
from marketplace.network.groups import (
    CommunityView,
    FeedItem,
    GroupSummary,
    MemberChip,
)
from marketplace.states.session import SessionState, SignedIn, member_only

NO_GROUP = GroupSummary(0, "", "", "", 0, False, "")


class GroupsState(SessionState):
    communities: list[CommunityView] = []
    groups: list[GroupSummary] = []
    groups_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.groups_error = ""
        self._show_forms("group")
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            self.communities = groups.detected_communities(session, member_id=member_id)
            self.groups = groups.browse_groups(session, member_id)

    def _change(self, work, toast: str):
        attempt = self._attempt(work, "groups_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success(toast)

    @rx.event
    def create(self, form: dict):
        form = form if isinstance(form, dict) else {}
        attempt = self._submit_once(
            "group",
            form,
            lambda s, me: (
                groups.create_group(
                    s,
                    actor_id=me,
                    name=form.get("name"),
                    description=form.get("description", ""),
                ).slug
            ),
            "groups_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        return [
            rx.toast.success("Group created."),
            rx.redirect(routes.group(attempt.result)),
        ]

    @rx.event
    def join(self, group_id: int):
        return self._change(
            lambda s, me: groups.join_group(s, member_id=me, group_id=group_id),
            "Joined.",
        )

    @rx.event
    def leave(self, group_id: int):
        return self._change(
            lambda s, me: groups.leave_group(s, member_id=me, group_id=group_id),
            "Left the group.",
        )


class GroupState(SessionState):
    group: GroupSummary = NO_GROUP
    members: list[MemberChip] = []
    feed: list[FeedItem] = []
    not_found: bool = False
    group_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._refresh(member.id, routes.slug_from_path(self.router.url.path))

    def _refresh(self, member_id: int, slug: str) -> None:
        try:
            with read_only() as session:
                view = groups.group_view(session, member_id, slug)
        except DomainError:
            self.group, self.members, self.feed, self.not_found = NO_GROUP, [], [], True
            return
        self.group, self.members, self.feed = view.group, view.members, view.feed
        self.not_found = False

    def _change(self, work, toast: str):
        attempt = self._attempt(work, "group_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, self.group.slug)
        return rx.toast.success(toast)

    @rx.event
    def join(self):
        group_id = self.group.id
        return self._change(
            lambda s, me: groups.join_group(s, member_id=me, group_id=group_id),
            "Joined.",
        )

    @rx.event
    def leave(self):
        group_id = self.group.id
        return self._change(
            lambda s, me: groups.leave_group(s, member_id=me, group_id=group_id),
            "Left the group.",
        )
