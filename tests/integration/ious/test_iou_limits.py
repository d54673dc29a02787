"""IOUs nobody can farm (docs/design/karma-trust.md): one the debtor writes
waits, "acknowledged by the debtor", until the creditor accepts it, and
until then warms no tie and counts in no who-to-ask; and what a member owes
in IOUs stays within their credit limit, however many they write at once.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import select

from marketplace.accounts import profiles
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import NotAuthorized
from marketplace.domain.ious import OverCreditLimit
from marketplace.ious import ious
from marketplace.models import Connection, Interaction, Iou
from marketplace.network import graph_index
from marketplace.states.ious import IousState
from tests.integration.ious.test_ious import do, iou, refused, write
from tests.integration.ledger.test_ledger_concurrency import all_at_once, errors
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_connections import connected
from tests.integration.test_member_only import redirected_to
from tests.integration.test_state_security import state_of
from tests.members import credit_limit

THREADS = 20


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database."""
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def warmth(a, b) -> float:
    with read_only() as s:
        row = s.exec(
            select(Connection).where(
                Connection.requester_id.in_([a.member_id, b.member_id]),
                Connection.addressee_id.in_([a.member_id, b.member_id]),
            )
        ).one()
        return row.warmth


def iou_interactions() -> int:
    with read_only() as s:
        return len(s.exec(select(Interaction).where(Interaction.kind == "iou")).all())


def statuses() -> list[str]:
    with read_only() as s:
        return list(s.exec(select(Iou.status).order_by(Iou.id)))


def owed(someone) -> int:
    with read_only() as s:
        return ious.outstanding_debt(s, someone.member_id)


# ------------------------------------------------------------ a stranger's word


def test_a_strangers_two_million_point_iou_waits_and_warms_nothing(engine):
    """Sam writes that he owes Ada 2,000,000 points (twenty IOUs of the
    largest size) to seem close to her: all of it waits for her, and until
    she says yes their tie stays as cold as it was, and her who-to-ask does
    not rank him as someone who owes her."""
    ada, sam = member("ada"), member("sam")
    connected(ada, sam)
    credit_limit(sam.member_id, 2_000_000)  # even with room for all of it
    with unit_of_work() as s:
        profiles.replace_tags(s, sam.member_id, {"give": ["seo"]})
    graph_index.index()  # loaded before: it must not follow a waiting IOU
    before = warmth(ada, sam)

    written = [write(sam, "ada", "i_owe", 100_000) for _ in range(20)]

    assert statuses() == ["acknowledged"] * 20
    assert owed(sam) == 2_000_000  # his word counts against his own limit
    assert warmth(ada, sam) == before and iou_interactions() == 0
    [candidate] = graph_index.who_to_ask(ada.member_id, ["seo"])
    assert candidate.owes_me == 0
    assert not any("owes you" in reason for reason in candidate.reasons)
    with read_only() as s:
        assert ious.net_by_person(s, ada.member_id) == []

    do(ious.decline_iou, ada, iou_id=written[0])
    do(ious.accept_iou, ada, iou_id=written[1])  # the one she agrees to
    assert iou_interactions() == 1 and warmth(ada, sam) > before
    [candidate] = graph_index.who_to_ask(ada.member_id, ["seo"])
    assert candidate.owes_me == 1
    assert owed(sam) == 1_900_000  # the declined one no longer counts


# ---------------------------------------------------------------- credit limit


def test_an_account_with_no_credit_limit_cannot_owe_in_ious(engine):
    ada, zed = member("ada"), member("zed", trust_score=0.0)  # Zed's limit is 0

    message = refused(
        OverCreditLimit,
        ious.propose_iou,
        zed,
        counterpart="ada",
        direction="i_owe",
        amount=1,
    )
    assert message.startswith("Your credit limit is 0 karma")
    proposed = write(ada, "zed", "owes_me", 5)  # Ada may ask...
    refused(OverCreditLimit, ious.accept_iou, zed, iou_id=proposed)  # ...in vain
    assert iou(proposed) == ("proposed", 5)
    with pytest.raises(OverCreditLimit):  # nor book help on IOU terms
        propose(zed, post(ada, kind="offer", terms="iou", price=3))
    assert statuses() == ["proposed"] and owed(zed) == 0


def test_waiting_and_open_ious_and_iou_help_under_way_share_the_limit(engine):
    ada, bob = member("ada"), member("bob")
    credit_limit(bob.member_id, 10)
    acknowledged = write(bob, "ada", "i_owe", 4)
    accepted = write(ada, "bob", "owes_me", 2)
    do(ious.accept_iou, bob, iou_id=accepted)
    engagement = propose(bob, post(ada, kind="offer", terms="iou", price=3))
    act(ada, engagement, "accept")  # Bob agreed to owe 3 once it's done
    assert owed(bob) == 9

    message = refused(
        OverCreditLimit,
        ious.propose_iou,
        bob,
        counterpart="ada",
        direction="i_owe",
        amount=2,
    )
    assert message == (
        "You can owe at most 10 karma in IOUs (your credit limit) and already "
        "owe 9: you can take on at most 1 more."
    )
    act(ada, engagement, "deliver")
    act(bob, engagement, "confirm")  # its IOU is written: still 9, not 12
    assert owed(bob) == 9
    do(ious.cancel_iou, bob, iou_id=acknowledged)  # he takes his word back
    write(bob, "ada", "i_owe", 5)
    assert owed(bob) == 10


