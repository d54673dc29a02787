"""Submissions: a form submitted twice writes once.

Every form that creates something (a listing, a booking, an IOU, a message, a
group...) carries a key the server made when it showed the form and kept in
the page's state. The first submit with that key writes the thing and, in the
same transaction, a `submission` row: member, form, key and a reference to
what it created. A second submit with the same key -- a double click, a resent
event -- finds the row and gets that reference back, writing nothing.

The key is checked twice. Before anything is written it must be the one the
server issued for this form on this page (the state holds it; the browser only
echoes it), and rows are looked up per member: someone else's key is not
found, so it can neither replay their submit nor read what it made. A refused
submit (bad input) rolls back with its row, so the corrected form goes through.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, update
from sqlmodel import Session, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import dialect_insert
from marketplace.domain.errors import InvalidInput
from marketplace.models import Submission

KEY_BYTES = 16  # 32 hex characters
KEY_LENGTHS = range(16, 65)
KEPT_FOR = timedelta(days=2)  # a page shows a form for hours, not days
STALE = "This form is out of date; reload the page and try again."


@dataclass(frozen=True)
class Outcome:
    """What a submit made (an id or a slug, as text), and whether an earlier
    submit with the same key had already made it."""

    ref: str
    replayed: bool


def new_key() -> str:
    """A fresh, unguessable key for a form about to be shown."""
    return secrets.token_hex(KEY_BYTES)


def once(
    session: Session,
    *,
    member_id: int,
    form: str,
    key: object,
    issued: str,
    write: Callable[[], object],
    clock: Clock = system_clock,
) -> Outcome:
    """Run `write()` (which returns what it made) unless this member already
    submitted `form` with `key`; then return what that submit made.

    `issued` is the key the server made for this form on this page: a key
    not yet used must be that one, so a browser can't bring its own."""
    key = _checked(key)
    if key != issued:  # a resubmit of an earlier form, or a forged key
        if (earlier := _made_by(session, member_id, form, key)) is not None:
            return Outcome(earlier, replayed=True)
        raise InvalidInput(STALE, "form_key")
    claim_id = _claim(session, member_id, form, key, clock)
    if claim_id is None:  # made already: a concurrent submit, or a lost reply
        return Outcome(_made_by(session, member_id, form, key) or "", replayed=True)
    ref = str(write())
    session.execute(_SET_REF, {"claim": claim_id, "ref": ref})
    return Outcome(ref, replayed=False)


def _checked(key: object) -> str:
    if not isinstance(key, str) or len(key) not in KEY_LENGTHS:
        raise InvalidInput(STALE, "form_key")
    return key


def _made_by(session: Session, member_id: int, form: str, key: str) -> str | None:
    return session.exec(
        select(Submission.result_ref).where(
            Submission.member_id == member_id,
            Submission.form == form,
            Submission.key == key,
        )
    ).first()


def _claim(
    session: Session, member_id: int, form: str, key: str, clock: Clock
) -> int | None:
    """Take the key before writing, in one statement (the id of the claim;
    None if the key was taken): on PostgreSQL a second transaction with the
    same key waits here on the unique index until the first commits, then
    takes nothing and reads the first one's result (SQLite serializes
    writers)."""
    claim = dialect_insert(session)(_TABLE).values(
        member_id=member_id, form=form, key=key, result_ref="", created_at=clock.now()
    )
    taken = claim.on_conflict_do_nothing().returning(_TABLE.c.id)
    return session.execute(taken).scalar()


_TABLE = Submission.__table__
_SET_REF = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("claim"))
    .values(result_ref=bindparam("ref"))
)


def forget_old_submissions(session: Session, clock: Clock = system_clock) -> int:
    """Delete rows no page can replay any more (its form was long re-shown)."""
    cutoff = clock.now() - KEPT_FOR
    return session.exec(
        delete(Submission).where(Submission.created_at < cutoff)
    ).rowcount
