"""`python -m marketplace operators appoint|dismiss|list`: operators are
appointed from the command line only, and the role is read afresh."""

from __future__ import annotations

from marketplace.cli import main
from marketplace.db import read_only
from marketplace.models import Member
from tests.integration.test_cli_engagements import ada, bob, cli_db  # noqa: F401


def is_operator(who) -> bool:
    with read_only() as s:
        return s.get(Member, who.member_id).is_operator


def test_appoint_list_and_dismiss_an_operator(ada, bob, capsys):  # noqa: F811
    assert main(["operators", "list"]) == 0
    assert "No operators" in capsys.readouterr().out
    assert main(["operators", "appoint", "@ada"]) == 0
    assert "@ada is now an operator." in capsys.readouterr().out
    assert is_operator(ada) and not is_operator(bob)
    assert main(["operators", "appoint", "ada"]) == 0
    assert "already" in capsys.readouterr().out
    assert main(["operators", "list"]) == 0
    listed = capsys.readouterr().out
    assert "@ada" in listed and "@bob" not in listed
    assert main(["operators", "dismiss", "ada"]) == 0
    assert "no longer an operator" in capsys.readouterr().out
    assert not is_operator(ada)


def test_an_unknown_handle_is_refused(ada, capsys):  # noqa: F811
    assert main(["operators", "appoint", "nobody"]) == 1
    assert "No member with the handle" in capsys.readouterr().err
    assert main(["operators"]) == 2
