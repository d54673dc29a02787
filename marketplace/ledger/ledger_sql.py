"""The ledger's hot path as plain SQL on the driver's cursor.

A transfer is three statements: insert it once, then move each side under its
guard. Building these through SQLAlchemy's expression layer cost about 1.4 ms of
Python per transfer -- more than the database spent on it -- so they are
written once here and sent straight to the DBAPI cursor of the session's own
connection (same transaction, same lock, same rollback). The guards are the
SQL form of `domain.ledger.Totals.can_debit` / `can_credit`; the audit and the
property tests hold the two in step.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlmodel import Session

from marketplace.domain.ledger import KARMA, Kind, UnknownAccount, debit_effect
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

# A release (growth <= 0) is never refused, even on a closed account.
MOVE_DEBIT = """
UPDATE ledger_account
SET debits_posted = debits_posted + %(posted)s,
    debits_pending = debits_pending + %(pending)s
WHERE id = %(id)s AND currency = %(currency)s
  AND (%(growth)s <= 0 OR (closed_at IS NULL AND (credit_limit IS NULL
       OR credits_posted - debits_posted - debits_pending - %(growth)s
          >= -credit_limit)))
RETURNING id
"""

MOVE_CREDIT = """
UPDATE ledger_account
SET credits_posted = credits_posted + %(posted)s,
    credits_pending = credits_pending + %(pending)s
WHERE id = %(id)s AND currency = %(currency)s
  AND (%(growth)s <= 0 OR (closed_at IS NULL AND (cap IS NULL
       OR credits_posted + credits_pending + %(growth)s - debits_posted <= cap)))
RETURNING id
"""

# PostgreSQL: all of the above in one call (alembic revision 0004).
RECORD_FUNCTION = """
SELECT transfer_id, refused_account FROM ledger_record(
    %(transfer_key)s, %(debit_account_id)s, %(credit_account_id)s, %(amount)s,
    %(currency)s, %(kind)s, %(pending_id)s, %(expires_at)s, %(code)s, %(memo)s,
    %(created_at)s, %(posted)s, %(pending)s)
"""

# The same as its own transaction: a refusal raises (SQLSTATE KL001) and so
# undoes the insert too (alembic revision 0005).
RECORD_STRICT = """
SELECT ledger_record_strict(
    %(transfer_key)s, %(debit_account_id)s, %(credit_account_id)s, %(amount)s,
    %(currency)s, %(kind)s, %(pending_id)s, %(expires_at)s, %(code)s, %(memo)s,
    %(created_at)s, %(posted)s, %(pending)s)
"""
REFUSED = "KL001"

_QMARK_NAMED = re.compile(r"%\((\w+)\)s")
_DATES = ("expires_at", "created_at")


class _Dialect:
    """What differs per driver: the parameter style and how dates are bound."""

    def __init__(self, dialect) -> None:
        named = dialect.name != "postgresql"
        self.sql = {
            text: _QMARK_NAMED.sub(r":\1", text) if named else text
            for text in (INSERT_TRANSFER, MOVE_DEBIT, MOVE_CREDIT)
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
        self, fields: dict, kind: Kind, amount: int, held: int
    ) -> tuple[int | None, int | None]:
        """Insert the transfer once and move both sides, lower account id first.
        Returns (new transfer id or None for a replay, the account whose guard
        refused or None). On PostgreSQL it is one function call."""
        if not self.is_postgres:
            return self._record_in_steps(fields, kind, amount, held)
        posted, pending = debit_effect(kind, amount, held)
        params = self._bound(fields) | {"posted": posted, "pending": pending}
        try:
            self.cursor.execute(RECORD_FUNCTION, params)
        except Exception as error:  # the driver's IntegrityError: a missing account
            if _is_integrity_error(error):
                raise UnknownAccount("Unknown account.") from None
            raise
        transfer_id, refused = self.cursor.fetchone()
        return transfer_id, refused

    def _record_in_steps(self, fields, kind, amount, held):
        new_id = self.insert_once(fields)
        if new_id is None:
            return None, None
        debit, credit = fields["debit_account_id"], fields["credit_account_id"]
        currency = fields["currency"]
        for account_id, side in sorted([(debit, "debit"), (credit, "credit")]):
            if self.move(side, account_id, kind, amount, held, currency) is None:
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
        side: str,
        account_id: int,
        kind: Kind,
        amount: int,
        held: int,
        currency: str = KARMA,
    ) -> int | None:
        """Apply one side of a transfer under its guard; None if it refused
        (or if the account does not hold `currency`)."""
        posted, pending = debit_effect(kind, amount, held)
        sql = self.dialect.sql[MOVE_DEBIT if side == "debit" else MOVE_CREDIT]
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


def _is_integrity_error(error: Exception) -> bool:
    return isinstance(error, SAIntegrityError) or type(error).__name__ in {
        "IntegrityError",
        "ForeignKeyViolation",
    }


def record_alone(connection, fields: dict, posted: int, pending: int) -> tuple:
    """One transfer as one autocommitted statement on PostgreSQL: returns
    (new id or None for a replay, refused account id or None)."""
    name = connection.dialect.name
    if name not in _dialects:
        _dialects[name] = _Dialect(connection.dialect)
    dialect = _dialects[name]
    params = dict(fields) | {"posted": posted, "pending": pending}
    for date in _DATES:
        if params[date] is not None:
            params[date] = dialect.bind_date(params[date])
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(RECORD_STRICT, params)
    except Exception as error:
        if getattr(error, "sqlstate", None) == REFUSED:
            return None, int(error.diag.message_detail)
        if _is_integrity_error(error):
            raise UnknownAccount("Unknown account.") from None
        raise
    return cursor.fetchone()[0], None
