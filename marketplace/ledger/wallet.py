"""A member's view of their karma: balances, history, open holds, monthly flows.

A karma payment for help is two transfers in the ledger: the hold placed when
the help is accepted, and its outcome (posted when it is confirmed, voided when
it is cancelled or refunded, expired when its time ran out). The history shows
the two as one entry with its state, so paying 5 karma reads as one -5, not as
two. Balances tell karma held *by* me (my holds on others' help) from karma
held *for* me (others' holds on help I give), how far below zero my credit
limit lets me go to get help, and how much I may give away: only what I
earned (docs/design/karma-trust.md).

Read-only (a member whose account was never opened reads as empty); every
function takes the member id the caller already authorized.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.accounts.members import timezone_of
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import KARMA, Kind
from marketplace.domain.money import format_money
from marketplace.domain.times import local_date
from marketplace.ledger import ledger
from marketplace.models import Engagement, LedgerAccount, LedgerTransfer, Member
from marketplace.settings import get_settings

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
PAGE_SIZE = 20
DIRECTIONS = ("all", "in", "out")
CODE_LABELS = {
    "signup_grant": "Welcome grant",
    "signup_grant_retired": "Welcome grant retired",
    "admin_grant": "Grant from the Karma team",
    "gift": "Paid forward",
    "engagement": "Help",
    "iou_settlement": "IOU settlement",
    "intro_reward": "Intro reward",
    "vouch_absorbed": "Vouch covered a shortfall",
}
SYSTEM_NAMES = {
    "signup_grant": "Karma",
    "admin_grant": "Karma team",
    "fees": "Karma",
    "intro_reward": "Karma",
}
# A hold's state from how it was resolved (None: not yet).
HOLD_STATES = {None: "held", "post": "paid", "void": "released", "expire": "expired"}
STATE_LABELS = {
    "done": "",
    "held": "On hold",
    "paid": "Paid",
    "released": "Released",
    "refunded": "Refunded",
    "expired": "Expired",
}
# What happened to the karma, said after the dates of a hold.
STATE_ENDINGS = {
    "released": "released: nothing moved",
    "refunded": "refunded by an operator: nothing moved",
    "expired": "expired: nothing moved",
}
# an engagement's hold, or the one renewed at a delivery after it ran out
ENGAGEMENT_HOLD = re.compile(r"engagement:(\d+):hold(?::renewed)?")


@dataclass(frozen=True)
class Balances:
    available: int
    posted: int
    held: int  # held by me: my holds on help others give me
    incoming: int  # held for me: others' holds on help I give
    credit_limit: int = 0  # how far below zero I may go to pay for help
    givable: int = 0  # what I may give away: earned, not held

    @property
    def spendable(self) -> int:
        """What I may still spend on help, my credit included."""
        return max(0, self.available + self.credit_limit)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HistoryRow:
    """One entry of the history: a transfer, or a hold with its outcome."""

    when: str
    what: str
    counterparty: str
    counterparty_handle: str
    amount: int  # signed: + received, - given (for a hold: what it moves or moved)
    memo: str
    status: str  # done | held | paid | released | refunded | expired
    status_label: str = ""  # "On hold", "Paid", ... ("" for a plain transfer)
    detail: str = ""  # a hold's story: "Held 03 May 2026, paid 09 May 2026"
    moved: bool = True  # False while held, and when the karma never moved

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MonthFlow:
    month: str
    received: int
    given: int


def balances(session: Session, member_id: int) -> Balances:
    totals = ledger.member_totals(session, member_id)
    return Balances(
        totals.available,
        totals.balance,
        totals.debits_pending,
        totals.credits_pending,
        totals.credit_limit or 0,
        totals.givable,
    )


def _mine(session: Session, member_id: int) -> int:
    """The member's karma account, read without opening it: a member who
    never had one has no history (0 names no account)."""
    return ledger.find_member_account(session, member_id) or 0


def earnings(session: Session, member_id: int) -> list[str]:
    """Money a member earned from paid help, one label per currency
    ("€144.00"); read without opening accounts, so it works read-only."""
    rows = session.execute(
        select(ACCOUNT.c.currency, ACCOUNT.c.credits_posted - ACCOUNT.c.debits_posted)
        .where(ACCOUNT.c.member_id == member_id, ACCOUNT.c.currency != KARMA)
        .order_by(ACCOUNT.c.currency)
    ).all()
    locale = get_settings().locale  # the member's own, once members choose one
    return [
        format_money(amount, currency, locale) for currency, amount in rows if amount
    ]


def history(
    session: Session, member_id: int, *, direction: object = "all", page: object = 1
) -> tuple[list[HistoryRow], int]:
    """My transfers and holds, newest change first; a hold and its outcome
    (posted, voided, expired) are one entry."""
    if direction not in DIRECTIONS:
        raise InvalidInput("Filter must be all, in or out.")
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10_000:
        raise InvalidInput("Page must be a whole number from 1.")
    mine = _mine(session, member_id)
    side = {
        "all": or_(
            TRANSFER.c.debit_account_id == mine, TRANSFER.c.credit_account_id == mine
        ),
        "in": TRANSFER.c.credit_account_id == mine,
        "out": TRANSFER.c.debit_account_id == mine,
    }[direction]
    # Outcomes (post, void, expire) are shown on their hold's entry.
    visible = and_(side, TRANSFER.c.kind.in_([Kind.SINGLE, Kind.PENDING]))
    total = session.execute(select(func.count()).where(visible)).scalar_one()
    query, changed_at = _history_query(mine)
    rows = (
        session.execute(
            query.where(visible)
            .order_by(changed_at.desc(), TRANSFER.c.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .mappings()
        .all()
    )
    return _rows(session, rows, mine, timezone_of(session, member_id)), total


def _history_query(mine: int):
    """Transfers of my account with the other side's name and, for a hold,
    its outcome; and the moment each entry last changed (to sort by)."""
    other = aliased(ACCOUNT)
    person = aliased(Member.__table__)
    outcome = aliased(TRANSFER)
    other_id = case(
        (TRANSFER.c.debit_account_id == mine, TRANSFER.c.credit_account_id),
        else_=TRANSFER.c.debit_account_id,
    )
    changed_at = func.coalesce(outcome.c.created_at, TRANSFER.c.created_at)
    query = (
        select(
            TRANSFER,
            other.c.name.label("other_name"),
            person.c.display_name.label("other_person"),
            person.c.handle.label("other_handle"),
            outcome.c.kind.label("outcome_kind"),
            outcome.c.amount.label("outcome_amount"),
            outcome.c.created_at.label("outcome_at"),
        )
        .join(other, other.c.id == other_id)
        .outerjoin(person, person.c.id == other.c.member_id)
        .outerjoin(outcome, outcome.c.pending_id == TRANSFER.c.id)
    )
    return query, changed_at


def _rows(session: Session, rows, mine: int, zone: str) -> list[HistoryRow]:
    refunded = _refunded_holds(session, [r["transfer_key"] for r in rows])
    return [_history_row(row, mine, zone, refunded) for row in rows]


def _refunded_holds(session: Session, keys: list[str]) -> set[str]:
    """Which of these holds an operator voided by refunding a dispute (a void
    is otherwise a cancellation). Engagement holds are keyed by the
    engagement's id (market/engagements.py); the engagement's own `hold_key`
    confirms it, so a key that only looks like one matches nothing."""
    holds = {key: int(m[1]) for key in keys if (m := ENGAGEMENT_HOLD.fullmatch(key))}
    if not holds:
        return set()
    found = session.execute(
        select(Engagement.hold_key).where(
            Engagement.id.in_(set(holds.values())),
            Engagement.resolution == "refund",
            Engagement.hold_key.in_(list(holds)),
        )
    ).scalars()
    return set(found)


def _history_row(row, mine: int, zone: str, refunded: set[str]) -> HistoryRow:
    sign = -1 if row["debit_account_id"] == mine else 1
    placed = local_date(row["created_at"], zone)
    common = {
        "what": CODE_LABELS.get(row["code"], _label_of(row["code"])),
        "counterparty": row["other_person"]
        or SYSTEM_NAMES.get(row["other_name"], "Karma"),
        "counterparty_handle": row["other_handle"] or "",
        "memo": row["memo"],
    }
    if row["kind"] != Kind.PENDING:
        return HistoryRow(
            when=placed, amount=sign * row["amount"], status="done", **common
        )
    state = HOLD_STATES[row["outcome_kind"]]
    if state == "released" and row["transfer_key"] in refunded:
        state = "refunded"
    amount = row["outcome_amount"] if state == "paid" else row["amount"]
    settled = local_date(row["outcome_at"], zone) if row["outcome_at"] else placed
    return HistoryRow(
        when=settled,
        amount=sign * amount,
        status=state,
        status_label=STATE_LABELS[state],
        detail=_hold_story(state, placed, settled, amount, row["amount"]),
        moved=state == "paid",
        **common,
    )


def _hold_story(state: str, placed: str, settled: str, paid: int, held: int) -> str:
    """'Held 03 May 2026, paid 09 May 2026': the hold's dates in one line."""
    if state == "held":
        return f"Held since {placed}"
    if state == "paid":
        part = f" ({paid} of the {held} held)" if paid != held else ""
        return f"Held {placed}, paid {settled}{part}"
    return f"Held {placed}, {STATE_ENDINGS[state]} ({settled})"


