"""Demo IOUs, so a newcomer's first look at the IOU page shows the idea at work:
favours owed both ways, one waiting for an answer, one partly paid in karma,
and a loop of favours that a clearing has already cancelled.

Idempotent: each demo IOU is recognised by its debtor, creditor and note, and
the demo clearing runs only in the seeding that created the loop.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from marketplace.adapters.clock import Clock
from marketplace.ious import clearing, ious
from marketplace.models import Iou, Member

# (debtor, creditor, points, note, proposed by, paid in karma); g1..g3 stand for
# the first generated members, so the loop runs through people priya knows.
DEMO_IOUS = (
    ("marcus", "priya", 10, "Sponsorship deck review", "debtor", 0),
    ("priya", "lena", 5, "Logo feedback for SaaS Summit", "debtor", 0),
    ("lena", "priya", 15, "Intro to two conference sponsors", "debtor", 5),
    ("priya", "g1", 5, "Speaker intro for the AI track", "creditor", 0),
    ("priya", "g2", 5, "Venue contact in Toronto", "debtor", 0),
    ("g2", "marcus", 5, "Review of the ticketing API", "debtor", 0),
)
LOOP_NOTES = {"Venue contact in Toronto", "Review of the ticketing API"}


def seed_ious(
    session: Session, ids: dict[str, int], generated: list[str], clock: Clock
) -> int:
    """Write the demo IOUs that are missing; return how many were written."""
    names = dict(zip(("g1", "g2", "g3"), generated, strict=False))
    written = set()
    for debtor, creditor, points, note, by, paid in DEMO_IOUS:
        debtor, creditor = names.get(debtor, debtor), names.get(creditor, creditor)
        if (
            debtor not in ids
            or creditor not in ids
            or _exists(session, ids[debtor], ids[creditor], note)
        ):
            continue
        _write(session, ids, debtor, creditor, points, note, by, paid, clock)
        written.add(note)
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


def _write(session, ids, debtor, creditor, points, note, by, paid, clock) -> None:
    proposer = debtor if by == "debtor" else creditor
    other = creditor if by == "debtor" else debtor
    handle = session.get(Member, ids[other]).handle
    iou = ious.propose_iou(
        session,
        actor_id=ids[proposer],
        counterpart=handle,
        direction="i_owe" if by == "debtor" else "owes_me",
        amount=points,
        note=note,
        due_on=(clock.now() + timedelta(days=21)).date() if points >= 10 else None,
        clock=clock,
    )
    if paid:
        ious.settle_in_karma(
            session,
            actor_id=ids[debtor],
            iou_id=iou.id,
            amount=paid,
            key=f"seed-iou-{iou.id}",
            clock=clock,
        )
