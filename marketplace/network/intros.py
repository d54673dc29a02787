"""Warm introductions: ask a connection to introduce me to someone they know.

    requested --(introducer forwards)--> forwarded --(target accepts)--> accepted
        \\--(introducer declines)--> declined      \\--(target declines)--> declined
    accepted --(an engagement between the two is confirmed)--> completed

Everything is said kindly and privately: a declined intro tells the asker only
that it "didn't happen this time", never who said no. A block between the
asker and the target (either way) ends an intro that is not through yet: it
is neither forwarded nor accepted. Forwarding warms the
introducer's ties; an accepted intro connects the two; when they go on to
help each other the intro is completed, and the introducer earns
`MARKETPLACE_INTRO_KARMA` (default 2) from the `intro_reward` system account
when the help moved karma between two trusted members -- once per pair of
members ever, and at most `MARKETPLACE_INTRO_REWARD_MONTHLY_CAP` a month
(docs/design/karma-trust.md). Introduce, help, part and introduce again, or
introduce the two both ways: nothing more is minted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import func
from sqlmodel import Session, and_, col, or_, select

from marketplace import routes
from marketplace.accounts import members
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import dialect_insert
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.strength import ordered_pair
from marketplace.domain.text import clean_text
from marketplace.domain.times import month_start
from marketplace.inbox import notifications as notes
from marketplace.ledger import ledger
from marketplace.models import (
    Connection,
    Engagement,
    Intro,
    IntroReward,
    LedgerAccount,
    Member,
)
from marketplace.network import blocks, connections, interactions, trust
from marketplace.settings import get_settings

MESSAGE_MAX = 500
OPEN = ("requested", "forwarded")
FORWARD_ANSWERS = ("forward", "decline")
TARGET_ANSWERS = ("accept", "decline")


@dataclass(frozen=True)
class IntroView:
    id: int
    status: str
    status_label: str
    my_part: str  # requester | introducer | target
    requester: str
    requester_handle: str
    via: str
    via_handle: str
    target: str
    target_handle: str
    message: str
    sent: str
    via_note: str = ""  # what the introducer added, for both to read
    # where it stands, from my side: "Waiting for Marcus to introduce you"
    sentence: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


STATUS_LABELS = {
    "requested": "Waiting for the introducer",
    "forwarded": "Introduced, waiting for an answer",
    "declined": "Didn't happen this time",
    "accepted": "Connected",
    "completed": "Led to help",
}


# --------------------------------------------------------------------------- asking


def request_intro(
    session: Session,
    *,
    actor_id: int,
    target: object,
    via: object,
    message: object,
    clock: Clock = system_clock,
) -> Intro:
    """Ask my connection `via` to introduce me to their connection `target`."""
    target_member = members.active_member(
        session, target, missing="Say who you'd like to meet.", field="target"
    )
    via_member = members.active_member(
        session, via, missing="Say who should introduce you.", field="via"
    )
    text = clean_text(
        message,
        field="message",
        label="Message",
        max_length=MESSAGE_MAX,
        multiline=True,
        required=True,
    )
    _check_triangle(session, actor_id, via_member, target_member)
    intro = Intro(
        requester_id=actor_id,
        via_id=via_member.id,
        target_id=target_member.id,
        message=text,
        status="requested",
        created_at=clock.now(),
    )
    session.add(intro)
    session.flush()
    asker = session.get(Member, actor_id)
    notes.notify(
        session,
        member_id=via_member.id,
        sender_id=actor_id,
        kind="intro",
        text=f"{asker.display_name} asks you to introduce them to "
        f"{target_member.display_name}: “{text}”",
        link=routes.INTROS,
        clock=clock,
    )
    return intro


def _check_triangle(session, me: int, via: Member, target: Member) -> None:
    """Only through someone I am connected to, to someone they are connected
    to, whom I don't know yet, and only once at a time."""
    if target.id == me:
        raise InvalidInput("That's you: pick someone you'd like to meet.", "target")
    if via.id in (me, target.id):
        raise InvalidInput("Pick someone else to introduce you.", "via")
    if not _connected(session, me, via.id):
        raise InvalidInput(
            f"You can only ask your own connections; you are not connected "
            f"with {via.display_name}.",
            "via",
        )
    if not _connected(session, via.id, target.id):
        raise InvalidInput(
            f"{via.display_name} is not connected with {target.display_name}.", "via"
        )
    state = connections.relationship(session, me, target.id)
    if state == "connected":
        raise Conflict(f"You are already connected with {target.display_name}.")
    if state in ("blocked", "unavailable"):
        raise Conflict(f"You can't be introduced to {target.display_name}.")
    if _open_intro(session, me, target.id) is not None:
        raise Conflict(f"You already asked for an intro to {target.display_name}.")


