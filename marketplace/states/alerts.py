"""Email alert settings: per kind of event, immediately / daily digest / never."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.inbox import alerts
from marketplace.states.session import SessionState, SignedIn, member_only


@dataclass(frozen=True)
class AlertRow:
    kind: str
    label: str
    choice: str


class AlertsState(SessionState):
    rows: list[AlertRow] = []
    digest_on: bool = False

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._refresh(member.id)

    @rx.event
    @member_only
    def choose(self, member: SignedIn, kind: str, choice: str):
        """Only the signed-in member's own choice changes; the kind and the
        choice are checked by the service (anything else: nothing changes)."""
        try:
            with unit_of_work() as session:
                alerts.choose(session, actor_id=member.id, kind=kind, choice=choice)
        except DomainError as error:
            return rx.toast.error(str(error))
        self._refresh(member.id)
        label = alerts.BY_NAME[kind].label
        return rx.toast.success(f"{label}: {alerts.CHOICE_LABELS[choice].lower()}.")

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            chosen = alerts.choices_of(session, member_id)
            self.digest_on = alerts.digest_on(session, member_id)
        self.rows = [
            AlertRow(kind.name, kind.label, chosen[kind.name]) for kind in alerts.KINDS
        ]
