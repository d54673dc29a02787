"""The ledger's hot path as plain SQL on the driver's cursor.

A transfer is three statements: insert it once, then move each side under its
guard. Building these through SQLAlchemy's expression layer cost about 1.4 ms of
Python per transfer -- more than the database spent on it -- so they are
written once here and sent straight to the DBAPI cursor of the session's own
connection (same transaction, same lock, same rollback).

The guards are not written by hand: `guard` renders the domain's balancing
rule (`domain.ledger.FLOOR` and `CEILING`, what `Bound.allows` decides in
Python; `EARNED` in place of FLOOR for a gift) as the WHERE condition of each
side's UPDATE, term for term, so the check and the write are one statement
under the row lock. On PostgreSQL the same three statements run inside
`ledger_record` (alembic 0004, given the gift's guard by 0021), whose guards
were written from the rule: the ledger tests hold its text and its decisions
to what `guard` renders.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlmodel import Session

from marketplace.domain.ledger import (
    BOUNDS,
    CEILING,
    EARNED,
    FLOOR,
    GROWTH,
    KARMA,
    Bound,
    Kind,
    Side,
    UnknownAccount,
    debit_effect,
)
from marketplace.models import LedgerTransfer

INSERT_TRANSFER = """
INSERT INTO ledger_transfer (transfer_key, debit_account_id, credit_account_id,
    amount, currency, kind, pending_id, expires_at, code, memo, created_at)
VALUES (%(transfer_key)s, %(debit_account_id)s, %(credit_account_id)s, %(amount)s,
    %(currency)s, %(kind)s, %(pending_id)s, %(expires_at)s, %(code)s, %(memo)s,
    %(created_at)s)
ON CONFLICT DO NOTHING
RETURNING id
"""


def guard(bound: Bound, growth: str) -> str:
    """`bound.allows` as a SQL condition on a ledger_account row; `growth` is
    the SQL that names the change (a bound parameter here, a variable in the
    PL/pgSQL function). The columns are named as the Totals fields are."""
    terms = " ".join(
        f"{'+' if sign > 0 else '-'} {growth if name == GROWTH else name}"
        for sign, name in bound.terms
    ).removeprefix("+ ")
    if not isinstance(bound.limit, str):  # a fixed bound: no column, never NULL
        fixed = -bound.limit if bound.floor else bound.limit
        return (
            f"{growth} <= 0 OR (closed_at IS NULL AND {terms} "
            f"{'>=' if bound.floor else '<='} {fixed})"
        )
    limit = f">= -{bound.limit}" if bound.floor else f"<= {bound.limit}"
    return (
        f"{growth} <= 0 OR (closed_at IS NULL AND ({bound.limit} IS NULL"
        f" OR {terms} {limit}))"
    )


def _move(bound: Bound) -> str:
    """One side's UPDATE: add the change to its totals where the rule allows it;
    no row back means the guard refused (or the account holds another
    currency, which the caller then tells apart)."""
    side = bound.side
    return f"""
UPDATE ledger_account
SET {side}s_posted = {side}s_posted + %(posted)s,
    {side}s_pending = {side}s_pending + %(pending)s
WHERE id = %(id)s AND currency = %(currency)s
  AND ({guard(bound, "%(growth)s")})
RETURNING id
"""


MOVE_DEBIT, MOVE_CREDIT = _move(FLOOR), _move(CEILING)
MOVE_GIFT = _move(EARNED)  # the debit side of a gift
MOVES = {FLOOR: MOVE_DEBIT, EARNED: MOVE_GIFT, CEILING: MOVE_CREDIT}
DEBIT_BOUNDS = (FLOOR, EARNED)

# PostgreSQL: all of the above in one call (alembic revisions 0004, 0021).
RECORD_FUNCTION = """
SELECT transfer_id, refused_account FROM ledger_record(
    %(transfer_key)s, %(debit_account_id)s, %(credit_account_id)s, %(amount)s,
    %(currency)s, %(kind)s, %(pending_id)s, %(expires_at)s, %(code)s, %(memo)s,
    %(created_at)s, %(posted)s, %(pending)s, %(earned_only)s)
