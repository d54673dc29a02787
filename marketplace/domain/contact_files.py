"""Contact files as people actually have them, read into plain rows.

Three exports are understood, told apart by their content (never by the
file's name, which a browser or a person may get wrong):

- LinkedIn's `Connections.csv` (Settings -> Data privacy -> Get a copy of
  your data): a "Notes:" preamble, then the header `First Name,Last Name,
  URL,Email Address,Company,Position,Connected On`; emails are usually
  blank (members choose to share them), dates read `14 Mar 2021`.
- vCard 3.0 and 4.0 (and the 2.1 older phones still write), from phones and
  Google/Apple/Outlook: folded lines, several EMAIL and TEL per card,
  QUOTED-PRINTABLE values with soft line breaks, UTF-8 names. Each card is
  read on its own, so one malformed card is a row error and the rest load.
- Google Contacts CSV, the older layout (`Name`, `E-mail 1 - Value`,
  `Organization 1 - Name`) and the newer (`First Name`, `Middle Name`,
  `Last Name`, `Organization Name`, `Organization Title`).

Every email is folded as the accounts fold a member's (`canonical_email`),
every phone is written E.164 (`phonenumbers`, a default region for numbers
written without a country code; what doesn't parse as a real number is
dropped), so matching and merging compare like with like. Rows that share
an address are one person: they merge (`duplicates` counts the merges).

What is refused whole: a file over `MAX_BYTES`, anything that isn't text, a
format none of the three. What is refused a row at a time: a cell that a
spreadsheet would run as a formula (`=cmd|' /C calc'!A0`), a card vobject
cannot read, a row with no name and no address. Pure: no database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import quopri
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import phonenumbers
import vobject

from marketplace.domain.accounts import canonical_email
from marketplace.domain.errors import InvalidInput

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
NAME_MAX = 200
SOURCE_KEY_MAX = 200
ADDRESSES_MAX = 10  # per kind, per contact: a card with more is odd
DEFAULT_REGION = "GB"

SOURCE_LABELS = {"linkedin": "LinkedIn", "vcard": "phone", "google": "Google"}

LINKEDIN_HEADER = ("first name", "last name", "url")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_PHONE_TEXT = re.compile(r"^[+\-]?[\d\s().\-/]*(?:(?:ext\.?|x)\s*\d+)?$", re.I)
_FORMULA_CALL = re.compile(r"^@\w+\s*\(")
_GOOGLE_KEPT = re.compile(
    r"^(name|first name|middle name|last name|e-mail.*value|phone.*value|"
    r"organization.*(name|title))$"
)


class FileRefused(InvalidInput):
    """The file as a whole can't be imported; nothing of it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass(frozen=True)
class ParsedContact:
    """One person as a file describes them (after merging duplicates)."""

    row: int  # the line (CSV) or card number (vCard) they were first seen at
    name: str
    source_key: str
    company: str = ""
    position: str = ""
    emails: tuple[str, ...] = ()  # canonical
    phones: tuple[str, ...] = ()  # E.164
    connected_on: date | None = None

    def addresses(self) -> list[tuple[str, str]]:
        return [("email", e) for e in self.emails] + [("phone", p) for p in self.phones]


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class ParsedFile:
    source: str  # linkedin | vcard | google
    contacts: list[ParsedContact] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # data rows or cards read, errors included
    duplicates: int = 0  # rows merged into an earlier row of the same file


class _RowRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------- entry


def parse_contacts(data: bytes, *, region: str = DEFAULT_REGION) -> ParsedFile:
    """Read a contacts export, or FileRefused saying why not at all."""
    text = decode(data)
    source = sniff(text)
    reader = {"linkedin": _linkedin, "vcard": _vcards, "google": _google}[source]
    parsed = ParsedFile(source=source)
    found: list[ParsedContact] = []
    for _row_number, item in reader(text, region):
        parsed.rows += 1
        if parsed.rows > MAX_ROWS:
            raise FileRefused(
                f"This file has more than {MAX_ROWS:,} contacts; "
                "split it into smaller files."
            )
        if isinstance(item, RowError):
            parsed.errors.append(item)
        else:
            found.append(item)
    parsed.contacts, parsed.duplicates = merge_duplicates(found)
    return parsed


