"""Moving a group's IOUs in from a spreadsheet, and out again.

A group that kept "who owes whom" in a spreadsheet brings it over as a CSV with
the columns `debtor,creditor,amount,note` (handles, whole points, free text).
The import is all-or-nothing: every row is checked before anything is written,
and a file with any problem is refused as a whole with one line per problem,
numbered as a spreadsheet numbers its rows (the header is row 1). Half a
spreadsheet of debts would be worse than none.

The group consented by importing, so imported IOUs start accepted (open); their
history says so: "proposed" and "accepted", by nobody, noted "imported".

People who owe or are owed but have not joined yet can be invited on the way
(`invite_missing`): each such handle becomes one invited member who cannot log
in, and whose invitation code -- shown to the operator once, stored only as a
hash -- claims the handle, and with it the IOUs, at sign-up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from marketplace.accounts import accounts
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.accounts import normalize_handle
from marketplace.domain.errors import DomainError, InvalidInput
from marketplace.domain.ious import Event, Recorded, check_points, replay
from marketplace.domain.text import clean_text
from marketplace.ious.ious import refresh_owed_in_graph
from marketplace.models import Iou, IouEvent, Member

HEADER = ("debtor", "creditor", "amount", "note")
EXPORT_COLUMNS = (
    "debtor",
    "creditor",
    "amount",
    "outstanding",
    "status",
    "note",
    "created_at",
)
IMPORTED = "imported"  # the note on an imported IOU's first two events
MAX_ROWS = 10_000
# A cell starting with one of these is a formula to a spreadsheet. Export
# quotes it with a leading apostrophe (as spreadsheets do); import unquotes.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Invitation:
    handle: str
    code: str  # plain, for the operator to pass on; only its hash is stored


@dataclass(frozen=True)
class ImportReport:
    ious_created: int
    points: int
    invited: tuple[Invitation, ...]
    # named in the file, invited by an earlier import, not signed up yet
    still_invited: tuple[str, ...]


class ImportRefused(InvalidInput):
    """The file has problems; nothing was imported. `problems` has one line each."""

    def __init__(self, problems: list[str], unknown: Iterable[str] = ()) -> None:
        self.problems = tuple(problems)
        self.unknown = tuple(sorted(set(unknown)))
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__(
            f"Nothing was imported; the file has {count}:\n" + "\n".join(problems)
        )


@dataclass(frozen=True)
class _Row:
    number: int
    debtor: str
    creditor: str
    amount: int
    note: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return self.debtor, self.creditor, self.amount, self.note


# --------------------------------------------------------------------------- import


def import_ious(
    session: Session,
    rows: Iterable[Mapping[str, object]] | io.TextIOBase | str,
    *,
    invite_missing: bool = False,
    clock: Clock = system_clock,
) -> ImportReport:
    """Check every row, then write them all, or raise ImportRefused and write
    nothing. `rows` is CSV text, a text stream of it, or dicts keyed by HEADER."""
    parsed, named, problems = _parse(rows)
    members = _members(session, {handle for _, handle in named})
    unknown = [(n, h) for n, h in named if h not in members]
    refused_unknown = [] if invite_missing else unknown
    problems += [(n, f"row {n}: unknown handle '{h}'") for n, h in refused_unknown]
    problems += _already_imported(session, parsed, members)
    if problems:
        problems.sort(key=lambda p: p[0])  # stable: a row's problems stay in order
        raise ImportRefused([t for _, t in problems], (h for _, h in refused_unknown))
    invited = tuple(
        Invitation(h, accounts.invite_member(session, h, clock=clock))
        for h in sorted({h for _, h in unknown})
    )
    members |= _members(session, {i.handle for i in invited})
    _write(session, parsed, {h: m.id for h, m in members.items()}, clock.now())
    fresh = {i.handle for i in invited}
    return ImportReport(
        ious_created=len(parsed),
        points=sum(r.amount for r in parsed),
        invited=invited,
        still_invited=tuple(
            sorted(
                h
                for h, m in members.items()
                if m.status == "invited" and h not in fresh
            )
        ),
    )


Problems = list[tuple[int, str]]  # (row number, the line that says what is wrong)


def _parse(rows: object) -> tuple[list[_Row], list[tuple[int, str]], Problems]:
    """The rows that pass their own checks; every well-formed handle named, with
    its row; and the problems."""
    parsed: list[_Row] = []
    named: list[tuple[int, str]] = []
    problems: Problems = []
    first_seen: dict[tuple, int] = {}
    try:
        for number, cells in _numbered_cells(rows):
            row, handles, wrong = _check_row(number, cells)
            named += [(number, h) for h in handles]
            problems += [(number, f"row {number}: {w}") for w in wrong]
            if row is not None and row.key in first_seen:
                line = f"row {number}: duplicate of row {first_seen[row.key]}"
                problems.append((number, line))
            elif row is not None:
                first_seen[row.key] = number
                parsed.append(row)
    except _Unreadable as error:
        problems.append((error.number, str(error)))
    if not parsed and not problems:
        problems.append((1, "the file has no IOU rows below its header"))
    return parsed, named, problems


class _Unreadable(DomainError):
    """The input stops making sense; nothing after it can be checked."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"row {number}: {message}" if number else message)
        self.number = number


