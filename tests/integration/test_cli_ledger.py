"""`python -m marketplace ledger ...`: audit, operator grants and expiring holds."""

import json
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from marketplace import db
from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.demo.integrity import plan_ring
from marketplace.demo.members import DEMO_HANDLES
from marketplace.demo.seed import seed_network
from marketplace.ledger import ledger
from marketplace.models import Engagement, LedgerAccount, LedgerTransfer, Member
from marketplace.settings import get_settings
from tests.members import credit_limit, sign_up, trust
from tests.payments_fixtures import STRIPE_SETTINGS

SIGNUP = 0  # joining gives no karma (docs/design/karma-trust.md)


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


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory) -> Path:
    """`seed --members 5` through the CLI, once for the module: seeding takes
    seconds, and each test gets a copy it may tamper with (`seeded`)."""
    path = tmp_path_factory.mktemp("seeded") / "cli.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("REFLEX_DB_URL", f"sqlite:///{path}")
        for name in STRIPE_SETTINGS:  # as no_stripe_unless_asked, not yet run
            env.delenv(name, raising=False)
        get_settings.cache_clear()
        db.use_engine(None)
        try:
            assert main(["seed", "--members", "5"]) == 0
        finally:
            db.get_engine().dispose()
            db.use_engine(None)
            get_settings.cache_clear()
    return path


@pytest.fixture
def seeded(cli_db, seeded_file, capsys):
    source, copy = sqlite3.connect(seeded_file), sqlite3.connect(cli_db)
    with closing(source), closing(copy):
        source.backup(copy)  # what the WAL holds too
    capsys.readouterr()
    return cli_db


@pytest.fixture
def two_members(cli_db, capsys):
    """A migrated database with two signed-up members, each with a credit
    limit of 10, and no admin account."""
    assert main(["migrate"]) == 0
    capsys.readouterr()
    for handle in ("dana", "omar"):
        with db.unit_of_work() as s:
            joined = sign_up(
                s,
                email=f"{handle}@real.example",
                handle=handle,
                display_name=handle.title(),
                password="a long enough passphrase",
            )
            trust(s, joined.member_id, 0.5)
    return cli_db


def row(output: str, label: str) -> int:
    match = re.search(rf"{label}\W+([\d,]+)", output)
    assert match, output
    return int(match.group(1).replace(",", ""))


def ledger_rows() -> tuple[list, list]:
    """Every ledger row, to prove a refused command wrote nothing."""
    with db.read_only() as s:
        accounts_ = [a.model_dump() for a in s.exec(select(LedgerAccount))]
        transfers = [t.model_dump() for t in s.exec(select(LedgerTransfer))]
    return accounts_, transfers


def available(handle: str) -> int:
    with db.read_only() as s:
        member = s.exec(select(Member.id).where(Member.handle == handle)).one()
        return ledger.totals(s, ledger.member_account(s, member)).available


def market_holds() -> int:
    """Holds the seeded market keeps for engagements under way."""
    with db.read_only() as s:
        return s.exec(
            select(func.count(Engagement.id)).where(
                col(Engagement.hold_key).is_not(None),
                col(Engagement.status).in_(["accepted", "delivered", "disputed"]),
            )
        ).one()


def tamper(engine, handle: str = "priya", by: int = 7) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE ledger_account SET credits_posted = credits_posted + :by "
                "WHERE member_id = (SELECT id FROM member WHERE handle = :handle)"
            ),
            {"by": by, "handle": handle},
        )


# --------------------------------------------------------------------------- audit


def test_audit_of_a_clean_database_exits_0_with_a_short_report(seeded, capsys):
    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert "Clean" in out
    ring = len(plan_ring().members)  # the demo's planted review ring
    assert row(out, "Accounts") == 5 + len(DEMO_HANDLES) + ring + 1  # + admin grants
    assert row(out, "Transfers") > 5 + len(DEMO_HANDLES)
    assert row(out, "Open holds") == 1 + market_holds()
    assert "signup_grant" not in out  # joining gives no karma
    assert row(out, "Issued by admin_grant") > 0
    # and it says where else karma comes from: the mutual credit in use
    assert re.search(r"Mutual credit in use\s*│\s*\d+ members below zero", out)
    assert "Karma enters a member's account only as" in out


