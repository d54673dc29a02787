"""Invitations: ask people who are not here yet to join, a few at a time.

A member invites someone from their imported contacts (a contact with an
email that matched no member) or by typing a name and an address, with a
personal note. Each invitation is mailed once, through the outbox (sent
after commit), with a link to the sign-up that pre-fills the name and
address (`invitation_for_signup`); signing up through it connects the two
at once and tells the inviter (`accept_invitation`). Only the SHA-256 of the
link's token is stored, as for verification links.

Limits: at most `BATCH_MAX` people per send ("a few at a time"), and
`throttles.allow_invitations` caps the new invitations a member sends a day
(the accounts issue's counters, shared by every worker). Never twice to the
same mailbox (canonical form) from one member: a repeat is reported as
"already invited", sends nothing and costs nothing.

No enumeration: the inviter must not learn whether an address they type has
an account here. So an address that belongs to a member is answered exactly
like any other -- "invited", an invitation row, the same count against the
caps, the same "sent" in the list forever -- but no sign-up link goes out:
that member instead gets a notification in their inbox (and an email if
their alert choice for connections says so), "X invited you to Karma...",
with a link to X's profile, so they can connect if they want to. A block
either way silences that notification (inbox/notifications.py). Only a
contact the importer already matched (by verified email, contacts' own
business) shows the inviter that someone is here.

Only an active member with a verified email may invite.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import throttles
from marketplace.accounts.mailboxes import member_by_email
from marketplace.accounts.verification import hash_token, require_verified
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.accounts import canonical_email, normalize_email
from marketplace.domain.errors import InvalidInput, NotAuthorized
from marketplace.domain.text import clean_text
from marketplace.inbox import notifications, outbox
from marketplace.models import Connection, Contact, ContactAddress, Invitation, Member
from marketplace.network import connections, contacts
from marketplace.settings import get_settings

BATCH_MAX = 10  # people in one send
NOTE_MAX = 500  # Invitation.note
NAME_MAX = 200  # Invitation.name
TOKEN_TEXT_MIN, TOKEN_TEXT_MAX = 20, 100
LINK_LIFETIME = timedelta(days=90)  # an invitation link works this long
MAIL_KIND = "invitation"
# what each recipient of a send came to
INVITED, ALREADY_INVITED = "invited", "already invited"
SENT, JOINED = "sent", "joined"


@dataclass(frozen=True)
class Outcome:
    name: str
    email: str
    status: str  # INVITED | ALREADY_INVITED


@dataclass
class InviteReport:
    """What one send did, recipient by recipient."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def invited(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == INVITED]

    @property
    def already(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == ALREADY_INVITED]

    @property
    def summary(self) -> str:
        parts = []
        if self.invited:
            n = len(self.invited)
            parts.append(f"{n} invitation{'s' if n != 1 else ''} sent")
        if self.already:
            names = ", ".join(o.name or o.email for o in self.already)
            parts.append(f"already invited: {names}")
        if not parts:
            return "Nobody to invite."
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


@dataclass(frozen=True)
class InvitationView:
    """One row of "invitations I sent"."""

    id: int
    name: str
    email: str
    sent_on: str  # YYYY-MM-DD
    status: str  # SENT | JOINED
    joined_handle: str = ""


