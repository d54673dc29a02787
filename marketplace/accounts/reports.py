"""Reports: a member tells the operators that something here is wrong.

A member may report another member, a listing, a review, an engagement
message or a direct message (`KINDS`), giving a reason from a fixed list
(`REASONS`) and, if they like, a note. The report names whose the thing is
(`reported_id`), so the moderation desk (accounts/moderation.py) groups
reports by item and acts on the member behind it.

Who reported is for the operators alone. Nothing the reported member can
see -- a page, a notification, their data export -- ever names the reporter
or says how many reported them; the desk's warning carries the operator's
words only.

Only what the reporter can see can be reported (a listing shown to them, a
message of an engagement they are part of, a direct message of a
conversation they are one of the two of): an id made up in a forged event
reads as "not found", exactly like a missing one. One open report per
reporter and item: a second one is refused, saying so. Reports are
throttled per member (accounts/throttles.py `allow_report`).

A new kind is one more entry of `KINDS` with a function that finds its
author for a reporter who may read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, select

from marketplace.accounts import throttles
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.text import clean_text
from marketplace.market import listings, threads
from marketplace.models import DirectMessage, Member, Message, Report, Review
from marketplace.network import conversations

REASONS: dict[str, str] = {
    "spam": "Spam",
    "harassment": "Harassment",
    "scam": "Scam or fraud",
    "inappropriate": "Inappropriate",
    "impersonation": "Impersonation",
    "other": "Something else",
}
NOTE_MAX = 500
ALREADY = (
    "You have already reported this. An operator will look at it; "
    "there is no need to report it again."
)
THANKS = "Thank you. An operator will look at it; they won't tell anyone it was you."


def _member(session: Session, reporter_id: int, item: object) -> tuple[int, int]:
    """A member, by handle or id; the reported is the member."""
    if isinstance(item, str) and not item.isdigit():
        found = session.exec(select(Member).where(Member.handle == item[:30])).first()
    else:
        found = session.get(Member, check_id(item, "member"))
    if found is None or found.status != "active":
        raise NotFound("No such member.")
    return found.id, found.id


def _listing(session: Session, reporter_id: int, item: object) -> tuple[int, int]:
    listing = listings.visible_listing(session, reporter_id, item)
    return listing.id, listing.author_id


def _review(session: Session, reporter_id: int, item: object) -> tuple[int, int]:
    review = session.get(Review, check_id(item, "review"))
    if review is None or review.hidden_at is not None:
        raise NotFound("No such review.")
    return review.id, review.reviewer_id


def _message(session: Session, reporter_id: int, item: object) -> tuple[int, int]:
    message = session.get(Message, check_id(item, "message"))
    if message is None or message.hidden_at is not None:
        raise NotFound("No such message.")
    # only a party of the engagement reads its thread, so only they report it
    threads.party_engagement(session, reporter_id, message.engagement_id)
    return message.id, message.author_id


def _dm(session: Session, reporter_id: int, item: object) -> tuple[int, int]:
    message = session.get(DirectMessage, check_id(item, "message"))
    if message is None or message.hidden_at is not None:
        raise NotFound("No such message.")
    # only the two of the conversation read it, so only they report it; to
    # anyone else it reads exactly like a missing one
    try:
        conversations.my_conversation(session, reporter_id, message.conversation_id)
    except NotFound:
        raise NotFound("No such message.") from None
    return message.id, message.author_id


# kind -> (reporter, item as sent) -> (item id, whose it is); refuses what the
# reporter may not see as "not found"
KINDS: dict[str, Callable[[Session, int, object], tuple[int, int]]] = {
    "member": _member,
    "listing": _listing,
    "review": _review,
    "message": _message,
    "dm": _dm,
}


@dataclass(frozen=True)
class Filed:
    report_id: int
    kind: str
    item_id: int


def file_report(
    session: Session,
    *,
    reporter_id: int,
    kind: object,
    item: object,
    reason: object,
    note: object = "",
    clock: Clock = system_clock,
) -> Filed:
    """Report `item` of `kind` for `reason`, with an optional note."""
    if kind not in KINDS:
        raise InvalidInput("Choose what you are reporting.", "kind")
    if reason not in REASONS:
        raise InvalidInput("Choose a reason from the list.", "reason")
    text = clean_text(
        note, field="note", label="Note", max_length=NOTE_MAX, multiline=True
    )
    item_id, reported_id = KINDS[kind](session, reporter_id, item)
    if reported_id == reporter_id:
        raise InvalidInput("You can't report yourself or what you wrote.", "kind")
    if _open_report(session, reporter_id, kind, item_id) is not None:
        raise Conflict(ALREADY)
    throttles.allow_report(reporter_id, session=session)
    report = Report(
        reporter_id=reporter_id,
        reported_id=reported_id,
        kind=kind,
        item_id=item_id,
        reason=reason,
        note=text,
        created_at=clock.now(),
    )
    session.add(report)
    session.flush()
    return Filed(report.id, kind, item_id)


def _open_report(session: Session, reporter_id: int, kind: str, item_id: int):
    return session.exec(
        select(Report.id).where(
            Report.reporter_id == reporter_id,
            Report.kind == kind,
            Report.item_id == item_id,
            Report.closed_at.is_(None),
        )
    ).first()
