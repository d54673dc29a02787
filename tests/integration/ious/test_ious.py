"""IOUs as two members live them -- write one down, answer, pay, forgive, offset --
and as a third member or a hostile browser tries to meddle: refused, nothing
written. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError, InvalidInput, NotAuthorized, NotFound
from marketplace.domain.ious import IouError
from marketplace.domain.ledger import IdempotencyConflict, InsufficientKarma
from marketplace.ious import ious
from marketplace.ledger.audit import audit_ledger
from marketplace.models import Iou, IouEvent, LedgerTransfer, OffsetProposal
from marketplace.states.ious import IousState
from marketplace.states.session import FORM_KEY
from tests.integration.forms import posted
from tests.integration.ledger.test_wallet import available, member
from tests.integration.test_state_security import state_of
from tests.members import credit_limit

# --------------------------------------------------------------------------- helpers


def do(action, actor, **kwargs):
    """One IOU service call as `actor`, in its own unit of work."""
    with unit_of_work() as s:
        return action(s, actor_id=actor.member_id, **kwargs)


def write(actor, counterpart, direction, amount=8, **kwargs) -> int:
    iou = do(
        ious.propose_iou,
        actor,
        counterpart=counterpart,
        direction=direction,
        amount=amount,
        **kwargs,
    )
    return iou.id


def open_iou(creditor, debtor, amount=8, **kwargs) -> int:
    """An IOU the debtor wrote down and the creditor accepted."""
    iou_id = write(debtor, creditor.handle, "i_owe", amount, **kwargs)
    clock = {"clock": kwargs["clock"]} if "clock" in kwargs else {}
    do(ious.accept_iou, creditor, iou_id=iou_id, **clock)
    return iou_id


def iou(iou_id: int) -> tuple[str, int]:
    with read_only() as s:
        row = s.get(Iou, iou_id)
        return row.status, row.outstanding


def history(actor, iou_id: int) -> list[str]:
    with read_only() as s:
        return ious.history_of(s, actor_id=actor.member_id, iou_id=iou_id)


def world(*people) -> tuple:
    """Everything an IOU action could change: IOUs, their events, offsets,
    transfers, and the people's karma."""
    with read_only() as s:
        rows = s.exec(select(Iou.id, Iou.status, Iou.outstanding)).all()
        counts = [
            s.exec(select(func.count()).select_from(table)).one()
            for table in (IouEvent, OffsetProposal, LedgerTransfer)
        ]
    return sorted(rows), counts, [available(p.member_id) for p in people]


def refused(error, action, actor, **kwargs) -> str:
    with pytest.raises(error) as raised:
        do(action, actor, **kwargs)
    return str(raised.value)


@pytest.fixture
def ada_bob_cara(engine):
    """Three members, each with room to owe in IOUs (test_iou_limits.py is
    about the limit itself)."""
    people = member("ada"), member("bob"), member("cara")
    for person in people:
        credit_limit(person.member_id, 1_000)
    return people


# --------------------------------------------------------------------------- answering