@dataclass(frozen=True)
class ContactChoice:
    """A contact who could be invited: has an email, isn't a member (as far
    as the import matched), wasn't invited by me yet."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class SignupPrefill:
    name: str
    email: str
    inviter_name: str


@dataclass(frozen=True)
class _Recipient:
    name: str
    email: str
    canonical: str
    contact_id: int | None = None


# ----------------------------------------------------------------------------- sending


def send_invitations(
    session: Session,
    *,
    actor_id: int,
    recipients: object,
    note: object = "",
    clock: Clock = system_clock,
) -> InviteReport:
    """Invite each of `recipients` -- contact ids (mine) or (name, email)
    pairs -- with `note`. Every recipient is checked before anything is
    written: one bad address refuses the whole send, changing nothing."""
    inviter = _inviter(session, actor_id)
    text = clean_text(
        note, field="note", label="Note", max_length=NOTE_MAX, multiline=True
    )
    people = _recipients(session, inviter, recipients)
    sent_to = _already_invited(session, actor_id, [p.canonical for p in people])
    report, new = InviteReport(), []
    for person in people:
        if person.canonical in sent_to:
            report.outcomes.append(Outcome(person.name, person.email, ALREADY_INVITED))
            continue
        sent_to.add(person.canonical)
        new.append(person)
        report.outcomes.append(Outcome(person.name, person.email, INVITED))
    if new:
        throttles.allow_invitations(actor_id, len(new), session=session)
    for person in new:
        _invite(session, inviter, person, text, clock)
    return report


def _inviter(session: Session, actor_id: int) -> Member:
    """The inviter, locked: two sends of one member (two tabs) take turns,
    so "already invited" is decided on what the other one wrote."""
    member = session.exec(
        select(Member).where(Member.id == actor_id).with_for_update()
    ).first()
    if member is None or member.status != "active":
        raise NotAuthorized("Only active members can invite people.")
    require_verified(session, actor_id)
    return member


def _recipients(session: Session, inviter: Member, raw: object) -> list[_Recipient]:
    if not isinstance(raw, list | tuple) or not raw:
        raise InvalidInput("Choose someone to invite.", "recipients")
    if len(raw) > BATCH_MAX:
        raise InvalidInput(
            f"Invite at most {BATCH_MAX} people at a time; you chose {len(raw)}.",
            "recipients",
        )
    people = [_recipient(session, inviter.id, item) for item in raw]
    for person in people:
        if person.canonical == inviter.email_canonical:
            raise InvalidInput("That is your own address.", "email")
    return people


def _recipient(session: Session, actor_id: int, item: object) -> _Recipient:
    if isinstance(item, list | tuple) and len(item) == 2:
        name = clean_text(item[0], field="name", label="Name", max_length=NAME_MAX)
        email = normalize_email(
            item[1], check_deliverability=get_settings().email_check_deliverability
        )
        return _Recipient(name, email, canonical_email(email))
    return _contact_recipient(session, actor_id, item)


def _contact_recipient(session: Session, actor_id: int, item: object) -> _Recipient:
    """One of my contacts, by id: someone else's reads as no such contact."""
    contact = contacts.own_contact(session, actor_id, item)
    contact_id = contact.id
    if contact.member_id is not None:
        raise InvalidInput(
            f"{contact.name} is already here: ask to connect instead.", "recipients"
        )
    email = _contact_email(session, contact_id)
    if not email:
        raise InvalidInput(
            f"We have no email address for {contact.name}.", "recipients"
        )
    return _Recipient(
        contact.name[:NAME_MAX], email, canonical_email(email), contact_id
    )


def _contact_email(session: Session, contact_id: int) -> str:
    return (
        session.exec(
            select(ContactAddress.value)
            .where(
                ContactAddress.contact_id == contact_id, ContactAddress.kind == "email"
            )
            .order_by(ContactAddress.id)
            .limit(1)
        ).first()
        or ""
    )


def _already_invited(
    session: Session, actor_id: int, canonicals: list[str]
) -> set[str]:
    return set(
        session.exec(
            select(Invitation.email_canonical).where(
                Invitation.inviter_id == actor_id,
                col(Invitation.email_canonical).in_(canonicals),
            )
        ).all()
    )


def _invite(
    session: Session, inviter: Member, person: _Recipient, note: str, clock: Clock
) -> None:
    """One invitation row, and either the mail with the link or, for a
    mailbox that has an account, a notification to that member (see the
    module: the inviter can't tell which)."""
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            inviter_id=inviter.id,
            contact_id=person.contact_id,
            name=person.name,
            email=person.email,
            email_canonical=person.canonical,
            note=note,
            token_hash=hash_token(token),
            created_at=clock.now(),
        )
    )
    session.flush()
    member = member_by_email(session, person.email)
    if member is None:
        _mail(session, inviter, person, note, token, clock)
    elif member.status == "active":
        _tell_member(session, inviter, member, note, clock)


def _mail(
    session: Session,
    inviter: Member,
    person: _Recipient,
    note: str,
    token: str,
    clock: Clock,
) -> None:
    link = get_settings().base_url.rstrip("/") + routes.invitation_link(token)
    hello = f"Hello {person.name},\n\n" if person.name else "Hello,\n\n"
    said = f"{inviter.display_name} wrote:\n\n{note}\n\n" if note else ""
    body = (
        f"{hello}{inviter.display_name} invited you to join them on Karma, "
        "where professionals ask each other for help and give it.\n\n"
        f"{said}Join here; you'll be connected with {inviter.display_name} "
        f"at once:\n{link}\n\n"
        "If you don't know them, ignore this mail: nothing happens, and "
        "they can't invite this address again.\n"
    )
    outbox.queue(
        session,
        member_id=None,
        kind=MAIL_KIND,
        to=person.email,
        subject=f"{inviter.display_name} invited you to Karma",
        body=body,
        clock=clock,
    )


def _tell_member(
    session: Session, inviter: Member, member: Member, note: str, clock: Clock
) -> None:
    if member.id == inviter.id:
        return
    said = f': "{note}"' if note else "."
    notifications.notify(
        session,
        member_id=member.id,
        sender_id=inviter.id,
        kind="connection",
        text=f"{inviter.display_name} invited you to Karma, not knowing you "
        f"are here. Connect if you know them{said}",
        link=routes.person(inviter.handle),
        clock=clock,
    )