def test_audit_json_is_exactly_one_object(seeded, capsys):
    assert main(["ledger", "audit", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)  # fails on anything extra
    assert report["ok"] is True and report["breaches"] == []
    assert report["open_holds"] == 1 + market_holds()
    assert "signup_grant" not in report["issued"]
    # members below zero owe it to the community: what they owe is on record
    with db.read_only() as s:
        balances = [
            a.credits_posted - a.debits_posted
            for a in s.exec(select(LedgerAccount))
            if a.member_id is not None
        ]
    below = [b for b in balances if b < 0]
    assert below  # the seeded market paid for help on credit
    assert report["credit_in_use"] == {"members": len(below), "karma": -sum(below)}
    assert set(report) == {
        "accounts",
        "transfers",
        "open_holds",
        "issued",
        "issued_this_month",
        "currencies",
        "grants_retired",
        "unretired_grants",
        "over_limit",
        "credit_in_use",
        "breaches",
        "integrity",  # the abuse signals (ledger/integrity.py)
        "ok",
    }


def test_audit_of_a_tampered_database_exits_1_listing_the_breaches(seeded, capsys):
    tamper(db.get_engine(), by=7)
    assert main(["ledger", "audit"]) == 1
    out = capsys.readouterr().out
    assert "Clean" not in out
    assert re.search(r"account \d+ credits_posted: stored \d+, transfers say \d+", out)
    assert "KARMA balances sum to 7, not 0" in out


def test_audit_json_of_a_tampered_database_exits_1(seeded, capsys):
    tamper(db.get_engine(), by=-3)
    assert main(["ledger", "audit", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert "KARMA balances sum to -3, not 0" in report["breaches"]


def test_audit_refuses_a_database_that_is_not_migrated(cli_db, capsys):
    assert main(["ledger", "audit"]) == 1
    assert "migrate" in capsys.readouterr().err


def test_audit_on_both_databases(engine, capsys):
    with db.unit_of_work() as s:
        seed_network(s, members=5)
    assert main(["ledger", "audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    tamper(engine)
    assert main(["ledger", "audit", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


# --------------------------------------------------------------------------- grant


def test_grant_credits_the_member_and_prints_the_new_balance(two_members, capsys):
    memo = "Thanks for running the onboarding clinic"
    args = ["ledger", "grant", "@Dana", "25", "--memo", memo, "--id", "op-1"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"Granted 25 karma to @dana: {memo}" in out
    assert "op-1" in out
    assert f"@dana now has {SIGNUP + 25} karma available" in out
    assert available("dana") == SIGNUP + 25
    with db.read_only() as s:
        grant = s.exec(
            select(LedgerTransfer).where(LedgerTransfer.transfer_key == "op-1")
        ).one()
        source = s.get(LedgerAccount, grant.debit_account_id)
    assert (grant.code, grant.amount, grant.memo) == ("admin_grant", 25, memo)
    assert source.name == "admin_grant"
    assert main(["ledger", "audit", "--json"]) == 0


def test_repeating_a_grant_with_its_id_grants_once(two_members, capsys):
    args = ["ledger", "grant", "dana", "5", "--memo", "Welcome back", "--id", "op-2"]
    assert main(args) == 0
    before = ledger_rows()
    assert main(args) == 0
    assert "Already granted 5 karma" in capsys.readouterr().out
    assert ledger_rows() == before
    assert available("dana") == SIGNUP + 5


def test_reusing_a_grant_id_for_another_grant_is_refused(two_members, capsys):
    assert main(["ledger", "grant", "dana", "5", "--memo", "Hi", "--id", "op-3"]) == 0
    before = ledger_rows()
    assert main(["ledger", "grant", "dana", "6", "--memo", "Hi", "--id", "op-3"]) == 1
    assert "already used" in capsys.readouterr().err
    assert ledger_rows() == before


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["nobody", "5", "--memo", "Hi"], 1, "No active member with the handle"),
        (["dana", "0", "--memo", "Hi"], 1, "Amount must be more than zero"),
        (["dana", "-1", "--memo", "Hi"], 1, "Amount must be more than zero"),
        (["dana", "1000001", "--memo", "Hi"], 1, "at most 1,000,000"),
        (["dana", "1.5", "--memo", "Hi"], 2, "must be a whole number"),
        (["dana", "abc", "--memo", "Hi"], 2, "must be a whole number"),
        (["dana", "²", "--memo", "Hi"], 2, "must be a whole number"),
        (["dana", "9" * 40, "--memo", "Hi"], 2, "must be a whole number"),
        (["dana", "5"], 2, "--memo"),
        (["dana", "5", "--memo", "   "], 1, "Memo is required"),
        (["dana", "5", "--memo", "<b>hi</b>"], 1, "plain text only"),
        (["dana", "5", "--memo", "Hi", "--id", "x" * 65], 1, "Transfer id"),
    ],
)
def test_a_refused_grant_says_why_and_writes_nothing(
    two_members, capsys, args, code, message
):
    before = ledger_rows()
    assert main(["ledger", "grant", *args]) == code
    assert message in capsys.readouterr().err
    assert ledger_rows() == before  # not even the admin-grant account
    assert available("dana") == SIGNUP


# --------------------------------------------------------------------------- holds


def test_expire_holds_releases_only_the_holds_whose_time_ran_out(two_members, capsys):
    two_days_ago = FixedClock(datetime.now(UTC) - timedelta(days=2))
    with db.unit_of_work() as s:
        dana, omar = (
            ledger.member_account(
                s, s.exec(select(Member.id).where(Member.handle == h)).one()
            )
            for h in ("dana", "omar")
        )
        for n, days in enumerate((1, 1, 7), 1):
            ledger.hold(
                s,
                key=f"hold-{n}",
                debit_account_id=dana,
                credit_account_id=omar,
                amount=2,
                timeout_seconds=days * 24 * 3600,
                code="engagement",
                clock=two_days_ago,
            )
    assert available("dana") == SIGNUP - 6
    assert main(["ledger", "expire-holds"]) == 0
    assert "Released 2 expired holds." in capsys.readouterr().out
    assert available("dana") == SIGNUP - 2  # the live hold still reserves
    assert main(["ledger", "expire-holds"]) == 0
    assert "Released 0 expired holds." in capsys.readouterr().out
    assert main(["ledger", "audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["open_holds"] == 1


def test_ledger_without_an_action_is_a_usage_error(cli_db, capsys):
    assert main(["ledger"]) == 2
    assert main(["ledger", "frobnicate"]) == 2
    assert "usage:" in capsys.readouterr().err


# --------------------------------------------------------------------------- ious clear


def test_ious_clear_reports_in_json_and_a_dry_run_changes_nothing(two_members, capsys):
    from marketplace.ious import ious

    with db.unit_of_work() as s:
        ids = dict(s.exec(select(Member.handle, Member.id)).all())
    for debtor, creditor, amount in (("dana", "omar", 7), ("omar", "dana", 4)):
        credit_limit(ids[debtor], amount)
        with db.unit_of_work() as s:
            written = ious.propose_iou(
                s,
                actor_id=ids[debtor],
                counterpart=creditor,
                direction="i_owe",
                amount=amount,
            )
            ious.accept_iou(s, actor_id=ids[creditor], iou_id=written.id)

    assert main(["ious", "clear", "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["total_owed"], dry["total_cleared"]) == (11, 8)
    assert dry["members"]["dana"] == {
        "owed_before": 4,
        "owed_after": 0,
        "owing_before": 7,
        "owing_after": 3,
    }

    assert main(["ious", "clear"]) == 0
    assert row(capsys.readouterr().out, "Karma cleared") == 8
    assert main(["ious", "clear", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_cleared"] == 0


def test_the_audit_shows_retired_grants_and_what_was_not_taken_back(engine, capsys):
    """Grants written before issue 20, retired as alembic 0021 does: the audit
    lists the retirement and, per member, what it could not take back."""
    from marketplace.ledger.signup_grants import retire_signup_grants

    with db.unit_of_work() as s:
        for handle in ("dana", "omar"):
            joined = sign_up(
                s,
                email=f"{handle}@real.example",
                handle=handle,
                display_name=handle.title(),
                password="a long enough passphrase",
            )
            ledger.transfer(
                s,
                key=f"signup-grant:{joined.member_id}",
                debit_account_id=ledger.system_account(s, ledger.SIGNUP_GRANT),
                credit_account_id=ledger.member_account(s, joined.member_id),
                amount=10,
                code="signup_grant",
                memo="Welcome to Karma",
            )
        omar = ledger.member_account(s, joined.member_id)
        ledger.transfer(  # omar spent 6 of his before the grants were retired
            s,
            key="omar-spent",
            debit_account_id=omar,
            credit_account_id=ledger.system_account(s, ledger.ADMIN_GRANT),
            amount=6,
            code="gift",
        )
        assert retire_signup_grants(s).retired == 14
    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert "Sign-up grants retired" in out and "2 members, 14 karma" in out
    assert "omar: 6" in out and "dana:" not in out
    assert "Clean" in out
