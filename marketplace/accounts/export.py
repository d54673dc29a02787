"""Download my data: a zip of everything about one member.

`data.json` holds the profile, tags, listings, engagements (with their
timeline and messages), reviews given and received, connections, intros,
contexts, groups, conversations (direct messages) and message requests,
IOUs (with their events), notifications, the invitations the member sent
(without their links' token hashes), and the conversations the member logged
and the private notes they wrote about people; `ledger.csv`
the member's karma and money history. Other members appear by handle and
name only, never by email or anything they keep to themselves; an intro
shows the member only the notes that were written to them.

Archives are made outside the request (`start` runs `build` on a thread) and
wait in `export_dir` as `<member id>-<archive id>.zip`; the archive id is a
random token, and `archive_path` hands a file only to its own member, so a
guessed or another member's id finds nothing. A `.part` file holds the
progress while it is made. They are kept `export_keep_hours`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from marketplace.accounts import members, privacy
from marketplace.market.threads import REMOVED
from marketplace.models import (
    Connection,
    Contact,
    Context,
    ContextTag,
    Conversation,
    DirectMessage,
    Engagement,
    EngagementEvent,
    GroupMembership,
    Intro,
    Invitation,
    Iou,
    IouEvent,
    LedgerAccount,
    LedgerTransfer,
    Listing,
    ListingTag,
    LoggedInteraction,
    Member,
    MemberGroup,
    MemberTag,
    Message,
    MessageRequest,
    Notification,
    PersonNote,
    Review,
)
from marketplace.network import contacts
from marketplace.settings import get_settings

Progress = Callable[[int, str], None]
ARCHIVE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LEDGER_COLUMNS = (
    "id",
    "created_at",
    "currency",
    "direction",
    "amount",
    "counterparty",
    "kind",
    "code",
    "memo",
    "transfer_key",
)


def _quiet(_percent: int, _step: str) -> None:
    return None


def _row(obj: SQLModel, *drop: str) -> dict:
    data = obj.model_dump(mode="json")
    for field in drop:
        data.pop(field, None)
    return data


@dataclass
class _Names:
    """Other members by handle and name only."""

    session: Session
    cache: dict[int, dict]

    def of(self, member_id: int | None) -> dict | None:
        if member_id is None:
            return None
        if member_id not in self.cache:
            found = members.by_id(self.session, [member_id]).get(member_id)
            self.cache[member_id] = (
                {"handle": found.handle, "name": found.display_name} if found else {}
            )
        return self.cache[member_id]


def collect(session: Session, member_id: int, progress: Progress = _quiet) -> dict:
    """Everything about the member, as plain JSON-ready data."""
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError(f"No member with id {member_id}.")
    names = _Names(session, {})
    data: dict = {"format": "karma-export/1"}
    data["profile"] = _row(member, "password_hash", "invite_code_hash")
    data["tags"] = [
        {"kind": t.kind, "tag": t.tag}
        for t in session.exec(select(MemberTag).where(MemberTag.member_id == member_id))
    ]
    # my own privacy choices; others appear by handle and name only (_Names),
    # which no privacy setting keeps: what they keep by degree never shows
    data["privacy"] = asdict(privacy.settings_of(session, member_id))
    progress(10, "profile")
    data["listings"] = _listings(session, member_id)
    progress(25, "listings")
    data["engagements"] = _engagements(session, member_id, names)
    progress(50, "engagements")
    data["reviews_given"] = _reviews(session, Review.reviewer_id, member_id, names)
    data["reviews_received"] = _reviews(session, Review.reviewee_id, member_id, names)
    data["connections"] = _connections(session, member_id, names)
    data["intros"] = _intros(session, member_id, names)
    progress(65, "connections")
    data["contexts"] = _contexts(session, member_id)
    data["groups"] = _groups(session, member_id)
    data["conversations"] = _conversations(session, member_id, names)
    data["message_requests"] = _message_requests(session, member_id, names)
    data["ious"] = _ious(session, member_id, names)
    data["notifications"] = [
        _row(n, "member_id")
        for n in session.exec(
            select(Notification)
            .where(Notification.member_id == member_id)
            .order_by(Notification.id)
        )
    ]
    progress(80, "ious and notifications")
    # issue 23, invitations: the ones I sent (never a token's hash)
    data["invitations"] = _invitations(session, member_id, names)
    # -- issue 23, touchpoints: what I logged and noted about people (mine
    # only; what others wrote about me is theirs and never exported to me)
    data["logged_conversations"] = _my_logs(session, member_id, names)
    data["person_notes"] = _my_notes(session, member_id, names)
    # -- end touchpoints
    # issue 23 contacts: the member's own imported address book
    data["contacts"] = contacts.export_contacts(session, member_id)
    return data


# -- issue 23, touchpoints: logged conversations and private notes


def _about(session: Session, row, names: _Names) -> dict:
    """Whom a log or a note is about: a member by handle and name, or one of
    my own contacts by id and name."""
    if row.member_id is not None:
        return {"member": names.of(row.member_id)}
    contact = session.get(Contact, row.contact_id)
    return {"contact": {"id": row.contact_id, "name": contact.name if contact else ""}}


def _my_logs(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = session.exec(
        select(LoggedInteraction)
        .where(LoggedInteraction.author_id == member_id)
        .order_by(LoggedInteraction.id)
    )
    return [
        {
            **_row(r, "author_id", "member_id", "contact_id"),
            "about": _about(session, r, names),
        }
        for r in rows
    ]


def _my_notes(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = session.exec(
        select(PersonNote)
        .where(PersonNote.author_id == member_id)
        .order_by(PersonNote.id)
    )
    return [
        {
            **_row(r, "author_id", "member_id", "contact_id"),
            "about": _about(session, r, names),
        }
        for r in rows
    ]


# -- end touchpoints


def _listings(session: Session, member_id: int) -> list[dict]:
    rows = []
    for listing in session.exec(
        select(Listing).where(Listing.author_id == member_id).order_by(Listing.id)
    ):
        item = _row(listing, "search_text")
        item["tags"] = list(
            session.exec(
                select(ListingTag.tag).where(ListingTag.listing_id == listing.id)
            )
        )
        rows.append(item)
    return rows


def _engagements(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = []
    for e in session.exec(
        select(Engagement)
        .where(or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id))
        .order_by(Engagement.id)
    ):
        item = _row(e, "hold_key", "payment_intent_id")
        listing = session.get(Listing, e.listing_id)
        item["listing_title"] = listing.title if listing else ""
        item["asker"], item["helper"] = names.of(e.asker_id), names.of(e.helper_id)
        item["timeline"] = [
            {**_row(ev, "engagement_id"), "actor": names.of(ev.actor_id)}
            for ev in session.exec(
                select(EngagementEvent)
                .where(EngagementEvent.engagement_id == e.id)
                .order_by(EngagementEvent.id)
            )
        ]
        item["messages"] = [
            {**_row(m, "engagement_id"), "author": names.of(m.author_id)}
            for m in session.exec(
                select(Message)
                .where(Message.engagement_id == e.id)
                .order_by(Message.id)
            )
        ]
        rows.append(item)
    return rows


def _reviews(session: Session, column, member_id: int, names: _Names) -> list[dict]:
    return [
        {
            **_row(r),
            "reviewer": names.of(r.reviewer_id),
            "reviewee": names.of(r.reviewee_id),
        }
        for r in session.exec(select(Review).where(column == member_id))
    ]


# issue 23, invitations ------------------------------------------------------
def _invitations(session: Session, member_id: int, names: _Names) -> list[dict]:
    """The invitations the member sent: whom, the note, when, who joined."""
    return [
        _row(i, "token_hash", "inviter_id", "joined_member_id")
        | {"joined_as": names.of(i.joined_member_id)}
        for i in session.exec(
            select(Invitation)
            .where(Invitation.inviter_id == member_id)
            .order_by(Invitation.id)
        )
    ]


# ------------------------------------------------------------------------------
def _connections(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = []
    for c in session.exec(
        select(Connection).where(
            or_(
                Connection.requester_id == member_id,
                Connection.addressee_id == member_id,
            )
        )
    ):
        other = c.addressee_id if c.requester_id == member_id else c.requester_id
        rows.append(
            {
                "with": names.of(other),
                "requested_by_me": c.requester_id == member_id,
                "status": c.status,
                "note": c.note,
                "blocked_by_me": c.blocked_by_id == member_id,
            }
        )
    return rows


def _intros(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = []
    for i in session.exec(
        select(Intro).where(
            or_(
                Intro.requester_id == member_id,
                Intro.via_id == member_id,
                Intro.target_id == member_id,
            )
        )
    ):
        item = {
            "id": i.id,
            "status": i.status,
            "requester": names.of(i.requester_id),
            "via": names.of(i.via_id),
            "target": names.of(i.target_id),
            "engagement_id": i.engagement_id,
        }
        # each note only to whom it was written (and its writer)
        if member_id in (i.requester_id, i.via_id):
            item["message"] = i.message
        if member_id in (i.via_id, i.target_id):
            item["via_note"] = i.via_note
        rows.append(item)
    return rows


def _conversations(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = []
    for c in session.exec(
        select(Conversation)
        .where(
            or_(
                Conversation.member_a_id == member_id,
                Conversation.member_b_id == member_id,
            )
        )
        .order_by(Conversation.id)
    ):
        other = c.member_b_id if c.member_a_id == member_id else c.member_a_id
        messages = session.exec(
            select(DirectMessage)
            .where(DirectMessage.conversation_id == c.id)
            .order_by(DirectMessage.id)
        )
        rows.append(
            {
                "id": c.id,
                "with": names.of(other),
                "created_at": c.created_at.isoformat(),
                "messages": [_direct_message(m, member_id, names) for m in messages],
            }
        )
    return rows


def _direct_message(message: DirectMessage, member_id: int, names: _Names) -> dict:
    # a member's own words are theirs to take, hidden or not; what a
    # moderator hid of the other side reads as it does on the page
    hidden = message.hidden_at is not None
    mine = message.author_id == member_id
    return {
        "id": message.id,
        "author": names.of(message.author_id),
        "created_at": message.created_at.isoformat(),
        "body": REMOVED if hidden and not mine else message.body,
        "removed_by_moderator": hidden,
    }


def _message_requests(session: Session, member_id: int, names: _Names) -> list[dict]:
    return [
        _message_request(r, member_id, names)
        for r in session.exec(
            select(MessageRequest)
            .where(
                or_(
                    MessageRequest.sender_id == member_id,
                    MessageRequest.recipient_id == member_id,
                )
            )
            .order_by(MessageRequest.id)
        )
    ]


def _message_request(request: MessageRequest, member_id: int, names: _Names) -> dict:
    sent = request.sender_id == member_id
    # a sender learns only what the app shows them: accepted, or still sent;
    # an ignore or a block by the recipient stays the recipient's
    answered = not sent or request.status == "accepted"
    return {
        "sent_by_me": sent,
        "sender": names.of(request.sender_id),
        "recipient": names.of(request.recipient_id),
        "reason": request.reason,
        "status": request.status if answered else "sent",
        "created_at": request.created_at.isoformat(),
        "responded_at": (
            request.responded_at.isoformat()
            if answered and request.responded_at
            else None
        ),
        "conversation_id": request.conversation_id if answered else None,
    }


def _contexts(session: Session, member_id: int) -> list[dict]:
    rows = []
    for c in session.exec(select(Context).where(Context.member_id == member_id)):
        item = _row(c, "member_id")
        item["tags"] = list(
            session.exec(select(ContextTag.tag).where(ContextTag.context_id == c.id))
        )
        rows.append(item)
    return rows


def _groups(session: Session, member_id: int) -> list[dict]:
    return [
        {"name": g.name, "slug": g.slug, "joined": _row(m)}
        for m, g in session.exec(
            select(GroupMembership, MemberGroup)
            .join(MemberGroup, MemberGroup.id == GroupMembership.group_id)
            .where(GroupMembership.member_id == member_id)
        )
    ]


def _ious(session: Session, member_id: int, names: _Names) -> list[dict]:
    rows = []
    for iou in session.exec(
        select(Iou)
        .where(or_(Iou.debtor_id == member_id, Iou.creditor_id == member_id))
        .order_by(Iou.id)
    ):
        item = _row(iou)
        item["debtor"], item["creditor"] = (
            names.of(iou.debtor_id),
            names.of(iou.creditor_id),
        )
        item["events"] = [
            _row(ev, "iou_id")
            for ev in session.exec(
                select(IouEvent).where(IouEvent.iou_id == iou.id).order_by(IouEvent.id)
            )
        ]
        rows.append(item)
    return rows


def ledger_csv(session: Session, member_id: int) -> str:
    """The member's transfers, one line each, from their side."""
    mine = {
        a.id: a
        for a in session.exec(
            select(LedgerAccount).where(LedgerAccount.member_id == member_id)
        )
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEDGER_COLUMNS)
    if not mine:
        return out.getvalue()
    ids = list(mine)
    transfers = session.exec(
        select(LedgerTransfer)
        .where(
            or_(
                col(LedgerTransfer.debit_account_id).in_(ids),
                col(LedgerTransfer.credit_account_id).in_(ids),
            )
        )
        .order_by(LedgerTransfer.id)
    )
    for t in transfers:
        outgoing = t.debit_account_id in mine
        other = t.credit_account_id if outgoing else t.debit_account_id
        writer.writerow(
            (
                t.id,
                t.created_at.isoformat(),
                t.currency,
                "out" if outgoing else "in",
                t.amount,
                _account_name(session, other),
                t.kind,
                t.code,
                t.memo,
                t.transfer_key,
            )
        )
    return out.getvalue()


