"""Running a multilateral clearing over the open IOUs, and reading its history.

The optimisation lives in `domain.clearing`; this module loads open, accepted
IOUs (members who opted out are passed along and keep theirs), writes one
`cleared` event per IOU it reduced, and records the run with its cycles so each
member can see what was removed and along which loop of people. IOUs cleared
to nothing are settled: the relationship graph's open-IOU counts follow at
commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.clearing import Clearing, clear_obligations
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ious import Event, Status
from marketplace.ious.ious import refresh_owed_in_graph
from marketplace.models import ClearingRun, Iou, IouEvent, Member


@dataclass(frozen=True)
class ClearingSummary:
    run_id: int | None  # None for a dry run
    total_owed: int
    total_cleared: int
    members: dict[str, dict[str, int]] = field(default_factory=dict)
    cycles: int = 0

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "total_owed": self.total_owed,
            "total_cleared": self.total_cleared,
            "cycles": self.cycles,
            "members": self.members,
        }


def run_clearing(
    session: Session, *, dry_run: bool = False, clock: Clock = system_clock
) -> ClearingSummary:
    """Clear the largest possible total of debt around cycles of open IOUs."""
    ious = session.exec(
        select(Iou)
        .where(Iou.status == Status.OPEN, Iou.outstanding > 0)
        .order_by(Iou.id)
        .with_for_update()
    ).all()
    opted_out = session.exec(select(Member.id).where(Member.clearing_opt_out)).all()
    result = clear_obligations(
        [(i.id, i.debtor_id, i.creditor_id, i.outstanding) for i in ious], opted_out
    )
    handles = _handles(session, [m for m, e in result.members.items() if _moved(e)])
    summary = ClearingSummary(
        run_id=None,
        total_owed=result.total_owed_before,
        total_cleared=result.total_cleared,
        cycles=len(result.cycles),
        members={
            handles[m]: _effect(e) for m, e in result.members.items() if _moved(e)
        },
    )
    if dry_run or result.total_cleared == 0:
        return summary
    run_id = _record(session, result, len(summary.members), clock)
    return ClearingSummary(
        run_id,
        summary.total_owed,
        summary.total_cleared,
        summary.members,
        summary.cycles,
    )


def _moved(effect) -> bool:
    return effect.owed_before != effect.owed_after or (
        effect.owing_before != effect.owing_after
    )


def _effect(effect) -> dict[str, int]:
    return {
        "owed_before": effect.owed_before,
        "owed_after": effect.owed_after,
        "owing_before": effect.owing_before,
        "owing_after": effect.owing_after,
    }


def _handles(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Member.id, Member.handle).where(col(Member.id).in_(ids)))
    return dict(rows.all())


def _record(session: Session, result: Clearing, affected: int, clock: Clock) -> int:
    """One run row, one `cleared` event per reduced IOU, and the cached totals --
    in bulk, since a clearing can touch tens of thousands of IOUs."""
    now = clock.now()
    cycles = [{"members": list(c.members), "amount": c.amount} for c in result.cycles]
    run = ClearingRun(
        total_owed=result.total_owed_before,
        total_cleared=result.total_cleared,
        members_affected=affected,
        cycles=json.dumps(cycles),
        at=now,
    )
    session.add(run)
    session.flush()
    reduced = [c for c in result.ious if c.cleared > 0]
    session.execute(
        IouEvent.__table__.insert(),
        [
            {
                "iou_id": c.iou_id,
                "kind": Event.CLEARED.value,
                "amount": c.cleared,
                "actor_id": None,
                "transfer_key": None,
                "clearing_run_id": run.id,
                "note": f"Clearing #{run.id}",
                "at": now,
            }
            for c in reduced
        ],
    )
    table = Iou.__table__
    for c in reduced:
        left = c.amount - c.cleared
        session.execute(
            update(table)
            .where(table.c.id == c.iou_id)
            .values(
                outstanding=left, status=Status.SETTLED if left == 0 else Status.OPEN
            )
        )
    settled = [c for c in reduced if c.cleared == c.amount]
    refresh_owed_in_graph(session, {(c.debtor, c.creditor) for c in settled})
    return run.id


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class MyClearing:
    when: str
    owed_removed: int  # less owed to me
    owing_removed: int  # less that I owe
    cycles: list[str]  # "Ana → Ben → Cleo → Ana: 3 karma"


def clearings_of(session: Session, member_id: int, limit: int = 10) -> list[MyClearing]:
    """The recent clearings that touched my IOUs, with the loops through me."""
    rows = session.exec(
        select(ClearingRun, IouEvent.amount, Iou.debtor_id)
        .join(IouEvent, col(IouEvent.clearing_run_id) == ClearingRun.id)
        .join(Iou, col(Iou.id) == IouEvent.iou_id)
        .where((Iou.debtor_id == member_id) | (Iou.creditor_id == member_id))
        .order_by(col(ClearingRun.id).desc())
    ).all()
    runs: dict[int, list] = {}
    for run, amount, debtor in rows:
        entry = runs.setdefault(run.id, [run, 0, 0])
        entry[2 if debtor == member_id else 1] += amount
    mine = list(runs.values())[:limit]
    names = _names_in_cycles(session, [run for run, _, _ in mine])
    return [
        MyClearing(
            run.at.strftime("%d %b %Y"),
            owed,
            owing,
            _cycles_through(run, member_id, names),
        )
        for run, owed, owing in mine
    ]


def _names_in_cycles(session: Session, runs: list[ClearingRun]) -> dict[int, str]:
    ids = {m for run in runs for c in json.loads(run.cycles) for m in c["members"]}
    rows = session.exec(
        select(Member.id, Member.display_name).where(col(Member.id).in_(ids))
    )
    return dict(rows.all())


def _cycles_through(
    run: ClearingRun, member_id: int, names: dict[int, str]
) -> list[str]:
    loops = []
    for cycle in json.loads(run.cycles):
        if member_id in cycle["members"]:
            people = [names.get(m, "someone") for m in cycle["members"]]
            loops.append(
                " → ".join([*people, people[0]]) + f": {cycle['amount']} karma"
            )
    return loops


def set_clearing_opt_out(session: Session, *, actor_id: int, opt_out: object) -> bool:
    """A member keeps their IOUs out of (or back in) multilateral clearing."""
    if not isinstance(opt_out, bool):
        raise InvalidInput("Choose to opt in or out.")
    member = session.get(Member, actor_id)
    member.clearing_opt_out = opt_out
    session.add(member)
    return opt_out


def opted_out(session: Session, member_id: int) -> bool:
    return bool(
        session.exec(
            select(Member.clearing_opt_out).where(Member.id == member_id)
        ).first()
    )