def _connected(session: Session, a: int, b: int) -> bool:
    row = connections.pair_row(session, a, b)
    return row is not None and row.status == "accepted"


def _open_intro(session: Session, requester: int, target: int) -> Intro | None:
    return session.exec(
        select(Intro).where(
            Intro.requester_id == requester,
            Intro.target_id == target,
            col(Intro.status).in_(OPEN),
        )
    ).first()


# ------------------------------------------------------------------------- answering


def forward_intro(
    session: Session,
    *,
    actor_id: int,
    intro_id: object,
    answer: object,
    note: object = "",
    clock: Clock = system_clock,
) -> Intro:
    """The introducer forwards the intro to the target, or lets it go."""
    if answer not in FORWARD_ANSWERS:
        raise InvalidInput("Answer with forward or decline.", "answer")
    intro = _mine(session, intro_id, actor_id, "via_id", "requested")
    text = clean_text(
        note, field="note", label="Note", max_length=MESSAGE_MAX, multiline=True
    )
    intro.answered_at = clock.now()
    if answer == "decline":
        return _let_go(session, intro, actor_id, clock)
    if blocks.blocked_between(session, intro.requester_id, intro.target_id):
        raise Conflict("This introduction can't be made any more; let it go.")
    intro.status, intro.via_note = "forwarded", text
    session.add(intro)
    names = _names(session, intro)
    adds = f" {names['via']} adds: “{text}”" if text else ""
    notes.notify(
        session,
        member_id=intro.target_id,
        sender_id=actor_id,
        kind="intro",
        text=f"{names['via']} would like to introduce you to "
        f"{names['requester']}. They say: “{intro.message}”{adds}",
        link=routes.INTROS,
        clock=clock,
    )
    notes.notify(
        session,
        member_id=intro.requester_id,
        sender_id=actor_id,
        kind="intro",
        text=f"{names['via']} introduced you to {names['target']}; "
        f"waiting for their answer.{adds}",
        link=routes.INTROS,
        clock=clock,
    )
    for other in (intro.requester_id, intro.target_id):
        interactions.record_interaction(
            session, intro.via_id, other, "intro", f"intro:{intro.id}", clock=clock
        )
    return intro


def answer_intro(
    session: Session,
    *,
    actor_id: int,
    intro_id: object,
    answer: object,
    clock: Clock = system_clock,
) -> Intro:
    """The target accepts (the two are connected) or declines, quietly."""
    if answer not in TARGET_ANSWERS:
        raise InvalidInput("Answer with accept or decline.", "answer")
    intro = _mine(session, intro_id, actor_id, "target_id", "forwarded")
    intro.answered_at = clock.now()
    if answer == "decline":
        return _let_go(session, intro, actor_id, clock)
    intro.status = "accepted"
    session.add(intro)
    _connect(session, intro, clock)
    names = _names(session, intro)
    for member_id, text in (
        (intro.requester_id, f"{names['target']} accepted {names['via']}'s "
         "introduction: you are now connected."),
        (intro.via_id, f"Your introduction of {names['requester']} to "
         f"{names['target']} was accepted. Thank you!"),
    ):  # fmt: skip
        notes.notify(
            session, member_id=member_id, sender_id=actor_id, kind="intro",
            text=text, link=routes.INTROS, clock=clock,
        )  # fmt: skip
    return intro


