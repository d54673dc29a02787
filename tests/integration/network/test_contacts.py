"""Contacts as members bring them: import a LinkedIn export or a phone's
vCards, import it again (nothing changes), a newer export (what changed
changes), find who is here -- only by an address they proved is theirs, and
never someone hidden, suspended or blocked -- and ask them to connect, as
their own request settings allow. One member's contacts are nobody else's
business. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace import cli
from marketplace.accounts import closing, export
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from marketplace.models import Connection, Contact, ContactAddress, Member
from marketplace.network import connections, contacts
from tests.integration.accounts.test_privacy import keep
from tests.integration.ledger.test_wallet import member
from tests.members import sign_up
from tests.unit.test_contact_files import linkedin_csv, vcards

PASSWORD = "correct horse battery"


def bring(who, data: bytes) -> contacts.ImportReport:
    with unit_of_work() as s:
        return contacts.import_contacts(s, actor_id=who.member_id, data=data)


def book(who) -> list[str]:
    with read_only() as s:
        page = contacts.contacts_of(s, actor_id=who.member_id)
    return [c.name for c in page.contacts]


def here(who) -> list[str]:
    with read_only() as s:
        return [m.handle for m in contacts.matched_members(s, actor_id=who.member_id)]


def connect(s, who, contact_id):
    return contacts.connect_with_match(s, actor_id=who.member_id, contact_id=contact_id)


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def unverified(handle: str):
    with unit_of_work() as s:
        return sign_up(
            s,
            verified=False,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password=PASSWORD,
        )


FRIENDS = [
    ("Bob", "Smith", "", "Acme", "CTO"),
    ("Cyd", "Jones", "cyd@example.com", "Initech", "Founder"),
    ("Dee", "Long", "dee@elsewhere.org", "", ""),
]


@pytest.fixture
def people(ada, bo, cy):
    return ada, bo, cy


def test_a_linkedin_export_imports_and_finds_who_is_here(people):
    ada, _bo, _cy = people
    report = bring(ada, linkedin_csv(FRIENDS))
    assert (report.rows, report.imported, report.matched) == (3, 3, 1)
    assert report.errors == []
    assert book(ada) == ["Bob Smith", "Cyd Jones", "Dee Long"]
    assert here(ada) == ["cyd"]
    with read_only() as s:
        dates = {c.connected_on for c in s.exec(select(Contact))}
    assert dates == {date(2021, 3, 14)}
    with read_only() as s:
        (match,) = contacts.matched_members(s, actor_id=ada.member_id)
    assert (match.company, match.position, match.source) == (
        "Initech",
        "Founder",
        "LinkedIn",
    )


def test_importing_the_same_file_again_changes_nothing(people):
    ada, *_ = people
    bring(ada, linkedin_csv(FRIENDS))
    with read_only() as s:
        before = [(c.id, c.updated_at) for c in s.exec(select(Contact))]
    again = bring(ada, linkedin_csv(FRIENDS))
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)
    with read_only() as s:
        assert [(c.id, c.updated_at) for c in s.exec(select(Contact))] == before


def test_a_newer_export_updates_what_changed(people):
    ada, *_ = people
    bring(ada, linkedin_csv(FRIENDS))
    newer = [("Bob", "Smith", "", "Globex", "CEO"), *FRIENDS[1:]]
    newer.append(("Eve", "New", "", "", ""))
    report = bring(ada, linkedin_csv(newer))
    assert (report.imported, report.updated, report.unchanged) == (1, 1, 2)
    with read_only() as s:
        bob = s.exec(select(Contact).where(Contact.name == "Bob Smith")).one()
    assert (bob.company, bob.position) == ("Globex", "CEO")


def test_the_same_person_in_two_files_is_one_contact(people):
    ada, *_ = people
    bring(ada, linkedin_csv(FRIENDS))
    report = bring(
        ada, vcards([("Dee L.", ["DEE@elsewhere.org"], ["+44 20 7946 0958"])])
    )
    assert (report.imported, report.duplicates, report.updated) == (0, 1, 1)
    assert book(ada) == ["Bob Smith", "Cyd Jones", "Dee Long"]
    with read_only() as s:
        values = set(s.exec(select(ContactAddress.value)))
    assert values == {"cyd@example.com", "dee@elsewhere.org", "+442079460958"}


def test_only_a_verified_address_matches(ada):
    unverified("zed")
    report = bring(ada, vcards([("Zed", ["zed@example.com"], [])]))
    assert report.matched == 0
    assert here(ada) == []


def test_a_match_folds_the_address_as_the_accounts_do(ada, bo):
    report = bring(ada, vcards([("Bob", ["  BOB+work@Example.com "], [])]))
    assert report.matched == 1
    assert here(ada) == ["bob"]


def test_hidden_suspended_and_blocked_members_are_not_matched(people):
    ada, bo, cy = people
    dee = member("dee")
    keep(bo.member_id, "hidden_from_search", True)
    with unit_of_work() as s:
        connections.block_member(s, actor_id=cy.member_id, handle="ada")
        suspended = s.get(Member, dee.member_id)
        suspended.status, suspended.suspended_at = "suspended", datetime.now(UTC)
    cards = [(n, [f"{n}@example.com"], []) for n in ("bob", "cyd", "dee", "ada")]
    report = bring(ada, vcards(cards))
    assert report.matched == 0
    assert here(ada) == []
    with read_only() as s:
        page = contacts.contacts_of(s, actor_id=ada.member_id)
    assert [c.member_handle for c in page.contacts] == ["", "", "", ""]


def test_a_match_hidden_later_drops_out_of_the_list(ada, bo):
    bring(ada, vcards([("Bob", ["bob@example.com"], [])]))
    assert here(ada) == ["bob"]
    keep(bo.member_id, "hidden_from_search", True)
    assert here(ada) == []


def test_connect_sends_a_request_with_where_we_know_each_other(ada, bo):
    bring(ada, linkedin_csv([("Bob", "B", "bob@example.com", "", "")]))
    with read_only() as s:
        (match,) = contacts.matched_members(s, actor_id=ada.member_id)
    with unit_of_work() as s:
        contacts.connect_with_match(
            s, actor_id=ada.member_id, contact_id=match.contact_id
        )
    with read_only() as s:
        row = s.exec(select(Connection)).one()
    assert (row.requester_id, row.addressee_id, row.status) == (
        ada.member_id,
        bo.member_id,
        "pending",
    )
    assert row.note == "We know each other from LinkedIn"
    assert here(ada) == []  # asked: no longer offered
    with pytest.raises(Conflict), unit_of_work() as s:
        contacts.connect_with_match(
            s, actor_id=ada.member_id, contact_id=match.contact_id
        )


@pytest.mark.parametrize("level", ["nobody", "second"])
def test_a_match_by_email_does_not_bypass_who_may_ask(ada, bo, level):
    keep(bo.member_id, "connect_requests", level)
    bring(ada, vcards([("Bob", ["bob@example.com"], [])]))
    with read_only() as s:
        (match,) = contacts.matched_members(s, actor_id=ada.member_id)
    with pytest.raises(DomainError), unit_of_work() as s:
        contacts.connect_with_match(
            s, actor_id=ada.member_id, contact_id=match.contact_id
        )
    assert count(Connection) == 0


def test_contacts_are_private_to_their_owner(people):
    ada, bo, _cy = people
    bring(ada, linkedin_csv(FRIENDS))
    assert book(bo) == []
    assert here(bo) == []
    with read_only() as s:
        mine = s.exec(select(Contact.id)).all()
    for contact_id in mine:
        with pytest.raises(NotFound, match="Contact not found"), unit_of_work() as s:
            contacts.remove_contact(s, actor_id=bo.member_id, contact_id=contact_id)
        with pytest.raises(NotFound), unit_of_work() as s:
            contacts.connect_with_match(s, actor_id=bo.member_id, contact_id=contact_id)
    with unit_of_work() as s:
        assert contacts.remove_all(s, actor_id=bo.member_id) == 0
    assert len(book(ada)) == 3


def test_remove_one_and_remove_all(people):
    ada, *_ = people
    bring(ada, linkedin_csv(FRIENDS))
    with read_only() as s:
        first = s.exec(select(Contact.id).order_by(Contact.id)).first()
    with unit_of_work() as s:
        assert contacts.remove_contact(s, actor_id=ada.member_id, contact_id=first) == (
            "Bob Smith"
        )
    assert book(ada) == ["Cyd Jones", "Dee Long"]
    with unit_of_work() as s:
        assert contacts.remove_all(s, actor_id=ada.member_id) == 2
    assert (count(Contact), count(ContactAddress)) == (0, 0)


def test_search_finds_by_name_company_or_address(people):
    ada, *_ = people
    bring(ada, linkedin_csv(FRIENDS))
    with read_only() as s:
        names = {
            q: [
                c.name
                for c in contacts.contacts_of(
                    s, actor_id=ada.member_id, query=q
                ).contacts
            ]
            for q in ("bob", "initech", "elsewhere", "100%_")
        }
    assert names == {
        "bob": ["Bob Smith"],
        "initech": ["Cyd Jones"],
        "elsewhere": ["Dee Long"],
        "100%_": [],
    }


def test_a_refused_file_writes_nothing(ada):
    with pytest.raises(InvalidInput, match="isn't a text file"), unit_of_work() as s:
        contacts.import_contacts(s, actor_id=ada.member_id, data=b"PK\x03\x04\x00\x00")
    with pytest.raises(InvalidInput, match="MB"), unit_of_work() as s:
        contacts.import_contacts(
            s, actor_id=ada.member_id, data=b"a" * (50 * 1024 * 1024)
        )
    assert count(Contact) == 0


def test_formula_rows_are_errors_and_the_rest_imports(ada):
    rows = [*FRIENDS, ("Evil", "Row", "", "=cmd|' /C calc'!A0", "")]
    report = bring(ada, linkedin_csv(rows))
    assert report.imported == 3
    assert [row for row, _reason in report.errors] == [8]
    assert "formula" in report.errors[0][1]


def test_imports_are_throttled_per_day(ada, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_CONTACT_IMPORTS_PER_MEMBER_DAY", "2")
    from marketplace.settings import get_settings

    get_settings.cache_clear()
    bring(ada, linkedin_csv(FRIENDS))
    bring(ada, linkedin_csv(FRIENDS))
    with pytest.raises(DomainError, match="several contact files today"):
        bring(ada, linkedin_csv(FRIENDS))


def test_progress_is_reported(ada):
    seen = []
    many = [(f"P{i}", "X", "", "", "") for i in range(600)]
    with unit_of_work() as s:
        contacts.import_contacts(
            s,
            actor_id=ada.member_id,
            data=linkedin_csv(many),
            progress=lambda done, total: seen.append((done, total)),
        )
    assert seen == [(250, 600), (500, 600), (600, 600)]


def test_contacts_are_in_download_my_data_and_go_with_the_account(ada, bo):
    bring(ada, linkedin_csv(FRIENDS))
    bring(bo, vcards([("Ada", ["ada@example.com"], ["+44 20 7946 0958"])]))
    with read_only() as s:
        data = export.collect(s, ada.member_id)
    assert [c["name"] for c in data["contacts"]] == [
        "Bob Smith",
        "Cyd Jones",
        "Dee Long",
    ]
    assert data["contacts"][1]["emails"] == ["cyd@example.com"]
    with unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    with read_only() as s:
        left = s.exec(select(Contact)).all()
        owners = set(s.exec(select(ContactAddress.owner_id)))
    assert [(c.owner_id, c.member_id) for c in left] == [(bo.member_id, None)]
    assert owners == {bo.member_id}


def test_cli_import_prints_one_json_object(ada, cy, tmp_path, capsys):
    path = tmp_path / "Connections.csv"
    path.write_bytes(linkedin_csv([*FRIENDS, ("Bad", "Row", "", "=1+1", "")]))
    assert cli.main(["contacts", "import", "--member", "ada", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "rows": 4,
        "imported": 3,
        "updated": 0,
        "unchanged": 0,
        "matched": 1,
        "duplicates": 0,
        "errors": [{"row": 8, "reason": out["errors"][0]["reason"]}],
    }
    assert cli.main(["contacts", "import", "--member", "ada", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 3
    assert cli.main(["contacts", "clear", "--member", "ada"]) == 0
    assert count(Contact) == 0


def test_cli_refuses_a_binary_file_and_an_unknown_member(ada, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert cli.main(["contacts", "import", "--member", "ada", str(path), "--json"]) == 1
    assert "isn't a text file" in capsys.readouterr().err
    assert cli.main(["contacts", "import", "--member", "nobody", str(path)]) == 1
    assert count(Contact) == 0