def test_an_iou_owed_to_me_waits_for_the_debtor(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = write(ada, "bob", "owes_me", 8, note="Intro to your design lead")

    assert iou(iou_id) == ("proposed", 8)
    with read_only() as s:
        [mine] = ious.ious_of(s, ada.member_id, today=date.today())
        [theirs] = ious.ious_of(s, bob.member_id, today=date.today())
    assert (mine.my_role, mine.proposed_by_me, mine.waiting_for_me) == (
        "creditor",
        True,
        False,
    )
    assert (theirs.my_role, theirs.waiting_for_me, theirs.other_name) == (
        "debtor",
        True,
        "Ada",
    )
    assert theirs.note == "Intro to your design lead"


def test_only_the_debtor_can_accept(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    iou_id = write(ada, "bob", "owes_me")
    before = world(ada, bob, cara)

    refused(NotAuthorized, ious.accept_iou, ada, iou_id=iou_id)
    refused(NotFound, ious.accept_iou, cara, iou_id=iou_id)
    assert world(ada, bob, cara) == before

    do(ious.accept_iou, bob, iou_id=iou_id)
    assert iou(iou_id) == ("open", 8)
    refused(IouError, ious.accept_iou, bob, iou_id=iou_id)  # not twice


def test_an_iou_i_owe_waits_for_the_creditor_to_accept(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = write(bob, "@Ada", "i_owe", "5")
    assert iou(iou_id) == ("acknowledged", 5)
    with read_only() as s:
        [mine] = ious.ious_of(s, bob.member_id, today=date.today())
        [theirs] = ious.ious_of(s, ada.member_id, today=date.today())
    assert (mine.waiting_for_me, mine.status_label) == (
        False,
        "acknowledged by the debtor",
    )
    assert (theirs.my_role, theirs.waiting_for_me) == ("creditor", True)

    refused(NotAuthorized, ious.accept_iou, bob, iou_id=iou_id)  # not his to say
    do(ious.accept_iou, ada, iou_id=iou_id)
    assert iou(iou_id) == ("open", 5)
    assert [line.split(": ")[1] for line in history(ada, iou_id)] == [
        "Proposed by Bob",
        "Acknowledged by Bob",
        "Accepted by Ada",
    ]


def test_the_creditor_can_decline_what_the_debtor_acknowledged(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = write(bob, "ada", "i_owe", 5)
    do(ious.decline_iou, ada, iou_id=iou_id)
    assert iou(iou_id) == ("declined", 5)
    refused(IouError, ious.accept_iou, ada, iou_id=iou_id)


def test_the_debtor_can_decline_and_then_it_cannot_be_accepted(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = write(ada, "bob", "owes_me")
    do(ious.decline_iou, bob, iou_id=iou_id)
    assert iou(iou_id) == ("declined", 8)
    refused(IouError, ious.accept_iou, bob, iou_id=iou_id)


def test_only_the_proposer_can_withdraw_and_only_before_an_answer(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = write(ada, "bob", "owes_me")
    refused(NotAuthorized, ious.cancel_iou, bob, iou_id=iou_id)
    do(ious.cancel_iou, ada, iou_id=iou_id)
    assert iou(iou_id) == ("cancelled", 8)

    acknowledged = write(bob, "ada", "i_owe")
    refused(NotAuthorized, ious.cancel_iou, ada, iou_id=acknowledged)
    do(ious.cancel_iou, bob, iou_id=acknowledged)  # not accepted yet: he may
    assert iou(acknowledged) == ("cancelled", 8)

    counted = open_iou(ada, bob)
    refused(IouError, ious.cancel_iou, bob, iou_id=counted)


# --------------------------------------------------------------------------- karma


def test_paying_in_karma_moves_it_between_the_two_wallets(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)

    do(ious.settle_in_karma, bob, iou_id=iou_id, amount="3", key="pay-1")

    assert (available(ada.member_id), available(bob.member_id)) == (3, -3)
    assert iou(iou_id) == ("open", 5)
    assert history(ada, iou_id)[-1].endswith("Settled in karma, 3 karma (Bob)")
    do(ious.settle_in_karma, bob, iou_id=iou_id, amount=5, key="pay-2")
    assert iou(iou_id) == ("settled", 0)
    assert (available(ada.member_id), available(bob.member_id)) == (8, -8)
    with read_only() as s:
        assert audit_ledger(s).ok


@pytest.mark.parametrize("amount", [3, 8])  # part of it, all of it
def test_a_resent_payment_pays_once(ada_bob_cara, amount):
    ada, bob, _ = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)
    do(ious.settle_in_karma, bob, iou_id=iou_id, amount=amount, key="same-form")
    do(ious.settle_in_karma, bob, iou_id=iou_id, amount=amount, key="same-form")

    assert available(bob.member_id) == -amount  # on credit
    assert available(ada.member_id) == amount
    assert iou(iou_id)[1] == 8 - amount
    assert sum("Settled in karma" in line for line in history(bob, iou_id)) == 1


def test_the_same_form_key_with_another_amount_is_refused(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)
    do(ious.settle_in_karma, bob, iou_id=iou_id, amount=3, key="same-form")
    refused(
        IdempotencyConflict,
        ious.settle_in_karma,
        bob,
        iou_id=iou_id,
        amount=4,
        key="same-form",
    )
    assert iou(iou_id) == ("open", 5)
    assert available(bob.member_id) == -3


def test_paying_more_than_is_outstanding_or_than_i_have_is_refused(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    small, large = open_iou(ada, bob, 4), open_iou(ada, bob, 40)
    credit_limit(bob.member_id, 0)  # he may not go below zero to pay
    before = world(ada, bob, cara)

    message = refused(
        InvalidInput, ious.settle_in_karma, bob, iou_id=small, amount=5, key="k1"
    )
    assert "Only 4 karma is outstanding" in message
    refused(
        InsufficientKarma, ious.settle_in_karma, bob, iou_id=large, amount=11, key="k2"
    )
    assert world(ada, bob, cara) == before


def test_only_the_debtor_pays_in_karma(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    iou_id = open_iou(ada, bob)
    before = world(ada, bob, cara)
    refused(NotAuthorized, ious.settle_in_karma, ada, iou_id=iou_id, amount=3, key="k")
    assert world(ada, bob, cara) == before


def test_a_proposal_cannot_be_paid_before_it_is_accepted(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    iou_id = write(ada, "bob", "owes_me")
    before = world(ada, bob, cara)
    refused(IouError, ious.settle_in_karma, bob, iou_id=iou_id, amount=3, key="k")
    assert world(ada, bob, cara) == before


# --------------------------------------------------------------------------- recorded


def test_the_creditor_records_help_payment_and_forgives_the_rest(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)

    do(ious.record_settlement, ada, iou_id=iou_id, kind="settled_help", amount=2)
    do(ious.record_settlement, ada, iou_id=iou_id, kind="settled_payment", amount="3")
    assert iou(iou_id) == ("open", 3)

    do(ious.record_settlement, ada, iou_id=iou_id, kind="forgiven", amount=None)
    assert iou(iou_id) == ("forgiven", 0)
    assert [line.split(": ")[1] for line in history(bob, iou_id)[3:]] == [
        "Settled by return help, 2 karma (Ada)",
        "Settled by payment, 3 karma (Ada)",
        "Forgiven, 3 karma (Ada)",
    ]
    assert (available(ada.member_id), available(bob.member_id)) == (0, 0)


def test_a_full_payment_recorded_settles_it(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)
    do(ious.record_settlement, ada, iou_id=iou_id, kind="settled_payment", amount="")
    assert iou(iou_id) == ("settled", 0)


def test_the_debtor_cannot_forgive_or_record_their_own_settlement(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    iou_id = open_iou(ada, bob)
    before = world(ada, bob, cara)
    for kind in ("forgiven", "settled_help", "settled_payment"):
        refused(
            NotAuthorized,
            ious.record_settlement,
            bob,
            iou_id=iou_id,
            kind=kind,
            amount=1,
        )
    assert world(ada, bob, cara) == before


@pytest.mark.parametrize(
    "kind,amount",
    [
        ("settled_karma", 1),  # karma moves only through the debtor's payment
        ("offset", 1),
        ("cleared", 1),
        ("sideways", 1),
        (["forgiven"], 1),
        (None, 1),
        ("forgiven", 0),
        ("forgiven", "1.5"),
        ("forgiven", 9),
    ],
)
def test_bad_settlements_are_refused(ada_bob_cara, kind, amount):
    ada, bob, cara = ada_bob_cara
    iou_id = open_iou(ada, bob, 8)
    before = world(ada, bob, cara)
    refused(
        InvalidInput,
        ious.record_settlement,
        ada,
        iou_id=iou_id,
        kind=kind,
        amount=amount,
    )
    assert world(ada, bob, cara) == before


# --------------------------------------------------------------------------- strangers

THIRD_PARTY_ACTIONS = [
    (ious.accept_iou, {}),
    (ious.decline_iou, {}),
    (ious.cancel_iou, {}),
    (ious.settle_in_karma, {"amount": 3, "key": "cara-pays"}),
    (ious.record_settlement, {"kind": "forgiven", "amount": 3}),
    (ious.record_settlement, {"kind": "settled_help", "amount": None}),
]


@pytest.mark.parametrize("action,kwargs", THIRD_PARTY_ACTIONS)
def test_a_third_member_cannot_touch_someone_elses_iou(ada_bob_cara, action, kwargs):
    ada, bob, cara = ada_bob_cara
    ids = write(ada, "bob", "owes_me"), open_iou(ada, bob)  # waiting, and open
    before = world(ada, bob, cara)

    for iou_id in ids:
        message = refused(NotFound, action, cara, iou_id=iou_id, **kwargs)
        assert message == "No such IOU."  # as for an id that does not exist
        with pytest.raises(NotFound), read_only() as s:
            ious.history_of(s, actor_id=cara.member_id, iou_id=iou_id)
    assert world(ada, bob, cara) == before


def test_strangers_see_none_of_it_in_their_lists(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    open_iou(ada, bob)
    with read_only() as s:
        assert ious.ious_of(s, cara.member_id, today=date.today()) == []
        assert ious.net_by_person(s, cara.member_id) == []


# --------------------------------------------------------------------------- bad input

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "form,message",
    [
        ({"counterpart": "ada"}, "yourself"),
        ({"amount": 0}, "more than zero"),
        ({"amount": "0"}, "more than zero"),
        ({"amount": -3}, "more than zero"),
        ({"amount": "-3"}, "whole number"),
        ({"amount": "1.5"}, "whole number"),
        ({"amount": 1.5}, "whole number"),
        ({"amount": True}, "whole number"),
        ({"amount": ""}, "whole number"),
        ({"amount": 100_001}, "at most"),
        ({"counterpart": "nobody"}, "No active member"),
        ({"counterpart": ""}, "their handle"),
        ({"counterpart": None}, "their handle"),
        ({"direction": "sideways"}, "who owes whom"),
        ({"direction": ["i_owe"]}, "who owes whom"),
        ({"due_on": YESTERDAY}, "in the past"),
        ({"due_on": "31/01/2027"}, "like 2027-01-31"),
        ({"due_on": "tomorrow"}, "like 2027-01-31"),
        ({"note": "<b>thanks</b>"}, "plain text"),
        ({"note": "x" * 301}, "too long"),
        ({"note": 42}, "must be text"),
    ],
)
def test_a_bad_iou_is_explained_and_nothing_is_written(ada_bob_cara, form, message):
    ada, bob, cara = ada_bob_cara
    before = world(ada, bob, cara)
    fields = {"counterpart": "bob", "direction": "owes_me", "amount": 8} | form
    with pytest.raises(DomainError, match=message), unit_of_work() as s:
        ious.propose_iou(s, actor_id=ada.member_id, **fields)
    assert world(ada, bob, cara) == before


def test_a_due_date_today_or_later_is_kept(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    write(ada, "bob", "owes_me", due_on=TOMORROW)
    with read_only() as s:
        [view] = ious.ious_of(s, bob.member_id, today=date.today())
    assert view.due_on == date.fromisoformat(TOMORROW).strftime("%d %b %Y")
    assert not view.overdue


@pytest.mark.parametrize(
    "action,kwargs",
    [
        (ious.accept_iou, {}),
        (ious.decline_iou, {}),
        (ious.cancel_iou, {}),
        (ious.settle_in_karma, {"amount": 1, "key": "k"}),
        (ious.record_settlement, {"kind": "forgiven", "amount": 1}),
    ],
)
def test_an_iou_id_must_be_a_whole_number(ada_bob_cara, action, kwargs):
    ada, bob, cara = ada_bob_cara
    open_iou(ada, bob)
    write(ada, "bob", "owes_me")
    before = world(ada, bob, cara)
    actor = ada if action in (ious.cancel_iou, ious.record_settlement) else bob
    for bad_id in ("1", True, None, 1.5, [1], {"id": 1}):
        refused(InvalidInput, action, actor, iou_id=bad_id, **kwargs)
    for missing_id in (0, -1, 2**31, 10**20):
        refused(NotFound, action, actor, iou_id=missing_id, **kwargs)
    assert world(ada, bob, cara) == before


def test_an_offset_id_must_name_a_waiting_offset(ada_bob_cara):
    _, bob, _ = ada_bob_cara
    for bad_id in ("1", True, None, 1.5):
        refused(InvalidInput, ious.answer_offset, bob, proposal_id=bad_id, accept=True)
    for missing_id in (0, -1, 2**31, 10**20):
        refused(NotFound, ious.answer_offset, bob, proposal_id=missing_id, accept=True)


# --------------------------------------------------------------------------- reminders

DAY = timedelta(days=1)


def test_an_overdue_iou_is_reminded_at_most_once_a_week(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    clock = FixedClock(datetime(2026, 3, 1, 9, tzinfo=UTC))
    iou_id = open_iou(ada, bob, 8, due_on="2026-03-10", clock=clock)

    def remind() -> list[int]:
        with unit_of_work() as s:
            return [i.id for i in ious.remind_overdue(s, clock=clock)]

    clock.advance(9 * DAY)  # the due day itself: not overdue yet
    assert remind() == []
    clock.advance(DAY)
    assert remind() == [iou_id]
    assert remind() == []  # same day
    clock.advance(6 * DAY)
    assert remind() == []
    clock.advance(DAY)  # a week after the first reminder
    assert remind() == [iou_id]
    assert sum("Reminded by Karma" in line for line in history(ada, iou_id)) == 2
    assert iou(iou_id) == ("open", 8)


def test_only_open_overdue_ious_are_reminded(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    due = {"due_on": "2026-03-02", "clock": clock}
    waiting = write(ada, "bob", "owes_me", **due)
    acknowledged = write(bob, "ada", "i_owe", 5, **due)  # ada never accepted
    paid = open_iou(ada, bob, 2, **due)
    do(ious.settle_in_karma, bob, iou_id=paid, amount=2, key="k", clock=clock)
    open_iou(ada, bob, 3, clock=clock)  # no due date
    overdue = open_iou(ada, bob, 4, **due)

    clock.advance(30 * DAY)
    with unit_of_work() as s:
        assert [i.id for i in ious.remind_overdue(s, clock=clock)] == [overdue]
    assert iou(waiting) == ("proposed", 8)
    assert iou(acknowledged) == ("acknowledged", 5)
    with read_only() as s:
        views = ious.ious_of(s, ada.member_id, today=clock.now().date())
    assert [v.id for v in views if v.overdue] == [overdue]


# --------------------------------------------------------------------------- net


def test_net_by_person_sums_open_debt_both_ways(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    open_iou(bob, ada, 3)  # ada owes bob 3
    open_iou(ada, bob, 5)  # bob owes ada 5 + 2
    open_iou(ada, bob, 2)
    open_iou(cara, ada, 9)  # ada owes cara 9
    write(ada, "cara", "owes_me", 50)  # not accepted: does not count
    paid = open_iou(ada, cara, 4)
    do(ious.settle_in_karma, cara, iou_id=paid, amount=4, key="k")

    with read_only() as s:
        rows = ious.net_by_person(s, ada.member_id)
    assert [(r.other_handle, r.i_owe, r.owed_to_me, r.net) for r in rows] == [
        ("cara", 9, 0, -9),
        ("bob", 3, 7, 4),
    ]
    assert [r.can_offset for r in rows] == [False, True]


# --------------------------------------------------------------------------- offsets


@pytest.fixture
def mutual(ada_bob_cara):
    """Ada owes Bob 3 and then 4; Bob owes Ada 5."""
    ada, bob, cara = ada_bob_cara
    ids = open_iou(bob, ada, 3), open_iou(bob, ada, 4), open_iou(ada, bob, 5)
    return ada, bob, cara, ids


def test_an_offset_needs_debt_both_ways(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    open_iou(bob, ada, 3)
    before = world(ada, bob, cara)
    refused(InvalidInput, ious.propose_offset, ada, counterpart="bob")
    refused(InvalidInput, ious.propose_offset, ada, counterpart="ada")
    refused(NotFound, ious.propose_offset, ada, counterpart="nobody")
    assert world(ada, bob, cara) == before


def test_an_agreed_offset_cancels_the_mutual_debt_oldest_first(mutual):
    ada, bob, _, (old, new, other_way) = mutual
    offer = do(ious.propose_offset, ada, counterpart="bob")
    with read_only() as s:
        [ada_sees] = ious.offsets_for(s, ada.member_id)
        [bob_sees] = ious.offsets_for(s, bob.member_id)
    assert (ada_sees.amount, ada_sees.mine, ada_sees.other_name) == (5, True, "Bob")
    assert (bob_sees.amount, bob_sees.mine, bob_sees.other_name) == (5, False, "Ada")

    do(ious.answer_offset, bob, proposal_id=offer.id, accept=True)

    assert [iou(i) for i in (old, new, other_way)] == [
        ("settled", 0),
        ("open", 2),
        ("settled", 0),
    ]
    with read_only() as s:
        [ada_net] = ious.net_by_person(s, ada.member_id)
        [bob_net] = ious.net_by_person(s, bob.member_id)
        assert ious.offsets_for(s, ada.member_id) == []
    assert (ada_net.i_owe, ada_net.owed_to_me) == (2, 0)
    assert (bob_net.i_owe, bob_net.owed_to_me) == (0, 2)
    assert history(bob, new)[-1].endswith(
        "Offset against a debt the other way, 2 karma (Karma)"
    )
    assert (available(ada.member_id), available(bob.member_id)) == (0, 0)


def test_only_the_other_person_answers_an_offset(mutual):
    ada, bob, cara, _ = mutual
    offer = do(ious.propose_offset, ada, counterpart="bob")
    before = world(ada, bob, cara)
    for accept in (True, False):
        refused(
            NotAuthorized, ious.answer_offset, ada, proposal_id=offer.id, accept=accept
        )
        refused(NotFound, ious.answer_offset, cara, proposal_id=offer.id, accept=accept)
    refused(InvalidInput, ious.answer_offset, bob, proposal_id="1", accept=True)
    assert world(ada, bob, cara) == before


def test_a_declined_offset_changes_no_debt(mutual):
    ada, bob, _, ids = mutual
    offer = do(ious.propose_offset, bob, counterpart="ada")
    do(ious.answer_offset, ada, proposal_id=offer.id, accept=False)
    assert [iou(i) for i in ids] == [("open", 3), ("open", 4), ("open", 5)]
    refused(InvalidInput, ious.answer_offset, ada, proposal_id=offer.id, accept=True)


def test_one_open_offset_at_a_time_between_two_people(mutual):
    ada, bob, _, _ = mutual
    do(ious.propose_offset, ada, counterpart="bob")
    refused(InvalidInput, ious.propose_offset, ada, counterpart="bob")
    refused(InvalidInput, ious.propose_offset, bob, counterpart="ada")
    with read_only() as s:
        assert len(ious.offsets_for(s, bob.member_id)) == 1


# --------------------------------------------------------------------------- handlers


def page_of(person) -> IousState:
    state = state_of(IousState, person.token)
    IousState.load.fn(state)
    return state


def test_the_page_writes_accepts_and_pays_for_the_signed_in_member(ada_bob_cara):
    ada, bob, _ = ada_bob_cara
    ada_page = page_of(ada)
    deck = {"counterpart": "bob", "direction": "owes_me", "amount": "8", "note": "Deck"}
    IousState.propose.fn(ada_page, posted(ada_page, "iou", deck))
    assert ada_page.propose_error == ""
    [written] = ada_page.owed_to_me
    assert (written.status, written.other_name) == ("proposed", "Bob")

    bob_page = page_of(bob)
    IousState.accept.fn(bob_page, written.id)
    form = {"iou_id": str(written.id), "amount": "3", "key": bob_page.form_key}
    IousState.settle.fn(bob_page, form)
    IousState.settle.fn(bob_page, form)  # the same form, sent twice
    assert bob_page.action_error == ""
    assert [(v.status, v.outstanding) for v in bob_page.owed_by_me] == [("open", 5)]
    assert (available(ada.member_id), available(bob.member_id)) == (3, -3)

    forgive = {"iou_id": str(written.id), "kind": "forgiven", "amount": ""}
    IousState.record.fn(ada_page, posted(ada_page, "settlement", forgive))
    assert [(v.status, v.outstanding) for v in ada_page.owed_to_me] == [("forgiven", 0)]


def test_bad_page_input_shows_a_reason_and_writes_nothing(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    before = world(ada, bob, cara)
    state = page_of(ada)
    for form in (
        None,
        [],
        posted(state, "iou", {"counterpart": "bob", "amount": "1e3"}),
        posted(state, "iou", {"counterpart": ["bob"], "direction": {"x": 1}}),
    ):
        IousState.propose.fn(state, form)
        assert state.propose_error
    assert world(ada, bob, cara) == before


def _hostile_calls(state: IousState, iou_id: int, offer_id: int) -> list:
    settle = {"iou_id": str(iou_id), "amount": "3", "key": "k" * 20}
    forgive = {"iou_id": str(iou_id), "kind": "forgiven"}
    forgive[FORM_KEY] = state.form_keys.get("settlement", "")
    return [
        (IousState.accept, iou_id),
        (IousState.decline, iou_id),
        (IousState.cancel, iou_id),
        (IousState.settle, settle),
        (IousState.settle, settle | {"iou_id": iou_id}),
        (IousState.settle, settle | {"iou_id": "99999999999"}),
        (IousState.record, forgive),
        (IousState.accept_offset, offer_id),
        (IousState.decline_offset, offer_id),
        (IousState.propose_offset, "bob"),
    ]


def _ada_and_bobs_business(ada, bob) -> tuple[int, int]:
    """A proposal Bob must answer, an open IOU, and an offset waiting for Bob."""
    waiting = write(ada, "bob", "owes_me", 4)
    open_iou(ada, bob, 6)
    open_iou(bob, ada, 2)
    offer = do(ious.propose_offset, ada, counterpart="bob")
    return waiting, offer.id


def test_a_third_member_on_the_page_cannot_act_on_their_ious(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    waiting, offer = _ada_and_bobs_business(ada, bob)
    before = world(ada, bob, cara)
    state = page_of(cara)
    for handler, arg in _hostile_calls(state, waiting, offer) + _hostile_calls(
        state, waiting + 1, offer
    ):
        handler.fn(state, arg)
        assert state.action_error, handler
    assert world(ada, bob, cara) == before
    assert state.owed_by_me == state.owed_to_me == state.nets == []


def test_bob_cannot_use_adas_own_ids_to_act_for_her(ada_bob_cara):
    ada, bob, cara = ada_bob_cara
    waiting, _ = _ada_and_bobs_business(ada, bob)
    before = world(ada, bob, cara)
    state = page_of(bob)
    IousState.cancel.fn(state, waiting)  # Ada proposed it
    assert "Only the person who proposed" in state.action_error
    forgive = {"iou_id": str(waiting + 1), "kind": "forgiven"}
    IousState.record.fn(state, posted(state, "settlement", forgive))
    assert "Only the person owed" in state.action_error
    assert world(ada, bob, cara) == before


@pytest.mark.parametrize("token", ["", "forged-" + "x" * 40, None, 12345])
def test_a_guest_or_forged_session_changes_nothing(ada_bob_cara, token):
    ada, bob, cara = ada_bob_cara
    waiting, offer = _ada_and_bobs_business(ada, bob)
    before = world(ada, bob, cara)
    state = state_of(IousState, token)
    IousState.load.fn(state)
    for handler, arg in _hostile_calls(state, waiting, offer):
        handler.fn(state, arg)
    IousState.propose.fn(
        state, {"counterpart": "bob", "direction": "owes_me", "amount": "8"}
    )
    assert world(ada, bob, cara) == before
    assert state.owed_by_me == state.owed_to_me == []