def _connect(session: Session, intro: Intro, clock: Clock) -> None:
    """The target's yes is consent: connect them, whatever the row was."""
    row = connections.pair_row(session, intro.requester_id, intro.target_id, lock=True)
    if row is None:
        row = Connection(
            requester_id=intro.requester_id,
            addressee_id=intro.target_id,
            note="Introduced",
            created_at=clock.now(),
        )
    elif row.status == "blocked":
        raise Conflict("This introduction can't be accepted.")
    elif row.status == "accepted":
        return  # they connected meanwhile
    row.status = "pending"
    session.add(row)
    session.flush()
    connections.accept(session, row, clock, announce=False)


def _let_go(session: Session, intro: Intro, actor_id: int, clock: Clock) -> Intro:
    intro.status = "declined"
    session.add(intro)
    target = session.get(Member, intro.target_id)
    notes.notify(
        session,
        member_id=intro.requester_id,
        sender_id=actor_id,
        kind="intro",
        text=f"Your intro to {target.display_name} didn't happen this time. "
        "Try someone else who knows them, or post a request.",
        link=routes.INTROS,
        clock=clock,
    )
    return intro


def _mine(session, intro_id: object, actor_id: int, part: str, status: str) -> Intro:
    if isinstance(intro_id, bool) or not isinstance(intro_id, int):
        raise NotFound("No such introduction.")
    intro = session.exec(
        select(Intro).where(Intro.id == intro_id).with_for_update()
    ).first()
    if intro is None or getattr(intro, part) != actor_id:
        raise NotFound("No such introduction.")
    if intro.status != status:
        raise Conflict(f"This introduction is already {intro.status}.")
    return intro


def _names(session: Session, intro: Intro) -> dict[str, str]:
    people = members.by_id(session, _three(intro))
    return {
        "requester": people[intro.requester_id].display_name,
        "via": people[intro.via_id].display_name,
        "target": people[intro.target_id].display_name,
    }


def _three(intro: Intro) -> tuple[int, int, int]:
    return intro.requester_id, intro.via_id, intro.target_id


# ---------------------------------------------------------------------- the reward


def reward_introducer(
    session: Session, engagement: Engagement, clock: Clock = system_clock
) -> Intro | None:
    """Help confirmed between two people an accepted intro brought together:
    the intro is completed, and its introducer may earn karma (`_reward`)."""
    pair = (engagement.asker_id, engagement.helper_id)
    intro = session.exec(
        select(Intro)
        .where(
            Intro.status == "accepted",
            or_(
                and_(Intro.requester_id == pair[0], Intro.target_id == pair[1]),
                and_(Intro.requester_id == pair[1], Intro.target_id == pair[0]),
            ),
        )
        .order_by(Intro.id)
        .with_for_update()
    ).first()
    if intro is None:
        return None
    intro.status, intro.engagement_id = "completed", engagement.id
    session.add(intro)
    earned = _reward(session, intro, engagement, clock)
    names = _names(session, intro)
    led = f"Your intro of {names['requester']} to {names['target']} led to help"
    notes.notify(
        session,
        member_id=intro.via_id,
        kind="intro",
        text=f"{led}: you earned {earned} karma." if earned else f"{led}.",
        link=routes.WALLET if earned else routes.INTROS,
        clock=clock,
    )
    return intro


def _reward(
    session: Session, intro: Intro, engagement: Engagement, clock: Clock
) -> int:
    """What the introducer earns from the `intro_reward` issuer, which has no
    limit of its own, so the limits are here (docs/design/karma-trust.md):
    only for help that moved karma between two trusted members, once per
    unordered pair of introduced members ever, and within the introducer's
    monthly cap. Returns the karma paid (0: none)."""
    amount = get_settings().intro_karma
    if amount <= 0 or not _moved_karma(engagement):
        return 0
    pair = ordered_pair(intro.requester_id, intro.target_id)
    if not all(trust.is_trusted(session, member_id) for member_id in pair):
        return 0
    account = ledger.member_account(session, intro.via_id)
    # The introducer's karma row, locked until commit: two rewards to one
    # introducer at once count the month one after the other (the transfer
    # below would lock the same row anyway).
    session.execute(
        select(LedgerAccount.id).where(LedgerAccount.id == account).with_for_update()
    )
    amount = min(amount, _room_this_month(session, intro.via_id, clock))
    if amount <= 0 or not _claim_pair(session, pair, intro, engagement, amount, clock):
        return 0
    ledger.transfer(
        session,
        key=f"intro:{intro.id}:reward",
        debit_account_id=ledger.system_account(session, ledger.INTRO_REWARD),
        credit_account_id=account,
        amount=amount,
        code="intro_reward",
        memo=f"Your intro led to help (engagement #{engagement.id})",
        clock=clock,
    )
    return amount


