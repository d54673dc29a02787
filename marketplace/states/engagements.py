"""Engagement pages: my engagements, one engagement (moves, messages, reviews),
and the operator's dispute desk."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.market import engagement_views, engagements, reviews, threads
from marketplace.market.calls import SlotDay
from marketplace.market.engagement_views import DisputeView, EngagementView
from marketplace.market.threads import MessageView
from marketplace.states import stripe_js
from marketplace.states.session import SessionState, SignedIn, member_only

EMPTY = EngagementView(
    id=0, listing_id=0, title="", status="", status_label="", my_role="",
    other_name="", other_handle="", terms_label="", note="", started="",
    updated="", confirm_due="", dispute_reason="", resolution="",
)  # fmt: skip


def _form(form: object) -> dict:
    return form if isinstance(form, dict) else {}


class EngagementsState(SessionState):
    items: list[EngagementView] = []

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        with read_only() as session:
            self.items = engagement_views.engagements_of(session, member.id)


class EngagementState(SessionState):
    engagement: EngagementView = EMPTY
    timeline: list[dict[str, str]] = []
    messages: list[MessageView] = []
    not_found: bool = False
    action_error: str = ""
    message_error: str = ""
    review_error: str = ""
    answer_error: str = ""
    move_days: list[SlotDay] = []  # free times the call may move to
    move_error: str = ""
    # the engagement whose payment the payer's bank is checking (server only)
    _authenticating: str = ""

    @rx.var
    def listing_url(self) -> str:
        return routes.listing(self.engagement.listing_id)

    @rx.var
    def add_card_url(self) -> str:
        """The wallet's card form, coming back here once a card is saved."""
        return routes.add_card_then(routes.engagement(self.engagement.id))

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.action_error = self.message_error = self.review_error = ""
        self.answer_error = self.move_error = ""
        path_id = routes.id_from_path(self.router.url.path, routes.ENGAGEMENTS)
        self._show_forms("message", "review")
        self._refresh(member.id, path_id)

    def _refresh(self, member_id: int, engagement_id: object) -> None:
        try:
            with read_only() as session:
                self.engagement = engagement_views.engagement_view(
                    session, member_id, engagement_id
                )
                self.timeline = engagement_views.timeline(
                    session, member_id, engagement_id
                )
                self.messages = threads.thread(session, member_id, engagement_id)
                self.move_days = (
                    engagement_views.move_choices(session, member_id, engagement_id)
                    if self.engagement.can_move
                    else []
                )
            self.not_found = False
        except DomainError:
            self.engagement, self.timeline, self.messages = EMPTY, [], []
            self.move_days, self.not_found = [], True

    def _refresh_thread(self, member_id: int, engagement_id: object) -> None:
        """Only the messages: what sending one changes on this page."""
        try:
            with read_only() as session:
                self.messages = threads.thread(session, member_id, engagement_id)
        except DomainError:
            self._refresh(member_id, engagement_id)

    def _run(
        self,
        work,
        error_var: str,
        success: str,
        engagement_id: object,
        once: tuple[str, dict] | None = None,
        thread_only: bool = False,
    ):
        """One service call as the signed-in member, then a fresh view (of
        the thread alone with `thread_only`); `once` names a create form and
        its fields: sent twice, it writes once."""
        if once:
            attempt = self._submit_once(*once, work, error_var)
        else:
            attempt = self._attempt(work, error_var)
        if attempt.refusal is not None:
            return attempt.refusal
        if thread_only:
            self._refresh_thread(attempt.member_id, engagement_id)
        else:
            self._refresh(attempt.member_id, engagement_id)
        return rx.toast.success(success)

    @rx.event
    def act(self, form: dict):
        """accept (with the picked time, for proposed times) / decline / cancel
        / deliver / confirm / dispute or no_show (with a note)."""
        form = _form(form)
        engagement_id, action = form.get("engagement_id"), form.get("action")

        def work(session, member_id):
            engagements.act(
                session,
                actor_id=member_id,
                engagement_id=engagement_id,
                action=action,
                note=form.get("note", ""),
                slot=form.get("slot"),
            )

        attempt = self._attempt(work, "action_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, engagement_id)
        waiting = self.engagement.card_wait  # accepted, but the card held nothing
        if action == "accept" and waiting and self.engagement.status == "proposed":
            if self.engagement.card_step == "authenticate":  # the payer accepted
                return self.authenticate({"engagement_id": engagement_id})
            return rx.toast.warning(waiting)
        return rx.toast.success("Done.")

    @rx.event
    def reschedule(self, form: dict):
        """Move the call to another of the helper's free times; the service
        says whether this party may, now, and to that time."""
        form = _form(form)
        engagement_id = form.get("engagement_id")

        def work(session, member_id):
            engagements.reschedule(
                session,
                actor_id=member_id,
                engagement_id=engagement_id,
                slot=form.get("slot"),
            )

        return self._run(
            work, "move_error", "Moved. They'll get the new time.", engagement_id
        )

    @rx.event
    def authenticate(self, form: dict):
        """The payer opens their bank's check (3-D Secure) for a payment
        the other side's acceptance started."""
        engagement_id = _form(form).get("engagement_id")
        attempt = self._attempt(
            lambda session, me: engagements.authentication_secret(
                session, actor_id=me, engagement_id=engagement_id
            ),
            "action_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        secret, _card = attempt.result
        self._authenticating = str(engagement_id)
        return stripe_js.authenticate(secret, EngagementState.authenticated)

    @rx.event
    def authenticated(self, payment_intent_id: str, error: str):
        """The bank's check is over. What the page says is only a hint:
        the service asks Stripe whether the card is now held."""
        engagement_id, self._authenticating = self._authenticating, ""
        attempt = self._attempt(
            lambda session, me: (
                engagements.payment_authenticated(
                    session, actor_id=me, engagement_id=engagement_id
                ).status
            ),
            "action_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, engagement_id)
        if attempt.result == "accepted":
            return rx.toast.success("Payment confirmed: the engagement has started.")
        message = error if isinstance(error, str) and error else "Not confirmed."
        self.action_error = f"{message} {self.engagement.card_wait}".strip()
        return rx.toast.error(self.action_error)

    @rx.event
    def send_message(self, form: dict):
        form = _form(form)
        engagement_id = form.get("engagement_id")

        def work(session, member_id):
            return threads.post_message(
                session,
                actor_id=member_id,
                engagement_id=engagement_id,
                body=form.get("body"),
            ).id

        return self._run(
            work,
            "message_error",
            "Message sent.",
            engagement_id,
            ("message", form),
            thread_only=True,
        )

    @rx.event
    def review(self, form: dict):
        form = _form(form)
        engagement_id = form.get("engagement_id")

        def work(session, member_id):
            return reviews.leave_review(
                session,
                actor_id=member_id,
                engagement_id=engagement_id,
                rating=form.get("rating"),
                body=form.get("review", ""),
            ).id

        return self._run(
            work,
            "review_error",
            "Thanks for the review.",
            engagement_id,
            ("review", form),
        )

    @rx.event
    def answer_dispute(self, form: dict):
        """The helper gives their side of a dispute, for the operator."""
        form = _form(form)
        engagement_id = form.get("engagement_id")

        def work(session, member_id):
            engagements.answer_dispute(
                session,
                actor_id=member_id,
                engagement_id=engagement_id,
                statement=form.get("statement"),
            )

        return self._run(
            work, "answer_error", "Your side is with the operator.", engagement_id
        )


class DisputesState(SessionState):
    """Operators only: open disputes and their resolution."""

    disputes: list[DisputeView] = []
    allowed: bool = False
    resolve_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        # Read now, not from the remembered session: a demoted operator must
        # stop seeing disputes at once.
        with read_only() as session:
            self.allowed = engagement_views.is_operator(session, member_id)
            self.disputes = (
                engagement_views.disputes(session, member_id) if self.allowed else []
            )

    @rx.event
    def resolve(self, form: dict):
        form = _form(form)
        attempt = self._attempt(
            lambda session, me: engagements.resolve_dispute(
                session,
                operator_id=me,
                engagement_id=form.get("engagement_id"),
                resolution=form.get("resolution"),
                note=form.get("note", ""),
            ),
            "resolve_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success("Dispute resolved.")
