"""An IOU's pure rules: its state is replayed from its events, amounts are whole
points, only its two people act on it, and each action has its own rules."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.domain.errors import InvalidInput, NotAuthorized
from marketplace.domain.ious import (
    MAX_IOU_POINTS,
    Event,
    IouError,
    IouState,
    OverCreditLimit,
    Recorded,
    Status,
    check_accept,
    check_cancel,
    check_debt_room,
    check_points,
    check_reduction,
    replay,
    role_of,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DEBTOR, CREDITOR, STRANGER = 1, 2, 3


def events(*steps: tuple[Event, int]) -> list[Recorded]:
    return [
        Recorded(kind, amount, DEBTOR, T0 + timedelta(days=i))
        for i, (kind, amount) in enumerate(steps)
    ]


PROPOSED = (Event.PROPOSED, 0)
ACKNOWLEDGED = (Event.ACKNOWLEDGED, 0)
ACCEPTED = (Event.ACCEPTED, 0)


def state(status: Status, outstanding: int = 10) -> IouState:
    return IouState(status, 10, outstanding, None)


# --------------------------------------------------------------------------- replay


def test_a_new_iou_waits_for_an_answer_with_everything_outstanding():
    assert replay(10, events(PROPOSED)) == IouState(Status.PROPOSED, 10, 10, None)


def test_an_accepted_iou_is_open():
    assert replay(10, events(PROPOSED, ACCEPTED)).status == Status.OPEN


def test_one_the_debtor_wrote_waits_acknowledged_until_the_creditor_accepts():
    assert replay(10, events(PROPOSED, ACKNOWLEDGED)).status == Status.ACKNOWLEDGED
    assert replay(10, events(PROPOSED, ACKNOWLEDGED, ACCEPTED)).status == Status.OPEN


def test_partial_settlements_shrink_what_is_outstanding_and_keep_it_open():
    history = events(
        PROPOSED, ACCEPTED, (Event.SETTLED_KARMA, 3), (Event.SETTLED_HELP, 2)
    )
    assert replay(10, history) == IouState(Status.OPEN, 10, 5, None)


def test_paying_the_last_point_settles_it():
    history = events(
        PROPOSED, ACCEPTED, (Event.FORGIVEN, 4), (Event.SETTLED_PAYMENT, 6)
    )
    assert replay(10, history) == IouState(Status.SETTLED, 10, 0, None)


def test_forgiving_the_rest_makes_it_forgiven():
    history = events(PROPOSED, ACCEPTED, (Event.SETTLED_KARMA, 3), (Event.FORGIVEN, 7))
    assert replay(10, history) == IouState(Status.FORGIVEN, 10, 0, None)


def test_partial_forgiveness_leaves_it_open():
    history = events(PROPOSED, ACCEPTED, (Event.FORGIVEN, 4))
    assert replay(10, history) == IouState(Status.OPEN, 10, 6, None)


def test_offsets_and_clearing_reduce_it_like_any_settlement():
    history = events(PROPOSED, ACCEPTED, (Event.OFFSET, 4), (Event.CLEARED, 6))
    assert replay(10, history).status == Status.SETTLED


@pytest.mark.parametrize("kind", [Event.DECLINED, Event.CANCELLED])
def test_a_declined_or_withdrawn_proposal_ends_with_nothing_paid(kind):
    assert replay(10, events(PROPOSED, (kind, 0))) == IouState(
        Status(kind.value), 10, 10, None
    )


def test_the_last_reminder_is_remembered():
    history = events(PROPOSED, ACCEPTED, (Event.REMINDED, 0), (Event.REMINDED, 0))
    assert replay(10, history).last_reminded == T0 + timedelta(days=3)


# --------------------------------------------------------------------------- points


@pytest.mark.parametrize("value,points", [(1, 1), (7, 7), ("7", 7), (" 12 ", 12)])
def test_whole_positive_points_are_accepted_also_as_typed_digits(value, points):
    assert check_points(value) == points


def test_the_largest_iou_is_accepted():
    assert check_points(MAX_IOU_POINTS) == MAX_IOU_POINTS


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "more than zero"),
        (-1, "more than zero"),
        ("0", "more than zero"),
        (1.5, "whole number"),
        ("1.5", "whole number"),
        ("-3", "whole number"),
        ("abc", "whole number"),
        ("", "whole number"),
        (None, "whole number"),
        (True, "whole number"),
        ([3], "whole number"),
        (MAX_IOU_POINTS + 1, "at most"),
        (10**30, "at most"),
        ("9" * 40, "whole number"),
    ],
)
def test_anything_else_is_refused_with_a_reason(value, message):
    with pytest.raises(InvalidInput, match=message):
        check_points(value)


# --------------------------------------------------------------------------- roles


def test_the_two_people_have_their_roles():
    assert role_of(DEBTOR, DEBTOR, CREDITOR) == "debtor"
    assert role_of(CREDITOR, DEBTOR, CREDITOR) == "creditor"


def test_a_third_member_has_no_role():
    with pytest.raises(NotAuthorized):
        role_of(STRANGER, DEBTOR, CREDITOR)


# --------------------------------------------------------------------------- answers


def test_only_the_debtor_accepts_a_proposal():
    check_accept(state(Status.PROPOSED), "debtor")
    with pytest.raises(NotAuthorized, match="person who owes"):
        check_accept(state(Status.PROPOSED), "creditor")


def test_only_the_creditor_accepts_what_the_debtor_acknowledged():
    check_accept(state(Status.ACKNOWLEDGED), "creditor")
    with pytest.raises(NotAuthorized, match="person owed"):
        check_accept(state(Status.ACKNOWLEDGED), "debtor")


def test_the_debtor_may_withdraw_their_acknowledgement_while_it_waits():
    check_cancel(state(Status.ACKNOWLEDGED), DEBTOR, DEBTOR)
    with pytest.raises(NotAuthorized):
        check_cancel(state(Status.ACKNOWLEDGED), CREDITOR, DEBTOR)


@pytest.mark.parametrize(
    ("limit", "owed", "amount"),
    [(10, 0, 10), (10, 7, 3), (None, 10**9, 10**5), (0, 0, 0)],
)
def test_debt_within_the_limit_is_allowed(limit, owed, amount):
    check_debt_room(limit, owed, amount)


@pytest.mark.parametrize(
    ("limit", "owed", "amount", "message"),
    [
        (0, 0, 1, "Your credit limit is 0 karma"),
        (10, 7, 4, "at most 10 karma in IOUs (your credit limit) and already owe "
         "7: you can take on at most 3 more"),
        (10, 15, 1, "already owe 15: you can take on at most 0 more"),
    ],
)  # fmt: skip
def test_debt_past_the_limit_is_refused_saying_how_much_room_is_left(
    limit, owed, amount, message
):
    with pytest.raises(OverCreditLimit, match=re.escape(message)):
        check_debt_room(limit, owed, amount)


@pytest.mark.parametrize(
    "status", [Status.OPEN, Status.DECLINED, Status.CANCELLED, Status.SETTLED]
)
def test_an_answered_iou_cannot_be_accepted_again(status):
    with pytest.raises(IouError, match="not waiting"):
        check_accept(state(status), "debtor")


def test_only_the_proposer_withdraws_and_only_while_it_waits():
    check_cancel(state(Status.PROPOSED), CREDITOR, CREDITOR)
    with pytest.raises(NotAuthorized, match="proposed"):
        check_cancel(state(Status.PROPOSED), DEBTOR, CREDITOR)
    with pytest.raises(IouError, match="no longer be withdrawn"):
        check_cancel(state(Status.OPEN), CREDITOR, CREDITOR)


# --------------------------------------------------------------------------- reductions


@pytest.mark.parametrize(
    "kind,role",
    [
        (Event.SETTLED_KARMA, "debtor"),
        (Event.SETTLED_HELP, "creditor"),
        (Event.SETTLED_PAYMENT, "creditor"),
        (Event.FORGIVEN, "creditor"),
        (Event.OFFSET, "debtor"),
        (Event.CLEARED, "creditor"),
    ],
)
def test_each_settlement_is_recorded_by_its_own_side(kind, role):
    check_reduction(state(Status.OPEN), kind, role, 10)


@pytest.mark.parametrize(
    "kind,role",
    [
        (Event.SETTLED_KARMA, "creditor"),
        (Event.SETTLED_HELP, "debtor"),
        (Event.SETTLED_PAYMENT, "debtor"),
        (Event.FORGIVEN, "debtor"),
    ],
)
def test_the_other_side_may_not_record_it(kind, role):
    with pytest.raises(NotAuthorized, match="Only the person"):
        check_reduction(state(Status.OPEN), kind, role, 1)


@pytest.mark.parametrize(
    "status",
    [Status.PROPOSED, Status.SETTLED, Status.FORGIVEN, Status.DECLINED],
)
def test_only_an_open_iou_can_be_settled(status):
    with pytest.raises(IouError, match="nothing is outstanding"):
        check_reduction(state(status), Event.FORGIVEN, "creditor", 1)


def test_settling_more_than_is_outstanding_is_refused():
    with pytest.raises(InvalidInput, match="Only 4 karma is outstanding"):
        check_reduction(state(Status.OPEN, 4), Event.SETTLED_KARMA, "debtor", 5)
