"""A dispute heard from both sides: the helper answers the asker's reason
once, and the operator's desk shows both statements, the thread and the
timeline, with what each outcome does in the engagement's own currency.
Only an operator reads the desk. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.market import engagement_views, engagements, threads
from marketplace.models import EngagementEvent, Member
from marketplace.states.engagements import DisputesState, EngagementState
from tests.integration.ledger.test_paid_engagements import PAID, book
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.test_state_security import state_of


def disputed(asker, helper, **terms) -> int:
    engagement = propose(helper, post(asker, **terms))
    act(asker, engagement, "accept")
    with unit_of_work() as s:
        threads.post_message(
            s, actor_id=helper.member_id, engagement_id=engagement, body="Sent it!"
        )
    act(helper, engagement, "deliver")
    act(asker, engagement, "dispute", note="Never got the notes")
    return engagement


def answer(actor, engagement_id, statement="I sent them on Monday") -> None:
    with unit_of_work() as s:
        engagements.answer_dispute(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            statement=statement,
        )


def events() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(EngagementEvent)).one()


def make_operator(who) -> None:
    with unit_of_work() as s:
        s.get(Member, who.member_id).is_operator = True


def desk(who) -> DisputesState:
    state = state_of(DisputesState, who.token)
    DisputesState.load.fn(state)
    return state


def test_the_desk_shows_both_sides_the_thread_and_the_timeline(ada, bo, cy):
    engagement = disputed(ada, bo, price=5)
    answer(bo, engagement)
    make_operator(cy)
    [case] = desk(cy).disputes
    assert (case.asker, case.helper) == ("Ada", "Bob")
    assert (case.reason, case.answer) == (
        "Never got the notes",
        "I sent them on Monday",
    )
    assert [m.body for m in case.messages] == ["Sent it!"]
    assert not any(m.mine for m in case.messages)
    assert [t["what"] for t in case.timeline][-2:] == [
        "Disputed",
        "Answered the dispute",
    ]
    assert case.refund_means == "Ada gets the 5 karma held back; Bob gets nothing."
    assert case.release_means == "Bob is paid the 5 karma held by Ada."


def test_both_parties_read_the_helpers_side_on_the_engagement(ada, bo):
    engagement = disputed(ada, bo)
    state = state_of(EngagementState, bo.token, url=f"/engagements/{engagement}")
    EngagementState.load.fn(state)
    assert "Give your side" in state.engagement.hint
    EngagementState.answer_dispute.fn(
        state, {"engagement_id": engagement, "statement": "Sent on Monday"}
    )
    assert state.answer_error == ""
    assert state.engagement.dispute_answer == "Sent on Monday"
    with read_only() as s:
        seen = engagement_views.engagement_view(s, ada.member_id, engagement)
    assert seen.dispute_answer == "Sent on Monday"


@pytest.mark.parametrize(
    "who,statement,refusal",
    [
        ("asker", "My side", NotAuthorized),
        ("stranger", "My side", NotFound),
        ("helper", "   ", InvalidInput),
        ("helper", "<b>loud</b>", InvalidInput),
    ],
)
def test_only_the_helper_answers_with_words(ada, bo, cy, who, statement, refusal):
    engagement = disputed(ada, bo)
    before = events()
    actor = {"asker": ada, "helper": bo, "stranger": cy}[who]
    with pytest.raises(refusal):
        answer(actor, engagement, statement)
    assert events() == before


def test_the_helper_answers_once_and_only_a_dispute(ada, bo):
    engagement = disputed(ada, bo)
    answer(bo, engagement)
    with pytest.raises(Conflict, match="already"):
        answer(bo, engagement, "And another thing")
    calm = propose(bo, post(ada, title="Another question"))
    act(ada, calm, "accept")
    with pytest.raises(Conflict, match="isn't disputed"):
        answer(bo, calm)


def test_a_stranger_calling_the_answer_handler_changes_nothing(ada, bo, cy):
    engagement = disputed(ada, bo)
    before = events()
    state = state_of(EngagementState, cy.token)
    EngagementState.answer_dispute.fn(
        state, {"engagement_id": engagement, "statement": "Bob was great"}
    )
    assert state.answer_error == "No such engagement."
    assert events() == before


def test_a_non_operator_reads_no_desk_and_resolves_nothing(ada, bo, cy):
    engagement = disputed(ada, bo)
    state = desk(bo)  # the helper, who would like it released
    assert state.allowed is False and state.disputes == []
    DisputesState.resolve.fn(
        state, {"engagement_id": engagement, "resolution": "release"}
    )
    assert state.resolve_error == "No such engagement."
    with read_only() as s:
        seen = engagement_views.engagement_view(s, ada.member_id, engagement)
    assert seen.status == "disputed"


def test_the_timeline_is_on_the_readers_clock(ada, bo):
    clock = FixedClock(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    engagement = propose(bo, post(ada))
    act(ada, engagement, "accept", clock=clock)
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "Europe/Berlin"
    with read_only() as s:
        hers = engagement_views.timeline(s, ada.member_id, engagement)
        his = engagement_views.timeline(s, bo.member_id, engagement)
    assert hers[-1]["when"] == "01 Jul 2026, 14:00 CEST"
    assert his[-1]["when"] == "01 Jul 2026, 12:00 UTC"


def test_a_card_payment_dispute_speaks_of_money(ada, bo, cy, stripe_env):
    booked = book(bo, post(ada, kind="offer", **PAID), hours=1)
    act(ada, booked, "accept")
    act(ada, booked, "deliver")
    with read_only() as s:
        view = engagement_views.engagement_view(s, bo.member_id, booked)
    assert "card" in view.dispute_hint and "karma" not in view.dispute_hint
    act(bo, booked, "dispute", note="Half the hour was spent on setup")
    make_operator(cy)
    [case] = desk(cy).disputes
    assert "card" in case.refund_means and "karma" not in case.refund_means
    assert "charged €45.50" in case.release_means
