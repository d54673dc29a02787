"""The moderation desk: open reports, what operators do about them, the log.

Reports (accounts/reports.py) wait in a queue grouped by the item they
name. An operator reads the item in context and acts on the whole group:

- dismiss: nothing was wrong;
- hide: a listing leaves the market, search and its page for everyone but its
  author; a review leaves profiles and ratings; an engagement or direct
  message reads "Removed by a moderator." and message search no longer finds
  its words (`hidden_at`; every reader checks it);
- warn: the member gets an inbox notification with the operator's words;
- suspend: the member's status becomes "suspended" -- every session ends
  (and every worker forgets them: "sessions.ended"), no log-in opens (the
  log-in page shows why and how to appeal), search, suggestions and profiles
  leave them out (they read active members only), their open listings are
  paused, and their proposed and accepted engagements are cancelled through
  the engagement service: karma holds voided and card authorizations
  released by the ledger and card services, never by editing a ledger row.
  Delivered and disputed engagements stay for the disputes desk.

A suspended member can't read their inbox, so the suspension, an appeal
kept and the unsuspension each reach them by email (the outbox, on commit).
Unsuspending gives the log-in back; paused listings stay paused for the
member to reopen. Every action needs an operator who confirmed their password
in this session within 15 minutes (accounts/reauth.py), and writes one row of
the append-only operator log (`ModerationAction`): who, what, on what, why,
when. The reporter's identity is shown to operators only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from marketplace import events, routes
from marketplace.accounts import members, reauth, reports
from marketplace.accounts.accounts import SUSPENDED, revoke_all_sessions
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.text import clean_text
from marketplace.inbox import notifications, outbox
from marketplace.market import engagements as engagement_moves
from marketplace.market.threads import REMOVED
from marketplace.models import (
    Appeal,
    Conversation,
    DirectMessage,
    Engagement,
    Listing,
    Member,
    Message,
    ModerationAction,
    Report,
    Review,
)
from marketplace.settings import get_settings

MAIL_KIND = "moderation"
ACTIONS = ("dismiss", "hide", "warn", "suspend")
OUTCOMES = {"dismiss": "dismissed", "hide": "hidden", "warn": "warned"}
REASON_MAX = 300
APPEAL_MAX = 1000
QUEUE_MAX = 50
LOG_MAX = 50
OPEN_ENGAGEMENTS = ("proposed", "accepted")
SUSPENDED_NOTICE = (
    "Your account is suspended by the operators of this network. You can't "
    "log in while it is. If you think this is a mistake, write an appeal "
    "below: an operator reads every one."
)


@dataclass(frozen=True)
class ThreadLine:
    """A message shown around a reported one."""

    author: str
    body: str
    reported: bool


@dataclass(frozen=True)
class QueueItem:
    """One reported item and its open reports, for the desk."""

    kind: str
    item_id: int
    member_id: int
    handle: str
    display_name: str
    suspended: bool
    reports: int
    reasons: str  # "Spam ×2, Scam or fraud"
    notes: list[str]
    reporters: str  # operators only
    title: str  # what the item is, in a line
    content: str  # its text
    context: list[ThreadLine] = field(default_factory=list)  # a message's neighbours
    history: str = ""  # the member's recent reports and standing

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- read


def queue(session: Session, *, operator_id: int) -> list[QueueItem]:
    """Open reports grouped by item, most reported first. An operator never
    sees reports about themselves (another operator handles those)."""
    _operator(session, operator_id)
    rows = session.exec(
        select(Report)
        .where(Report.closed_at.is_(None), Report.reported_id != operator_id)
        .order_by(col(Report.created_at))
    ).all()
    groups: dict[tuple[str, int], list[Report]] = {}
    for report in rows:
        groups.setdefault((report.kind, report.item_id), []).append(report)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].created_at))
    return [_item(session, group) for group in ordered[:QUEUE_MAX]]


def _item(session: Session, group: list[Report]) -> QueueItem:
    first = group[0]
    member = session.get(Member, first.reported_id)
    reasons = Counter(reports.REASONS[r.reason] for r in group)
    handles = session.exec(
        select(Member.handle).where(col(Member.id).in_([r.reporter_id for r in group]))
    ).all()
    title, content, context = _content(session, first.kind, first.item_id)
    return QueueItem(
        kind=first.kind,
        item_id=first.item_id,
        member_id=member.id,
        handle=member.handle,
        display_name=member.display_name,
        suspended=member.status == SUSPENDED,
        reports=len(group),
        reasons=", ".join(
            f"{reason} ×{n}" if n > 1 else reason for reason, n in reasons.items()
        ),
        notes=[r.note for r in group if r.note],
        reporters=", ".join(f"@{h}" for h in sorted(handles)),
        title=title,
        content=content,
        context=context,
        history=_history(session, member),
    )


def _content(session: Session, kind: str, item_id: int) -> tuple[str, str, list]:
    if kind == "listing":
        listing = session.get(Listing, item_id)
        hidden = " (hidden)" if listing.hidden_at else ""
        return f"Listing “{listing.title}”{hidden}", listing.description, []
    if kind == "review":
        review = session.get(Review, item_id)
        about = session.get(Member, review.reviewee_id)
        hidden = " (hidden)" if review.hidden_at else ""
        line = f"Review of @{about.handle}, {review.rating} stars{hidden}"
        return line, review.body, []
    if kind == "message":
        return _message_in_context(session, item_id)
    if kind == "dm":
        return _dm_in_context(session, item_id)
    member = session.get(Member, item_id)
    return f"Profile of @{member.handle}", member.headline or "(no headline)", []


def _message_in_context(session: Session, message_id: int) -> tuple[str, str, list]:
    """The message with up to two before and two after it in its thread."""
    message = session.get(Message, message_id)
    around = session.exec(
        select(Message, Member.handle)
        .join(Member, Member.id == Message.author_id)
        .where(Message.engagement_id == message.engagement_id)
        .order_by(col(Message.id))
    ).all()
    at = next(i for i, (m, _) in enumerate(around) if m.id == message_id)
    context = [
        ThreadLine(
            author=f"@{handle}",
            body=REMOVED if m.hidden_at else m.body,
            reported=m.id == message_id,
        )
        for m, handle in around[max(0, at - 2) : at + 3]
    ]
    hidden = " (removed)" if message.hidden_at else ""
    line = f"Message in engagement #{message.engagement_id}{hidden}"
    return line, message.body, context


def _dm_in_context(session: Session, message_id: int) -> tuple[str, str, list]:
    """A direct message with up to two before and two after it in its
    conversation, and the names of the two members."""
    message = session.get(DirectMessage, message_id)
    conversation = session.get(Conversation, message.conversation_id)
    same = DirectMessage.conversation_id == message.conversation_id
    before = session.exec(
        select(DirectMessage)
        .where(same, DirectMessage.id < message_id)
        .order_by(col(DirectMessage.id).desc())
        .limit(2)
    ).all()
    after = session.exec(
        select(DirectMessage)
        .where(same, DirectMessage.id > message_id)
        .order_by(col(DirectMessage.id))
        .limit(2)
    ).all()
    a = session.get(Member, conversation.member_a_id)
    b = session.get(Member, conversation.member_b_id)
    handles = {a.id: a.handle, b.id: b.handle}
    context = [
        ThreadLine(
            author=f"@{handles[m.author_id]}",
            body=REMOVED if m.hidden_at else m.body,
            reported=m.id == message_id,
        )
        for m in [*reversed(before), message, *after]
    ]
    hidden = " (removed)" if message.hidden_at else ""
    line = (
        f"Direct message between {a.display_name} (@{a.handle}) and "
        f"{b.display_name} (@{b.handle}){hidden}"
    )
    return line, message.body, context


def _history(session: Session, member: Member) -> str:
    """What the desk should know of the member: reports ever, actions taken."""
    reported = session.exec(
        select(func.count()).where(Report.reported_id == member.id)
    ).one()
    actions = session.exec(
        select(ModerationAction.action).where(ModerationAction.member_id == member.id)
    ).all()
    taken = Counter(actions)
    parts = [f"{reported} report{'s' if reported != 1 else ''} in all"]
    parts += [f"{action} ×{n}" for action, n in sorted(taken.items())]
    if member.status == SUSPENDED:
        parts.append("suspended now")
    return "; ".join(parts)


def operator_log(session: Session, *, operator_id: int) -> list[dict]:
    """The newest actions first: who, what, on what, whose, why, when."""
    _operator(session, operator_id)
    rows = session.exec(
        select(ModerationAction)
        .order_by(col(ModerationAction.id).desc())
        .limit(LOG_MAX)
    ).all()
    handles = _handles(
        session, {r.operator_id for r in rows} | {r.member_id for r in rows}
    )
    return [
        {
            "operator": f"@{handles[r.operator_id]}",
            "action": r.action,
            "on": f"{r.kind} #{r.item_id}",
            "member": f"@{handles[r.member_id]}",
            "reason": r.reason,
            "at": r.at.strftime("%d %b %Y %H:%M UTC"),
        }
        for r in rows
    ]


def open_appeals(session: Session, *, operator_id: int) -> list[dict]:
    _operator(session, operator_id)
    rows = session.exec(
        select(Appeal, Member)
        .join(Member, Member.id == Appeal.member_id)
        .where(Appeal.closed_at.is_(None))
        .order_by(col(Appeal.created_at))
    ).all()
    return [
        {
            "id": a.id,
            "member_id": m.id,
            "handle": m.handle,
            "suspended_reason": m.suspended_reason,
            "suspended": m.status == SUSPENDED,
            "body": a.body,
            "at": a.created_at.strftime("%d %b %Y"),
        }
        for a, m in rows
    ]


def _handles(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Member.id, Member.handle).where(col(Member.id).in_(ids)))
    return dict(rows.all())


def _operator(session: Session, operator_id: int) -> Member:
    operator = session.get(Member, operator_id)
    if operator is None or not operator.is_operator:
        raise NotAuthorized(reauth.ONLY_OPERATORS)
    return operator


# --------------------------------------------------------------------------- act


def act(
    session: Session,
    *,
    operator_id: int,
    token: object,
    action: object,
    kind: object,
    item_id: object,
    reason: object,
    clock: Clock = system_clock,
) -> str:
    """Dismiss, hide, warn or suspend on the open reports of one item; every
    one of them closes with the outcome. Returns the outcome."""
    reauth.require_operator(session, member_id=operator_id, token=token, clock=clock)
    if action not in ACTIONS:
        raise InvalidInput("Choose dismiss, hide, warn or suspend.", "action")
    why = _reason(reason, required=action != "dismiss")
    group = _open_group(session, kind, item_id)
    reported_id = group[0].reported_id
    if reported_id == operator_id:
        raise NotAuthorized("Another operator must handle reports about you.")
    if action == "hide":
        _hide(session, group[0], why, clock)
    elif action == "warn":
        _warn(session, reported_id, why, clock)
    elif action == "suspend":
        _suspend(session, operator_id, reported_id, why, clock)
    outcome = OUTCOMES.get(action, "suspended")
    _close(session, group, outcome, clock)
    _log(
        session,
        operator_id,
        action,
        group[0].kind,
        group[0].item_id,
        reported_id,
        why,
        clock,
    )
    return outcome


def _reason(value: object, *, required: bool) -> str:
    return clean_text(
        value, field="reason", label="Reason", max_length=REASON_MAX, required=required
    )


def _open_group(session: Session, kind: object, item_id: object) -> list[Report]:
    if kind not in reports.KINDS:
        raise NotFound("No open reports on that.")
    wanted = check_id(item_id, "report")
    group = session.exec(
        select(Report)
        .where(
            Report.kind == kind, Report.item_id == wanted, Report.closed_at.is_(None)
        )
        .with_for_update()
    ).all()
    if not group:
        raise NotFound("No open reports on that.")
    return list(group)


def _close(session: Session, group: list[Report], outcome: str, clock: Clock) -> None:
    for report in group:
        report.closed_at, report.outcome = clock.now(), outcome
        session.add(report)


def _log(session, operator_id, action, kind, item_id, member_id, why, clock) -> None:
    session.add(
        ModerationAction(
            operator_id=operator_id,
            action=action,
            kind=kind,
            item_id=item_id,
            member_id=member_id,
            reason=why,
            at=clock.now(),
        )
    )
    session.flush()


def _unquote_for_reader(session: Session, kind: str, message) -> None:
    """The reader's inbox note quoted the message: it reads as the thread."""
    if kind == "dm":
        conversation = session.get(Conversation, message.conversation_id)
        reader = conversation.member_a_id + conversation.member_b_id - message.author_id
        link = routes.conversation(session.get(Member, message.author_id).handle)
    else:
        engagement = session.get(Engagement, message.engagement_id)
        reader = engagement.asker_id + engagement.helper_id - message.author_id
        link = routes.engagement(engagement.id)
    notifications.unquote(
        session, member_id=reader, link=link, quote=message.body, replacement=REMOVED
    )