"""

_QMARK_NAMED = re.compile(r"%\((\w+)\)s")
_DATES = ("expires_at", "created_at")


class _Dialect:
    """What differs per driver: the parameter style and how dates are bound."""

    def __init__(self, dialect) -> None:
        named = dialect.name != "postgresql"
        self.sql = {
            text: _QMARK_NAMED.sub(r":\1", text) if named else text
            for text in (INSERT_TRANSFER, *MOVES.values())
        }
        column = LedgerTransfer.__table__.c.created_at
        # the exact bytes SQLAlchemy itself would store for a UTCDateTime
        self.bind_date = column.type.bind_processor(dialect) or (lambda value: value)


_dialects: dict[str, _Dialect] = {}


class HotPath:
    """One transfer's statements on one cursor of the session's connection
    (same transaction, same locks, same rollback as everything else)."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        name = connection.dialect.name
        if name not in _dialects:
            _dialects[name] = _Dialect(connection.dialect)
        self.dialect = _dialects[name]
        self.is_postgres = name == "postgresql"
        self.cursor = connection.connection.driver_connection.cursor()

    def record(
        self,
        fields: dict,
        kind: Kind,
        amount: int,
        held: int,
        debit_bound: Bound = FLOOR,
    ) -> tuple[int | None, int | None]:
        """Insert the transfer once and move both sides, lower account id first,
        the debit side under `debit_bound` (FLOOR, or EARNED for a gift).
        Returns (new transfer id or None for a replay, the account whose guard
        refused or None). On PostgreSQL it is one function call."""
        if self.is_postgres:
            return self.record_in_one_call(fields, kind, amount, held, debit_bound)
        return self.record_in_steps(fields, kind, amount, held, debit_bound)

    def record_in_one_call(
        self,
        fields: dict,
        kind: Kind,
        amount: int,
        held: int,
        debit_bound: Bound = FLOOR,
    ) -> tuple[int | None, int | None]:
        """`record` as one call of `ledger_record` (PostgreSQL only): one round
        trip instead of three."""
        posted, pending = debit_effect(kind, amount, held)
        params = self._bound(fields) | {
            "posted": posted,
            "pending": pending,
            "earned_only": _debit_bound(debit_bound) is EARNED,
        }
        try:
            self.cursor.execute(RECORD_FUNCTION, params)
        except Exception as error:  # the driver's IntegrityError: a missing account
            if _is_integrity_error(error):
                raise UnknownAccount("Unknown account.") from None
            raise
        transfer_id, refused = self.cursor.fetchone()
        return transfer_id, refused

    def record_in_steps(
        self,
        fields: dict,
        kind: Kind,
        amount: int,
        held: int,
        debit_bound: Bound = FLOOR,
    ) -> tuple[int | None, int | None]:
        """`record` as three statements, each side under the guard built here."""
        new_id = self.insert_once(fields)
        if new_id is None:
            return None, None
        debit, credit = fields["debit_account_id"], fields["credit_account_id"]
        currency = fields["currency"]
        bounds = {Side.DEBIT: _debit_bound(debit_bound), Side.CREDIT: CEILING}
        for account_id, side in sorted([(debit, Side.DEBIT), (credit, Side.CREDIT)]):
            moved = self.move(
                side, account_id, kind, amount, held, currency, bounds[side]
            )
            if moved is None:
                return new_id, account_id
        return new_id, None

    def _bound(self, fields: dict) -> dict:
        params = dict(fields)
        for name in _DATES:
            if params[name] is not None:
                params[name] = self.dialect.bind_date(params[name])
        return params

    def insert_once(self, fields: dict) -> int | None:
        """Insert the transfer unless its id (or its hold's resolution) exists."""
        params = self._bound(fields)
        try:
            self.cursor.execute(self.dialect.sql[INSERT_TRANSFER], params)
        except Exception as error:  # the driver's IntegrityError: a missing account
            if _is_integrity_error(error):
                raise UnknownAccount("Unknown account.") from None
            raise
        row = self.cursor.fetchone()
        return row[0] if row else None

    def move(
        self,
        side: Side,
        account_id: int,
        kind: Kind,
        amount: int,
        held: int,
        currency: str = KARMA,
        bound: Bound | None = None,
    ) -> int | None:
        """Apply one side of a transfer under its guard (`bound`, by default
        the side's own from BOUNDS); None if it refused (or if the account does
        not hold `currency`)."""
        posted, pending = debit_effect(kind, amount, held)
        bound = BOUNDS[side] if bound is None else bound
        if bound.side != side:
            raise ValueError(f"{bound} does not bound the {side} side")
        sql = self.dialect.sql[MOVES[bound]]
        self.cursor.execute(
            sql,
            {
                "posted": posted,
                "pending": pending,
                "id": account_id,
                "currency": currency,
                "growth": posted + pending,
            },
        )
        row = self.cursor.fetchone()
        return row[0] if row else None


def _debit_bound(bound: Bound) -> Bound:
    if bound not in DEBIT_BOUNDS:
        raise ValueError(f"No debit guard is rendered for {bound}")
    return bound


def _is_integrity_error(error: Exception) -> bool:
    return isinstance(error, SAIntegrityError) or type(error).__name__ in {
        "IntegrityError",
        "ForeignKeyViolation",
    }
