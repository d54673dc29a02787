"""A member's view of their karma: balances, history, open holds, monthly flows.

Read-only; every function takes the member id the caller already authorized.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import KARMA, Kind
from marketplace.domain.money import format_money
from marketplace.ledger import ledger
from marketplace.models import LedgerAccount, LedgerTransfer, Member
from marketplace.settings import get_settings

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
PAGE_SIZE = 20
DIRECTIONS = ("all", "in", "out")
CODE_LABELS = {
    "signup_grant": "Welcome grant",
    "admin_grant": "Grant from the Karma team",
    "gift": "Paid forward",
    "engagement": "Help",
}
SYSTEM_NAMES = {"signup_grant": "Karma", "admin_grant": "Karma team", "fees": "Karma"}


@dataclass(frozen=True)
class Balances:
    available: int
    posted: int
    held: int
    incoming: int  # held by others for me

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class HistoryRow:
    when: str
    what: str
    counterparty: str
    counterparty_handle: str
    amount: int  # signed: + received, - given
    memo: str
    status: str


@dataclass(frozen=True)
class MonthFlow:
    month: str
    received: int
    given: int


def balances(session: Session, member_id: int) -> Balances:
    totals = ledger.totals(session, ledger.member_account(session, member_id))
    return Balances(
        totals.available, totals.balance, totals.debits_pending, totals.credits_pending
    )


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
    """Posted movements (and holds) of my account, newest first."""
    if direction not in DIRECTIONS:
        raise InvalidInput("Filter must be all, in or out.")
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10_000:
        raise InvalidInput("Page must be a whole number from 1.")
    mine = ledger.member_account(session, member_id)
    side = {
        "all": or_(
            TRANSFER.c.debit_account_id == mine, TRANSFER.c.credit_account_id == mine
        ),
        "in": TRANSFER.c.credit_account_id == mine,
        "out": TRANSFER.c.debit_account_id == mine,
    }[direction]
    visible = and_(side, TRANSFER.c.kind.in_([Kind.SINGLE, Kind.POST, Kind.PENDING]))
    total = session.execute(select(func.count()).where(visible)).scalar_one()
    rows = (
        session.execute(
            _history_query(mine)
            .where(visible)
            .order_by(TRANSFER.c.created_at.desc(), TRANSFER.c.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        .mappings()
        .all()
    )
    return [_history_row(row, mine) for row in rows], total


def _history_query(mine: int):
    other = aliased(ACCOUNT)
    person = aliased(Member.__table__)
    resolution = aliased(TRANSFER)
    other_id = case(
        (TRANSFER.c.debit_account_id == mine, TRANSFER.c.credit_account_id),
        else_=TRANSFER.c.debit_account_id,
    )
    return (
        select(
            TRANSFER,
            other.c.name.label("other_name"),
            person.c.display_name.label("other_person"),
            person.c.handle.label("other_handle"),
            resolution.c.kind.label("resolved_as"),
        )
        .join(other, other.c.id == other_id)
        .outerjoin(person, person.c.id == other.c.member_id)
        .outerjoin(resolution, resolution.c.pending_id == TRANSFER.c.id)
    )


def _history_row(row, mine: int) -> HistoryRow:
    sign = -1 if row["debit_account_id"] == mine else 1
    status = "done"
    if row["kind"] == Kind.PENDING:
        status = {
            None: "held",
            "post": "settled",
            "void": "released",
            "expire": "expired",
        }[row["resolved_as"]]
    return HistoryRow(
        when=row["created_at"].strftime("%d %b %Y"),
        what=CODE_LABELS.get(row["code"], row["code"].replace("_", " ").capitalize()),
        counterparty=row["other_person"]
        or SYSTEM_NAMES.get(row["other_name"], "Karma"),
        counterparty_handle=row["other_handle"] or "",
        amount=sign * row["amount"],
        memo=row["memo"],
        status=status,
    )


def open_holds(session: Session, member_id: int) -> list[HistoryRow]:
    """Holds on or for my account that are still pending."""
    mine = ledger.member_account(session, member_id)
    resolved = select(TRANSFER.c.pending_id).where(TRANSFER.c.pending_id.is_not(None))
    rows = (
        session.execute(
            _history_query(mine)
            .where(
                TRANSFER.c.kind == Kind.PENDING,
                TRANSFER.c.id.not_in(resolved),
                or_(
                    TRANSFER.c.debit_account_id == mine,
                    TRANSFER.c.credit_account_id == mine,
                ),
            )
            .order_by(TRANSFER.c.id.desc())
        )
        .mappings()
        .all()
    )
    return [_history_row(row, mine) for row in rows]


def monthly_flows(
    session: Session, member_id: int, *, now: datetime, months: int = 12
) -> list[MonthFlow]:
    """Karma received and given per calendar month, oldest first, posted only."""
    mine = ledger.member_account(session, member_id)
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