def _numbered_cells(rows: object) -> Iterator[tuple[int, list | None]]:
    """(row number, the row's cells) per non-blank row; the header is row 1.
    None for a dict that does not have exactly the HEADER keys."""
    if isinstance(rows, str):
        rows = io.StringIO(rows)
    if hasattr(rows, "read"):
        yield from _csv_cells(rows)
        return
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise _Unreadable(number, f"more than {MAX_ROWS:,} rows; split the file")
        ok = isinstance(row, Mapping) and set(row) == set(HEADER)
        yield number, [row[name] for name in HEADER] if ok else None


def _csv_cells(stream) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(stream)
    number = 1
    try:
        header = next(reader, None)
        if header is None:
            raise _Unreadable(1, f"the file is empty; expected {','.join(HEADER)}")
        found = tuple(c.strip().lstrip("\ufeff").strip().lower() for c in header)
        if found != HEADER:
            shown = _quote(",".join(header), 80)
            raise _Unreadable(1, f"the header must be {','.join(HEADER)}, not {shown}")
        for number, cells in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise _Unreadable(number, f"more than {MAX_ROWS:,} rows; split it")
            if any(cell.strip() for cell in cells):  # blank lines are no rows
                yield number, cells
    except UnicodeDecodeError:
        raise _Unreadable(0, "the file is not UTF-8 text") from None
    except csv.Error as error:
        raise _Unreadable(number + 1, f"not readable as CSV ({error})") from None


def _check_row(
    number: int, cells: list | None
) -> tuple[_Row | None, list[str], list[str]]:
    """The row if it keeps its own rules, the well-formed handles it names, and
    what is wrong with it."""
    columns = ",".join(HEADER)
    if cells is None:
        return None, [], [f"the columns must be {columns}"]
    if len(cells) != len(HEADER):
        return None, [], [f"expected 4 columns ({columns}), found {len(cells)}"]
    wrong: list[str] = []
    debtor = _handle(cells[0], "debtor", wrong)
    creditor = _handle(cells[1], "creditor", wrong)
    points = _checked(wrong, lambda: check_points(cells[2]), _quote(cells[2]))
    note = _checked(wrong, lambda: _clean_note(cells[3]))
    if debtor and debtor == creditor:
        wrong.append(
            f"debtor and creditor are both '{debtor}'; an IOU needs two people"
        )
    handles = [h for h in (debtor, creditor) if h]
    if wrong:
        return None, handles, wrong
    return _Row(number, debtor, creditor, points, note), handles, []


def _clean_note(value: object) -> str:
    value = _unquote_formula(value)
    return clean_text(value, field="note", label="Note", max_length=300)


