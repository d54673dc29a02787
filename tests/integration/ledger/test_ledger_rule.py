"""The one balancing rule, decided three ways, must decide the same.

The domain states it (`domain.ledger.FLOOR` / `CEILING`, and `EARNED` in
FLOOR's place for a gift, asked through `Bound.allows`); `ledger_sql` renders
it as the guards of its UPDATEs (the path SQLite takes, and PostgreSQL can
take statement by statement); and the PL/pgSQL function `ledger_record` of
alembic 0004 (0021 for the gift's guard) carries its own copy, the path
PostgreSQL takes. For any account and any change -- a table of edge cases
written out by hand, then generated ones -- each path refuses exactly when the
domain does, and an applied change moves the totals by `debit_effect`.
"""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from marketplace.domain.ledger import (
    BOUNDS,
    EARNED,
    FLOOR,
    KARMA,
    RESOLUTIONS,
    Kind,
    Side,
    Totals,
    debit_effect,
    growth,
)
from marketplace.ledger import ledger_sql
from marketplace.ledger.ledger import _totals
from marketplace.models import LedgerAccount, LedgerTransfer

ACCOUNT, TRANSFER = LedgerAccount.__table__, LedgerTransfer.__table__
NOW = datetime(2026, 3, 1, tzinfo=UTC)
# The other side of every case: no bound, so only the account under test can refuse.
COUNTERPART = Totals(credit_limit=None, cap=None)


def paths(engine: Engine) -> list[str]:
    """The HotPath methods that apply a transfer on this database."""
    if engine.dialect.name == "postgresql":
        return ["record_in_steps", "record_in_one_call"]
    return ["record_in_steps"]


def with_hold(totals: Totals, side: Side, held: int) -> Totals:
    """The account as it stands while a hold of `held` on its `side` is open."""
    name = f"{side}s_pending"
    return replace(totals, **{name: getattr(totals, name) + held})


def expected_after(totals: Totals, side: Side, kind: Kind, amount: int, held: int):
    posted, pending = debit_effect(kind, amount, held)
    return replace(
        totals,
        **{
            f"{side}s_posted": getattr(totals, f"{side}s_posted") + posted,
            f"{side}s_pending": getattr(totals, f"{side}s_pending") + pending,
        },
    )


def open_account(session: Session, totals: Totals) -> int:
    row = {
        "code": "member",
        "currency": KARMA,
        "debits_posted": totals.debits_posted,
        "credits_posted": totals.credits_posted,
        "debits_pending": totals.debits_pending,
        "credits_pending": totals.credits_pending,
        "credit_limit": totals.credit_limit,
        "cap": totals.cap,
        "created_at": NOW,
        "closed_at": NOW if totals.closed else None,
    }
    return session.execute(insert(ACCOUNT).values(**row)).inserted_primary_key[0]


def place_hold(session: Session, debit: int, credit: int, held: int) -> int:
    """A hold's row for a resolution to point at (its totals are in the case)."""
    row = {
        "transfer_key": "rule-hold",
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": held,
        "currency": KARMA,
        "kind": str(Kind.PENDING),
        "code": "rule",
        "memo": "",
        "created_at": NOW,
    }
    return session.execute(insert(TRANSFER).values(**row)).inserted_primary_key[0]


def apply(engine, path, side, totals, kind, amount, held, debit_bound=FLOOR):
    """Apply the change to a fresh account holding `totals` on `side` of a
    transfer (its debit side under `debit_bound`), through `path`; roll it
    all back. Returns (the refused account or None, the account's id, its
    totals just after)."""
    with Session(engine) as session:
        tested = open_account(session, totals)
        far = Side.CREDIT if side == Side.DEBIT else Side.DEBIT
        other = open_account(session, with_hold(COUNTERPART, far, held))
        debit, credit = (tested, other) if side == Side.DEBIT else (other, tested)
        fields = {
            "transfer_key": "rule-change",
            "debit_account_id": debit,
            "credit_account_id": credit,
            "amount": amount,
            "currency": KARMA,
            "kind": str(kind),
            "pending_id": None,
            "expires_at": None,
            "code": "rule",
            "memo": "",
            "created_at": NOW,
        }
        if kind in RESOLUTIONS:
            fields["pending_id"] = place_hold(session, debit, credit, held)
        hot = ledger_sql.HotPath(session)
        _, refused = getattr(hot, path)(fields, kind, amount, held, debit_bound)
        found = select(ACCOUNT).where(ACCOUNT.c.id == tested)
        after = _totals(session.execute(found).mappings().one())
        session.rollback()
    return refused, tested, after


def assert_all_agree(
    engine, side, totals, kind, amount, held, debit_bound=FLOOR
) -> bool:
    """Every path on this database decides as the domain does; returns that
    decision. `debit_bound`: EARNED for a gift."""
    totals = with_hold(totals, side, held) if kind in RESOLUTIONS else totals
    bound = debit_bound if side == Side.DEBIT else BOUNDS[side]
    allowed = bound.allows(totals, growth(kind, amount, held))
    for path in paths(engine):
        refused, tested, after = apply(
            engine, path, side, totals, kind, amount, held, debit_bound
        )
        case = (path, side, totals, kind, amount, held, debit_bound)
        if allowed:
            assert refused is None, case
            assert after == expected_after(totals, side, kind, amount, held), case
        else:
            assert (refused, after) == (tested, totals), case
    return allowed


# --------------------------------------------------------------------------- table

