"""IOU operations: propose, answer, settle, forgive, remind, and read.

Every change appends an event and refreshes the IOU's cached status and
outstanding amount from `domain.ious.replay`, under the IOU's row lock, so two
settlements at once cannot both spend the same outstanding points.

An IOU binds when both have said yes: a debtor who writes one has
acknowledged it, and it waits for the creditor (`accept_iou`); a creditor's
waits for the debtor. A debtor's outstanding debt -- open IOUs, their own
acknowledgements waiting, IOU terms of help under way -- stays within their
karma credit limit, checked under their karma account's row lock
(`reserve_debt`), the lock every karma move of theirs takes, so two IOUs at
once cannot both squeeze under it.

The relationship graph follows from the same place: an IOU that becomes
binding is trust extended (an `iou` interaction warms the two people's
connection), and whenever an IOU changes status the graph's count of open IOUs
between the pair is reset after commit (who-to-ask ranks people who owe me
favours higher). One still waiting warms nothing and counts nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from marketplace import events
from marketplace.accounts import standing
from marketplace.adapters.clock import Clock, FixedClock, system_clock
from marketplace.domain.engagements import Status as EngagementStatus
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.domain.ious import (
    DEBT,
    REDUCTION_LABELS,
    WAITING,
    Event,
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
from marketplace.domain.ledger import check_key
from marketplace.domain.text import clean_text
from marketplace.ledger import ledger
from marketplace.models import (
    Engagement,
    Iou,
    IouEvent,
    LedgerAccount,
    Member,
    OffsetProposal,
)
from marketplace.network import blocks, connections, interactions

REMIND_EVERY = timedelta(days=7)
# engagements whose IOU terms are agreed but whose IOU is not written yet
UNDER_WAY = (
    EngagementStatus.ACCEPTED,
    EngagementStatus.DELIVERED,
    EngagementStatus.DISPUTED,
)
# a status as the IOU page says it, where its name alone would not do
STATUS_LABELS = {
    Status.PROPOSED: "waiting for the debtor",
    Status.ACKNOWLEDGED: "acknowledged by the debtor",
}
DIRECTIONS = {"i_owe", "owes_me"}
MAX_ID = 2**31 - 1  # ids are 32-bit; a larger one names nothing (and PG refuses it)


@dataclass(frozen=True)
class IouView:
    id: int
    my_role: str  # debtor | creditor
    other_name: str
    other_handle: str
    amount: int
    outstanding: int
    status: str
    note: str
    due_on: str
    overdue: bool
    waiting_for_me: bool  # one I must answer (accept or decline)
    proposed_by_me: bool
    created: str
    status_label: str = ""  # "acknowledged by the debtor", "open", ...

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- propose


def propose_iou(
    session: Session,
    *,
    actor_id: int,
    counterpart: object,
    direction: object,
    amount: object,
    note: object = "",
    due_on: object = None,
    clock: Clock = system_clock,
) -> Iou:
    """Either party writes an IOU down; it waits for the other to accept. A
    debtor who writes one has acknowledged it, so it counts against their
    credit limit at once (and is refused past it). Nobody writes one with
    someone either of them blocked."""
    standing.require_standing(session, actor_id)
    if not isinstance(direction, str) or direction not in DIRECTIONS:
        raise InvalidInput("Say who owes whom.", "direction")
    other = _reachable_member(session, actor_id, counterpart)
    if other.id == actor_id:
        raise InvalidInput("You can't write an IOU with yourself.", "counterpart")
    debtor, creditor = (
        (actor_id, other.id) if direction == "i_owe" else (other.id, actor_id)
    )
    points = check_points(amount)
    text = clean_text(note, field="note", label="Note", max_length=300)
    now = clock.now()
    due = _due(due_on, now.date())
    if debtor == actor_id:
        reserve_debt(session, debtor, points)
    return _write(session, (debtor, creditor, actor_id), points, text, now, due)


def iou_for_help(
    session: Session,
    *,
    debtor_id: int,
    creditor_id: int,
    amount: int,
    note: str,
    clock: Clock = system_clock,
) -> Iou:
    """The IOU an engagement on IOU terms ends in: both agreed to it when the
    terms were accepted (and the asker's credit limit made room for it
    then: `reserve_debt`), so it binds at once -- also when the two blocked
    each other meanwhile, since it settles what they already agreed."""
    text = clean_text(note, field="note", label="Note", max_length=300)
    pair = (debtor_id, creditor_id, debtor_id)
    points = check_points(amount)
    return _write(session, pair, points, text, clock.now(), None, agreed=True)


def _write(
    session, people: tuple, amount: int, note: str, now, due_on, agreed=False
) -> Iou:
    """A new IOU and its first events; `people` is (debtor, creditor,
    proposer). A debtor who proposes has acknowledged it; `agreed`: both
    did already, it binds now."""
    debtor, creditor, proposer = people
    iou = Iou(
        debtor_id=debtor,
        creditor_id=creditor,
        proposed_by_id=proposer,
        amount=amount,
        outstanding=amount,
        created_at=now,
        note=note,
        due_on=due_on,
    )
    session.add(iou)
    session.flush()
    _append(session, iou, Event.PROPOSED, 0, proposer, now)
    if agreed:
        _append(session, iou, Event.ACCEPTED, 0, proposer, now)
    elif proposer == debtor:
        _append(session, iou, Event.ACKNOWLEDGED, 0, proposer, now)
    return iou


# ------------------------------------------------------------------ credit limit


def reserve_debt(session: Session, debtor_id: int, amount: int) -> None:
    """Refuse `amount` more IOU debt past the debtor's credit limit. Their
    karma account's row is locked first (SELECT ... FOR UPDATE, as every
    karma move of theirs locks it; SQLite's write transaction serializes
    anyway) and held to commit, so what they owe is counted with nobody
    adding to it meanwhile: two IOUs at once cannot both pass."""
    account = ledger.member_account(session, debtor_id)
    limit = session.execute(
        select(LedgerAccount.credit_limit)
        .where(LedgerAccount.id == account)
        .with_for_update()
    ).scalar_one()
    check_debt_room(limit, outstanding_debt(session, debtor_id), amount)


def outstanding_debt(session: Session, debtor_id: int) -> int:
    """What the member owes or has agreed to owe, in karma: open IOUs, their
    acknowledgements waiting for a creditor, and the price of help on IOU
    terms accepted but not yet confirmed (its IOU is written then)."""
    owed = session.exec(
        select(func.coalesce(func.sum(Iou.outstanding), 0)).where(
            Iou.debtor_id == debtor_id, col(Iou.status).in_(DEBT)
        )
    ).one()
    agreed = session.exec(
        select(func.coalesce(func.sum(Engagement.price), 0)).where(
            Engagement.asker_id == debtor_id,
            Engagement.terms == "iou",
            col(Engagement.iou_id).is_(None),
            col(Engagement.status).in_(UNDER_WAY),
        )
    ).one()
    return int(owed) + int(agreed)


def _due(value: object, today: date) -> date | None:
    if value in (None, ""):
        return None
    try:
        due = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            "Due date must be a date like 2027-01-31.", "due_on"
        ) from None
    if due < today:
        raise InvalidInput("Due date can't be in the past.", "due_on")
    return due


def _reachable_member(session: Session, actor_id: int, handle: object) -> Member:
    missing = "Say who the IOU is with (their handle)."
    return connections.reachable_member(
        session, actor_id, handle, missing=missing, field="counterpart"
    )


# --------------------------------------------------------------------------- answer


def accept_iou(
    session: Session, *, actor_id: int, iou_id: object, clock: Clock = system_clock
) -> Iou:
    """The other side says yes and the IOU binds: the debtor agrees to owe
    (within their credit limit), or the creditor confirms what the debtor
    acknowledged. A new obligation, so not between two people either of
    whom blocked the other (declining and withdrawing still work)."""
    iou, state = _locked(session, iou_id, actor_id)
    check_accept(state, role_of(actor_id, iou.debtor_id, iou.creditor_id))
    if blocks.blocked_between(session, iou.debtor_id, iou.creditor_id):
        raise Conflict("This IOU can't be accepted any more; decline it instead.")
    if state.status == Status.PROPOSED:  # an acknowledgement was counted already
        reserve_debt(session, iou.debtor_id, state.outstanding)
    return _append(session, iou, Event.ACCEPTED, 0, actor_id, clock.now())


def decline_iou(
    session: Session, *, actor_id: int, iou_id: object, clock: Clock = system_clock
) -> Iou:
    iou, state = _locked(session, iou_id, actor_id)
    check_accept(state, role_of(actor_id, iou.debtor_id, iou.creditor_id))
    return _append(session, iou, Event.DECLINED, 0, actor_id, clock.now())


def cancel_iou(
    session: Session, *, actor_id: int, iou_id: object, clock: Clock = system_clock
) -> Iou:
    iou, state = _locked(session, iou_id, actor_id)
    check_cancel(state, actor_id, iou.proposed_by_id)
    return _append(session, iou, Event.CANCELLED, 0, actor_id, clock.now())


# --------------------------------------------------------------------------- settle


def settle_in_karma(
    session: Session,
    *,
    actor_id: int,
    iou_id: object,
    amount: object,
    key: object,
    clock: Clock = system_clock,
) -> Iou:
    """The debtor pays points through the ledger; the IOU shrinks by as much.
    `key` makes a resent form pay once."""
    iou, state = _locked(session, iou_id, actor_id)
    points = check_points(amount)
    role = role_of(actor_id, iou.debtor_id, iou.creditor_id)
    transfer_key = f"iou:{iou.id}:{check_key(key)}"[:64]
    # A resent form is a replay, not a second payment: it must not be refused
    # because the first one already settled it (the ledger replays or refuses it).
    resent = session.exec(
        select(IouEvent.id).where(IouEvent.transfer_key == transfer_key)
    ).first()
    if resent is None or role != "debtor":
        check_reduction(state, Event.SETTLED_KARMA, role, points)
    paid = ledger.transfer(
        session,
        key=transfer_key,
        debit_account_id=ledger.member_account(session, iou.debtor_id),
        credit_account_id=ledger.member_account(session, iou.creditor_id),
        amount=points,
        code="iou_settlement",
        memo=f"IOU #{iou.id}",
        clock=clock,
    )
    if paid.replayed:
        return iou
    return _append(
        session,
        iou,
        Event.SETTLED_KARMA,
        points,
        actor_id,
        clock.now(),
        transfer_key=transfer_key,
    )


def record_settlement(
    session: Session,
    *,
    actor_id: int,
    iou_id: object,
    kind: object,
    amount: object,
    note: object = "",
    clock: Clock = system_clock,
) -> Iou:
    """The creditor records return help, a payment, or forgiveness."""
    allowed = {Event.SETTLED_HELP, Event.SETTLED_PAYMENT, Event.FORGIVEN}
    if not isinstance(kind, str) or kind not in {k.value for k in allowed}:
        raise InvalidInput("Settle by return help, payment or forgiveness.", "kind")
    iou, state = _locked(session, iou_id, actor_id)
    points = state.outstanding if amount in (None, "") else check_points(amount)
    check_reduction(
        state, Event(kind), role_of(actor_id, iou.debtor_id, iou.creditor_id), points
    )
    text = clean_text(note, field="note", label="Note", max_length=300)
    return _append(session, iou, Event(kind), points, actor_id, clock.now(), note=text)


def remind_overdue(session: Session, *, clock: Clock = system_clock) -> list[Iou]:
    """Note a gentle reminder on open IOUs past their due date, weekly at most."""
    now = clock.now()
    due = session.exec(
        select(Iou).where(Iou.status == Status.OPEN, col(Iou.due_on) < now.date())
    ).all()
    reminded = []
    for iou in due:
        state = _state(session, iou)
        if state.last_reminded is None or now - state.last_reminded >= REMIND_EVERY:
            reminded.append(_append(session, iou, Event.REMINDED, 0, None, now))
    return reminded


# --------------------------------------------------------------------------- plumbing


def _locked(session: Session, iou_id: object, actor_id: int, lock: bool = True):
    """The IOU (under its row lock when changing it), if the actor is one of
    its two people."""
    if isinstance(iou_id, bool) or not isinstance(iou_id, int):
        raise InvalidInput("IOU id must be a whole number.")
    if not 0 < iou_id <= MAX_ID:
        raise NotFound("No such IOU.")
    query = select(Iou).where(Iou.id == iou_id)
    iou = session.exec(query.with_for_update() if lock else query).first()
    if iou is None or actor_id not in (iou.debtor_id, iou.creditor_id):
        raise NotFound("No such IOU.")  # a stranger learns nothing about it
    return iou, _state(session, iou)


def _state(session: Session, iou: Iou):
    events = session.exec(
        select(IouEvent).where(IouEvent.iou_id == iou.id).order_by(IouEvent.id)
    ).all()
    recorded = [Recorded(Event(e.kind), e.amount, e.actor_id, e.at) for e in events]
    return replay(iou.amount, recorded)


def _append(
    session: Session,
    iou: Iou,
    kind: Event,
    amount: int,
    actor_id: int | None,
    at: datetime,
    **extra,
) -> Iou:
    session.add(
        IouEvent(
            iou_id=iou.id, kind=kind, amount=amount, actor_id=actor_id, at=at, **extra
        )
    )
    session.flush()
    state = _state(session, iou)
    before = iou.status
    iou.status, iou.outstanding = state.status, state.outstanding
    session.add(iou)
    session.flush()
    if iou.status != before:
        _graph_follows(session, iou, before, at)
    return iou


def _graph_follows(session: Session, iou: Iou, before: str, at: datetime) -> None:
    """An IOU changed status: the first time it binds it warms the pair's
    connection (one still waiting warms nothing); every time, the graph's
    open-IOU count follows at commit."""
    if before in WAITING and iou.status == Status.OPEN:
        interactions.record_interaction(
            session,
            iou.debtor_id,
            iou.creditor_id,
            "iou",
            f"iou:{iou.id}",
            FixedClock(at),
        )
    refresh_owed_in_graph(session, [(iou.debtor_id, iou.creditor_id)])


def refresh_owed_in_graph(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """After commit, set the graph's count of open IOUs for each (debtor,
    creditor) pair to what this transaction leaves in the database. Counted
    now, inside the transaction, so the graph gets exactly what commits."""
    wanted = set(pairs)
    debtors = sorted({debtor for debtor, _ in wanted})
    counts: dict[tuple[int, int], int] = {}
    for start in range(0, len(debtors), 500):
        rows = session.exec(
            select(Iou.debtor_id, Iou.creditor_id, func.count())
            .where(
                Iou.status == Status.OPEN,
                col(Iou.debtor_id).in_(debtors[start : start + 500]),
            )
            .group_by(Iou.debtor_id, Iou.creditor_id)
        )
        counts.update(((d, c), n) for d, c, n in rows if (d, c) in wanted)
    for debtor, creditor in sorted(wanted):
        events.publish(
            session,
            "ious.changed",
            debtor_id=debtor,
            creditor_id=creditor,
            open_ious=counts.get((debtor, creditor), 0),
        )


# --------------------------------------------------------------------------- read


def ious_of(session: Session, member_id: int, *, today: date) -> list[IouView]:
    """Every IOU I am on, newest first."""
    rows = session.exec(
        select(Iou)
        .where(or_(Iou.debtor_id == member_id, Iou.creditor_id == member_id))
        .order_by(col(Iou.created_at).desc(), col(Iou.id).desc())
    ).all()
    others = {
        m.id: m
        for m in session.exec(
            select(Member).where(
                col(Member.id).in_(
                    {r.debtor_id for r in rows} | {r.creditor_id for r in rows}
                )
            )
        )
    }
    return [_view(iou, member_id, others, today) for iou in rows]


def _view(iou: Iou, me: int, members: dict[int, Member], today: date) -> IouView:
    role = "debtor" if iou.debtor_id == me else "creditor"
    other = members[iou.creditor_id if role == "debtor" else iou.debtor_id]
    return IouView(
        id=iou.id,
        my_role=role,
        other_name=other.display_name,
        other_handle=other.handle,
        amount=iou.amount,
        outstanding=iou.outstanding,
        status=iou.status,
        note=iou.note,
        due_on=iou.due_on.strftime("%d %b %Y") if iou.due_on else "",
        overdue=bool(iou.due_on and iou.due_on < today and iou.status == Status.OPEN),
        waiting_for_me=WAITING.get(Status(iou.status)) == role
        and iou.proposed_by_id != me,
        proposed_by_me=iou.proposed_by_id == me,
        created=iou.created_at.strftime("%d %b %Y"),
        status_label=STATUS_LABELS.get(iou.status, iou.status),
    )


def history_of(session: Session, *, actor_id: int, iou_id: object) -> list[str]:
    """An IOU's events as sentences, for its two people only."""
    iou, _ = _locked(session, iou_id, actor_id, lock=False)
    names = {
        m.id: m.display_name
        for m in session.exec(
            select(Member).where(col(Member.id).in_([iou.debtor_id, iou.creditor_id]))
        )
    }
    events = session.exec(
        select(IouEvent).where(IouEvent.iou_id == iou.id).order_by(IouEvent.id)
    ).all()
    return [_sentence(e, names) for e in events]