def _account_name(session: Session, account_id: int) -> str:
    account = session.get(LedgerAccount, account_id)
    if account is None:
        return ""
    if account.member_id is None:
        return account.name or account.code
    other = members.by_id(session, [account.member_id]).get(account.member_id)
    return f"@{other.handle}" if other else ""


def archive_bytes(
    session: Session, member_id: int, progress: Progress = _quiet
) -> bytes:
    data = collect(session, member_id, progress)
    ledger = ledger_csv(session, member_id)
    progress(95, "ledger history")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("ledger.csv", ledger)
    return buffer.getvalue()


# ---------------------------------------------------------------------- archives


def export_dir() -> Path:
    return Path(get_settings().export_dir)


def _path(member_id: int, archive_id: str, suffix: str) -> Path:
    return export_dir() / f"{int(member_id)}-{archive_id}{suffix}"


def new_archive_id() -> str:
    return secrets.token_urlsafe(24)


def start(
    member_id: int, session_factory: Callable, archive_id: str | None = None
) -> str:
    """Begin an archive for the member on a background thread; its id."""
    archive_id = archive_id or new_archive_id()
    export_dir().mkdir(parents=True, exist_ok=True)
    _set_progress(member_id, archive_id, 0, "starting")
    thread = threading.Thread(
        target=build,
        args=(member_id, archive_id, session_factory),
        name=f"export-{member_id}",
        daemon=True,
    )
    thread.start()
    return archive_id


