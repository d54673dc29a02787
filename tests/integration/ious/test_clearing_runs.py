"""Multilateral clearing over the database: what members owe around a loop goes,
net positions stay, opted-out members keep their IOUs, and each member can see
the loop that removed their debt."""

from __future__ import annotations

from marketplace.db import read_only, unit_of_work
from marketplace.ious import clearing, ious
from marketplace.models import Iou
from tests.integration.ledger.test_wallet import member
from tests.members import credit_limit


def owes(debtor, creditor_handle: str, amount: int) -> int:
    """An IOU the debtor wrote (within a credit limit made for it) and the
    creditor accepted: open."""
    credit_limit(debtor.member_id, 100)
    with unit_of_work() as s:
        written = ious.propose_iou(
            s,
            actor_id=debtor.member_id,
            counterpart=creditor_handle,
            direction="i_owe",
            amount=amount,
        )
    with unit_of_work() as s:
        return ious.accept_iou(s, actor_id=written.creditor_id, iou_id=written.id).id


def outstanding(iou_id: int) -> tuple[str, int]:
    with read_only() as s:
        iou = s.get(Iou, iou_id)
        return iou.status, iou.outstanding


def test_a_loop_of_favours_is_cleared_and_everyone_sees_it(engine):
    ana, ben, cleo = member("ana"), member("ben"), member("cleo")
    ab, bc, ca = owes(ana, "ben", 5), owes(ben, "cleo", 3), owes(cleo, "ana", 4)

    with unit_of_work() as s:
        dry = clearing.run_clearing(s, dry_run=True)
    assert (dry.run_id, dry.total_owed, dry.total_cleared) == (None, 12, 9)
    assert outstanding(ab) == ("open", 5)  # a dry run writes nothing

    with unit_of_work() as s:
        done = clearing.run_clearing(s)
    assert done.total_cleared == 9 and done.run_id is not None
    assert done.members["ana"] == {
        "owed_before": 4,
        "owed_after": 1,
        "owing_before": 5,
        "owing_after": 2,
    }
    assert [outstanding(i) for i in (ab, bc, ca)] == [
        ("open", 2),
        ("settled", 0),
        ("open", 1),
    ]
    with read_only() as s:
        seen = clearing.clearings_of(s, ben.member_id)
        history = ious.history_of(s, actor_id=ben.member_id, iou_id=bc)
    assert seen[0].owing_removed == 3 and seen[0].owed_removed == 3
    assert "Ana" in seen[0].cycles[0] and seen[0].cycles[0].endswith(": 3 karma")
    assert "Cleared around a cycle, 3 karma" in history[-1]

    with unit_of_work() as s:
        again = clearing.run_clearing(s)
    assert again.total_cleared == 0  # nothing left to clear


def test_a_member_who_opts_out_keeps_every_iou(engine):
    ana, ben, cleo = member("ana"), member("ben"), member("cleo")
    ids = [owes(ana, "ben", 5), owes(ben, "cleo", 3), owes(cleo, "ana", 4)]
    with unit_of_work() as s:
        clearing.set_clearing_opt_out(s, actor_id=cleo.member_id, opt_out=True)
    with unit_of_work() as s:
        assert clearing.run_clearing(s).total_cleared == 0
    assert [outstanding(i)[1] for i in ids] == [5, 3, 4]
    with read_only() as s:
        nets = {m.handle: ious.net_by_person(s, m.member_id) for m in (ana, ben, cleo)}
    assert sum(n.net for rows in nets.values() for n in rows) == 0
