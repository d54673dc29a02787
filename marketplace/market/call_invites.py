"""Calendar invites for calls: mailed to both people when a call is agreed,
updated when it moves, withdrawn when it is cancelled (being built)."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.adapters.clock import Clock
from marketplace.models import Engagement


def send_invites(session: Session, engagement: Engagement, clock: Clock) -> None:
    """METHOD:REQUEST to both parties at the engagement's invite_sequence."""


def send_cancellation(session: Session, engagement: Engagement, clock: Clock) -> None:
    """METHOD:CANCEL to both parties; raises invite_sequence first."""