SPENDER = Totals(credits_posted=10, debits_pending=4)  # 6 available
OVERDRAFT = Totals(credits_posted=2, credit_limit=5)  # may go to -5
ISSUER = Totals(debits_posted=30, credit_limit=None)
CAPPED = Totals(credits_posted=20, debits_posted=5, credits_pending=5, cap=25)
CLOSED = Totals(credits_posted=10, closed=True)
OVER = Totals(credits_posted=2, debits_pending=3, cap=0)  # a limit lowered since

CASES = [
    # side, account, kind, amount, held (added to the account's pending), allowed
    (Side.DEBIT, SPENDER, Kind.SINGLE, 6, 0, True),
    (Side.DEBIT, SPENDER, Kind.SINGLE, 7, 0, False),
    (Side.DEBIT, SPENDER, Kind.PENDING, 7, 0, False),
    (Side.DEBIT, OVERDRAFT, Kind.SINGLE, 7, 0, True),
    (Side.DEBIT, OVERDRAFT, Kind.PENDING, 8, 0, False),
    (Side.DEBIT, ISSUER, Kind.SINGLE, 1_000_000, 0, True),
    (Side.CREDIT, CAPPED, Kind.PENDING, 5, 0, True),
    (Side.CREDIT, CAPPED, Kind.SINGLE, 6, 0, False),
    (Side.CREDIT, ISSUER, Kind.SINGLE, 1_000_000, 0, True),
    (Side.DEBIT, CLOSED, Kind.SINGLE, 1, 0, False),
    (Side.CREDIT, CLOSED, Kind.PENDING, 1, 0, False),
    (Side.DEBIT, CLOSED, Kind.VOID, 0, 5, True),
    (Side.CREDIT, CLOSED, Kind.POST, 5, 5, True),
    (Side.DEBIT, OVER, Kind.POST, 2, 5, True),  # a release passes outside a bound
    (Side.CREDIT, OVER, Kind.EXPIRE, 0, 5, True),
    (Side.DEBIT, OVER, Kind.SINGLE, 1, 0, False),
    (Side.CREDIT, OVER, Kind.SINGLE, 1, 0, False),
]


@pytest.mark.parametrize("side,totals,kind,amount,held,allowed", CASES)
def test_the_domain_and_the_database_decide_the_table_alike(
    engine, side, totals, kind, amount, held, allowed
):
    assert assert_all_agree(engine, side, totals, kind, amount, held) is allowed


CREDIT = Totals(credits_posted=3, debits_pending=1, credit_limit=20)  # 2 earned
OWING = Totals(debits_posted=4, credit_limit=20)  # spent 4 of its credit
GIFTS = [
    # account, kind, amount, held, allowed: a gift spends what was earned only
    (CREDIT, Kind.SINGLE, 2, 0, True),
    (CREDIT, Kind.SINGLE, 3, 0, False),
    (OWING, Kind.SINGLE, 1, 0, False),
    (ISSUER, Kind.SINGLE, 1, 0, False),  # no credit limit: still only earned
    (CLOSED, Kind.SINGLE, 1, 0, False),
    (OWING, Kind.VOID, 0, 5, True),  # a release still always passes
]


@pytest.mark.parametrize("totals,kind,amount,held,allowed", GIFTS)
def test_a_gift_is_decided_alike_and_never_spends_credit(
    engine, totals, kind, amount, held, allowed
):
    decided = assert_all_agree(
        engine, Side.DEBIT, totals, kind, amount, held, debit_bound=EARNED
    )
    assert decided is allowed
    # the same payment for help may use the credit
    if totals in (CREDIT, OWING) and kind == Kind.SINGLE:
        assert assert_all_agree(engine, Side.DEBIT, totals, kind, amount, held)


# --------------------------------------------------------------------------- generated

ACCOUNTS = st.builds(
    Totals,
    debits_posted=st.integers(0, 30),
    credits_posted=st.integers(0, 30),
    debits_pending=st.integers(0, 30),
    credits_pending=st.integers(0, 30),
    credit_limit=st.none() | st.integers(0, 10),
    cap=st.none() | st.integers(0, 60),
    closed=st.booleans(),
)
CHANGES = st.one_of(
    st.tuples(st.sampled_from([Kind.SINGLE, Kind.PENDING]), st.integers(1, 40)).map(
        lambda change: (*change, 0)
    ),
    st.integers(1, 30).flatmap(
        lambda held: st.tuples(st.just(Kind.POST), st.integers(1, held), st.just(held))
    ),
    st.tuples(st.sampled_from([Kind.VOID, Kind.EXPIRE]), st.integers(1, 30)).map(
        lambda change: (change[0], 0, change[1])
    ),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    side=st.sampled_from(Side),
    totals=ACCOUNTS,
    change=CHANGES,
    debit_bound=st.sampled_from([FLOOR, EARNED]),
)
def test_the_domain_and_the_database_decide_any_change_alike(
    engine, side, totals, change, debit_bound
):
    # a gift's guard bounds its debit side (the counterpart has no floor)
    bound = debit_bound if side == Side.DEBIT else FLOOR
    assert_all_agree(engine, side, totals, *change, debit_bound=bound)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
@pytest.mark.parametrize("bound", [*BOUNDS.values(), EARNED])
def test_the_plpgsql_function_guards_with_the_rule_as_rendered(engine, bound):
    """Word for word, not only case for case: the function's guard is what
    `ledger_sql.guard` renders from the domain (whitespace aside). There is
    one such function: 0021 replaced 0004's."""
    with engine.connect() as conn:
        source = conn.execute(
            text("SELECT prosrc FROM pg_proc WHERE proname = 'ledger_record'")
        ).scalar_one()
    rendered = ledger_sql.guard(bound, "growth")
    assert " ".join(rendered.split()) in " ".join(source.split())