def _handle(value: object, column: str, wrong: list[str]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        wrong.append(f"{column} is missing")
        return None
    return _checked(wrong, lambda: normalize_handle(value), f"{column} {_quote(value)}")


def _checked(wrong: list[str], check, shown: str = ""):
    """check(), or None with its refusal (and what was given) added to `wrong`."""
    try:
        return check()
    except InvalidInput as error:
        wrong.append(f"{error} (got {shown})" if shown else str(error))
        return None


def _quote(value: object, limit: int = 40) -> str:
    """User text shown back safely: repr escapes control characters."""
    text = value if isinstance(value, str) else str(value)
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def _members(session: Session, handles: set[str]) -> dict[str, Member]:
    if not handles:
        return {}
    found = session.exec(select(Member).where(col(Member.handle).in_(handles)))
    return {m.handle: m for m in found}


def _already_imported(
    session: Session, rows: list[_Row], members: dict[str, Member]
) -> list[tuple[int, str]]:
    """Rows an earlier import already brought in: running the same file twice
    must not double every debt. (A new debt that matches an old one exactly
    gets a different note.)"""
    ids = {m.id for m in members.values()}
    if not ids:
        return []
    imported = session.exec(
        select(Iou)
        .join(IouEvent, col(IouEvent.iou_id) == Iou.id)
        .where(
            IouEvent.kind == Event.PROPOSED,
            IouEvent.note == IMPORTED,
            col(Iou.debtor_id).in_(ids),
        )
    ).all()
    handle_of = {m.id: h for h, m in members.items()}
    earlier = {
        (handle_of.get(i.debtor_id), handle_of.get(i.creditor_id), i.amount, i.note): i
        for i in imported
    }
    return [
        (r.number, f"row {r.number}: already imported as IOU #{earlier[r.key].id}")
        for r in rows
        if r.key in earlier
    ]


def _write(
    session: Session, rows: list[_Row], ids: dict[str, int], now: datetime
) -> None:
    """The IOUs, accepted, with the two events that say how they came to be."""
    history = [
        Recorded(Event.PROPOSED, 0, None, now),
        Recorded(Event.ACCEPTED, 0, None, now),
    ]
    ious = []
    for row in rows:
        state = replay(row.amount, history)
        ious.append(
            Iou(
                debtor_id=ids[row.debtor],
                creditor_id=ids[row.creditor],
                proposed_by_id=None,
                amount=row.amount,
                note=row.note,
                status=state.status,
                outstanding=state.outstanding,
                created_at=now,
            )
        )
    session.add_all(ious)
    session.flush()
    session.add_all(
        IouEvent(iou_id=iou.id, kind=e.kind, amount=e.amount, note=IMPORTED, at=now)
        for iou in ious
        for e in history
    )
    session.flush()
    # who-to-ask counts favours owed: the graph learns the new open IOUs
    refresh_owed_in_graph(session, {(i.debtor_id, i.creditor_id) for i in ious})


# --------------------------------------------------------------------------- export


def export_ious(session: Session) -> list[dict]:
    """Every IOU as a spreadsheet row (EXPORT_COLUMNS), oldest first. The
    first four columns are an import file's."""
    debtor, creditor = aliased(Member), aliased(Member)
    rows = session.exec(
        select(Iou, debtor.handle, creditor.handle)
        .join(debtor, debtor.id == Iou.debtor_id)
        .join(creditor, creditor.id == Iou.creditor_id)
        .order_by(col(Iou.id))
    ).all()
    return [
        {
            "debtor": debtor_handle,
            "creditor": creditor_handle,
            "amount": iou.amount,
            "outstanding": iou.outstanding,
            "status": iou.status,
            "note": _quote_formula(iou.note),
            "created_at": iou.created_at.isoformat(),
        }
        for iou, debtor_handle, creditor_handle in rows
    ]


def _quote_formula(text: str) -> str:
    """A note a member wrote must not run as a formula in the operator's
    spreadsheet (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unquote_formula(value: object) -> object:
    if isinstance(value, str) and value[1:].startswith(_FORMULA_START):
        return value[1:] if value.startswith("'") else value
    return value
