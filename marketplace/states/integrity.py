"""Operators only: the integrity report's findings, and freezing accounts."""

from __future__ import annotations

import reflex as rx

from marketplace.accounts import reauth, standing
from marketplace.accounts.accounts import SignedIn
from marketplace.db import read_only
from marketplace.ledger.integrity import integrity_report
from marketplace.market import engagement_views
from marketplace.states.session import SessionState, member_only


class IntegrityState(SessionState):
    findings: list[dict] = []
    allowed: bool = False
    freeze_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        # read now, not from the remembered session: a demoted operator
        # stops seeing the report at once
        with read_only() as session:
            self.allowed = engagement_views.is_operator(session, member_id)
            report = integrity_report(session) if self.allowed else None
        self.findings = [
            {
                "signal": f.signal.replace("_", " "),
                "member_id": f.member_id,
                "handle": f.handle,
                "detail": f.detail,
                "involved": ", ".join(f"@{h}" for h in f.involved[:8])
                + (f" and {len(f.involved) - 8} more" if len(f.involved) > 8 else ""),
                "frozen": f.frozen,
            }
            for f in (report.findings if report else [])
        ]

    def _recently_confirmed(self, session, member_id: int):
        """An operator who confirmed their password in this session within
        15 minutes (accounts/reauth.py), or NotAuthorized; then `session`."""
        reauth.require_operator(session, member_id=member_id, token=self._token())
        return session

    @rx.event
    def freeze(self, form: dict):
        form = form if isinstance(form, dict) else {}
        attempt = self._attempt(
            lambda session, me: standing.freeze(
                self._recently_confirmed(session, me),
                operator_id=me,
                member_id=_member_id(form.get("member_id")),
                reason=form.get("reason"),
            ),
            "freeze_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success("Frozen: they can no longer spend or give.")

    @rx.event
    def unfreeze(self, member_id: str):
        attempt = self._attempt(
            lambda session, me: standing.unfreeze(
                self._recently_confirmed(session, me),
                operator_id=me,
                member_id=_member_id(member_id),
            ),
            "freeze_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success("Unfrozen.")


def _member_id(value: object) -> object:
    """The form sends text; anything not a plain number stays as it came, for
    the service to refuse."""
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return value
