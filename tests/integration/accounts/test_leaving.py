"""Leave and take your data: the archive holds the member's own things and
nobody else's secrets; deleting is refused while something is open, then
erases the person while the ledger still balances. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import zipfile

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from marketplace import api, session_cookie
from marketplace.accounts import accounts, closing, export
from marketplace.cli import main
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.ious import ious
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.market import threads
from marketplace.models import (
    AuthSession,
    EmailVerification,
    LedgerAccount,
    LoginAttempt,
    Member,
    Message,
)
from marketplace.settings import get_settings
from marketplace.states.account_data import AccountDataState
from tests.integration.ledger.test_wallet import PASSWORD, member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.test_state_security import state_of
from tests.members import credit_limit, earn


@pytest.fixture(autouse=True)
def exports_here(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_EXPORT_DIR", str(tmp_path / "exports"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def finished_engagement(asker, helper) -> int:
    engagement = propose(helper, post(asker, price=3))
    with unit_of_work() as s:
        threads.post_message(
            s, actor_id=asker.member_id, engagement_id=engagement, body="See you at 3"
        )
    act(asker, engagement, "accept")
    act(helper, engagement, "deliver")
    act(asker, engagement, "confirm")
    return engagement


def archive_of(member_id: int) -> tuple[dict, list[list[str]]]:
    with read_only() as s:
        payload = export.archive_bytes(s, member_id)
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        data = json.loads(archive.read("data.json"))
        rows = list(csv.reader(io.StringIO(archive.read("ledger.csv").decode())))
    return data, rows


def test_the_archive_holds_the_members_engagement_and_ledger(ada, bo, cy):
    engagement = finished_engagement(ada, bo)
    other = finished_engagement(cy, bo)  # bob and cyd's business, not ada's
    data, rows = archive_of(ada.member_id)
    assert data["profile"]["handle"] == "ada"
    assert "password_hash" not in data["profile"]
    assert [e["id"] for e in data["engagements"]] == [engagement]
    mine = data["engagements"][0]
    assert mine["helper"] == {"handle": "bob", "name": "Bob"}
    assert [m["body"] for m in mine["messages"]] == ["See you at 3"]
    assert [t["to_status"] for t in mine["timeline"]][-1] == "confirmed"
    text = json.dumps(data)
    assert "bob@example.com" not in text and "cyd@example.com" not in text
    assert str(other) not in {str(e["id"]) for e in data["engagements"]}
    assert rows[0][:5] == ["id", "created_at", "currency", "direction", "amount"]
    assert ["out", "3", "@bob"] in [r[3:6] for r in rows[1:]]


def test_the_archive_is_made_in_the_background_with_progress(ada, bo):
    finished_engagement(ada, bo)
    archive_id = export.new_archive_id()
    path = export.build(ada.member_id, archive_id, read_only)
    assert path.exists()
    assert export.status(ada.member_id, archive_id).ready
    assert export.archive_path(ada.member_id, archive_id) == path
    # another member, or a forged id, finds nothing
    assert export.archive_path(bo.member_id, archive_id) is None
    assert export.status(bo.member_id, archive_id) is None
    assert export.archive_path(ada.member_id, "../" + archive_id) is None
    assert export.archive_path(ada.member_id, export.new_archive_id()) is None


def test_only_the_owner_downloads_the_archive_over_http(ada, bo):
    archive_id = export.new_archive_id()
    export.build(ada.member_id, archive_id, read_only)
    client = TestClient(api.make_api())
    url = f"/api/export/{archive_id}"
    assert client.get(url).status_code == 404  # signed out
    client.cookies.set(session_cookie.NAME, bo.token)
    refused = client.get(url)
    assert (refused.status_code, refused.text) == (404, "No such archive.")
    assert client.get("/api/export/forged-id-000000000000").status_code == 404
    client.cookies.set(session_cookie.NAME, ada.token)
    got = client.get(url)
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/zip"
    assert "karma-data-ada" in got.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        assert {"data.json", "ledger.csv"} == set(archive.namelist())


def test_deleting_is_refused_while_an_engagement_a_hold_or_an_iou_is_open(ada, bo):
    engagement = propose(bo, post(ada, price=3))
    act(ada, engagement, "accept")  # open engagement, open hold
    with pytest.raises(closing.AccountOpen) as refused, unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    texts = [b.text for b in refused.value.blockers]
    assert texts == [f"engagement #{engagement} is accepted", "a karma hold is open"]
    assert refused.value.blockers[0].link == f"/engagements/{engagement}"
    act(bo, engagement, "deliver")
    act(ada, engagement, "confirm")
    credit_limit(ada.member_id, 2)
    with unit_of_work() as s:
        iou = ious.propose_iou(
            s, actor_id=ada.member_id, counterpart="bob", direction="i_owe", amount=2
        )
    for status in ("acknowledged", "open"):  # waiting for Bob, then binding
        with pytest.raises(closing.AccountOpen) as refused, unit_of_work() as s:
            closing.close_account(s, ada.member_id, PASSWORD)
        assert [b.text for b in refused.value.blockers] == [
            f"IOU #{iou.id} is {status}"
        ]
        with unit_of_work() as s:
            if status == "acknowledged":
                ious.accept_iou(s, actor_id=bo.member_id, iou_id=iou.id)
    with read_only() as s:
        assert s.get(Member, ada.member_id).status == "active"


def test_a_wrong_password_deletes_nothing(ada):
    with pytest.raises(InvalidInput), unit_of_work() as s:
        closing.close_account(s, ada.member_id, "not my password")
    with pytest.raises(InvalidInput), unit_of_work() as s:
        closing.close_account(s, ada.member_id, None)
    with read_only() as s:
        assert s.get(Member, ada.member_id).display_name == "Ada"


def test_deleting_erases_the_person_and_the_ledger_still_balances(ada, bo):
    engagement = finished_engagement(ada, bo)
    with unit_of_work() as s:
        earn(s, ada.member_id, 5)
        ledger.give_karma(  # from the 3 bob earned helping her
            s, actor_id=bo.member_id, to_handle="ada", amount=2, key="thanks"
        )
    with unit_of_work() as s:  # a log-in leaves an attempt behind
        assert accounts.log_in(s, email="ADA@example.com", password=PASSWORD)
    with unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    with read_only() as s:
        gone = s.get(Member, ada.member_id)
        assert (gone.display_name, gone.handle) == (
            "Former member",
            f"former-{gone.id}",
        )
        assert gone.email.endswith("@closed.invalid") and gone.bio == ""
        message = s.exec(
            select(Message).where(Message.engagement_id == engagement)
        ).one()
        assert message.body == ""
        assert all(
            a.revoked_at is not None
            for a in s.exec(
                select(AuthSession).where(AuthSession.member_id == ada.member_id)
            )
        )
        account = s.exec(
            select(LedgerAccount).where(LedgerAccount.member_id == ada.member_id)
        ).one()
        # 5 earned - 3 paid + 2 given: returned to the pool, account closed
        assert account.credits_posted - account.debits_posted == 0
        assert account.closed_at is not None
        report = audit_ledger(s)
        assert report.ok, report.as_dict()
        assert accounts.live_session(s, ada.token) is None
        # nothing left that names her mailbox: links, log-in attempts
        verifications = select(EmailVerification).where(
            EmailVerification.member_id == ada.member_id
        )
        assert s.exec(verifications).all() == []
        attempts = select(LoginAttempt).where(LoginAttempt.email == "ada@example.com")
        assert s.exec(attempts).all() == []
    with unit_of_work() as s:
        assert accounts.log_in(s, email="ada@example.com", password=PASSWORD) is None
    again = member("ada")  # the address (and the handle) are free again
    assert again.member_id != ada.member_id


def test_a_closed_account_cannot_be_closed_twice(ada):
    with unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    with pytest.raises(InvalidInput), unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)


# ------------------------------------------------------------------ the page state


def test_the_page_deletes_only_with_the_right_password_and_says_what_blocks(ada, bo):
    engagement = propose(bo, post(ada, price=3))
    act(ada, engagement, "accept")
    state = state_of(AccountDataState, ada.token)
    AccountDataState.load.fn(state)
    AccountDataState.delete_account.fn(state, {"password": "wrong one"})
    assert state.delete_error == "That password is not right."
    AccountDataState.delete_account.fn(state, {"password": PASSWORD})
    assert [b["link"] for b in state.blockers] == [
        f"/engagements/{engagement}",
        "/wallet",
    ]
    AccountDataState.delete_account.fn(state, "not a form")
    with read_only() as s:
        assert s.get(Member, ada.member_id).status == "active"


def test_a_guest_cannot_export_or_delete(ada):
    state = state_of(AccountDataState, "forged-token")
    AccountDataState.start_export.fn(state)
    AccountDataState.delete_account.fn(state, {"password": PASSWORD})
    assert state.archive_id == ""
    with read_only() as s:
        assert s.get(Member, ada.member_id).status == "active"


def test_the_page_exports_for_the_signed_in_member(ada, bo):
    finished_engagement(ada, bo)
    state = state_of(AccountDataState, ada.token)
    AccountDataState.start_export.fn(state)
    assert state.archive_id and state._export_member == ada.member_id
    for _ in range(100):
        AccountDataState.check_export.fn(state)
        if state.export_ready:
            break
        time.sleep(0.1)
    assert state.export_ready and state.download_url.endswith(state.archive_id)
    # a forged archive id in the state finds nothing for this member
    state.archive_id, state.export_ready = export.new_archive_id(), False
    AccountDataState.check_export.fn(state)
    assert state.export_error and not state.export_ready


def test_the_operator_exports_a_member_from_the_command_line(ada, bo, tmp_path, capsys):
    finished_engagement(ada, bo)
    target = tmp_path / "ada.zip"
    assert main(["export", "--member", "ada", "--out", str(target)]) == 0
    assert "for @ada" in capsys.readouterr().out
    with zipfile.ZipFile(target) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["profile"]["handle"] == "ada" and len(data["engagements"]) == 1
    assert main(["export", "--member", "nobody"]) == 1
    assert "No member with the handle 'nobody'" in capsys.readouterr().err


def test_archives_past_their_time_are_deleted(ada):
    archive_id = export.new_archive_id()
    path = export.build(ada.member_id, archive_id, read_only)
    assert export.forget_old_archives() == 0
    keep = get_settings().export_keep_hours * 3600
    assert export.forget_old_archives(now=time.time() + keep + 60) == 1
    assert not path.exists()
    assert export.archive_path(ada.member_id, archive_id) is None


def test_progress_read_while_it_is_written_never_reads_as_a_failure(ada):
    """The page's heartbeat reads the progress while the archive's thread
    writes it: a half-written file must not look like a failed archive."""
    archive_id = export.new_archive_id()
    export.export_dir().mkdir(parents=True, exist_ok=True)
    export._set_progress(ada.member_id, archive_id, 0, "starting")
    done = threading.Event()

    def write_progress() -> None:
        for percent in range(2000):
            export._set_progress(ada.member_id, archive_id, percent % 100, "x" * 200)
        done.set()

    threading.Thread(target=write_progress, daemon=True).start()
    while not done.is_set():
        seen = export.status(ada.member_id, archive_id)
        assert seen is not None and seen.percent >= 0
