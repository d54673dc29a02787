"""The mail outbox: alert emails written with the event, sent after commit.

An email and a database can't share a transaction. So an event that should
mail someone writes a `mail_outbox` row in its own transaction (`queue`):
rolled back, there is no row and no mail. The minute sweep (`send_due`)
then sends what is due, each row by exactly one worker of the cluster:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` — two claimers take
  different rows, never the same one;
- SQLite: a claim column (`claimed_until`) set in a write transaction
  (SQLite has one writer at a time), so a second claimer sees it taken.

A row is marked sent after the mail server took it (a crash in between
means a repeat, never a loss). A failure schedules a retry with exponential
backoff (1, 2, 4 ... minutes, at most 6 hours); after
MARKETPLACE_OUTBOX_MAX_ATTEMPTS tries, or a refusal of that very message,
the row is given up (`failed_at`).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import (
    Attachment,
    Email,
    Mailer,
    MailRefused,
    MailServerDown,
    header_safe,
)
from marketplace.models import MailOutbox
from marketplace.settings import get_settings

BATCH = 50
CLAIM_FOR = timedelta(minutes=5)  # a crashed claimer's rows come back after
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# an iTIP calendar's method (REQUEST, CANCEL ...): mail clients (Outlook)
# want it on the part's Content-Type too to show it as an invitation
_ITIP_METHOD = re.compile(rb"^METHOD:([A-Z]{1,16})\r?$", re.MULTILINE)


def queue(
    session: Session,
    *,
    member_id: int | None,
    kind: str,
    to: str,
    subject: str,
    body: str,
    unsubscribe_url: str = "",
    attachment: Attachment | None = None,
    clock: Clock = system_clock,
) -> MailOutbox:
    """A mail to send once this transaction commits. The subject quotes
    members' names: it is put on one line (no header injection)."""
    now = clock.now()
    row = MailOutbox(
        member_id=member_id,
        kind=kind,
        to_address=header_safe(to, 254),
        subject=header_safe(subject, 200),
        body=body,
        unsubscribe_url=unsubscribe_url,
        created_at=now,
        next_attempt_at=now,
    )
    if attachment is not None:  # its type is told again by its name's suffix
        row.attachment_name = header_safe(attachment.filename, 100)
        row.attachment = attachment.data
    session.add(row)
    return row


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1, 2, 4, ... minutes."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def email_of(row: MailOutbox) -> Email:
    headers: tuple[tuple[str, str], ...] = ()
    if row.unsubscribe_url:
        headers = (
            ("List-Unsubscribe", f"<{row.unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
    attachments: tuple[Attachment, ...] = ()
    if row.attachment is not None:
        data = bytes(row.attachment)
        kind = mimetypes.guess_type(row.attachment_name)[0]
        attachments = (
            Attachment(
                row.attachment_name,
                _with_method(kind or "application/octet-stream", data),
                data,
            ),
        )
    return Email(
        to=row.to_address,
        subject=row.subject,
        body=row.body,
        headers=headers,
        attachments=attachments,
    )


def _with_method(kind: str, data: bytes) -> str:
    """'text/calendar; charset=utf-8; method=REQUEST' for an invite (its
    names may be any language's), else `kind` as it is."""
    if kind != "text/calendar":
        return kind
    found = _ITIP_METHOD.search(data)
    method = f"; method={found.group(1).decode()}" if found else ""
    return f"{kind}; charset=utf-8{method}"


def claim(
    session: Session, *, clock: Clock = system_clock, limit: int = BATCH
) -> list[int]:
    """Claim up to `limit` due rows for this worker (in the caller's
    transaction; commit it to make the claim visible). Returns their ids."""
    now = clock.now()
    due = (
        select(MailOutbox)
        .where(
            col(MailOutbox.sent_at).is_(None),
            col(MailOutbox.failed_at).is_(None),
            MailOutbox.next_attempt_at <= now,
            (col(MailOutbox.claimed_until).is_(None))
            | (col(MailOutbox.claimed_until) < now),
        )
        .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = session.exec(due).all()
    for row in rows:
        row.claimed_until = now + CLAIM_FOR
        session.add(row)
    return [row.id for row in rows]


@dataclass
class OutboxReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sent)


def deliver(
    session: Session, row_id: int, *, mailer: Mailer, clock: Clock = system_clock
) -> str:
    """Send one claimed row and record what happened: sent, retry or failed."""
    row = session.get(MailOutbox, row_id)
    if row is None or row.sent_at is not None or row.failed_at is not None:
        return "gone"
    now = clock.now()
    row.attempts += 1
    row.claimed_until = None
    try:
        mailer.send(email_of(row))
    except MailRefused as error:  # this message will never go: give up now
        row.failed_at, row.last_error = now, str(error)[:300]
        outcome = "failed"
    except MailServerDown as error:
        row.last_error = str(error)[:300]
        if row.attempts >= get_settings().outbox_max_attempts:
            row.failed_at = now
            outcome = "failed"
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
            outcome = "retrying"
    else:
        row.sent_at, outcome = now, "sent"
    session.add(row)
    return outcome


def send_due(
    unit_of_work: Callable[[], object],
    *,
    mailer: Mailer,
    clock: Clock = system_clock,
) -> OutboxReport:
    """Claim what is due (one short transaction), then send each claimed row
    in its own transaction, so a row is marked the moment its mail went."""
    with unit_of_work() as session:
        ids = claim(session, clock=clock)
    report = OutboxReport()
    for row_id in ids:
        with unit_of_work() as session:
            outcome = deliver(session, row_id, mailer=mailer, clock=clock)
        if outcome != "gone":
            getattr(report, outcome).append(row_id)
    return report


def last_id(session: Session) -> int:
    return session.exec(select(func.max(MailOutbox.id))).one() or 0


def discard_after(session: Session, row_id: int) -> int:
    """Drop the unsent mails queued after `row_id` (the demo seed's own)."""
    session.flush()
    return session.exec(
        delete(MailOutbox).where(
            col(MailOutbox.id) > row_id, col(MailOutbox.sent_at).is_(None)
        )
    ).rowcount