def build(member_id: int, archive_id: str, session_factory: Callable) -> Path:
    """Make the archive file (a reader never sees half of it)."""
    export_dir().mkdir(parents=True, exist_ok=True)

    def progress(percent: int, step: str) -> None:
        _set_progress(member_id, archive_id, percent, step)

    try:
        with session_factory() as session:
            payload = archive_bytes(session, member_id, progress)
        target = _path(member_id, archive_id, ".zip")
        temporary = _path(member_id, archive_id, ".tmp")
        temporary.write_bytes(payload)
        temporary.replace(target)
    except Exception:
        _set_progress(member_id, archive_id, -1, "failed")
        raise
    _path(member_id, archive_id, ".part").unlink(missing_ok=True)
    return target


def _set_progress(member_id: int, archive_id: str, percent: int, step: str) -> None:
    """Written whole, then renamed: the page's heartbeat reads it meanwhile,
    and a half-written file must never read as a failed archive."""
    writing = _path(member_id, archive_id, f".part-{threading.get_ident()}")
    writing.write_text(json.dumps({"percent": percent, "step": step}))
    writing.replace(_path(member_id, archive_id, ".part"))


@dataclass(frozen=True)
class ArchiveStatus:
    percent: int  # 100: ready; -1: failed
    step: str
    ready: bool


