"""The engagement: one helper helping one asker, and the only moves it can make.

    proposed -> accepted -> delivered -> confirmed -> (reviewed)
        \\           \\            \\-> disputed -> resolved (refund | release)
         \\-> declined  \\-> cancelled (hold voided)

    calls (market/calls.py): accepted -> disputed when either side reports a
    no-show; proposed -> cancelled when every proposed time passed (expire)

An engagement is born `proposed` when an asker books an offer or a helper
answers a request. The other party accepts or declines; the proposer may
withdraw (cancelled) while it waits. Acceptance places the karma hold (or
records the IOU terms), confirmation posts it, cancelling voids it. Only the
helper delivers, only the asker confirms or disputes, only an operator resolves
a dispute, and only the clock confirms on its own after a quiet period.

`move()` is the one rule: given who is acting and what they want, it names the
next status or raises. It knows nothing of karma; services do the money side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized


class Status(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    DELIVERED = "delivered"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"
    DELIVER = "deliver"
    CONFIRM = "confirm"
    DISPUTE = "dispute"
    RESOLVE = "resolve"
    AUTO_CONFIRM = "auto_confirm"
    NO_SHOW = "no_show"  # a call's other side didn't come: to the disputes desk
    EXPIRE = "expire"  # a call's proposed times all passed unanswered


class Role(StrEnum):
    ASKER = "asker"
    HELPER = "helper"
    OPERATOR = "operator"
    SYSTEM = "system"  # the clock: auto-confirmation


# who may make each move: "other" is the party who did not propose,
# "proposer" the one who did, "party" either of the two
@dataclass(frozen=True)
class Move:
    source: Status
    target: Status
    who: str


MOVES: dict[Action, tuple[Move, ...]] = {
    Action.ACCEPT: (Move(Status.PROPOSED, Status.ACCEPTED, "other"),),
    Action.DECLINE: (Move(Status.PROPOSED, Status.DECLINED, "other"),),
    Action.CANCEL: (
        Move(Status.PROPOSED, Status.CANCELLED, "proposer"),
        Move(Status.ACCEPTED, Status.CANCELLED, "party"),
    ),
    Action.DELIVER: (Move(Status.ACCEPTED, Status.DELIVERED, Role.HELPER),),
    Action.CONFIRM: (Move(Status.DELIVERED, Status.CONFIRMED, Role.ASKER),),
    Action.DISPUTE: (Move(Status.DELIVERED, Status.DISPUTED, Role.ASKER),),
    Action.RESOLVE: (Move(Status.DISPUTED, Status.RESOLVED, Role.OPERATOR),),
    Action.AUTO_CONFIRM: (Move(Status.DELIVERED, Status.CONFIRMED, Role.SYSTEM),),
    Action.NO_SHOW: (Move(Status.ACCEPTED, Status.DISPUTED, "party"),),
    Action.EXPIRE: (Move(Status.PROPOSED, Status.CANCELLED, Role.SYSTEM),),
}

# "This engagement is confirmed; it can't be cancelled now."
PARTICIPLES = {
    Action.ACCEPT: "accepted",
    Action.DECLINE: "declined",
    Action.CANCEL: "cancelled",
    Action.DELIVER: "marked as delivered",
    Action.CONFIRM: "confirmed",
    Action.DISPUTE: "disputed",
    Action.RESOLVE: "resolved",
    Action.AUTO_CONFIRM: "confirmed",
    Action.NO_SHOW: "reported as a no-show",
    Action.EXPIRE: "expired",
}

# the verb, with {} where the engagement goes: "mark {} as delivered"
ACTION_LABELS = {
    Action.ACCEPT: "accept {}",
    Action.DECLINE: "decline {}",
    Action.CANCEL: "cancel {}",
    Action.DELIVER: "mark {} as delivered",
    Action.CONFIRM: "confirm {}",
    Action.DISPUTE: "dispute {}",
    Action.RESOLVE: "resolve {}",
    Action.AUTO_CONFIRM: "confirm {} automatically",
    Action.NO_SHOW: "report a no-show on {}",
    Action.EXPIRE: "expire {}",
}

# statuses that hold a spot of the listing's capacity
TAKES_A_SPOT = frozenset(
    {
        Status.ACCEPTED,
        Status.DELIVERED,
        Status.CONFIRMED,
        Status.DISPUTED,
        Status.RESOLVED,
    }
)
OPEN = frozenset({Status.PROPOSED, Status.ACCEPTED, Status.DELIVERED, Status.DISPUTED})
REVIEWABLE = frozenset({Status.CONFIRMED, Status.RESOLVED})
RESOLUTIONS = ("refund", "release")


def parse_action(value: object) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise InvalidInput("Unknown action for an engagement.", "action") from None


def allowed(move: Move, role: Role, proposer: Role | None) -> bool:
    if move.who == "party":
        return role in (Role.ASKER, Role.HELPER)
    if move.who == "proposer":
        return role == proposer
    if move.who == "other":
        return role in (Role.ASKER, Role.HELPER) and role != proposer
    return role == move.who


def move(status: Status, action: Action, role: Role, proposer: Role | None) -> Status:
    """The status after `role` takes `action`, or a refusal that says why."""
    moves = MOVES[action]
    legal = [m for m in moves if m.source == status]
    if not legal:
        done = PARTICIPLES[action]
        raise Conflict(f"This engagement is {status}; it can't be {done} now.")
    for candidate in legal:
        if allowed(candidate, role, proposer):
            return candidate.target
    raise NotAuthorized(_who_may(legal[0], action))


def already_done(
    status: Status, action: Action, role: Role, proposer: Role | None
) -> bool:
    """Whether the engagement already is where `role` taking `action` would
    have put it: a double-clicked Confirm, or a Cancel the other party beat
    them to. The move has nothing left to do, and it succeeded."""
    return any(m.target == status and allowed(m, role, proposer) for m in MOVES[action])


def _who_may(m: Move, action: Action) -> str:
    verb = ACTION_LABELS[action]
    return {
        "other": f"Only the other person can {verb.format('this proposal')}.",
        "proposer": f"Only the person who proposed it can {verb.format('it')} now.",
        "party": f"Only the two people in this engagement can {verb.format('it')}.",
        Role.HELPER: f"Only the helper can {verb.format('this engagement')}.",
        Role.ASKER: f"Only the person who asked for help can {verb.format('it')}.",
        Role.OPERATOR: "Only an operator can resolve a dispute.",
        Role.SYSTEM: "Only the scheduler does that on its own.",
    }[m.who]


def check_resolution(value: object) -> str:
    if value not in RESOLUTIONS:
        raise InvalidInput(
            "A dispute is resolved by 'refund' (the asker gets back what was "
            "held: karma, or their card payment) or 'release' (the helper is "
            "paid).",
            "resolution",
        )
    return str(value)
