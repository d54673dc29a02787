"""Ids that arrive from a client: a route parameter, a form field, a socket
event's argument -- text or a number, and never to be trusted.

`check_id` turns one into the id it names or refuses it as "not found", the
same answer a well-formed id that names nothing gets, so a bad id reveals no
more than a missing row. Ids are 32-bit: a larger one names nothing (and
PostgreSQL would refuse it in a query).
"""

from __future__ import annotations

from marketplace.domain.errors import NotFound

MAX_ID = 2**31 - 1


def check_id(value: object, label: str) -> int:
    """The positive id `value` names (digits as text are fine), or NotFound
    ("No such <label>.")."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) < 11 else 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound(f"No such {label}.")
    return value
