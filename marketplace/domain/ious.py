"""IOUs: "I owe you one", written down.

An IOU is a post-paid obligation between two members: the debtor owes the
creditor `amount` karma points (a "favour" is a configurable number of points).
Either party may propose it; it binds only once the debtor consents (a debtor
who proposes consents by proposing). From then on it is reduced by settlements:
karma paid through the ledger, return help, a payment, the creditor's
forgiveness, a bilateral offset, or a multilateral clearing.

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
    PROPOSED = "proposed"
    OPEN = "open"
    SETTLED = "settled"
    FORGIVEN = "forgiven"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class IouError(DomainError):
    """An IOU action that its state or the actor's role does not allow."""


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
    if role != "debtor":
        raise NotAuthorized("Only the person who owes can accept an IOU.")
    if state.status != Status.PROPOSED:
        raise IouError(f"This IOU is {state.status}, not waiting for an answer.")


def check_cancel(state: IouState, actor_id: int, proposer_id: int) -> None:
    if actor_id != proposer_id:
        raise NotAuthorized("Only the person who proposed an IOU can withdraw it.")
    if state.status != Status.PROPOSED:
        raise IouError(f"This IOU is {state.status}; it can no longer be withdrawn.")


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
