"""Contacts import: 5,000 vCards into a fresh SQLite database, with a
baseline in the same run.

    python benchmarks/contacts_import.py             # 5,000 contacts
    python benchmarks/contacts_import.py --contacts 20000

What runs, in a throwaway SQLite file migrated to head:

1. 300 members with verified emails (so the import matches some);
2. a generated vCard 3.0 file of N contacts (two emails, a phone, folded
   lines, non-ASCII names; one in 20 is a member here, one in 50 repeats an
   earlier person's email and merges);
3. parse only (`contact_files.parse_contacts`): the baseline;
4. import of the first 500 contacts for one member, then of all N for
   another (`network.contacts.import_contacts`, one unit of work each, as
   the page and the CLI run it), then the same N again (nothing changes).

The last line of stdout is one JSON object with the figures; `ok` is true
when the N-contact import finished in under 10 s and the re-import
changed nothing. Exit status 0 when ok, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from marketplace import db  # noqa: E402
from marketplace.domain import contact_files  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.models import Member  # noqa: E402
from marketplace.network import contacts  # noqa: E402

TARGET_SECONDS = 10.0
MEMBERS = 300
FIRSTS = ("Ana", "Björn", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gökhan", "Hana")
LASTS = ("Åström", "Bianchi", "Çelik", "Dubois", "Ekström", "Fernández", "Głowacki")


def make_members(count: int) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "handle": f"member{i}",
            "display_name": f"Member {i}",
            "email": f"member{i}@example.com",
            "email_canonical": f"member{i}@example.com",
            "email_verified_at": now,
            "password_hash": "!bench",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with db.unit_of_work() as session:
        session.exec(insert(Member), params=rows)


def vcard_file(count: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    cards = []
    for i in range(count):
        name = f"{rng.choice(FIRSTS)} {rng.choice(LASTS)} {i}"
        if i % 20 == 0:
            email = f"member{rng.randrange(MEMBERS)}@example.com"
        elif i % 50 == 1 and i > 50:
            email = f"person{i - 50}@mail.example"  # the same person again
        else:
            email = f"person{i}@mail.example"
        cards.append(
            "BEGIN:VCARD\r\nVERSION:3.0\r\n"
            f"UID:bench-{i}\r\nFN:{name}\r\nN:{name.split()[1]};{name.split()[0]};;;\r\n"
            f"ORG:Company {i % 97}\r\nTITLE:A rather long job title for a\r\n"
            "  folded line\r\n"
            f"EMAIL;TYPE=WORK:{email}\r\nEMAIL;TYPE=HOME:home{i}@mail.example\r\n"
            f"TEL;TYPE=CELL:+44 7400 {100000 + i:06d}\r\nEND:VCARD\r\n"
        )
    return "".join(cards).encode()


def timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def importer(handle: str) -> int:
    now = datetime.now(UTC)
    with db.unit_of_work() as session:
        member = Member(
            handle=handle,
            display_name=handle.title(),
            email=f"{handle}@bench.example",
            email_verified_at=now,
            password_hash="!bench",
            created_at=now,
            updated_at=now,
        )
        session.add(member)
        session.flush()
        return member.id


def run_import(member_id: int, data: bytes) -> contacts.ImportReport:
    with db.unit_of_work() as session:
        return contacts.import_contacts(session, actor_id=member_id, data=data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'contacts.db'}")
        upgrade_to_head(engine)
        db.use_engine(engine)
        try:
            figures = bench(args.contacts)
        finally:
            db.use_engine(None)
            engine.dispose()
    print(json.dumps(figures), flush=True)
    return 0 if figures["ok"] else 1


def bench(count: int) -> dict:
    make_members(MEMBERS)
    big = vcard_file(count)
    small = vcard_file(min(500, count))
    parsed, parse_s = timed(lambda: contact_files.parse_contacts(big))
    small_report, small_s = timed(lambda: run_import(importer("small"), small))
    member = importer("big")
    report, import_s = timed(lambda: run_import(member, big))
    again, again_s = timed(lambda: run_import(member, big))
    unchanged = again.imported == again.updated == 0
    rows = [
        ("parse only (baseline)", count, parse_s),
        ("import 500", small_report.rows, small_s),
        (f"import {count:,}", report.rows, import_s),
        (f"re-import {count:,} (unchanged)", again.rows, again_s),
    ]
    print(f"{'step':<32}{'rows':>8}{'seconds':>10}{'rows/s':>10}")
    for label, n, seconds in rows:
        print(f"{label:<32}{n:>8,}{seconds:>10.2f}{n / seconds:>10,.0f}")
    print(
        f"imported {report.imported:,}, matched {report.matched:,}, "
        f"duplicates {report.duplicates:,}, errors {len(report.errors)}; "
        f"target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if import_s < TARGET_SECONDS else 'MISSED'}"
    )
    return {
        "contacts": count,
        "parse_seconds": round(parse_s, 3),
        "import_500_seconds": round(small_s, 3),
        "import_seconds": round(import_s, 3),
        "reimport_seconds": round(again_s, 3),
        "import_vs_parse": round(import_s / parse_s, 2),
        "import_vs_500": round(import_s / small_s, 2),
        "parsed": len(parsed.contacts),
        "imported": report.imported,
        "matched": report.matched,
        "duplicates": report.duplicates,
        "reimport_unchanged": again.unchanged,
        "ok": import_s < TARGET_SECONDS and unchanged,
    }


if __name__ == "__main__":
    sys.exit(main())
