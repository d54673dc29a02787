"""Contact files as real exports write them, each quirk in a fixture the test
makes: LinkedIn's preamble and blank emails, vCard's folded lines, several
emails, quoted-printable UTF-8 names, Google's two CSV layouts -- and the bad
ones: formula cells, malformed cards, a binary file named .csv, 50 MB."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from marketplace.domain import contact_files as files
from marketplace.domain.contact_files import FileRefused, parse_contacts

LINKEDIN_PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the '
    "email addresses are missing. You will only see email addresses for "
    "connections who have allowed their connections to see or download their "
    'email address using this setting https://www.linkedin.com/psettings/privacy/email"'
    "\r\n\r\n"
)
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def _cell(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"\n') else text


def linkedin_csv(rows, dated: str = "14 Mar 2021") -> bytes:
    """A Connections.csv: preamble on lines 1-3, the header on line 4, so the
    first person is on line 5. Each row: first, last, email, company, position."""
    lines = [LINKEDIN_HEADER]
    for first, last, email, company, position in rows:
        url = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}"
        cells = [first, last, url, email, company, position, dated]
        lines.append(",".join(_cell(c) for c in cells))
    return (LINKEDIN_PREAMBLE + "\r\n".join(lines) + "\r\n").encode()


def vcards(cards, version: str = "3.0") -> bytes:
    """vCards, one per (name, emails, phones)."""
    out = []
    for name, emails, phones in cards:
        out += ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{name}"]
        out += [f"EMAIL;TYPE=INTERNET:{e}" for e in emails]
        out += [f"TEL;TYPE=CELL:{p}" for p in phones]
        out.append("END:VCARD")
    return ("\r\n".join(out) + "\r\n").encode()


def test_linkedin_preamble_blank_emails_and_dates():
    parsed = parse_contacts(
        linkedin_csv(
            [
                ("Ada", "Lovelace", "", "Analytical Engines, Ltd", "Engineer"),
                ("Bob", "Smith", "Bob.Smith+news@GMail.com", "Acme", "CTO"),
            ]
        )
    )
    assert parsed.source == "linkedin"
    ada, bob = parsed.contacts
    assert (ada.row, ada.name, ada.company, ada.emails) == (
        5,
        "Ada Lovelace",
        "Analytical Engines, Ltd",
        (),
    )
    assert ada.connected_on == date(2021, 3, 14)
    assert ada.source_key == "li:https://www.linkedin.com/in/ada-lovelace"
    assert bob.emails == ("bobsmith@gmail.com",)  # folded as the accounts fold


def test_a_linkedin_row_without_a_url_is_keyed_by_name():
    text = (LINKEDIN_HEADER + "\r\nAda,L,,,,,\r\n").encode()
    (ada,) = parse_contacts(text).contacts
    assert ada.source_key == "li-name:ada l"


def test_vcard_folded_lines_several_emails_and_phones():
    text = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:card-1\r\n"
        b"FN:Margaret Hamilton-\r\n Smith\r\n"
        b"N:Hamilton-Smith;Margaret;;;\r\n"
        b"ORG:NASA;Apollo\r\nTITLE:Director\r\n"
        b"EMAIL;TYPE=WORK:margaret@nasa.example\r\n"
        b"EMAIL;TYPE=HOME:MAGS@home.example\r\n"
        b"TEL;TYPE=CELL:+1 415 555 2671\r\nTEL;TYPE=HOME:020 7946 0958\r\n"
        b"TEL:not a number\r\n"
        b"END:VCARD\r\n"
    )
    (card,) = parse_contacts(text).contacts
    assert card.name == "Margaret Hamilton-Smith"
    assert card.emails == ("margaret@nasa.example", "mags@home.example")
    assert card.phones == ("+14155552671", "+442079460958")
    assert (card.company, card.position) == ("NASA", "Director")
    assert card.source_key == "vc:card-1"


def test_vcard_4_and_utf8_names():
    text = vcards([("Zoë Åberg-Núñez", ["zoe@example.org"], [])], version="4.0")
    (card,) = parse_contacts(text).contacts
    assert card.name == "Zoë Åberg-Núñez"
    assert card.source_key.startswith("vc#")
    again = parse_contacts(text).contacts[0]
    assert again.source_key == card.source_key  # stable without a UID


def test_vcard_quoted_printable_with_soft_line_breaks():
    text = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=\r\n=BCrgen\r\n"
        b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=\r\n=BCller\r\n"
        b"TEL;CELL:07400 123456\r\nEND:VCARD\r\n"
    )
    (card,) = parse_contacts(text).contacts
    assert card.name == "Jürgen Müller"
    assert card.phones == ("+447400123456",)


def test_a_malformed_card_is_a_row_error_and_the_rest_load():
    good = vcards([("One", ["one@example.com"], [])]).decode()
    bad = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN;;;:x\r\nTHIS IS NOT A LINE\r\nEND:VCARD\r\n"
    unclosed = "BEGIN:VCARD\r\nVERSION:3.0\r\n"
    parsed = parse_contacts(
        (good + bad + good.replace("One", "Two") + unclosed).encode()
    )
    assert [c.name for c in parsed.contacts] == ["One"]  # Two shares One's email
    assert parsed.duplicates == 1
    assert [e.row for e in parsed.errors] == [2, 4]
    assert "can't be read" in parsed.errors[0].reason


def test_google_csv_old_layout():
    text = (
        b"Name,Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,"
        b"E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
        b"Organization 1 - Name,Organization 1 - Title\n"
        b"Jo Bloggs,Jo,Bloggs,* Home,jo@example.com ::: jo@work.example,"
        b"third@example.com,Mobile,+1 415 555 2671,Acme,CTO\n"
    )
    parsed = parse_contacts(text)
    assert parsed.source == "google"
    (jo,) = parsed.contacts
    assert jo.emails == ("jo@example.com", "jo@work.example", "third@example.com")
    assert (jo.phones, jo.company, jo.position) == (("+14155552671",), "Acme", "CTO")


def test_google_csv_new_layout():
    text = (
        b"First Name,Middle Name,Last Name,Phonetic First Name,E-mail 1 - Label,"
        b"E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name,"
        b"Organization Title\n"
        b"Jo,Q,Bloggs,,Home,jo@example.com,Mobile,07400 123456,Acme,CTO\n"
    )
    (jo,) = parse_contacts(text).contacts
    assert (jo.name, jo.emails, jo.phones) == (
        "Jo Q Bloggs",
        ("jo@example.com",),
        ("+447400123456",),
    )
    assert (jo.company, jo.position) == ("Acme", "CTO")


def test_duplicates_within_a_file_merge():
    text = vcards(
        [
            ("Ann", ["ann@example.com"], []),
            ("Ann B", ["ANN@example.com", "ann2@example.com"], ["07400 123456"]),
            ("Other", [], ["+44 7400 123456"]),
        ]
    )
    parsed = parse_contacts(text)
    (ann,) = parsed.contacts
    assert parsed.duplicates == 2
    assert ann.emails == ("ann@example.com", "ann2@example.com")
    assert ann.phones == ("+447400123456",)


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"],
)
def test_formula_cells_are_row_errors(cell):
    rows = [("Ada", "L", "", "Acme", "CTO"), ("Evil", "X", "", cell, "")]
    parsed = parse_contacts(linkedin_csv(rows))
    assert [c.name for c in parsed.contacts] == ["Ada L"]
    assert [e.row for e in parsed.errors] == [6]
    assert "formula" in parsed.errors[0].reason


@pytest.mark.parametrize("cell", ["+44 20 7946 0958", "-", "- 5", "@ada", "Ann-Marie"])
def test_phone_numbers_and_plain_words_are_not_formulas(cell):
    assert not files.is_formula(cell)


def test_a_binary_file_named_csv_is_refused():
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    with pytest.raises(FileRefused, match="isn't a text file"):
        parse_contacts(png)


def test_control_characters_are_refused_as_binary():
    with pytest.raises(FileRefused, match="isn't a text file"):
        parse_contacts(b"First Name,Last Name\x07\x1b[31m\n")


def test_a_50_mb_file_is_refused_before_parsing():
    big = linkedin_csv([("A", "B", "", "", "")]) + b"x" * (50 * 1024 * 1024)
    with pytest.raises(FileRefused, match=r"50\.0 MB.*up to 5 MB"):
        parse_contacts(big)


@pytest.mark.parametrize(
    "data", [b"", b"   \n", b"hello,world\n1,2\n", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR"]
)
def test_empty_or_unknown_files_are_refused(data):
    with pytest.raises(FileRefused):
        parse_contacts(data)


def test_the_format_comes_from_the_content_not_the_name():
    assert files.sniff(vcards([("A", [], [])]).decode()) == "vcard"
    assert files.sniff(linkedin_csv([]).decode()) == "linkedin"


def test_a_utf16_outlook_export_reads():
    text = vcards([("Zoë", ["z@example.com"], [])]).decode().encode("utf-16")
    assert [c.name for c in parse_contacts(text).contacts] == ["Zoë"]


def test_a_row_with_nothing_to_go_on_is_an_error():
    text = (LINKEDIN_HEADER + "\r\n,,,,Acme,CTO,\r\n").encode()
    parsed = parse_contacts(text)
    assert parsed.contacts == []
    assert [(e.row, e.reason) for e in parsed.errors] == [
        (2, "This row has no name, email or phone.")
    ]


def test_the_fingerprint_follows_what_the_export_says():
    (one,) = parse_contacts(linkedin_csv([("A", "B", "", "X", "Y")])).contacts
    (same,) = parse_contacts(linkedin_csv([("A", "B", "", "X", "Y")])).contacts
    (moved,) = parse_contacts(linkedin_csv([("A", "B", "", "Z", "Y")])).contacts
    assert files.fingerprint(one) == files.fingerprint(same) != files.fingerprint(moved)


def test_canonical_phone_and_email():
    assert files.canonical_phone("(415) 555-2671", "US") == "+14155552671"
    assert files.canonical_phone("12") is None
    assert files.canonical_contact_email("mailto:Ann.Lee@GoogleMail.com") == (
        "annlee@gmail.com"
    )
    assert files.canonical_contact_email("not an email") is None


def test_a_google_note_that_starts_with_a_dash_is_not_a_formula():
    text = (
        b"Name,E-mail 1 - Value,Notes,Organization 1 - Name\n"
        b"Jo,jo@example.com,- met at SaaStr,Acme\n"
        b'Evil,ev@example.com,fine,=HYPERLINK("http://x")\n'
    )
    parsed = parse_contacts(text)
    assert [c.name for c in parsed.contacts] == ["Jo"]
    assert [e.row for e in parsed.errors] == [3]