def _label_of(code: str) -> str:
    """A readable name for a transfer code no label was written for."""
    return code.replace("_", " ").capitalize()


def open_holds(session: Session, member_id: int) -> list[HistoryRow]:
    """Holds on or for my account that are still pending, newest first:
    negative amounts are held by me, positive ones for me."""
    mine = _mine(session, member_id)
    resolved = select(TRANSFER.c.pending_id).where(TRANSFER.c.pending_id.is_not(None))
    query, _ = _history_query(mine)
    rows = (
        session.execute(
            query.where(
                TRANSFER.c.kind == Kind.PENDING,
                TRANSFER.c.id.not_in(resolved),
                or_(
                    TRANSFER.c.debit_account_id == mine,
                    TRANSFER.c.credit_account_id == mine,
                ),
            ).order_by(TRANSFER.c.id.desc())
        )
        .mappings()
        .all()
    )
    return _rows(session, rows, mine, timezone_of(session, member_id))


def monthly_flows(
    session: Session, member_id: int, *, now: datetime, months: int = 12
) -> list[MonthFlow]:
    """Karma received and given per calendar month, oldest first, posted only."""
    mine = _mine(session, member_id)
    labels = _month_labels(now, months)
    start = datetime(int(labels[0][:4]), int(labels[0][5:]), 1, tzinfo=now.tzinfo)
    rows = session.execute(
        select(
            TRANSFER.c.created_at, TRANSFER.c.amount, TRANSFER.c.credit_account_id
        ).where(
            TRANSFER.c.kind.in_([Kind.SINGLE, Kind.POST]),
            TRANSFER.c.created_at >= start,
            or_(
                TRANSFER.c.debit_account_id == mine,
                TRANSFER.c.credit_account_id == mine,
            ),
        )
    ).all()
    flows = {label: [0, 0] for label in labels}
    for created_at, amount, credit in rows:
        label = created_at.strftime("%Y-%m")
        if label in flows:
            flows[label][0 if credit == mine else 1] += amount
    return [MonthFlow(_pretty(label), *flows[label]) for label in labels]


def _month_labels(now: datetime, months: int) -> list[str]:
    year, month = now.year, now.month
    labels = []
    for _ in range(months):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]


def _pretty(label: str) -> str:
    return datetime(int(label[:4]), int(label[5:]), 1).strftime("%b %y")
