"""Moving a group's IOUs in from a spreadsheet and out again, on SQLite and
PostgreSQL: all or nothing, every problem reported by row, missing people
invited once, and `python -m marketplace ious import|export`."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlmodel import delete, select

from marketplace import db
from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.domain.ious import Status
from marketplace.ious import ious
from marketplace.ious.iou_import import (
    EXPORT_COLUMNS,
    ImportRefused,
    ImportReport,
    export_ious,
    import_ious,
)
from marketplace.models import Iou, IouEvent, LedgerAccount, Member
from marketplace.settings import get_settings
from tests.members import sign_up

PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
HEADER = "debtor,creditor,amount,note\n"


def member(handle: str) -> int:
    with db.unit_of_work() as s:
        return sign_up(
            s, email=f"{handle}@example.com", handle=handle,
            display_name=handle.title(), password=PASSWORD,
        ).member_id  # fmt: skip


@pytest.fixture
def group(engine) -> dict[str, int]:
    """Three members who kept their IOUs in a spreadsheet."""
    return {h: member(h) for h in ("ada", "bob", "cleo")}


def run(rows, *, invite: bool = False) -> ImportReport:
    with db.unit_of_work() as s:
        return import_ious(s, rows, invite_missing=invite, clock=FixedClock(NOW))


def refused(rows, *, invite: bool = False) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        run(rows, invite=invite)
    return caught.value


def everything() -> tuple[list, ...]:
    """Every row an import could write, to prove a refusal wrote nothing."""
    with db.read_only() as s:
        return tuple(
            sorted((r.model_dump() for r in s.exec(select(table))), key=str)
            for table in (Member, Iou, IouEvent, LedgerAccount)
        )


def member_named(handle: str) -> Member:
    with db.read_only() as s:
        return s.exec(select(Member).where(Member.handle == handle)).one()


def all_ious() -> list[Iou]:
    with db.read_only() as s:
        return list(s.exec(select(Iou).order_by(Iou.id)))


# --------------------------------------------------------------------------- import


def test_a_good_file_imports_every_row_as_an_accepted_iou(group):
    report = run(
        HEADER + "ada,bob,5,Logo review\n"
        '@Bob , CLEO ,12,"Moving day, two hours"\n'
        "\n"  # a blank line is no row
        "cleo,ada,3,\n"
    )
    assert (report.ious_created, report.points) == (3, 20)
    assert report.invited == () and report.still_invited == ()
    rows = all_ious()
    assert [(r.debtor_id, r.creditor_id, r.amount, r.note) for r in rows] == [
        (group["ada"], group["bob"], 5, "Logo review"),
        (group["bob"], group["cleo"], 12, "Moving day, two hours"),
        (group["cleo"], group["ada"], 3, ""),
    ]
    assert all(r.status == Status.OPEN and r.outstanding == r.amount for r in rows)
    assert all(r.proposed_by_id is None and r.created_at == NOW for r in rows)
    with db.read_only() as s:
        events = s.exec(select(IouEvent).order_by(IouEvent.id)).all()
        mine = ious.ious_of(s, group["ada"], today=date(2026, 3, 2))
    assert [(e.iou_id, e.kind, e.actor_id, e.note) for e in events] == [
        (r.id, kind, None, "imported")
        for r in rows
        for kind in ("proposed", "accepted")
    ]
    assert {(v.my_role, v.other_handle, v.outstanding) for v in mine} == {
        ("debtor", "bob", 5),
        ("creditor", "cleo", 3),
    }


def test_every_bad_row_is_reported_and_nothing_is_written(group):
    before = everything()
    error = refused(
        HEADER + "ada,bob,5,fine\n"  # row 2 is good
        "ada,zed,5,unknown creditor\n"
        "bob,bob,4,to myself\n"
        "ada,bob,0,nothing\n"
        "ada,bob,-3,less than nothing\n"
        "ada,bob,1.5,a fraction\n"
        "ada,bob,lots,garbage\n"
        "ada,bob,5,fine\n"  # a duplicate of row 2
        "ada,bob,7,<b>bold</b>\n"
        "a b,cleo,2,bad handle\n"
        "ada,cleo,2\n"  # a column short
        ",cleo,2,no debtor\n"
    )
    assert error.problems == (
        "row 3: unknown handle 'zed'",
        "row 4: debtor and creditor are both 'bob'; an IOU needs two people",
        "row 5: Amount must be more than zero. (got '0')",
        "row 6: Amount must be a whole number of karma. (got '-3')",
        "row 7: Amount must be a whole number of karma. (got '1.5')",
        "row 8: Amount must be a whole number of karma. (got 'lots')",
        "row 9: duplicate of row 2",
        "row 10: Note can't contain HTML or script tags; plain text only.",
        "row 11: Handle may use lowercase letters, digits, '-' and '_', and must "
        "start and end with a letter or digit. (got debtor 'a b')",
        "row 12: expected 4 columns (debtor,creditor,amount,note), found 3",
        "row 13: debtor is missing",
    )
    assert error.unknown == ("zed",)
    assert str(error).startswith("Nothing was imported; the file has 11 problems:\n")
    assert "row 3: unknown handle 'zed'" in str(error)
    assert everything() == before


@pytest.mark.parametrize(
    "text,problem",
    [
        ("", "row 1: the file is empty; expected debtor,creditor,amount,note"),
        (HEADER, "the file has no IOU rows below its header"),
        (
            "from,to,amount,note\nada,bob,5,x\n",
            "row 1: the header must be debtor,creditor,amount,note, "
            "not 'from,to,amount,note'",
        ),
        (
            "debtor,creditor,note,amount\nada,bob,x,5\n",
            "row 1: the header must be debtor,creditor,amount,note",
        ),
        ("\x00\x01\x02garbage\xff\n\x7f", "row 1: the header must be"),
        (HEADER + "ada,bob,5,x,extra\n", "row 2: expected 4 columns"),
        (HEADER + "ada,bob,100001,x\n", "row 2: Amount must be at most 100,000"),
        (HEADER + f"ada,bob,5,{'n' * 301}\n", "row 2: Note is too long"),
        (HEADER + "ada,bob,5,javascript:alert(1)\n", "row 2: Note can't contain"),
        (HEADER + "admin,bob,5,x\n", "row 2: The handle 'admin' is reserved."),
        (HEADER + "ada,bob,5,x\r\nada,bob,5,x", "row 3: duplicate of row 2"),
    ],
)
def test_a_bad_file_is_refused_whole(group, text, problem):
    before = everything()
    error = refused(text)
    assert any(line.startswith(problem) for line in error.problems), error.problems
    assert everything() == before


def test_a_file_that_is_not_utf8_text_is_refused(group):
    stream = io.TextIOWrapper(io.BytesIO(b"\x89PNG\r\n\x1a\n\xff\xfe"), "utf-8")
    assert refused(stream).problems == ("the file is not UTF-8 text",)
    assert all_ious() == []


def test_a_spreadsheet_header_with_capitals_and_a_byte_order_mark_is_fine(group):
    report = run("\ufeffDebtor, Creditor ,Amount,Note\r\nada,bob,5,x\r\n")
    assert report.ious_created == 1


def test_dict_rows_are_checked_the_same_way(group):
    good = {"debtor": "ada", "creditor": "bob", "amount": 5, "note": "x"}
    error = refused([good, {"debtor": "ada", "creditor": "bob", "amount": 5}])
    assert error.problems == ("row 3: the columns must be debtor,creditor,amount,note",)
    assert run([good, good | {"amount": "6"}]).ious_created == 2


def test_importing_the_same_file_twice_is_refused_the_second_time(group):
    text = HEADER + "ada,bob,5,Logo review\nbob,cleo,2,Lift\n"
    run(text)
    first = all_ious()
    error = refused(text + "cleo,ada,1,new\n")
    assert error.problems == (
        f"row 2: already imported as IOU #{first[0].id}",
        f"row 3: already imported as IOU #{first[1].id}",
    )
    assert all_ious() == first
    # The same debt again with its own note is a new debt.
    assert run(HEADER + "ada,bob,5,Logo review again\n").ious_created == 1


def test_a_file_longer_than_the_limit_is_refused(group, monkeypatch):
    monkeypatch.setattr("marketplace.ious.iou_import.MAX_ROWS", 2)
    error = refused(HEADER + "ada,bob,1,a\nada,bob,2,b\nada,bob,3,c\n")
    assert error.problems == ("row 4: more than 2 rows; split it",)
    assert all_ious() == []


# --------------------------------------------------------------------------- invite


def test_invite_missing_creates_one_invited_member_per_missing_handle(group):
    report = run(
        HEADER + "ada,zed,5,a\nzed,bob,3,b\nyan,zed,2,c\n@Zed,cleo,1,d\n",
        invite=True,
    )
    assert report.ious_created == 4
    assert [i.handle for i in report.invited] == ["yan", "zed"]
    codes = {i.handle: i.code for i in report.invited}
    assert len(set(codes.values())) == 2 and all(len(c) >= 20 for c in codes.values())
    zed = member_named("zed")
    assert zed.status == "invited"
    assert zed.email == "zed@invited.invalid"
    assert (zed.display_name, zed.password_hash) == ("zed", "")
    assert zed.invite_code_hash == hashlib.sha256(codes["zed"].encode()).hexdigest()
    assert codes["zed"] not in str(zed.model_dump())  # only its hash is kept
    assert sum(zed.id in (i.debtor_id, i.creditor_id) for i in all_ious()) == 4


def test_an_invited_member_cannot_log_in(group):
    run(HEADER + "ada,zed,5,a\n", invite=True)
    for password in (PASSWORD, "x" * 12, " "):
        with db.unit_of_work() as s:
            assert (
                accounts.log_in(s, email="zed@invited.invalid", password=password)
                is None
            )


def test_a_later_file_reuses_the_invited_member(group):
    first = run(HEADER + "ada,zed,5,a\n", invite=True)
    zed = member_named("zed")
    second = run(HEADER + "zed,bob,2,b\nbob,yan,1,c\n", invite=True)
    assert [i.handle for i in first.invited] == ["zed"]
    assert [i.handle for i in second.invited] == ["yan"]
    assert second.still_invited == ("zed",)
    again = member_named("zed")
    assert (again.id, again.invite_code_hash) == (zed.id, zed.invite_code_hash)
    with db.read_only() as s:
        assert len(s.exec(select(Member).where(Member.handle == "zed")).all()) == 1
    # Without the flag, an invited member is known all the same.
    assert run(HEADER + "zed,cleo,4,d\n").ious_created == 1


def test_without_the_flag_nobody_is_invited(group):
    before = everything()
    error = refused(HEADER + "ada,zed,5,a\nzed,bob,3,b\n")
    assert error.problems == (
        "row 2: unknown handle 'zed'",
        "row 3: unknown handle 'zed'",
    )
    assert everything() == before


def test_a_refused_file_invites_nobody_even_with_the_flag(group):
    before = everything()
    error = refused(HEADER + "ada,zed,5,a\nada,yan,0,b\n", invite=True)
    assert error.problems == ("row 3: Amount must be more than zero. (got '0')",)
    assert error.unknown == ()
    assert everything() == before


# --------------------------------------------------------------------------- export


def test_export_round_trips_through_import(group):
    text = HEADER + (
        "ada,bob,5,Logo review\n"
        'bob,cleo,12,"Moving day, two hours"\n'
        'cleo,zed,3,=HYPERLINK("http://evil.example")\n'
        "zed,ada,2,- a dash first\n"
    )
    run(text, invite=True)
    with db.read_only() as s:
        exported = export_ious(s)
    assert [list(row) for row in exported] == [list(EXPORT_COLUMNS)] * 4
    assert exported[0] == {
        "debtor": "ada",
        "creditor": "bob",
        "amount": 5,
        "outstanding": 5,
        "status": "open",
        "note": "Logo review",
        "created_at": NOW.isoformat(),
    }
    # A note a spreadsheet would run as a formula is quoted, as spreadsheets do.
    assert exported[2]["note"] == '\'=HYPERLINK("http://evil.example")'
    assert exported[3]["note"] == "'- a dash first"
    with db.unit_of_work() as s:  # start again from the exported file
        s.exec(delete(IouEvent))
        s.exec(delete(Iou))
    columns = ("debtor", "creditor", "amount", "note")
    assert run([{c: row[c] for c in columns} for row in exported]).ious_created == 4
    assert [i.note for i in all_ious()][2:] == [
        '=HYPERLINK("http://evil.example")',
        "- a dash first",
    ]
    with db.read_only() as s:
        assert export_ious(s) == exported


def test_export_shows_what_is_still_outstanding(group):
    run(HEADER + "ada,bob,5,a\n")
    with db.unit_of_work() as s:
        iou = s.exec(select(Iou)).one()
        ious.record_settlement(
            s, actor_id=group["bob"], iou_id=iou.id, kind="forgiven", amount=2
        )
    with db.read_only() as s:
        row = export_ious(s)[0]
    assert (row["amount"], row["outstanding"], row["status"]) == (5, 3, "open")


# --------------------------------------------------------------------------- cli


def write(tmp_path, text: str, name: str = "ious.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def value(output: str, label: str) -> int:
    match = re.search(rf"{label}\W+([\d,]+)", output)
    assert match, output
    return int(match.group(1).replace(",", ""))


def test_cli_import_prints_a_summary(group, tmp_path, capsys):
    path = write(tmp_path, HEADER + "ada,bob,5,a\nbob,cleo,7,b\n")
    assert main(["ious", "import", path]) == 0
    out = capsys.readouterr().out
    assert value(out, "IOUs created") == 2
    assert value(out, "Karma owed in total") == 12
    assert value(out, "Members invited") == 0
    assert "Invitations" not in out
    assert len(all_ious()) == 2


def test_cli_import_with_invitations_prints_each_code_once(group, tmp_path, capsys):
    path = write(tmp_path, HEADER + "ada,zed,5,a\nyan,bob,7,b\n")
    assert main(["ious", "import", path, "--invite-missing"]) == 0
    out = capsys.readouterr().out
    assert value(out, "Members invited") == 2
    links = dict(re.findall(r"(\w+)  code (\S+)  link /signup\?invite=\2", out))
    assert set(links) == {"yan", "zed"}, out
    assert "shown only this once" in out
    # The printed code is the one that claims the handle.
    with db.unit_of_work() as s:
        sign_up(
            s, email="zed@real.example", handle="zed", display_name="Zed",
            password=PASSWORD, invite_code=links["zed"],
        )  # fmt: skip
    assert member_named("zed").status == "active"


def test_cli_import_refusal_exits_1_listing_every_problem(group, tmp_path, capsys):
    before = everything()
    path = write(tmp_path, HEADER + "ada,zed,5,a\nada,ada,1,b\nada,bob,x,[/bold]\n")
    assert main(["ious", "import", path]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "nothing was imported; 3 problem(s)" in err
    assert "row 2: unknown handle 'zed'" in err
    assert "row 3: debtor and creditor are both 'ada'" in err
    assert "row 4: Amount must be a whole number of karma. (got 'x')" in err
    assert "--invite-missing" in err
    assert everything() == before


def test_cli_import_shows_file_content_as_text_not_markup(group, tmp_path, capsys):
    path = write(tmp_path, "[red]debtor[/red],[/x],amount,note\n")
    assert main(["ious", "import", path]) == 1
    assert "not '[red]debtor[/red],[/x],amount,note'" in capsys.readouterr().err


def test_cli_import_of_a_missing_file_is_a_usage_error(group, tmp_path, capsys):
    assert main(["ious", "import", str(tmp_path / "nope.csv")]) == 2
    assert "can't read" in capsys.readouterr().err
    assert main(["ious", "import"]) == 2
    assert main(["ious"]) == 2
    assert main(["ious", "frobnicate"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_cli_import_of_a_binary_file_exits_1(group, tmp_path, capsys):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd")
    assert main(["ious", "import", str(path)]) == 1
    assert "the file is not UTF-8 text" in capsys.readouterr().err


def test_cli_export_to_stdout_and_to_a_file(group, tmp_path, capsys):
    run(HEADER + 'ada,bob,5,a\nbob,cleo,7,"b, c"\n')
    assert main(["ious", "export"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["debtor"], r["creditor"], r["amount"], r["note"]) for r in rows] == [
        ("ada", "bob", "5", "a"),
        ("bob", "cleo", "7", "b, c"),
    ]
    target = tmp_path / "out.csv"
    assert main(["ious", "export", str(target)]) == 0
    assert "Exported 2 IOUs to" in capsys.readouterr().out
    with open(target, encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames) == EXPORT_COLUMNS
        assert list(reader) == rows


def test_cli_export_to_a_directory_is_a_usage_error(group, tmp_path, capsys):
    assert main(["ious", "export", str(tmp_path)]) == 2
    assert "can't write" in capsys.readouterr().err


def test_an_error_echoing_input_is_printed_as_text(group, capsys):
    # main() prints every refusal; a handle like "[/x]" once crashed rich.
    assert main(["ledger", "grant", "[/x]", "5", "--memo", "hi"]) == 1
    assert "No active member with the handle '[/x]'" in capsys.readouterr().err


@pytest.fixture
def unmigrated(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    db.use_engine(None)
    yield
    db.get_engine().dispose()
    db.use_engine(None)
    get_settings.cache_clear()


def test_cli_ious_refuse_a_database_that_is_not_migrated(unmigrated, tmp_path, capsys):
    path = write(tmp_path, HEADER + "ada,bob,5,a\n")
    assert main(["ious", "import", path]) == 1
    assert main(["ious", "export"]) == 1
    assert capsys.readouterr().err.count("migrate") == 2
