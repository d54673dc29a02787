"""Finding members: the one a person means when they type a handle, or
several by id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from marketplace.db import remembered
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.models import Member


def member_row(session: Session, member_id: int) -> Member | None:
    """The member's row, read once per page (db.remembered): the card, the
    nudges and the checks of one dashboard all ask for it."""
    return remembered(
        session, ("member", member_id), lambda: session.get(Member, member_id)
    )


def by_id(session: Session, ids: Iterable[int]) -> dict[int, Member]:
    """The members with these ids (views that name people): those the
    session already loaded as they are, the rest in one query."""
    found: dict[int, Member] = {}
    missing = []
    for member_id in set(ids):
        loaded = session.identity_map.get(identity_key(Member, member_id))
        if loaded is not None:
            found[member_id] = loaded
        else:
            missing.append(member_id)
    if missing:
        rows = session.exec(select(Member).where(col(Member.id).in_(missing)))
        found.update({member.id: member for member in rows})
    return found


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
        raise no_such_handle(wanted)
    return member


def any_member(session: Session, handle: object) -> Member:
    """The member with this handle, whatever their status (operators)."""
    if not isinstance(handle, str) or not handle.strip():
        raise InvalidInput("Give a member's handle.", "handle")
    wanted = handle.strip().lstrip("@").lower()
    member = session.exec(select(Member).where(Member.handle == wanted)).first()
    if member is None:
        raise NotFound(f"No member with the handle '{wanted[:30]}'.")
    return member


def no_such_handle(handle: str) -> NotFound:
    """The refusal for a handle that names nobody; also for one a member may
    not reach (who blocked them), so the two can't be told apart."""
    return NotFound(f"No active member with the handle '{handle[:30]}'.")


def timezone_of(session: Session, member_id: int) -> str:
    """The time zone a member reads times in (their profile's; UTC if none).
    Most pages have already loaded the reader's row (an engagement with its
    parties, the navigation's card): then it costs no query."""
    loaded = session.identity_map.get(identity_key(Member, member_id))
    if loaded is not None:
        return loaded.timezone or "UTC"
    return remembered(
        session,
        ("timezone", member_id),
        lambda: session.exec(_TIMEZONE, params={"id": member_id}).first() or "UTC",
    )


_TIMEZONE = select(Member.timezone).where(Member.id == bindparam("id"))