def status(member_id: int, archive_id: object) -> ArchiveStatus | None:
    """How far the member's archive is, or None when it is not theirs."""
    if not _well_formed(archive_id):
        return None
    if archive_path(member_id, archive_id) is not None:
        return ArchiveStatus(100, "ready", True)
    part = _path(member_id, archive_id, ".part")
    try:
        seen = json.loads(part.read_text())
    except (OSError, ValueError):
        return None
    return ArchiveStatus(int(seen["percent"]), str(seen["step"]), False)


def archive_path(member_id: int, archive_id: object) -> Path | None:
    """The member's own ready archive, or None (unknown, other's, expired)."""
    if not _well_formed(archive_id):
        return None
    path = _path(member_id, archive_id, ".zip")
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    if age > get_settings().export_keep_hours * 3600:
        path.unlink(missing_ok=True)
        return None
    return path


def _well_formed(archive_id: object) -> bool:
    return isinstance(archive_id, str) and bool(ARCHIVE_ID.match(archive_id))


def forget_old_archives(now: float | None = None) -> int:
    """Delete archives past their time; the count deleted."""
    folder = export_dir()
    if not folder.is_dir():
        return 0
    limit = (now or time.time()) - get_settings().export_keep_hours * 3600
    gone = 0
    for path in folder.iterdir():
        if path.suffix in (".zip", ".part", ".tmp") and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def download_name(member_handle: str, when: datetime) -> str:
    return f"karma-data-{member_handle}-{when:%Y%m%d}.zip"