def _moved_karma(engagement: Engagement) -> bool:
    """Free help, IOU terms and card payments move no karma between the two:
    a loop of free help must not mint any."""
    return engagement.terms == "karma" and engagement.price > 0


def _room_this_month(session: Session, introducer_id: int, clock: Clock) -> int:
    """How much more the introducer may earn this calendar month (UTC)."""
    earned = session.exec(
        select(func.coalesce(func.sum(IntroReward.amount), 0)).where(
            IntroReward.introducer_id == introducer_id,
            IntroReward.created_at >= month_start(clock.now()),
        )
    ).one()
    return max(0, get_settings().intro_reward_monthly_cap - int(earned))


def _claim_pair(session, pair, intro: Intro, engagement, amount, clock) -> bool:
    """Spend the pair's one reward; False when it was spent before (by this
    intro, an earlier one, or one the other way round). Two claims at once:
    the unique pair lets one in, and the other inserts nothing."""
    claimed = session.execute(
        dialect_insert(session)(IntroReward.__table__)
        .values(
            member_a_id=pair[0],
            member_b_id=pair[1],
            introducer_id=intro.via_id,
            intro_id=intro.id,
            engagement_id=engagement.id,
            amount=amount,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing()
        .returning(IntroReward.__table__.c.id)
    )
    return claimed.first() is not None


# --------------------------------------------------------------------------- reading


def pending_intro(
    session: Session, requester_id: int, target_id: int
) -> IntroView | None:
    """The intro I asked for to this person that is still on its way
    (waiting for the introducer, or for them), for their profile page."""
    intro = _open_intro(session, requester_id, target_id)
    if intro is None:
        return None
    people = members.by_id(session, _three(intro))
    return _view(intro, requester_id, people)


def intros_of(session: Session, member_id: int) -> list[IntroView]:
    """Every intro I asked for, was asked to make, or was introduced by,
    newest first."""
    rows = session.exec(
        select(Intro)
        .where(
            or_(
                Intro.requester_id == member_id,
                Intro.via_id == member_id,
                and_(Intro.target_id == member_id, Intro.status != "requested"),
            )
        )
        .order_by(col(Intro.created_at).desc(), col(Intro.id).desc())
    ).all()
    people = members.by_id(session, (m for intro in rows for m in _three(intro)))
    return [_view(intro, member_id, people) for intro in rows]


def _view(intro: Intro, member_id: int, people: dict[int, Member]) -> IntroView:
    part = (
        "requester"
        if member_id == intro.requester_id
        else "introducer"
        if member_id == intro.via_id
        else "target"
    )
    requester, via, target = (
        people[intro.requester_id],
        people[intro.via_id],
        people[intro.target_id],
    )
    return IntroView(
        id=intro.id,
        status=intro.status,
        status_label=STATUS_LABELS[intro.status],
        my_part=part,
        requester=requester.display_name,
        requester_handle=requester.handle,
        via=via.display_name,
        via_handle=via.handle,
        target=target.display_name,
        target_handle=target.handle,
        message=intro.message,
        sent=intro.created_at.strftime("%-d %b %Y"),
        via_note=intro.via_note,
        sentence=_sentence(intro, part, requester, via, target),
    )


def _sentence(intro: Intro, part: str, requester, via, target) -> str:
    """Where the intro stands, said to the one reading it."""
    asked_on = intro.created_at.strftime("%-d %b")
    if part == "requester":
        if intro.status == "requested":
            return (
                f"You asked {via.display_name} on {asked_on} to introduce you to "
                f"{target.display_name}; waiting for {_first(via)}."
            )
        if intro.status == "forwarded":
            return (
                f"{via.display_name} introduced you to {target.display_name}; "
                f"waiting for {_first(target)}'s answer."
            )
    return STATUS_LABELS[intro.status] + "."


def _first(member: Member) -> str:
    parts = member.display_name.split()
    return parts[0] if parts else member.display_name
