"""Finding the member a person means when they type a handle."""

from __future__ import annotations

from sqlmodel import Session, select

from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.models import Member


def active_member(
    session: Session, handle: object, *, missing: str, field: str
) -> Member:
    """The active member with this handle ('@ada' and 'Ada' work too); `missing`
    is the message when nothing was typed."""
    if not isinstance(handle, str) or not handle.strip():
        raise InvalidInput(missing, field)
    wanted = handle.strip().lstrip("@").lower()
    member = session.exec(select(Member).where(Member.handle == wanted)).first()
    if member is None or member.status != "active":
        raise NotFound(f"No active member with the handle '{wanted[:30]}'.")
    return member