def _sentence(event: IouEvent, names: dict[int, str]) -> str:
    who = names.get(event.actor_id, "Karma")
    when = event.at.strftime("%d %b %Y")
    kind = Event(event.kind)
    if kind in REDUCTION_LABELS:
        return f"{when}: {REDUCTION_LABELS[kind]}, {event.amount} karma ({who})"
    return f"{when}: {kind.value.capitalize()} by {who}"


@dataclass(frozen=True)
class NetRow:
    other_name: str
    other_handle: str
    i_owe: int
    owed_to_me: int
    net: int  # + they owe me on balance, - I owe them

    @property
    def can_offset(self) -> bool:
        return self.i_owe > 0 and self.owed_to_me > 0


def net_by_person(session: Session, member_id: int) -> list[NetRow]:
    """Open debt between me and each person, both ways, and the net."""
    rows = session.exec(
        select(Iou).where(
            Iou.status == Status.OPEN,
            or_(Iou.debtor_id == member_id, Iou.creditor_id == member_id),
        )
    ).all()
    owe: dict[int, list[int]] = {}
    for iou in rows:
        other = iou.creditor_id if iou.debtor_id == member_id else iou.debtor_id
        pair = owe.setdefault(other, [0, 0])
        pair[0 if iou.debtor_id == member_id else 1] += iou.outstanding
    members = {
        m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(owe)))
    }
    nets = [
        NetRow(members[o].display_name, members[o].handle, i, them, them - i)
        for o, (i, them) in owe.items()
    ]
    return sorted(nets, key=lambda n: (-abs(n.net), n.other_handle))


