"""The IOU page: what I owe, what I am owed, and every action on them."""

from __future__ import annotations

import uuid

import reflex as rx

from marketplace.adapters.clock import system_clock
from marketplace.db import read_only
from marketplace.ious import clearing, ious
from marketplace.ious.clearing import MyClearing
from marketplace.ious.ious import IouView, OffsetView
from marketplace.states.session import SessionState, SignedIn, member_only


class IousState(SessionState):
    owed_by_me: list[IouView] = []
    owed_to_me: list[IouView] = []
    nets: list[dict[str, str | int | bool]] = []
    offsets: list[OffsetView] = []
    clearings: list[MyClearing] = []
    in_clearing: bool = True
    propose_error: str = ""
    action_error: str = ""
    # posted back with the settle form: a resent form settles once
    form_key: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.propose_error = self.action_error = ""
        self._show_forms("iou", "settlement")
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            views = ious.ious_of(session, member_id, today=system_clock.now().date())
            nets = ious.net_by_person(session, member_id)
            self.offsets = ious.offsets_for(session, member_id)
            self.clearings = clearing.clearings_of(session, member_id)
            self.in_clearing = not clearing.opted_out(session, member_id)
        self.owed_by_me = [v for v in views if v.my_role == "debtor"]
        self.owed_to_me = [v for v in views if v.my_role == "creditor"]
        self.nets = [
            {
                "name": n.other_name,
                "handle": n.other_handle,
                "i_owe": n.i_owe,
                "owed_to_me": n.owed_to_me,
                "net": n.net,
                "can_offset": n.can_offset,
            }
            for n in nets
        ]
        self.form_key = uuid.uuid4().hex

    def _act(self, action, success: str, once: tuple[str, dict] | None = None, **kw):
        """Run one IOU service as the signed-in member, then refresh; `once`
        names a create form and its fields: sent twice, it writes once."""
        if once:
            form, fields = once
            attempt = self._submit_once(
                form,
                fields,
                lambda s, me: action(s, actor_id=me, **kw).id,
                "action_error",
            )
        else:
            attempt = self._attempt(
                lambda s, me: action(s, actor_id=me, **kw), "action_error"
            )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success(success)

    @rx.event
    def propose(self, form: dict):
        form = form if isinstance(form, dict) else {}
        result = self._act(
            ious.propose_iou,
            "IOU written down: it counts once they accept.",
            ("iou", form),
            counterpart=form.get("counterpart"),
            direction=form.get("direction"),
            amount=form.get("amount"),
            note=form.get("note", ""),
            due_on=form.get("due_on") or None,
        )
        self.propose_error, self.action_error = self.action_error, ""
        return result

    # Accept and decline answer an IOU the other person wrote: the debtor a
    # creditor's proposal, the creditor a debtor's acknowledgement. The
    # service decides who may, from the IOU's row; an id that is not one of
    # the member's IOUs is "No such IOU."
    @rx.event
    @member_only
    def accept(self, member: SignedIn, iou_id: int):
        return self._act(ious.accept_iou, "IOU accepted.", iou_id=iou_id)

    @rx.event
    @member_only
    def decline(self, member: SignedIn, iou_id: int):
        return self._act(ious.decline_iou, "IOU declined.", iou_id=iou_id)

    @rx.event
    @member_only
    def cancel(self, member: SignedIn, iou_id: int):
        return self._act(ious.cancel_iou, "IOU withdrawn.", iou_id=iou_id)

    @rx.event
    def propose_offset(self, handle: str):
        return self._act(
            ious.propose_offset,
            "Offset proposed; it happens when they agree.",
            counterpart=handle,
        )

    @rx.event
    def accept_offset(self, proposal_id: int):
        return self._act(
            ious.answer_offset,
            "Offset done: your mutual debt is cancelled.",
            proposal_id=proposal_id,
            accept=True,
        )

    @rx.event
    def decline_offset(self, proposal_id: int):
        return self._act(
            ious.answer_offset,
            "Offset declined.",
            proposal_id=proposal_id,
            accept=False,
        )

    @rx.event
    def set_in_clearing(self, included: bool):
        if not isinstance(included, bool):
            return rx.toast.error("Choose to opt in or out.")
        return self._act(
            clearing.set_clearing_opt_out,
            "Your IOUs take part in clearing."
            if included
            else "Your IOUs stay out of clearing.",
            opt_out=not included,
        )

    @rx.event
    def settle(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._act(
            ious.settle_in_karma,
            "Paid in karma. Thank you!",
            iou_id=_int(form.get("iou_id")),
            amount=form.get("amount"),
            key=form.get("key"),
        )

    @rx.event
    def record(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._act(
            ious.record_settlement,
            "Recorded.",
            ("settlement", form),
            iou_id=_int(form.get("iou_id")),
            kind=form.get("kind"),
            amount=form.get("amount") or None,
            note=form.get("note", ""),
        )


def _int(value: object) -> object:
    """Form fields arrive as text; anything not a plain number stays as it is
    and the service refuses it."""
    if isinstance(value, str) and value.isdecimal() and len(value) < 12:
        return int(value)
    return value