def decode(data: bytes) -> str:
    """The file's text, or FileRefused: too big, empty or not text."""
    if not isinstance(data, bytes | bytearray):
        raise FileRefused("Choose a file to import.")
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"This file is {len(data) / 1_048_576:.1f} MB; contact files up to "
            f"{MAX_BYTES // 1_048_576} MB can be imported. Export fewer contacts "
            "at a time."
        )
    if not data.strip():
        raise FileRefused("This file is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Outlook's UTF-16 exports
        try:
            return _text_only(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):  # cp1252: old Outlook CSVs
            try:
                return _text_only(data.decode(encoding))
            except (UnicodeDecodeError, ValueError):
                continue
    raise FileRefused(
        "This isn't a text file. Export your contacts as CSV (LinkedIn, "
        "Google) or vCard (.vcf) and upload that file."
    )


def _text_only(text: str) -> str:
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f")
    if controls:
        raise ValueError("control characters")
    return text


def sniff(text: str) -> str:
    """linkedin | vcard | google, from what the file says; FileRefused if none."""
    if text.lstrip().upper().startswith("BEGIN:VCARD"):
        return "vcard"
    for _line, cells in _csv_records(text, limit=30):
        header = [c.strip().lower() for c in cells]
        if tuple(header[:3]) == LINKEDIN_HEADER and "connected on" in header:
            return "linkedin"
        if ("name" in header or "first name" in header) and any(
            h.startswith(("e-mail 1", "phone 1", "organization")) for h in header
        ):
            return "google"
    raise FileRefused(
        "This file isn't a contacts export we know. Upload LinkedIn's "
        "Connections.csv, a Google Contacts CSV or a vCard (.vcf) file."
    )


# ------------------------------------------------------------------- LinkedIn


def _csv_records(text: str, limit: int | None = None) -> Iterator[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    count = 0
    while limit is None or count < limit:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRefused(
                f"Line {reader.line_num} of this CSV can't be read: {error}."
            ) from error
        count += 1
        yield reader.line_num, cells


def _table(text: str, is_header) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows after the first header `is_header` accepts, as dicts keyed by
    the header's lowercase names (blank rows skipped)."""
    header: list[str] | None = None
    for line, cells in _csv_records(text):
        if header is None:
            names = [c.strip().lower() for c in cells]
            if is_header(names):
                header = names
            continue
        if not any(c.strip() for c in cells):
            continue
        yield line, dict(zip(header, cells, strict=False))


def _linkedin(text: str, region: str) -> Iterator[tuple[int, object]]:
    def is_header(names):
        return tuple(names[:3]) == LINKEDIN_HEADER

    for line, cells in _table(text, is_header):
        yield line, _row(line, _linkedin_row, line, cells, region)


def _linkedin_row(line: int, cells: dict[str, str], region: str) -> ParsedContact:
    _no_formulas(cells.values())
    name = _join(cells.get("first name"), cells.get("last name"))
    url = _clean(cells.get("url")).rstrip("/").lower()
    emails = _emails([cells.get("email address", "")])
    key = f"li:{url}" if url else f"li-name:{name.lower()}"
    return _contact(
        line,
        name=name,
        key=key,
        company=cells.get("company"),
        position=cells.get("position"),
        emails=emails,
        phones=(),
        connected_on=_linkedin_date(cells.get("connected on")),
    )


def _linkedin_date(text: object) -> date | None:
    value = _clean(text)
    for layout in ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------- Google


def _google(text: str, region: str) -> Iterator[tuple[int, object]]:
    def is_header(names):
        return "name" in names or "first name" in names

    for line, cells in _table(text, is_header):
        yield line, _row(line, _google_row, line, cells, region)


def _google_row(line: int, cells: dict[str, str], region: str) -> ParsedContact:
    # only the cells kept are checked: a note starting "- met at..." is fine
    _no_formulas(v for k, v in cells.items() if _GOOGLE_KEPT.match(k or ""))
    name = _clean(cells.get("name")) or _join(
        cells.get("first name"),
        cells.get("middle name"),
        cells.get("last name"),
    )
    emails = _emails(
        part
        for key, value in cells.items()
        if key.startswith("e-mail") and key.endswith("value")
        for part in (value or "").split(":::")  # Google joins several with :::
    )
    phones = _phones(
        (
            part
            for key, value in cells.items()
            if key.startswith("phone") and key.endswith("value")
            for part in (value or "").split(":::")
        ),
        region,
    )
    company = cells.get("organization 1 - name") or cells.get("organization name")
    position = cells.get("organization 1 - title") or cells.get("organization title")
    return _contact(
        line,
        name=name,
        key=_hashed_key("gc", name, emails, phones),
        company=company,
        position=position,
        emails=emails,
        phones=phones,
        connected_on=None,
    )


# ---------------------------------------------------------------------- vCard


def _vcards(text: str, region: str) -> Iterator[tuple[int, object]]:
    for number, card in enumerate(_cards(text), start=1):
        yield number, _row(number, _vcard, number, card, region)


def _cards(text: str) -> Iterator[str]:
    """Each BEGIN:VCARD..END:VCARD block, QUOTED-PRINTABLE soft breaks joined."""
    lines: list[str] = []
    inside = False
    for raw in _joined_soft_breaks(text.splitlines()):
        marker = raw.strip().upper()
        if marker == "BEGIN:VCARD":
            if inside:  # a card never closed: hand it over as it is (malformed)
                yield "\r\n".join(lines) + "\r\n"
            lines, inside = [raw.strip()], True
        elif inside:
            lines.append(raw)
            if marker == "END:VCARD":
                yield "\r\n".join(lines) + "\r\n"
                lines, inside = [], False
    if inside:
        yield "\r\n".join(lines) + "\r\n"


def _joined_soft_breaks(lines: Iterable[str]) -> Iterator[str]:
    pending = ""
    for line in lines:
        if pending:
            line = pending[:-1] + line
            pending = ""
        head = line.split(":", 1)[0].upper()
        if "QUOTED-PRINTABLE" in head and line.endswith("="):
            pending = line
            continue
        yield line
    if pending:
        yield pending[:-1]


def _vcard(number: int, text: str, region: str) -> ParsedContact:
    """One card, read line by line with vobject's own line reader (unfolding,
    quoted-printable continuations, parameters); only the properties used
    here are decoded, which keeps thousands of cards quick."""
    props = _card_properties(text)
    values = [v for key in _CARD_KEYS for v in props.get(key, [])]
    _no_formulas(values)
    name = _unescape(_first_value(props, "FN")) or _n_name(_first_value(props, "N"))
    emails = _emails(props.get("EMAIL", []))
    phones = _phones(props.get("TEL", []), region)
    uid = _clean(_first_value(props, "UID"))
    key = f"vc:{uid}" if uid else _hashed_key("vc", name, emails, phones)
    return _contact(
        number,
        name=name,
        key=key,
        company=_structured(_first_value(props, "ORG"))[0],
        position=_unescape(_first_value(props, "TITLE")),
        emails=emails,
        phones=phones,
        connected_on=None,
    )


_CARD_KEYS = ("FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "UID")


def _card_properties(text: str) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    ends = 0
    try:
        for line, at in vobject.base.getLogicalLines(io.StringIO(text), True):
            if not line.strip():
                continue
            name, params, value, _group = vobject.base.parseLine(line, at)
            name = name.upper()
            ends += name == "END"
            if name in _CARD_KEYS:
                props.setdefault(name, []).append(_decoded(params, value))
    except vobject.base.ParseError as error:
        raise _RowRefused(f"This card can't be read ({_short(error)}).") from error
    if not ends:
        raise _RowRefused("This card can't be read (it has no END:VCARD).")
    return props


def _decoded(params: list[list[str]], value: str) -> str:
    """A value with its QUOTED-PRINTABLE encoding (vCard 2.1) undone."""
    found = {p[0].upper(): [v.upper() for v in p[1:]] for p in params if p}
    encoding = found.get("ENCODING", [])
    if "QUOTED-PRINTABLE" not in encoding and "QUOTED-PRINTABLE" not in found:
        return value
    charset = (found.get("CHARSET") or ["UTF-8"])[0]
    raw = quopri.decodestring(value.encode("latin-1", "replace"))
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def _first_value(props: dict[str, list[str]], key: str) -> str:
    found = props.get(key) or [""]
    return found[0]


def _unescape(text: str) -> str:
    return (
        text.replace("\\\\", "\x00")
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\:", ":")
        .replace("\x00", "\\")
    )


def _structured(text: str) -> list[str]:
    """The parts of N or ORG: split at each ';' that isn't escaped."""
    parts = re.split(r"(?<!\\);", text or "")
    return [_unescape(p) for p in parts] or [""]


def _n_name(text: str) -> str:
    """'Family;Given;Additional;Prefix;Suffix' as a person writes it."""
    parts = [*_structured(text), "", "", "", ""]
    family, given, additional, prefix = parts[:4]
    return _join(prefix, given, additional, family)


# ---------------------------------------------------------------- row helpers


def _row(row: int, build, *args) -> object:
    try:
        return build(*args)
    except _RowRefused as refused:
        return RowError(row, refused.reason)


def _contact(row: int, *, name, key, company, position, emails, phones, connected_on):
    name = _clean(name)[:NAME_MAX]
    if not name:
        name = (emails or phones or ("",))[0]
    if not name:
        raise _RowRefused("This row has no name, email or phone.")
    if len(key) > SOURCE_KEY_MAX:
        key = f"{key[:3]}#" + hashlib.sha256(key.encode()).hexdigest()
    return ParsedContact(
        row=row,
        name=name,
        source_key=key,
        company=_clean(company)[:NAME_MAX],
        position=_clean(position)[:NAME_MAX],
        emails=tuple(emails[:ADDRESSES_MAX]),
        phones=tuple(phones[:ADDRESSES_MAX]),
        connected_on=connected_on,
    )


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    return " ".join(text.replace("\x00", "").split())


def _join(*parts: object) -> str:
    return " ".join(p for p in (_clean(x) for x in parts) if p)


def _short(error: Exception) -> str:
    text = _clean(str(error)) or type(error).__name__
    return text[:80]


def is_formula(cell: object) -> bool:
    """Whether a spreadsheet would run this cell: `=...` always; `+`, `-`,
    `@` when what follows isn't a phone number or a plain word."""
    text = cell.strip() if isinstance(cell, str) else ""
    if not text:
        return False
    if text[0] == "=":
        return True
    if text[0] in "+-":
        return not _PHONE_TEXT.match(text)
    if text[0] == "@":
        return bool(_FORMULA_CALL.match(text)) or any(c in text for c in "|!()")
    return False


def _no_formulas(cells: Iterable[object]) -> None:
    if any(is_formula(c) for c in cells):
        raise _RowRefused(
            "A cell starts like a spreadsheet formula (=, +, -, @); "
            "this row was not imported."
        )


def canonical_contact_email(text: object) -> str | None:
    """An email as the accounts fold it, or None when it isn't one."""
    value = _clean(text).strip("<>").removeprefix("mailto:")
    if not value or len(value) > 254 or not _EMAIL.match(value):
        return None
    return canonical_email(value)


def canonical_phone(text: object, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164, or None when it isn't a real one."""
    value = _clean(text).removeprefix("tel:")
    if not value or len(value) > 40:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _emails(texts: Iterable[object]) -> tuple[str, ...]:
    found = (canonical_contact_email(t) for t in texts)
    return tuple(dict.fromkeys(e for e in found if e))


def _phones(texts: Iterable[object], region: str) -> tuple[str, ...]:
    found = (canonical_phone(t, region) for t in texts)
    return tuple(dict.fromkeys(p for p in found if p))


def _hashed_key(prefix: str, name: str, emails, phones) -> str:
    """A stable key for a row with no id of its own: its name and first
    address (a later export that adds a second address keeps the key)."""
    first = (tuple(emails) + tuple(phones) + ("",))[0]
    seed = f"{_clean(name).lower()}|{first}"
    return f"{prefix}#" + hashlib.sha256(seed.encode()).hexdigest()[:40]


# -------------------------------------------------------------------- merging


def merge_duplicates(
    contacts: list[ParsedContact],
) -> tuple[list[ParsedContact], int]:
    """Rows that share a source key, an email or a phone become one contact
    (the first row's name and key; addresses joined; blanks filled)."""
    merged: list[ParsedContact] = []
    where: dict[tuple[str, str], int] = {}
    duplicates = 0
    for contact in contacts:
        keys = [("key", contact.source_key), *contact.addresses()]
        at = next((where[k] for k in keys if k in where), None)
        if at is None:
            at = len(merged)
            merged.append(contact)
        else:
            merged[at] = combine(merged[at], contact)
            duplicates += 1
        for k in [("key", merged[at].source_key), *merged[at].addresses()]:
            where.setdefault(k, at)
    return merged, duplicates


def combine(first: ParsedContact, other: ParsedContact) -> ParsedContact:
    """`first` with what `other` adds: its addresses, and any field `first`
    leaves blank."""
    return replace(
        first,
        company=first.company or other.company,
        position=first.position or other.position,
        emails=tuple(dict.fromkeys(first.emails + other.emails))[:ADDRESSES_MAX],
        phones=tuple(dict.fromkeys(first.phones + other.phones))[:ADDRESSES_MAX],
        connected_on=first.connected_on or other.connected_on,
    )


def fingerprint(contact: ParsedContact) -> str:
    """A digest of what the export said about this person: the same row in
    a later export with the same digest needs no write."""
    said = [
        contact.name,
        contact.company,
        contact.position,
        sorted(contact.emails),
        sorted(contact.phones),
        contact.connected_on.isoformat() if contact.connected_on else "",
    ]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()