# --------------------------------------------------------------------------- offset


@dataclass(frozen=True)
class OffsetView:
    id: int
    other_name: str
    amount: int
    mine: bool  # I proposed it (so I wait); otherwise I answer


def propose_offset(
    session: Session, *, actor_id: int, counterpart: object, clock: Clock = system_clock
) -> OffsetProposal:
    """Propose to cancel what we owe each other; it happens once they agree.
    Not to someone either of us blocked: each can still settle their side
    alone (pay in karma, or forgive), and an offset proposed before the block
    can still be answered."""
    other = _reachable_member(session, actor_id, counterpart)
    mutual = _mutual(session, actor_id, other.id)
    if mutual == 0:
        raise InvalidInput("You don't owe each other anything to offset.")
    open_one = session.exec(
        select(OffsetProposal).where(
            OffsetProposal.status == "proposed",
            or_(
                (OffsetProposal.proposer_id == actor_id)
                & (OffsetProposal.counterpart_id == other.id),
                (OffsetProposal.proposer_id == other.id)
                & (OffsetProposal.counterpart_id == actor_id),
            ),
        )
    ).first()
    if open_one is not None:
        raise InvalidInput(
            "An offset between you two is already waiting for an answer."
        )
    proposal = OffsetProposal(
        proposer_id=actor_id,
        counterpart_id=other.id,
        amount=mutual,
        created_at=clock.now(),
    )
    session.add(proposal)
    session.flush()
    return proposal