def test_iou_terms_are_accepted_only_within_the_askers_limit(engine):
    ada, bob = member("ada"), member("bob")
    credit_limit(ada.member_id, 2)
    engagement = propose(bob, post(ada, kind="request", terms="iou", price=5))
    with pytest.raises(OverCreditLimit, match="already owe 0"):
        act(ada, engagement, "accept")  # Ada, asking, would owe Bob 5

    credit_limit(bob.member_id, 5)
    booked = propose(bob, post(ada, kind="offer", terms="iou", price=5))
    credit_limit(bob.member_id, 2)  # his limit fell meanwhile
    with pytest.raises(OverCreditLimit, match="They can't take on that much"):
        act(ada, booked, "accept")  # Ada, helping, is told kindly
    assert owed(ada) == owed(bob) == 0


def test_iou_debt_written_at_once_cannot_pass_the_limit(engine):
    """Twenty IOUs of 1 point written in the same instant by a debtor with
    room for ten: ten are written, ten refused."""
    member("ada")
    bob = member("bob")
    credit_limit(bob.member_id, 10)

    def one(i: int) -> int:
        with unit_of_work() as s:
            return ious.propose_iou(
                s,
                actor_id=bob.member_id,
                counterpart="ada",
                direction="i_owe",
                amount=1,
                note=f"Favour {i}",
            ).id

    results = all_at_once(one, THREADS)
    refusals = errors(results)
    assert all(isinstance(error, OverCreditLimit) for error in refusals), refusals
    assert len(refusals) == THREADS - 10
    assert owed(bob) == 10 and statuses() == ["acknowledged"] * 10


def test_accepting_proposals_at_once_cannot_pass_the_limit(engine):
    ada, bob = member("ada"), member("bob")
    proposals = [write(ada, "bob", "owes_me", 2) for _ in range(6)]
    credit_limit(bob.member_id, 7)

    results = all_at_once(
        lambda i: do(ious.accept_iou, bob, iou_id=proposals[i]), len(proposals)
    )
    refusals = errors(results)
    assert all(isinstance(error, OverCreditLimit) for error in refusals), refusals
    assert len(refusals) == 3 and owed(bob) == 6


# -------------------------------------------------------------------- the page


def page_of(person) -> IousState:
    state = state_of(IousState, person.token)
    IousState.load.fn(state)
    return state


def test_the_creditor_accepts_or_declines_from_their_iou_page(engine):
    ada, bob = member("ada"), member("bob")
    credit_limit(bob.member_id, 20)
    first, second = write(bob, "ada", "i_owe", 5), write(bob, "ada", "i_owe", 3)
    page = page_of(ada)
    assert [(v.id, v.waiting_for_me, v.status_label) for v in page.owed_to_me] == [
        (second, True, "acknowledged by the debtor"),
        (first, True, "acknowledged by the debtor"),
    ]
    IousState.accept.fn(page, first)
    IousState.decline.fn(page, second)
    assert page.action_error == ""
    assert [(v.id, v.status) for v in page.owed_to_me] == [
        (second, "declined"),
        (first, "open"),
    ]


def test_forged_ids_and_the_wrong_side_change_nothing(engine):
    ada, bob, cara = member("ada"), member("bob"), member("cara")
    credit_limit(bob.member_id, 20)
    waiting = write(bob, "ada", "i_owe", 5)

    bob_page = page_of(bob)  # the debtor can't accept his own word for Ada
    IousState.accept.fn(bob_page, waiting)
    assert bob_page.action_error == "Only the person owed can answer this IOU."
    cara_page = page_of(cara)
    for forged in (waiting, waiting + 1, 2**31, -1):
        for handler in (IousState.accept, IousState.decline):
            handler.fn(cara_page, forged)
            assert cara_page.action_error == "No such IOU."
    ada_page = page_of(ada)
    for forged in ("1", None, [waiting], {"id": waiting}):
        IousState.accept.fn(ada_page, forged)
        assert ada_page.action_error == "IOU id must be a whole number."
    assert iou(waiting) == ("acknowledged", 5)

    guest = state_of(IousState, "")
    for handler in (IousState.accept, IousState.decline, IousState.cancel):
        assert redirected_to(handler.fn(guest, waiting)) is not None
    assert iou(waiting) == ("acknowledged", 5)
    with pytest.raises(NotAuthorized):
        do(ious.accept_iou, bob, iou_id=waiting)
