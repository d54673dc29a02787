"""Notifications: what a member should know, for the inbox, the unread badge
and the daily digest email.

Services call `notify` inside their own unit of work, so a notification exists
exactly when the change it announces was committed.
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.adapters.clock import Clock, system_clock
from marketplace.models import Notification

TEXT_MAX = 300


def notify(
    session: Session,
    *,
    member_id: int,
    kind: str,
    text: str,
    link: str = "",
    clock: Clock = system_clock,
) -> Notification:
    """Tell `member_id` something; `text` is written by the product, not a member,
    but may quote a member's words, so it is cut to length (rendered as text)."""
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    note = Notification(
        member_id=member_id, kind=kind, text=text, link=link, created_at=clock.now()
    )
    session.add(note)
    return note