def answer_offset(
    session: Session,
    *,
    actor_id: int,
    proposal_id: object,
    accept: bool,
    clock: Clock = system_clock,
) -> OffsetProposal:
    """The other person agrees (the debt cancels both ways) or declines."""
    if isinstance(proposal_id, bool) or not isinstance(proposal_id, int):
        raise InvalidInput("Offset id must be a whole number.")
    if not 0 < proposal_id <= MAX_ID:
        raise NotFound("No such offset.")
    proposal = session.exec(
        select(OffsetProposal).where(OffsetProposal.id == proposal_id).with_for_update()
    ).first()
    if proposal is None or actor_id not in (
        proposal.proposer_id,
        proposal.counterpart_id,
    ):
        raise NotFound("No such offset.")
    if actor_id != proposal.counterpart_id:
        raise NotAuthorized("The other person answers an offset you proposed.")
    if proposal.status != "proposed":
        raise InvalidInput(f"This offset was already {proposal.status}.")
    now = clock.now()
    proposal.status, proposal.answered_at = ("accepted" if accept else "declined"), now
    if accept:
        proposal.amount = _apply_offset(session, proposal, now)
    session.add(proposal)
    session.flush()
    return proposal


def _mutual(session: Session, a: int, b: int) -> int:
    owed = {a: 0, b: 0}
    for iou in _open_between(session, a, b):
        owed[iou.debtor_id] += iou.outstanding
    return min(owed.values())


