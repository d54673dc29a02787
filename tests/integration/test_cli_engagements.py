"""`python -m marketplace engagements ...`: confirming quiet deliveries and an
operator resolving a dispute, on a scratch SQLite file as an operator would."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace import db
from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.models import Engagement, Member
from marketplace.settings import get_settings
from tests.integration.ledger.test_wallet import available, member
from tests.integration.market.test_engagements import act, post, propose, status


@pytest.fixture
def cli_db(tmp_path, monkeypatch, capsys):
    """A migrated file database with two members, Ada (asks) and Bob (helps)."""
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    db.use_engine(None)
    assert main(["migrate"]) == 0
    capsys.readouterr()
    yield
    db.get_engine().dispose()
    db.use_engine(None)
    get_settings.cache_clear()


@pytest.fixture
def ada(cli_db):
    return member("ada")


@pytest.fixture
def bob(cli_db):
    return member("bob")


def disputed(ada, bob) -> int:
    engagement = propose(bob, post(ada, price=5))
    act(ada, engagement, "accept")
    act(bob, engagement, "deliver")
    act(ada, engagement, "dispute", note="Never showed up")
    return engagement


def make_operator(handle: str):
    signed = member(handle)
    with db.unit_of_work() as s:
        s.get(Member, signed.member_id).is_operator = True
    return signed


def engagement_row(engagement_id: int) -> dict:
    with db.read_only() as s:
        return s.get(Engagement, engagement_id).model_dump()


def test_auto_confirm_confirms_only_deliveries_past_the_quiet_period(ada, bob, capsys):
    long_ago = FixedClock(datetime.now(UTC) - timedelta(days=8))
    quiet = propose(bob, post(ada, price=5, capacity=2))
    act(ada, quiet, "accept", clock=long_ago)
    act(bob, quiet, "deliver", clock=long_ago)
    fresh = propose(bob, post(ada, price=2))
    act(ada, fresh, "accept")
    act(bob, fresh, "deliver")

    assert main(["engagements", "auto-confirm"]) == 0
    assert capsys.readouterr().out.strip() == "Confirmed 1 quiet delivery."
    assert status(quiet) == "confirmed" and status(fresh) == "delivered"
    assert available(bob.member_id) == 5

    assert main(["engagements", "auto-confirm"]) == 0
    assert capsys.readouterr().out.strip() == "Confirmed 0 quiet deliveries."


@pytest.mark.parametrize(
    ("resolution", "ada_has", "bob_has"), [("refund", 0, 0), ("release", -5, 5)]
)
def test_an_operator_resolves_a_dispute_either_way(
    ada, bob, capsys, resolution, ada_has, bob_has
):
    engagement = disputed(ada, bob)
    make_operator("cyd")
    capsys.readouterr()

    argv = ["engagements", "resolve", str(engagement), resolution, "--operator", "cyd"]
    assert main([*argv, "--note", "Talked to both"]) == 0

    out = capsys.readouterr().out
    assert f"Engagement #{engagement} resolved ({resolution})" in out
    assert status(engagement) == "resolved"
    assert engagement_row(engagement)["resolution"] == resolution
    assert available(ada.member_id) == ada_has
    assert available(bob.member_id) == bob_has


def test_a_member_who_is_not_an_operator_is_refused(ada, bob, capsys):
    engagement = disputed(ada, bob)
    member("cyd")
    before = engagement_row(engagement)
    capsys.readouterr()
    argv = ["engagements", "resolve", str(engagement), "refund", "--operator", "cyd"]
    assert main(argv) == 1
    assert "@cyd is not an operator" in capsys.readouterr().err
    assert engagement_row(engagement) == before


@pytest.mark.parametrize(
    ("engagement", "operator", "message"),
    [
        ("999", "cyd", "No such engagement"),
        ("x", "cyd", "No such engagement"),
        ("-1", "cyd", "No such engagement"),
        (None, "nobody", "No active member with the handle 'nobody'"),
    ],
)
def test_a_wrong_id_or_handle_is_a_clear_error(
    ada, bob, capsys, engagement, operator, message
):
    real = disputed(ada, bob)
    make_operator("cyd")
    before = engagement_row(real)
    capsys.readouterr()
    argv = ["engagements", "resolve", engagement or str(real), "refund"]
    assert main([*argv, "--operator", operator]) == 1
    assert message in capsys.readouterr().err
    assert engagement_row(real) == before


def test_an_operator_can_not_resolve_what_is_not_disputed(ada, bob, capsys):
    engagement = propose(bob, post(ada))
    act(ada, engagement, "accept")
    make_operator("cyd")
    before = engagement_row(engagement)
    capsys.readouterr()
    argv = ["engagements", "resolve", str(engagement), "release", "--operator", "cyd"]
    assert main(argv) == 1
    assert capsys.readouterr().err.strip().startswith("error:")
    assert engagement_row(engagement) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["engagements", "resolve", "1", "keep", "--operator", "cyd"],
        ["engagements", "resolve", "1", "refund"],
        ["engagements", "resolve"],
    ],
)
def test_bad_usage_exits_2(cli_db, capsys, argv):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err