def _hide(session: Session, report: Report, why: str, clock: Clock) -> None:
    """Hide the reported item; its author is told, by the operator's words."""
    row = {
        "listing": Listing,
        "review": Review,
        "message": Message,
        "dm": DirectMessage,
    }.get(report.kind)
    if row is None:
        raise InvalidInput("A member can't be hidden: warn or suspend them.", "action")
    item = session.get(row, report.item_id)
    item.hidden_at = item.hidden_at or clock.now()
    session.add(item)
    if report.kind in ("message", "dm"):
        _unquote_for_reader(session, report.kind, item)
    what = {
        "listing": "listing",
        "review": "review",
        "message": "message",
        "dm": "message",
    }
    notifications.notify(
        session,
        member_id=report.reported_id,
        kind="moderation",
        text=f"A moderator hid your {what[report.kind]}: {why}",
        clock=clock,
    )


def _warn(session: Session, member_id: int, why: str, clock: Clock) -> None:
    notifications.notify(
        session,
        member_id=member_id,
        kind="moderation",
        text=f"A moderator warned you: {why}",
        clock=clock,
    )


# --------------------------------------------------------------------------- suspend


def _suspend(
    session: Session, operator_id: int, member_id: int, why: str, clock
) -> None:
    member = session.get(Member, member_id, with_for_update=True)
    if member is None or member.status not in ("active", SUSPENDED):
        raise NotFound("No such member.")
    if member.is_operator:
        raise NotAuthorized("Dismiss them as an operator first (the command line).")
    if member.status == SUSPENDED:
        return  # suspended meanwhile: the reports close with it
    member.status, member.suspended_at = SUSPENDED, clock.now()
    member.suspended_reason = why
    session.add(member)
    revoke_all_sessions(session, member_id, clock)  # every worker forgets them
    _pause_listings(session, member_id, clock)
    _cancel_engagements(session, operator_id, member_id, clock)
    # what else reads this member's standing follows (the graph's suggestions)
    events.publish(session, "members.suspended", member_id=member_id)
    _close_all_reports_on(session, member_id, clock)
    _mail(
        session,
        member,
        "Karma: your account is suspended",
        f"The operators suspended your account: {why}\n\nYou can't log in while "
        "it is. To appeal, log in with your password: the page that opens takes "
        "your appeal, and an operator reads every one.",
        clock,
    )