def _open_between(session: Session, a: int, b: int) -> list[Iou]:
    return list(
        session.exec(
            select(Iou)
            .where(
                Iou.status == Status.OPEN,
                or_(
                    (Iou.debtor_id == a) & (Iou.creditor_id == b),
                    (Iou.debtor_id == b) & (Iou.creditor_id == a),
                ),
            )
            .order_by(Iou.id)
            .with_for_update()
        ).all()
    )


def _apply_offset(session: Session, proposal: OffsetProposal, now: datetime) -> int:
    """Reduce both directions by the mutual amount as it stands now, oldest first."""
    a, b = proposal.proposer_id, proposal.counterpart_id
    ious = _open_between(session, a, b)
    amount = _mutual(session, a, b)
    if amount == 0:
        raise InvalidInput("There is no mutual debt left to offset.")
    for debtor in (a, b):
        left = amount
        for iou in (i for i in ious if i.debtor_id == debtor):
            take = min(left, iou.outstanding)
            if take:
                _append(
                    session,
                    iou,
                    Event.OFFSET,
                    take,
                    None,
                    now,
                    note=f"Offset #{proposal.id}",
                )
                left -= take
    return amount


def offsets_for(session: Session, member_id: int) -> list[OffsetView]:
    rows = session.exec(
        select(OffsetProposal).where(
            OffsetProposal.status == "proposed",
            or_(
                OffsetProposal.proposer_id == member_id,
                OffsetProposal.counterpart_id == member_id,
            ),
        )
    ).all()
    ids = {r.proposer_id for r in rows} | {r.counterpart_id for r in rows}
    names = {
        m.id: m.display_name
        for m in session.exec(select(Member).where(col(Member.id).in_(ids)))
    }
    return [
        OffsetView(
            r.id,
            names[r.counterpart_id if r.proposer_id == member_id else r.proposer_id],
            r.amount,
            r.proposer_id == member_id,
        )
        for r in rows
    ]
