"""The audit's issuance this month: what each issuer put into the economy
since the calendar month began (UTC), beside its all-time total, so a loop
minting karma shows in the month it runs. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.db import read_only, unit_of_work
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from tests.integration.ledger.test_wallet import member

APRIL = datetime(2027, 4, 30, 23, 59, tzinfo=UTC)
MAY = datetime(2027, 5, 1, 0, 0, tzinfo=UTC)


def grant(handle: str, amount: int, at: datetime) -> None:
    with unit_of_work() as s:
        ledger.grant(
            s, handle=handle, amount=amount, memo="Clinic", clock=FixedClock(at)
        )


def intro_reward(member_id: int, amount: int, at: datetime, key: str) -> None:
    with unit_of_work() as s:
        ledger.transfer(
            s,
            key=key,
            debit_account_id=ledger.system_account(s, ledger.INTRO_REWARD),
            credit_account_id=ledger.member_account(s, member_id),
            amount=amount,
            code="intro_reward",
            clock=FixedClock(at),
        )


def test_each_issuer_shows_what_it_issued_this_month(engine):
    ada = member("ada")
    grant("ada", 7, APRIL)  # the last minute of April
    grant("ada", 3, MAY)  # the first of May
    intro_reward(ada.member_id, 2, APRIL, "intro:1:reward")
    intro_reward(ada.member_id, 2, MAY, "intro:2:reward")
    intro_reward(ada.member_id, 2, MAY.replace(day=31), "intro:3:reward")

    with read_only() as s:
        may = audit_ledger(s, FixedClock(MAY.replace(day=31, hour=12)))
        june = audit_ledger(s, FixedClock(MAY.replace(month=6, day=1)))

    assert may.ok, may.breaches
    assert may.issued_this_month["admin_grant"] == 3
    assert may.issued_this_month["intro_reward"] == 4
    assert (may.issued["admin_grant"], may.issued["intro_reward"]) == (10, 6)
    assert june.issued_this_month["admin_grant"] == 0
    assert june.issued_this_month["intro_reward"] == 0


def test_the_command_prints_this_months_issuance(engine, capsys):
    ada = member("ada")
    now = datetime.now(UTC)
    intro_reward(ada.member_id, 2, now, "intro:1:reward")
    grant("ada", 5, now)

    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert "Issued by intro_reward this month" in out
    assert "Issued by admin_grant this month" in out
    assert main(["ledger", "audit", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["issued_this_month"]["intro_reward"] == 2
    assert report["issued_this_month"]["admin_grant"] == 5
