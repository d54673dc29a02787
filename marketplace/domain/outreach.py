"""Who may start talking to whom, and how much cold outreach one member may do.

The complaint this answers: on today's networks connecting costs nothing, so
people connect to ask for favours or to sell, and invitations stop being
accepted. Three frictions, each cheap for a genuine request:

- **Distance.** A connection (1st degree) is written to directly. Someone at
  the 2nd degree -- we share a connection -- may send one *message request*.
  Beyond that (a stranger) nobody may message at all, unless something real
  already brought the two together: an intro between them that was accepted,
  or a public listing (they are the two parties of an engagement: one booked
  the other's offer or answered the other's request). Those count as the 2nd
  degree. Connection requests may go to anyone.
- **A reason.** A message request always says why. A connection request to
  someone outside my 1st and 2nd degree (nobody vouches for it) says why too.
- **A weekly cap.** Connection requests and message requests together, at
  most `cap` (a setting, default 25) over any rolling 7 days.

A request to someone with nothing in common is allowed but discouraged: the
page shows the shared ground first and asks to confirm (`needs_confirmation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from marketplace.domain.errors import Conflict, InvalidInput

CONNECTION, MESSAGE = "connection", "message"
KINDS = (CONNECTION, MESSAGE)
WEEK = timedelta(days=7)
DEFAULT_WEEKLY_CAP = 25
NOTHING_IN_COMMON = "Nothing in common yet"  # connections.SharedGround.summary


@dataclass(frozen=True)
class Distance:
    """How far the recipient is from the sender: `degree` 1, 2, or None
    (3rd or beyond), and whether an intro or a listing brought them together."""

    degree: int | None
    brought_together: bool = False

    @property
    def near(self) -> bool:
        """1st or 2nd degree, or brought together: someone answers for it."""
        return self.degree in (1, 2) or self.brought_together


def check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise InvalidInput("Ask to connect or to message.", "kind")
    return kind  # type: ignore[return-value]


def reason_required(kind: str, distance: Distance) -> bool:
    """A message request always needs a reason; a connection request when
    nobody in my network stands between us."""
    return kind == MESSAGE or not distance.near


def check_reason(kind: str, distance: Distance, reason: str) -> None:
    if reason_required(kind, distance) and not reason.strip():
        what = "a message request" if kind == MESSAGE else "asking someone new"
        raise InvalidInput(
            f"Say why you're writing: a reason is required for {what}.",
            "reason" if kind == MESSAGE else "note",
        )


def check_weekly_cap(sent_this_week: int, cap: int) -> None:
    """Refuse once `cap` requests went out in the last 7 days."""
    if sent_this_week >= cap:
        raise Conflict(
            f"You've sent {sent_this_week} requests this week, the most we allow "
            f"({cap} a week, connection and message requests together). "
            "Try again in a few days."
        )


def needs_confirmation(shared_summary: str) -> bool:
    """Nothing in common: the page shows that first and asks to confirm."""
    return shared_summary == NOTHING_IN_COMMON


def conversation_pair(a: int, b: int) -> tuple[int, int]:
    """A conversation's two members, the lower id first (one per pair)."""
    if a == b:
        raise InvalidInput("You can't message yourself.", "handle")
    return (a, b) if a < b else (b, a)
