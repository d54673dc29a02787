"""Demo IOUs, so a newcomer's first look at the IOU page shows the idea at work:
favours owed both ways, one waiting for the debtor's answer and one the
debtor acknowledged waiting for the creditor's, one partly paid in karma,
and a loop of favours that a clearing has already cancelled.

Each debtor needs room for their IOUs under their credit limit
(ious.reserve_debt), which the planned trust gives them (trust.py); an IOU
that does not fit (lower credit settings) is skipped, never forced.

Idempotent: each demo IOU is recognised by its debtor, creditor and note, and
the demo clearing runs only in the seeding that created the loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from marketplace.adapters.clock import Clock
from marketplace.demo.files import read_csv
from marketplace.domain.ious import OverCreditLimit
from marketplace.ious import clearing, ious
from marketplace.models import Iou, Member


@dataclass(frozen=True)
class DemoIou:
    """A row of data/ious.csv. g1..g3 stand for the first generated members,
    so the loop runs through people priya knows."""

    debtor: str
    creditor: str
    points: int
    note: str
    proposed_by: str  # debtor | creditor
    paid_in_karma: int
    loop: bool  # part of the loop the demo clearing cancels
    accepted: bool  # the other side said yes (else it waits for them)


def _demo_iou(row: dict[str, str]) -> DemoIou:
    return DemoIou(
        debtor=row["debtor"],
        creditor=row["creditor"],
        points=int(row["points"]),
        note=row["note"],
        proposed_by=row["proposed_by"],
        paid_in_karma=int(row["paid_in_karma"]),
        loop=row["loop"] == "1",
        accepted=row["accepted"] == "1",
    )


DEMO_IOUS = tuple(_demo_iou(row) for row in read_csv("ious.csv"))
LOOP_NOTES = {iou.note for iou in DEMO_IOUS if iou.loop}


def seed_ious(
    session: Session, ids: dict[str, int], generated: list[str], clock: Clock
) -> int:
    """Write the demo IOUs that are missing; return how many were written."""
    names = dict(zip(("g1", "g2", "g3"), generated, strict=False))
    written = set()
    for iou in DEMO_IOUS:
        debtor = names.get(iou.debtor, iou.debtor)
        creditor = names.get(iou.creditor, iou.creditor)
        if (
            debtor not in ids
            or creditor not in ids
            or _exists(session, ids[debtor], ids[creditor], iou.note)
        ):
            continue
        try:
            with session.begin_nested():
                _write(session, ids, iou, debtor, creditor, clock)
        except OverCreditLimit:
            continue  # more than the debtor may owe under these settings
        written.add(iou.note)
    if written >= LOOP_NOTES:
        clearing.run_clearing(session, clock=clock)
    return len(written)


def _exists(session: Session, debtor: int, creditor: int, note: str) -> bool:
    return (
        session.exec(
            select(Iou.id).where(
                Iou.debtor_id == debtor, Iou.creditor_id == creditor, Iou.note == note
            )
        ).first()
        is not None
    )


def _write(session, ids, iou: DemoIou, debtor: str, creditor: str, clock) -> None:
    """Propose `iou` between the seeded `debtor` and `creditor` (g1.. resolved)."""
    by_debtor = iou.proposed_by == "debtor"
    proposer, other = (debtor, creditor) if by_debtor else (creditor, debtor)
    handle = session.get(Member, ids[other]).handle
    written = ious.propose_iou(
        session,
        actor_id=ids[proposer],
        counterpart=handle,
        direction="i_owe" if by_debtor else "owes_me",
        amount=iou.points,
        note=iou.note,
        due_on=(clock.now() + timedelta(days=21)).date() if iou.points >= 10 else None,
        clock=clock,
    )
    if iou.accepted:
        ious.accept_iou(session, actor_id=ids[other], iou_id=written.id, clock=clock)
    if iou.paid_in_karma:
        ious.settle_in_karma(
            session,
            actor_id=ids[debtor],
            iou_id=written.id,
            amount=iou.paid_in_karma,
            key=f"seed-iou-{written.id}",
            clock=clock,
        )