def _mail(session: Session, member: Member, subject: str, body: str, clock) -> None:
    """A suspended member can't open their inbox: what the desk decides about
    their account reaches them by email (sent once this transaction commits;
    not an alert, so no alert choice turns it off)."""
    login = get_settings().base_url.rstrip("/") + routes.LOGIN
    outbox.queue(
        session,
        member_id=member.id,
        kind=MAIL_KIND,
        to=member.email,
        subject=subject,
        body=f"Hello {member.display_name},\n\n{body}\n\n{login}\n",
        clock=clock,
    )


def _pause_listings(session: Session, member_id: int, clock: Clock) -> None:
    for listing in session.exec(
        select(Listing).where(Listing.author_id == member_id, Listing.status == "open")
    ).all():
        listing.status, listing.updated_at = "paused", clock.now()
        session.add(listing)


def _cancel_engagements(session, operator_id: int, member_id: int, clock) -> None:
    open_ones = session.exec(
        select(Engagement.id)
        .where(
            or_(Engagement.asker_id == member_id, Engagement.helper_id == member_id),
            col(Engagement.status).in_(OPEN_ENGAGEMENTS),
        )
        .order_by(col(Engagement.id))
    ).all()
    for engagement_id in open_ones:
        engagement_moves.cancel_by_operator(
            session,
            operator_id=operator_id,
            engagement_id=engagement_id,
            why="one of its two people was suspended.",
            clock=clock,
        )


