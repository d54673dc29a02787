"""The network page: my picture, requests to answer, intros, connections.

Every handler acts as the signed-in member; ids and handles from the browser
only name what to act on, and the services refuse what isn't theirs.
"""

from __future__ import annotations

import reflex as rx

from marketplace.adapters.clock import system_clock
from marketplace.db import read_only
from marketplace.domain.ids import check_id
from marketplace.domain.motivation import BarRow, bar_rows
from marketplace.network import (
    connections,
    contexts,
    graph_views,
    intros,
    motivation,
    nudges,
)
from marketplace.network.connections import RequestView
from marketplace.network.contexts import ContextView
from marketplace.network.graph_views import ConnectionView
from marketplace.network.intros import IntroView
from marketplace.network.nudges import NudgeView
from marketplace.states.session import SessionState, SignedIn, member_only

ANSWER_TOASTS = {
    "accept": "Connected.",
    "decline": "Declined. They won't be told.",
    "ignore": "Ignored.",
}


EGO_CAPTION = (
    "Your network: you in the middle, your connections around you, closer and "
    "thicker when warmer"
)


class NetworkState(SessionState):
    picture: str = ""  # the ego picture's SVG markup (graph_views.ego_svg)
    connections: list[ConnectionView] = []
    incoming: list[RequestView] = []
    outgoing: list[RequestView] = []
    intros: list[IntroView] = []
    network_error: str = ""
    # the motivation graph: help given and received, for me only
    help_by_month: list[BarRow] = []
    help_by_tag: list[BarRow] = []
    balance_label: str = ""
    balance_sentence: str = ""
    going_cold: list[NudgeView] = []  # ties that mattered, fading, and why now
    my_contexts: list[ContextView] = []
    network_contexts: list[ContextView] = []  # what my connections are up to
    context_error: str = ""
    context_form_version: int = 0  # remounts the form after a post

    @rx.var
    def intros_to_make(self) -> list[IntroView]:
        return [
            i
            for i in self.intros
            if i.my_part == "introducer" and i.status == "requested"
        ]

    @rx.var
    def intros_to_answer(self) -> list[IntroView]:
        return [
            i for i in self.intros if i.my_part == "target" and i.status == "forwarded"
        ]

    @rx.var
    def my_intros(self) -> list[IntroView]:
        return [i for i in self.intros if i.my_part == "requester"]

    # The page loads in two steps, each its own delta: what a member sees
    # first (the picture, requests, going cold, intros), then what sits
    # below it. The browser draws the first while the server reads the
    # second (benchmarks/README.md, "Pages").
    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.network_error = ""
        self._show_forms("context")
        with read_only() as session:
            self._read_top(session, member.id)
        yield
        with read_only() as session:
            self._read_below(session, member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            self._read_top(session, member_id)
            self._read_below(session, member_id)

    def _read_top(self, session, member_id: int) -> None:
        nodes, edges = graph_views.ego_picture(session, member_id, system_clock)
        self.picture = graph_views.ego_svg(nodes, edges, EGO_CAPTION)
        self.incoming = connections.incoming_requests(session, member_id)
        self.outgoing = connections.outgoing_requests(session, member_id)
        self.intros = intros.intros_of(session, member_id)
        self.going_cold = nudges.going_cold(session, member_id)

    def _read_below(self, session, member_id: int) -> None:
        self.connections = graph_views.connections_of(session, member_id)
        self._motivation(session, member_id)
        self.my_contexts = contexts.contexts_of(session, member_id)
        self.network_contexts = contexts.recent_contexts_in_network(
            session, member_id, limit=8
        )

    def _motivation(self, session, member_id: int) -> None:
        view = motivation.motivation(
            session, member_id=member_id, viewer_id=member_id, clock=system_clock
        )
        self.help_by_month = bar_rows(
            [(m.month, m.given, m.received) for m in view.months]
        )
        self.help_by_tag = bar_rows([(t.tag, t.given, t.received) for t in view.tags])
        balance = view.balance
        self.balance_label = balance.label if balance else ""
        self.balance_sentence = balance.sentence if balance else ""

    def _act(self, work, toast: str):
        attempt = self._attempt(work, "network_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success(toast)

    @rx.event
    def answer_request(self, connection_id: int, answer: str):
        return self._act(
            lambda session, me: connections.answer_request(
                session, actor_id=me, connection_id=connection_id, answer=answer
            ),
            ANSWER_TOASTS.get(answer, "Done."),
        )

    @rx.event
    def withdraw(self, handle: str):
        return self._act(
            lambda session, me: connections.remove_connection(
                session, actor_id=me, handle=handle
            ),
            "Request withdrawn.",
        )

    @rx.event
    def forward_intro(self, intro_id: int, answer: str):
        return self._act(
            lambda session, me: intros.forward_intro(
                session, actor_id=me, intro_id=intro_id, answer=answer
            ),
            "Introduced. Thank you!" if answer == "forward" else "Let go, kindly.",
        )

    @rx.event
    def introduce(self, form: dict):
        """The introducer forwards an intro, with a note both will see."""
        form = form if isinstance(form, dict) else {}
        return self._act(
            lambda session, me: intros.forward_intro(
                session,
                actor_id=me,
                intro_id=check_id(form.get("intro_id"), "introduction"),
                answer="forward",
                note=form.get("note", ""),
            ),
            "Introduced. Thank you!",
        )

    @rx.event
    def answer_intro(self, intro_id: int, answer: str):
        return self._act(
            lambda session, me: intros.answer_intro(
                session, actor_id=me, intro_id=intro_id, answer=answer
            ),
            "You're connected." if answer == "accept" else "No problem.",
        )

    @rx.event
    def post_context(self, form: dict):
        attempt = self._submit_once(
            "context",
            form,
            lambda session, me: (
                contexts.post_context(session, actor_id=me, form=form).id
            ),
            "context_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        self.context_form_version += 1
        return rx.toast.success(
            "Posted. The people whose expertise fits best are told now; others "
            "within two steps see it among their suggestions."
        )

    @rx.event
    def close_context(self, context_id: int):
        return self._act(
            lambda session, me: contexts.close_context(
                session, actor_id=me, context_id=context_id
            ),
            "Closed.",
        )
