"""Notifications: what a member should know, for the inbox, the unread badge
and the daily digest email.

Services call `notify` inside their own unit of work, so a notification exists
exactly when the change it announces was committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, func, update
from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.times import local_time
from marketplace.inbox import alerts, outbox
from marketplace.models import Member, Notification
from marketplace.network import blocks
from marketplace.settings import get_settings

TEXT_MAX = 300
PAGE_SIZE = 20
MAX_PAGE = 10_000


def notify(
    session: Session,
    *,
    member_id: int,
    kind: str,
    text: str,
    link: str = "",
    sender_id: int | None = None,
    clock: Clock = system_clock,
    alert: str | None = None,
) -> Notification | None:
    """Tell `member_id` something; `text` is written by the product, not a member,
    but may quote a member's words, so it is cut to length (rendered as text).

    `sender_id` is the member whose act this announces (None: the system's, an
    operator's). Nothing a member does reaches the inbox, or the digest, of
    someone who blocked them or whom they blocked: returns None then.

    The member's alert choice for its kind (`alert`, or the one
    alerts.alert_kind maps `kind` to) decides whether an email is queued in
    this same transaction (inbox/outbox.py), left to the digest, or never sent."""
    if sender_id is not None and blocks.blocked_between(session, sender_id, member_id):
        return None
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    note = Notification(
        member_id=member_id, kind=kind, text=text, link=link, created_at=clock.now()
    )
    # decided before the note joins the session: it is then written once,
    # its emailed_at set, not written and updated
    _alert(session, note, alert or alerts.alert_kind(kind), clock)
    session.add(note)
    return note


def unquote(
    session: Session, *, member_id: int, link: str, quote: str, replacement: str
) -> int:
    """Put `replacement` where `member_id`'s notes behind `link` end by
    quoting `quote` (whole, or cut at the note's length): what a moderator
    hid leaves the inbox too. Returns how many notes changed."""
    changed = 0
    for note in session.exec(
        select(Notification).where(
            Notification.member_id == member_id, Notification.link == link
        )
    ):
        at = _quoted_at(note.text, quote)
        if at is not None:
            note.text = note.text[: at + 2] + replacement
            session.add(note)
            changed += 1
    return changed


def _quoted_at(text: str, quote: str) -> int | None:
    """Where the ": " before `quote` starts, when `text` ends with it."""
    said = ": " + quote
    body = text.removesuffix("…")
    at = body.find(": ")
    while at >= 0:
        rest = body[at:]
        if len(rest) > 2 and said.startswith(rest) and (rest == said or body != text):
            return at
        at = body.find(": ", at + 1)
    return None


def _alert(
    session: Session, note: Notification, kind: str | None, clock: Clock
) -> None:
    """Queue the immediate email, or keep the note out of the digest when
    the member wants no email of this kind (`emailed_at`: the digest's
    'already handled' mark)."""
    if kind is None:
        return
    member = session.get(Member, note.member_id)
    if member is None or member.status != "active":
        return
    choice = alerts.choice_of(session, member.id, kind)
    if choice == alerts.DIGEST:
        return
    note.emailed_at = clock.now()
    if choice == alerts.IMMEDIATE:
        outbox.queue(
            session,
            member_id=member.id,
            kind=kind,
            to=member.email,
            subject="Karma: " + note.text,
            body=alert_body(member.display_name, note, kind),
            unsubscribe_url=alerts.unsubscribe_url(member.id, kind),
            clock=clock,
        )


def alert_body(name: str, note: Notification, kind: str) -> str:
    base = get_settings().base_url.rstrip("/")
    lines = [f"Hello {name},", "", " ".join(note.text.split()), ""]
    if local_link(note.link):
        lines += [f"Open it: {base}{note.link}", ""]
    lines += [
        f"You get this email because your alerts for "
        f"“{alerts.BY_NAME[kind].label.lower()}” are set to immediately.",
        f"Change your alerts: {base}{routes.SETTINGS_ALERTS}",
        f"Stop these emails: {alerts.unsubscribe_url(note.member_id, kind)}",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- inbox


@dataclass(frozen=True)
class NotificationView:
    """One inbox line as the member sees it."""

    id: int
    kind: str
    text: str
    link: str
    when: str
    unread: bool


def unread_count(session: Session, member_id: int) -> int:
    """How many notifications the member has not read (the navigation badge);
    one index-only count on (member_id, read_at)."""
    return session.exec(
        select(func.count(Notification.id)).where(
            Notification.member_id == member_id, col(Notification.read_at).is_(None)
        )
    ).one()


def inbox(
    session: Session, member_id: int, page: object = 1
) -> tuple[list[NotificationView], int]:
    """One page of the member's notifications, newest first, and the total."""
    items, total, _unread = inbox_page(session, member_id, page)
    return items, total


def inbox_page(
    session: Session, member_id: int, page: object = 1
) -> tuple[list[NotificationView], int, int]:
    """`inbox`, and how many are unread (the page's badge): both counts in
    one statement."""
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput("That page does not exist.", "page")
    total, unread, zone = session.execute(_COUNTS, {"member_id": member_id}).one()
    rows = session.exec(
        select(Notification)
        .where(Notification.member_id == member_id)
        .order_by(col(Notification.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return [view_of(note, zone or "UTC") for note in rows], total, unread


_MEMBER = bindparam("member_id", type_=Integer)
# Both counts, and the reader's time zone (members.timezone_of), in one row.
_COUNTS = select(
    func.count(Notification.id),
    func.count(Notification.id).filter(col(Notification.read_at).is_(None)),
    select(Member.timezone).where(Member.id == _MEMBER).scalar_subquery(),
).where(Notification.member_id == _MEMBER)


def view_of(note: Notification, zone: str = "UTC") -> NotificationView:
    """The line as its member reads it, with the time on their clock (`zone`:
    their profile's time zone)."""
    return NotificationView(
        id=note.id,
        kind=note.kind,
        text=note.text,
        link=local_link(note.link),
        when=local_time(note.created_at, zone),
        unread=note.read_at is None,
    )


def local_link(link: str) -> str:
    """Links are written by services, but an inbox only ever points inside the
    app: anything that is not a local path ('//host', 'javascript:') is dropped."""
    return link if link.startswith("/") and not link.startswith("//") else ""


def mark_read(
    session: Session,
    *,
    actor_id: int,
    notification_id: object,
    clock: Clock = system_clock,
) -> NotificationView:
    """The member has opened one notification. Another member's id is 'not
    found', exactly like an id that does not exist, so ids reveal nothing."""
    wanted = check_id(notification_id, "notification")
    note = session.get(Notification, wanted)
    if note is None or note.member_id != actor_id:
        raise NotFound("No such notification.")
    if note.read_at is None:  # the first reading time is kept
        note.read_at = clock.now()
        session.add(note)
    return view_of(note, timezone_of(session, actor_id))


def mark_read_linking(
    session: Session, *, member_id: int, link: str, clock: Clock = system_clock
) -> None:
    """The member saw what these notifications point to (a conversation
    they just opened): they are read too."""
    session.exec(
        update(Notification)
        .where(
            Notification.member_id == member_id,
            Notification.link == link,
            col(Notification.read_at).is_(None),
        )
        .values(read_at=clock.now())
    )


def mark_all_read(
    session: Session, *, actor_id: int, clock: Clock = system_clock
) -> int:
    """Everything in the member's inbox is read; returns how many changed."""
    result = session.exec(
        update(Notification)
        .where(Notification.member_id == actor_id, col(Notification.read_at).is_(None))
        .values(read_at=clock.now())
    )
    return result.rowcount