# ----------------------------------------------------------------------------- reading


def invitations_of(session: Session, *, actor_id: int) -> list[InvitationView]:
    """The invitations the member sent, newest first."""
    rows = session.exec(
        select(Invitation)
        .where(Invitation.inviter_id == actor_id)
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    joined_ids = [r.joined_member_id for r in rows if r.joined_member_id]
    handles = dict(
        session.exec(
            select(Member.id, Member.handle).where(col(Member.id).in_(joined_ids))
        ).all()
    )
    return [
        InvitationView(
            id=r.id,
            name=r.name,
            email=r.email,
            sent_on=r.created_at.date().isoformat(),
            status=JOINED if r.joined_at is not None else SENT,
            joined_handle=handles.get(r.joined_member_id, ""),
        )
        for r in rows
    ]


def invitable_contacts(session: Session, *, actor_id: int) -> list[ContactChoice]:
    """My contacts I could invite (see ContactChoice), by name."""
    invited = select(Invitation.email_canonical).where(
        Invitation.inviter_id == actor_id
    )
    rows = session.exec(
        select(Contact.id, Contact.name, ContactAddress.value)
        .join(ContactAddress, ContactAddress.contact_id == Contact.id)
        .where(
            Contact.owner_id == actor_id,
            col(Contact.member_id).is_(None),
            ContactAddress.owner_id == actor_id,
            ContactAddress.kind == "email",
            col(ContactAddress.value).not_in(invited),
        )
        .order_by(Contact.name, Contact.id, ContactAddress.id)
    ).all()
    seen: dict[int, ContactChoice] = {}
    for contact_id, name, email in rows:
        seen.setdefault(contact_id, ContactChoice(contact_id, name, email))
    return list(seen.values())


# --------------------------------------------------------------------------- joining


def _invitation_for(
    session: Session, token: object, now: datetime, *, lock: bool = False
) -> Invitation | None:
    """The unused, unexpired invitation `token` opens, or None."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not TOKEN_TEXT_MIN <= len(token) <= TOKEN_TEXT_MAX:
        return None
    query = select(Invitation).where(Invitation.token_hash == hash_token(token))
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None or row.joined_at is not None:
        return None
    if row.created_at + LINK_LIFETIME <= now:
        return None
    return row


def invitation_for_signup(
    session: Session, token: object, *, clock: Clock = system_clock
) -> SignupPrefill | None:
    """What the sign-up form shows for an invitation link: the name and
    address the inviter typed, and who invited. None for a bad or used one."""
    row = _invitation_for(session, token, clock.now())
    if row is None:
        return None
    inviter = session.get(Member, row.inviter_id)
    if inviter is None or inviter.status != "active":
        return None
    return SignupPrefill(row.name, row.email, inviter.display_name)


def accept_invitation(
    session: Session,
    *,
    token: object,
    new_member_id: int,
    clock: Clock = system_clock,
) -> Invitation | None:
    """Called in the sign-up's transaction: the invitation is joined, the
    two are connected at once (an accepted connection, warmed like any),
    and the inviter is told. A bad, used or expired token does nothing and
    returns None: the sign-up goes on without it. The new member may sign
    up with another address than the one invited: the link is what counts
    (it went to the invited mailbox), and their own address is verified as
    always."""
    row = _invitation_for(session, token, clock.now(), lock=True)
    if row is None or row.inviter_id == new_member_id:
        return None
    inviter = session.get(Member, row.inviter_id)
    newcomer = session.get(Member, new_member_id)
    if inviter is None or newcomer is None or inviter.status != "active":
        return None
    now = clock.now()
    row.joined_member_id, row.joined_at = new_member_id, now
    session.add(row)
    if connections.pair_row(session, inviter.id, new_member_id, lock=True) is None:
        _connect(session, inviter, newcomer, clock)
    return row


def _connect(session: Session, inviter: Member, newcomer: Member, clock: Clock) -> None:
    pair = Connection(
        requester_id=inviter.id,
        addressee_id=newcomer.id,
        status="pending",
        note="Joined through your invitation.",
        created_at=clock.now(),
    )
    session.add(pair)
    session.flush()
    connections.accept(session, pair, clock, announce=False)
    notifications.notify(
        session,
        member_id=inviter.id,
        sender_id=newcomer.id,
        kind="connection",
        text=f"{newcomer.display_name} joined through your invitation; "
        "you are connected now.",
        link=routes.person(newcomer.handle),
        clock=clock,
    )
