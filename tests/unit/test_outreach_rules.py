"""Who may start talking to whom, and how much cold outreach one may do."""

from __future__ import annotations

import pytest

from marketplace.domain import outreach
from marketplace.domain.errors import Conflict, InvalidInput
from marketplace.domain.outreach import Distance

FIRST, SECOND, STRANGER = Distance(1), Distance(2), Distance(None)
BROUGHT = Distance(None, brought_together=True)


@pytest.mark.parametrize(
    ("kind", "distance", "required"),
    [
        ("message", SECOND, True),
        ("message", BROUGHT, True),
        ("connection", SECOND, False),
        ("connection", BROUGHT, False),
        ("connection", STRANGER, True),
    ],
)
def test_when_a_reason_is_required(kind, distance, required):
    assert outreach.reason_required(kind, distance) is required
    if required:
        with pytest.raises(InvalidInput, match="reason is required"):
            outreach.check_reason(kind, distance, "  ")
    outreach.check_reason(kind, distance, "We met at the meetup.")


def test_the_weekly_cap_refuses_at_the_cap_and_not_before():
    outreach.check_weekly_cap(24, 25)
    with pytest.raises(Conflict, match="25 requests this week"):
        outreach.check_weekly_cap(25, 25)


def test_nothing_in_common_needs_confirmation():
    assert outreach.needs_confirmation("Nothing in common yet")
    assert not outreach.needs_confirmation("1 mutual connection")


def test_a_conversation_pair_is_ordered_and_never_one_person():
    assert outreach.conversation_pair(7, 3) == (3, 7)
    assert outreach.conversation_pair(3, 7) == (3, 7)
    with pytest.raises(InvalidInput, match="yourself"):
        outreach.conversation_pair(3, 3)


@pytest.mark.parametrize("kind", ["connection", "message"])
def test_known_kinds(kind):
    assert outreach.check_kind(kind) == kind


@pytest.mark.parametrize("kind", ["intro", None, 1])
def test_unknown_kinds_are_refused(kind):
    with pytest.raises(InvalidInput):
        outreach.check_kind(kind)
