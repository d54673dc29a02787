"""IOUs: "I owe you one", written down.

An IOU is a post-paid obligation between two members: the debtor owes the
creditor `amount` karma points (a "favour" is a configurable number of points).
Either party may write it down, and it binds only once both agree: a creditor's
proposal waits for the debtor to accept; a debtor who writes it has
acknowledged it, and it waits for the creditor to accept (anyone could
otherwise write a huge "debt" to a stranger to seem close to them). From then
on it is reduced by settlements: karma paid through the ledger, return help, a
payment, the creditor's forgiveness, a bilateral offset, or a multilateral
clearing.

What a member may owe is bounded: their outstanding IOU debt -- open IOUs,
their own acknowledgements still waiting, and IOU terms of help under way --
stays within their karma credit limit (`check_debt_room`).

Nothing about an IOU is ever overwritten. Its history is a list of events, and
its state -- status and what is still outstanding -- is derived from them by
`replay`, the same way an account balance is derived from transfers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from marketplace.domain.errors import DomainError, InvalidInput, NotAuthorized

MAX_IOU_POINTS = 100_000


class Event(StrEnum):
    PROPOSED = "proposed"
    ACKNOWLEDGED = "acknowledged"  # the debtor wrote it: it waits for the creditor
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    SETTLED_KARMA = "settled_karma"
    SETTLED_HELP = "settled_help"
    SETTLED_PAYMENT = "settled_payment"
    FORGIVEN = "forgiven"
    OFFSET = "offset"
    CLEARED = "cleared"
    REMINDED = "reminded"


# Events that reduce what is outstanding, and who may record each.
REDUCTIONS = {
    Event.SETTLED_KARMA: "debtor",
    Event.SETTLED_HELP: "creditor",
    Event.SETTLED_PAYMENT: "creditor",
    Event.FORGIVEN: "creditor",
    Event.OFFSET: "system",
    Event.CLEARED: "system",
}
REDUCTION_LABELS = {
    Event.SETTLED_KARMA: "Settled in karma",
    Event.SETTLED_HELP: "Settled by return help",
    Event.SETTLED_PAYMENT: "Settled by payment",
    Event.FORGIVEN: "Forgiven",
    Event.OFFSET: "Offset against a debt the other way",
    Event.CLEARED: "Cleared around a cycle",
}


class Status(StrEnum):
    PROPOSED = "proposed"  # the creditor wrote it: waiting for the debtor
    ACKNOWLEDGED = "acknowledged"  # the debtor wrote it: waiting for the creditor
    OPEN = "open"
    SETTLED = "settled"
    FORGIVEN = "forgiven"
    DECLINED = "declined"
    CANCELLED = "cancelled"


# waiting for an answer: who gives it
WAITING = {Status.PROPOSED: "debtor", Status.ACKNOWLEDGED: "creditor"}
# what counts against the debtor's credit limit: owed, or owed once the
# creditor says yes (the debtor already did)
DEBT = (Status.OPEN, Status.ACKNOWLEDGED)


class IouError(DomainError):
    """An IOU action that its state or the actor's role does not allow."""


class OverCreditLimit(IouError):
    """An IOU that would take its debtor's outstanding debt past their limit."""


@dataclass(frozen=True)
class Recorded:
    """One event as stored: what happened, how much, and who did it."""

    kind: Event
    amount: int
    actor_id: int | None
    at: datetime


@dataclass(frozen=True)
class IouState:
    status: Status
    amount: int
    outstanding: int
    last_reminded: datetime | None


def replay(amount: int, events: list[Recorded]) -> IouState:
    """Derive an IOU's state from its events, oldest first."""
    status, outstanding, reminded = Status.PROPOSED, amount, None
    for event in events:
        if event.kind == Event.ACCEPTED:
            status = Status.OPEN
        elif event.kind == Event.ACKNOWLEDGED:
            status = Status.ACKNOWLEDGED
        elif event.kind in (Event.DECLINED, Event.CANCELLED):
            status = Status(event.kind.value)
        elif event.kind in REDUCTIONS:
            outstanding -= event.amount
            if outstanding == 0:
                forgiven = event.kind == Event.FORGIVEN
                status = Status.FORGIVEN if forgiven else Status.SETTLED
        elif event.kind == Event.REMINDED:
            reminded = event.at
    return IouState(status, amount, outstanding, reminded)


def role_of(actor_id: int, debtor_id: int, creditor_id: int) -> str:
    if actor_id == debtor_id:
        return "debtor"
    if actor_id == creditor_id:
        return "creditor"
    raise NotAuthorized("Only the two people on this IOU can act on it.")


def check_points(value: object, *, label: str = "Amount") -> int:
    """Whole, positive karma; digits typed in a form are accepted."""
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 10:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{label} must be a whole number of karma.", "amount")
    if value <= 0:
        raise InvalidInput(f"{label} must be more than zero.", "amount")
    if value > MAX_IOU_POINTS:
        raise InvalidInput(
            f"{label} must be at most {MAX_IOU_POINTS:,} karma.", "amount"
        )
    return value


def check_accept(state: IouState, role: str) -> None:
    """May `role` accept (or decline) this IOU? The one who did not write it
    answers: the debtor a creditor's proposal, the creditor a debtor's
    acknowledgement."""
    answers = WAITING.get(state.status)
    if answers is None:
        raise IouError(f"This IOU is {state.status}, not waiting for an answer.")
    if role != answers:
        who = "the person who owes" if answers == "debtor" else "the person owed"
        raise NotAuthorized(f"Only {who} can answer this IOU.")


def check_cancel(state: IouState, actor_id: int, proposer_id: int) -> None:
    if actor_id != proposer_id:
        raise NotAuthorized("Only the person who proposed an IOU can withdraw it.")
    if state.status not in WAITING:
        raise IouError(f"This IOU is {state.status}; it can no longer be withdrawn.")


def check_debt_room(limit: int | None, owed: int, amount: int) -> None:
    """Refuse `amount` more IOU debt for a debtor who already owes `owed`
    (outstanding, DEBT) when it would pass their credit `limit` (None: no
    limit). A limit lowered below what they owe undoes nothing; they just
    can't owe more until they settle."""
    if limit is None or owed + amount <= limit:
        return
    room = max(0, limit - owed)
    if limit <= 0:
        raise OverCreditLimit(
            "Your credit limit is 0 karma, so you can't owe karma in IOUs "
            "yet; it grows as you earn the network's trust."
        )
    raise OverCreditLimit(
        f"You can owe at most {limit} karma in IOUs (your credit limit) and "
        f"already owe {owed}: you can take on at most {room} more."
    )


def check_reduction(state: IouState, kind: Event, role: str, amount: int) -> None:
    """May `role` reduce this IOU by `amount` this way?"""
    allowed = REDUCTIONS[kind]
    if allowed != "system" and role != allowed:
        who = "the person who owes" if allowed == "debtor" else "the person owed"
        raise NotAuthorized(f"Only {who} can record that.")
    if state.status != Status.OPEN:
        raise IouError(f"This IOU is {state.status}; nothing is outstanding.")
    if amount > state.outstanding:
        raise InvalidInput(
            f"Only {state.outstanding} karma is outstanding; "
            f"{amount} is more than is owed.",
            "amount",
        )
