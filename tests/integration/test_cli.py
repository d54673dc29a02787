"""`python -m marketplace`: migrate, seed and bootstrap on a scratch SQLite file."""

import re

import pytest
from sqlmodel import func, select

from marketplace import db
from marketplace.cli import main
from marketplace.demo.integrity import plan_ring
from marketplace.demo.members import DEMO_HANDLES, DEMO_PASSWORD
from marketplace.models import Member
from marketplace.settings import get_settings

DEMO = len(DEMO_HANDLES)
RING = len(plan_ring().members)  # the planted review ring: members of its own


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    """Point REFLEX_DB_URL at a fresh file, as an operator's shell would."""
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    db.use_engine(None)
    yield tmp_path / "cli.db"
    db.get_engine().dispose()
    db.use_engine(None)
    get_settings.cache_clear()  # the next caller re-reads the restored env


def member_count() -> int:
    with db.read_only() as s:
        return s.exec(select(func.count(Member.id))).one()


def row(output: str, label: str) -> int:
    match = re.search(rf"{label}\W+(\d+)", output)
    assert match, output
    return int(match.group(1))


def test_migrate_brings_a_new_database_to_head(cli_db, capsys):
    assert main(["migrate"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long paths
    assert "at revision" in out and "(head)" in out
    assert cli_db.exists()


def test_seed_creates_members_and_prints_a_summary(cli_db, capsys):
    assert main(["seed", "--members", "5"]) == 0
    out = capsys.readouterr().out
    assert row(out, "Members created") == 5 + DEMO
    assert row(out, "Connections created") > 0
    assert row(out, "Trust scores written") == 5 + DEMO
    assert row(out, "Karma transfers created") > 0
    assert "priya@example.com" in out and DEMO_PASSWORD in out
    assert row(out, "Emails verified") == 5 + DEMO
    assert "Emails not verified" not in out
    assert "Every demo member's email is verified" in out
    assert member_count() == 5 + DEMO + RING
    assert re.search(r"Planted review ring\W+2 accounts of its own, 4 engagements", out)
    assert row(out, "Vouches created") >= 1


def test_seed_twice_adds_nothing_and_more_adds_the_rest(cli_db, capsys):
    main(["seed", "--members", "5", "--seed", "11"])
    capsys.readouterr()
    assert main(["seed", "--members", "5", "--seed", "11"]) == 0
    out = capsys.readouterr().out
    assert row(out, "Members created") == 0
    assert row(out, "Members already there") == 5 + DEMO
    assert row(out, "Trust scores written") == 0
    assert row(out, "Karma transfers created") == 0
    assert main(["seed", "--members", "8", "--seed", "11"]) == 0
    assert row(capsys.readouterr().out, "Members created") == 3
    assert member_count() == 8 + DEMO + RING


@pytest.mark.parametrize(
    "value,message",
    [
        ("0", "must be between 1 and 200000, got 0"),
        ("200001", "must be between 1 and 200000"),
        ("many", "must be a whole number"),
    ],
)
def test_a_bad_member_count_exits_2_with_a_clear_message(
    cli_db, capsys, value, message
):
    assert main(["seed", "--members", value]) == 2
    err = capsys.readouterr().err
    assert "--members" in err and message in err
    assert not cli_db.exists()  # refused before touching the database


def test_bootstrap_seeds_an_empty_database_once(cli_db, capsys):
    assert main(["bootstrap"]) == 0
    assert row(capsys.readouterr().out, "Members created") == 50 + DEMO
    assert main(["bootstrap"]) == 0
    assert f"{50 + DEMO + RING} members already" in capsys.readouterr().out
    assert member_count() == 50 + DEMO + RING


def test_no_command_or_an_unknown_one_is_a_usage_error(cli_db, capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    assert "usage:" in capsys.readouterr().err