def _close_all_reports_on(session: Session, member_id: int, clock: Clock) -> None:
    others = session.exec(
        select(Report).where(
            Report.reported_id == member_id, Report.closed_at.is_(None)
        )
    ).all()
    _close(session, list(others), "suspended", clock)


def unsuspend(
    session: Session,
    *,
    operator_id: int,
    token: object,
    member_id: object,
    reason: object,
    clock: Clock = system_clock,
) -> Member:
    """Give a suspended member their log-in back; their open appeals close."""
    reauth.require_operator(session, member_id=operator_id, token=token, clock=clock)
    why = _reason(reason, required=True)
    member = session.get(Member, check_id(member_id, "member"), with_for_update=True)
    if member is None or member.status != SUSPENDED:
        raise NotFound("No such suspended member.")
    member.status, member.suspended_at, member.suspended_reason = "active", None, ""
    session.add(member)
    events.publish(session, "members.suspended", member_id=member.id)
    _close_appeals(session, member.id, clock)
    _log(session, operator_id, "unsuspend", "member", member.id, member.id, why, clock)
    _mail(
        session,
        member,
        "Karma: your account is open again",
        f"The operators lifted your suspension: {why}\n\nYou can log in again. "
        "Your paused listings stay paused until you reopen them.",
        clock,
    )
    return member


