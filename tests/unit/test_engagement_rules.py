"""The engagement's one rule, `move`: every arrow of the lifecycle, who may take
it, and a clear refusal for everything else.

    proposed -> accepted -> delivered -> confirmed
        \\           \\            \\-> disputed -> resolved
         \\-> declined  \\-> cancelled

The table below is written from the design notes, not copied from the module,
so a changed arrow in domain/engagements.py shows up here as a failure.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.engagements import (
    OPEN,
    REVIEWABLE,
    TAKES_A_SPOT,
    Action,
    Role,
    Status,
    already_done,
    check_resolution,
    move,
    parse_action,
)
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized

S, A, R = Status, Action, Role
ASKER, HELPER, OPERATOR, SYSTEM = R.ASKER, R.HELPER, R.OPERATOR, R.SYSTEM
PARTIES = (ASKER, HELPER)
PROPOSERS = (ASKER, HELPER)


def _other(proposer: Role) -> Role:
    return HELPER if proposer == ASKER else ASKER


def legal_target(status, action, role, proposer) -> Status | None:
    """The design's lifecycle, written out by hand: the status after the move,
    or None when the move is not allowed (for any reason)."""
    arrows = {
        (S.PROPOSED, A.ACCEPT): (S.ACCEPTED, {_other(proposer)}),
        (S.PROPOSED, A.DECLINE): (S.DECLINED, {_other(proposer)}),
        (S.PROPOSED, A.CANCEL): (S.CANCELLED, {proposer}),
        (S.ACCEPTED, A.CANCEL): (S.CANCELLED, {ASKER, HELPER}),
        (S.ACCEPTED, A.DELIVER): (S.DELIVERED, {HELPER}),
        (S.DELIVERED, A.CONFIRM): (S.CONFIRMED, {ASKER}),
        (S.DELIVERED, A.DISPUTE): (S.DISPUTED, {ASKER}),
        (S.DELIVERED, A.AUTO_CONFIRM): (S.CONFIRMED, {SYSTEM}),
        (S.DISPUTED, A.RESOLVE): (S.RESOLVED, {OPERATOR}),
        # calls: either side reports a no-show; unanswered times expire
        (S.ACCEPTED, A.NO_SHOW): (S.DISPUTED, {ASKER, HELPER}),
        (S.PROPOSED, A.EXPIRE): (S.CANCELLED, {SYSTEM}),
    }
    target, who = arrows.get((status, action), (None, set()))
    return target if role in who else None


def status_allows(status, action) -> bool:
    """Whether anybody at all may take `action` from `status`."""
    return any(
        legal_target(status, action, role, proposer) is not None
        for role in Role
        for proposer in PROPOSERS
    )


# ------------------------------------------------------------------- the happy paths


@pytest.mark.parametrize("proposer", PROPOSERS)
def test_the_other_person_accepts_or_declines_a_proposal(proposer):
    other = _other(proposer)
    assert move(S.PROPOSED, A.ACCEPT, other, proposer) == S.ACCEPTED
    assert move(S.PROPOSED, A.DECLINE, other, proposer) == S.DECLINED


@pytest.mark.parametrize("proposer", PROPOSERS)
def test_the_proposer_may_withdraw_a_proposal_while_it_waits(proposer):
    assert move(S.PROPOSED, A.CANCEL, proposer, proposer) == S.CANCELLED


@pytest.mark.parametrize(("role", "proposer"), itertools.product(PARTIES, PROPOSERS))
def test_either_party_may_cancel_after_acceptance(role, proposer):
    assert move(S.ACCEPTED, A.CANCEL, role, proposer) == S.CANCELLED


def test_the_helper_delivers_then_the_asker_confirms_or_disputes():
    assert move(S.ACCEPTED, A.DELIVER, HELPER, ASKER) == S.DELIVERED
    assert move(S.DELIVERED, A.CONFIRM, ASKER, ASKER) == S.CONFIRMED
    assert move(S.DELIVERED, A.DISPUTE, ASKER, HELPER) == S.DISPUTED


def test_an_operator_resolves_a_dispute_and_the_clock_confirms_a_quiet_delivery():
    assert move(S.DISPUTED, A.RESOLVE, OPERATOR, None) == S.RESOLVED
    assert move(S.DELIVERED, A.AUTO_CONFIRM, SYSTEM, None) == S.CONFIRMED


# ------------------------------------------------------------------------ who may act


@pytest.mark.parametrize("proposer", PROPOSERS)
def test_nobody_accepts_or_declines_their_own_proposal(proposer):
    for action in (A.ACCEPT, A.DECLINE):
        with pytest.raises(NotAuthorized, match="Only the other person"):
            move(S.PROPOSED, action, proposer, proposer)


@pytest.mark.parametrize("proposer", PROPOSERS)
def test_the_one_who_did_not_propose_cannot_withdraw_it(proposer):
    with pytest.raises(NotAuthorized, match="Only the person who proposed"):
        move(S.PROPOSED, A.CANCEL, _other(proposer), proposer)


def test_the_asker_cannot_deliver_and_the_helper_cannot_confirm_or_dispute():
    with pytest.raises(NotAuthorized, match="Only the helper"):
        move(S.ACCEPTED, A.DELIVER, ASKER, ASKER)
    for action in (A.CONFIRM, A.DISPUTE):
        with pytest.raises(NotAuthorized, match="Only the person who asked"):
            move(S.DELIVERED, action, HELPER, ASKER)


@pytest.mark.parametrize("role", PARTIES)
def test_a_party_cannot_resolve_a_dispute_or_confirm_in_the_clocks_place(role):
    with pytest.raises(NotAuthorized, match="operator"):
        move(S.DISPUTED, A.RESOLVE, role, ASKER)
    with pytest.raises(NotAuthorized, match="scheduler"):
        move(S.DELIVERED, A.AUTO_CONFIRM, role, ASKER)


@pytest.mark.parametrize("outsider", [OPERATOR, SYSTEM])
def test_operators_and_the_clock_take_no_part_in_the_parties_moves(outsider):
    for status, action in [
        (S.PROPOSED, A.ACCEPT),
        (S.PROPOSED, A.DECLINE),
        (S.PROPOSED, A.CANCEL),
        (S.ACCEPTED, A.CANCEL),
        (S.ACCEPTED, A.DELIVER),
        (S.DELIVERED, A.CONFIRM),
        (S.DELIVERED, A.DISPUTE),
    ]:
        with pytest.raises(NotAuthorized):
            move(status, action, outsider, ASKER)


# --------------------------------------------------------------------- out of order


@pytest.mark.parametrize("status", [S.DECLINED, S.CANCELLED, S.CONFIRMED, S.RESOLVED])
def test_a_finished_engagement_makes_no_more_moves(status):
    for action, role in itertools.product(Action, Role):
        with pytest.raises(Conflict, match=f"This engagement is {status}"):
            move(status, action, role, ASKER)


def test_a_refused_move_out_of_order_says_where_the_engagement_stands():
    with pytest.raises(Conflict) as refused:
        move(S.CONFIRMED, A.CANCEL, ASKER, ASKER)
    assert str(refused.value) == (
        "This engagement is confirmed; it can't be cancelled now."
    )


def test_order_is_checked_before_identity_so_nothing_leaks_about_roles():
    # the helper may deliver, but not before acceptance: a conflict, not "only..."
    with pytest.raises(Conflict):
        move(S.PROPOSED, A.DELIVER, HELPER, ASKER)
    with pytest.raises(Conflict):
        move(S.ACCEPTED, A.CONFIRM, HELPER, ASKER)


# ---------------------------------------------------------- every move, checked whole


@pytest.mark.parametrize(("status", "action"), itertools.product(Status, Action))
def test_every_move_by_everyone_matches_the_lifecycle_in_the_design(status, action):
    for role, proposer in itertools.product(Role, PROPOSERS):
        expected = legal_target(status, action, role, proposer)
        if expected is not None:
            assert move(status, action, role, proposer) == expected
            continue
        refusal = NotAuthorized if status_allows(status, action) else Conflict
        with pytest.raises(refusal):
            move(status, action, role, proposer)


@given(
    path=st.lists(
        st.tuples(st.sampled_from(Action), st.sampled_from(Role)), max_size=12
    ),
    proposer=st.sampled_from(PROPOSERS),
)
def test_any_sequence_of_attempts_only_ever_walks_the_arrows(path, proposer):
    status = S.PROPOSED
    for action, role in path:
        expected = legal_target(status, action, role, proposer)
        try:
            status = move(status, action, role, proposer)
        except (Conflict, NotAuthorized):
            assert expected is None
        else:
            assert status == expected
    assert status in set(Status)


def test_the_status_groups_agree_with_the_lifecycle():
    assert {S.PROPOSED, S.ACCEPTED, S.DELIVERED, S.DISPUTED} == OPEN
    assert {S.CONFIRMED, S.RESOLVED} == REVIEWABLE
    # a proposal does not take a spot; declined and cancelled give theirs back
    assert S.PROPOSED not in TAKES_A_SPOT
    assert not TAKES_A_SPOT & {S.DECLINED, S.CANCELLED}
    assert {S.ACCEPTED, S.DELIVERED, S.DISPUTED} == TAKES_A_SPOT & OPEN


# ------------------------------------------------------------------------ the inputs


@pytest.mark.parametrize("action", [a.value for a in Action])
def test_every_known_action_name_parses(action):
    assert parse_action(action) == Action(action)


@given(
    st.one_of(
        st.text().filter(lambda t: t not in {a.value for a in Action}),
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(allow_nan=False),
        st.lists(st.text(), max_size=2),
        st.dictionaries(st.text(), st.text(), max_size=2),
    )
)
def test_anything_else_sent_as_an_action_is_refused_as_invalid(value):
    with pytest.raises(InvalidInput, match="Unknown action"):
        parse_action(value)


@pytest.mark.parametrize("outcome", ["refund", "release"])
def test_a_dispute_ends_in_a_refund_or_a_release(outcome):
    assert check_resolution(outcome) == outcome


@pytest.mark.parametrize(
    "value", ["", "Refund", "refund ", "split", None, 1, True, ["refund"], {"r": 1}]
)
def test_any_other_resolution_is_refused(value):
    with pytest.raises(InvalidInput, match="refund"):
        check_resolution(value)


# ------------------------------------------------------------- a move made twice


def test_a_move_its_maker_repeats_is_already_done():
    """A double-clicked Confirm finds the engagement confirmed: nothing left to
    do, and it reports success rather than "can't be confirmed now"."""
    assert already_done(S.CONFIRMED, A.CONFIRM, ASKER, HELPER)
    assert already_done(S.ACCEPTED, A.ACCEPT, HELPER, ASKER)
    assert already_done(S.CANCELLED, A.CANCEL, HELPER, ASKER)  # either may cancel
    assert already_done(S.DELIVERED, A.DELIVER, HELPER, ASKER)


def test_only_someone_who_could_have_made_the_move_finds_it_done():
    assert not already_done(S.CONFIRMED, A.CONFIRM, HELPER, ASKER)
    assert not already_done(S.ACCEPTED, A.ACCEPT, ASKER, ASKER)  # own proposal
    assert not already_done(S.RESOLVED, A.RESOLVE, ASKER, ASKER)
    assert not already_done(S.DISPUTED, A.CONFIRM, ASKER, ASKER)  # another end


@pytest.mark.parametrize(("status", "action"), itertools.product(Status, Action))
def test_already_done_means_the_design_leads_there_for_that_role(status, action):
    for role, proposer in itertools.product(Role, PROPOSERS):
        leads_there = any(
            legal_target(source, action, role, proposer) == status for source in S
        )
        assert already_done(status, action, role, proposer) == leads_there
