"""The daily digest: one plain-text email with what a member has not read yet.

The rules, each checked under the member's row lock so that several app
workers running the same daily task send one digest, not one each:

- only active members who asked for it (`digest_opt_in`);
- only notifications still unread and never emailed: each is emailed once;
- at most one digest per member per UTC day (`last_digest_at`);
- a message the mail server did not take marks nothing, so the next run
  tries again; a mail server that is down ends the run.

Email and database can't share a transaction: the mail goes out first and the
marks commit after it, so a crash in between means a repeat, never a loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from marketplace import routes
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email, Mailer, MailRefused, MailServerDown
from marketplace.inbox import alerts
from marketplace.models import Member, Notification
from marketplace.settings import get_settings

LINES_MAX = 20  # the rest is summed up; the inbox has them all


@dataclass(frozen=True)
class DigestOutcome:
    """What became of one member's digest."""

    handle: str
    items: int
    sent: bool
    error: str = ""


@dataclass
class DigestReport:
    sent: list[DigestOutcome] = field(default_factory=list)
    refused: list[DigestOutcome] = field(default_factory=list)
    # set when the mail server was down: the run stopped there
    stopped: str = ""

    @property
    def items(self) -> int:
        return sum(outcome.items for outcome in self.sent)

    def add(self, outcome: DigestOutcome | None) -> None:
        if outcome is not None:
            (self.refused if outcome.error else self.sent).append(outcome)


def day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def due_member_ids(session: Session, *, clock: Clock = system_clock) -> list[int]:
    """Members who should get a digest now: opted in, none yet today, and
    something unread they have not been emailed about."""
    now = clock.now()
    waiting = select(Notification.member_id).where(
        col(Notification.read_at).is_(None),
        col(Notification.emailed_at).is_(None),
        Notification.created_at <= now,
    )
    return list(
        session.exec(
            select(Member.id)
            .where(
                col(Member.digest_opt_in).is_(True),
                Member.status == "active",
                or_(
                    col(Member.last_digest_at).is_(None),
                    col(Member.last_digest_at) < day_start(now),
                ),
                col(Member.id).in_(waiting),
            )
            .order_by(Member.id)
        ).all()
    )


def send_digest(
    session: Session,
    member_id: int,
    *,
    clock: Clock = system_clock,
    mailer: Mailer,
    dry_run: bool = False,
) -> DigestOutcome | None:
    """Send one member's digest if it is still due (None if not). A refused
    message comes back as an outcome with `error`; MailServerDown is raised."""
    member = session.exec(
        select(Member).where(Member.id == member_id).with_for_update()
    ).first()
    now = clock.now()
    if member is None or not _wants_one_today(member, now):
        return None
    notes = _waiting(session, member_id, now)
    if not notes:
        return None
    if not dry_run:
        try:
            mailer.send(compose(member, notes, now))
        except MailRefused as error:
            return DigestOutcome(member.handle, len(notes), False, str(error))
        _mark_emailed(session, member, notes, now)
    return DigestOutcome(member.handle, len(notes), not dry_run)


def send_digests(
    session: Session,
    *,
    clock: Clock = system_clock,
    mailer: Mailer,
    dry_run: bool = False,
) -> DigestReport:
    """Every due digest in the caller's one transaction (the app's daily task
    uses `deliver` with a transaction per member instead)."""
    return deliver(
        due_member_ids(session, clock=clock),
        lambda member_id: send_digest(
            session, member_id, clock=clock, mailer=mailer, dry_run=dry_run
        ),
    )


def deliver(
    due: Iterable[int], send_one: Callable[[int], DigestOutcome | None]
) -> DigestReport:
    """The run: a refused message is counted and the run goes on; a mail
    server that is down stops it, since every later send would fail too."""
    report = DigestReport()
    for member_id in due:
        try:
            report.add(send_one(member_id))
        except MailServerDown as error:
            report.stopped = str(error)
            break
    return report


def compose(member: Member, notes: list[Notification], now: datetime) -> Email:
    base = get_settings().base_url.rstrip("/")
    count = len(notes)
    things = "1 thing" if count == 1 else f"{count} things"
    recent = member.last_digest_at and now - member.last_digest_at < timedelta(days=2)
    subject = f"Karma: {things} " + ("since yesterday" if recent else "waiting for you")
    lines = [
        f"Hello {member.display_name},",
        "",
        "What you have not read yet on Karma:",
        "",
    ]
    for note in notes[:LINES_MAX]:
        lines.append("- " + " ".join(note.text.split()))  # one line per item
        if note.link.startswith("/"):
            lines.append(f"  {base}{note.link}")
    if count > LINES_MAX:
        lines.append(f"- and {count - LINES_MAX} more")
    stop = alerts.unsubscribe_url(member.id, alerts.DIGEST_MAIL)
    lines += [
        "",
        f"Your inbox: {base}{routes.INBOX}",
        "",
        "You get this email because you asked for a daily digest.",
        f"To stop it (no login needed): {stop}",
        f"or untick it on {base}{routes.PROFILE_EDIT}",
    ]
    return Email(
        to=member.email,
        subject=subject,
        body="\n".join(lines) + "\n",
        # RFC 8058: mail clients offer their own button, which POSTs the link
        headers=(
            ("List-Unsubscribe", f"<{stop}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )


def _wants_one_today(member: Member, now: datetime) -> bool:
    return (
        member.digest_opt_in
        and member.status == "active"
        and (member.last_digest_at is None or member.last_digest_at < day_start(now))
    )


def _waiting(session: Session, member_id: int, now: datetime) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(
                Notification.member_id == member_id,
                col(Notification.read_at).is_(None),
                col(Notification.emailed_at).is_(None),
                Notification.created_at <= now,
            )
            .order_by(Notification.id)
        ).all()
    )


def _mark_emailed(
    session: Session, member: Member, notes: list[Notification], now: datetime
) -> None:
    for note in notes:
        note.emailed_at = now
        session.add(note)
    member.last_digest_at = now
    session.add(member)