def close_appeal(
    session: Session,
    *,
    operator_id: int,
    token: object,
    appeal_id: object,
    reason: object,
    clock: Clock = system_clock,
) -> None:
    """Answer an appeal by keeping the suspension; the member hears why at
    their next log-in attempt (the suspension's reason stays)."""
    reauth.require_operator(session, member_id=operator_id, token=token, clock=clock)
    why = _reason(reason, required=True)
    appeal = session.get(Appeal, check_id(appeal_id, "appeal"), with_for_update=True)
    if appeal is None or appeal.closed_at is not None:
        raise NotFound("No such open appeal.")
    appeal.closed_at = clock.now()
    session.add(appeal)
    _log(
        session, operator_id, "keep", "appeal", appeal.id, appeal.member_id, why, clock
    )
    _mail(
        session,
        session.get(Member, appeal.member_id),
        "Karma: the answer to your appeal",
        f"An operator read your appeal and kept the suspension: {why}",
        clock,
    )


def _close_appeals(session: Session, member_id: int, clock: Clock) -> None:
    for appeal in session.exec(
        select(Appeal).where(Appeal.member_id == member_id, Appeal.closed_at.is_(None))
    ).all():
        appeal.closed_at = clock.now()
        session.add(appeal)


# --------------------------------------------------------------------------- appeal


def suspension_reason(session: Session, member_id: int) -> str | None:
    """Why the member is suspended; None when they are not."""
    member = session.get(Member, member_id)
    if member is None or member.status != SUSPENDED:
        return None
    return member.suspended_reason


def appeal(
    session: Session, *, member_id: int, body: object, clock: Clock = system_clock
) -> Appeal:
    """A suspended member's appeal (the caller proved who they are with their
    password at the log-in); one open at a time."""
    if suspension_reason(session, member_id) is None:
        raise NotFound("This account is not suspended.")
    text = clean_text(
        body,
        field="body",
        label="Appeal",
        max_length=APPEAL_MAX,
        required=True,
        multiline=True,
    )
    already = session.exec(
        select(Appeal.id).where(
            Appeal.member_id == member_id, Appeal.closed_at.is_(None)
        )
    ).first()
    if already is not None:
        raise Conflict(
            "Your appeal is with the operators already; they will answer it."
        )
    row = Appeal(member_id=member_id, body=text, created_at=clock.now())
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- operators


def appoint_operator(session: Session, handle: object) -> tuple[Member, bool]:
    """Make an active member an operator (the command line only: whoever
    runs it holds the server). Returns the member and whether it changed."""
    member = members.any_member(session, handle)
    if member.status != "active":
        raise InvalidInput(f"@{member.handle} is not an active member.", "handle")
    changed = not member.is_operator
    member.is_operator = True
    session.add(member)
    events.publish(session, "members.role_changed", member_id=member.id)
    return member, changed


def dismiss_operator(session: Session, handle: object) -> tuple[Member, bool]:
    """Take the operator role away; their desks refuse them at once (every
    action reads the role afresh), their navigation follows."""
    member = members.any_member(session, handle)
    changed = member.is_operator
    member.is_operator = False
    session.add(member)
    events.publish(session, "members.role_changed", member_id=member.id)
    return member, changed


def operators(session: Session) -> list[Member]:
    return list(
        session.exec(
            select(Member).where(Member.is_operator).order_by(col(Member.handle))
        ).all()
    )
