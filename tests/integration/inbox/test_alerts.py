"""Email alerts per event: an immediate alert is queued with the event (a
rolled-back event sends nothing), sent once by the outbox even with two
claimers, retried with backoff, and carries an unsubscribe link that works
signed out and refuses a forged signature. Mail goes to a real SMTP server
(aiosmtpd). SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from marketplace import api
from marketplace.adapters.clock import FixedClock
from marketplace.adapters.mailer import Email, MailRefused, MailServerDown
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.inbox import alerts, notifications, outbox
from marketplace.models import MailOutbox, Member
from marketplace.settings import get_settings
from tests.integration.inbox.test_digest import (  # noqa: F401 (fixtures)
    BASE,
    MORNING,
    mailer,
    smtp,
)
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post, propose


def outbox_rows() -> list[MailOutbox]:
    with read_only() as s:
        return list(s.exec(select(MailOutbox).order_by(MailOutbox.id)).all())


def send(mailer, at=None) -> outbox.OutboxReport:  # noqa: F811
    clock = FixedClock(at) if at else None
    extra = {"clock": clock} if clock else {}
    return outbox.send_due(unit_of_work, mailer=mailer, **extra)


def tell(
    member_id: int, kind: str = "message", text: str = "Bob wrote to you."
) -> None:
    with unit_of_work() as s:
        notifications.notify(
            s, member_id=member_id, kind=kind, text=text, link="/engagements/1"
        )


def test_a_booking_mails_the_offer_author_at_once_with_an_unsubscribe_link(
    engine,
    smtp,  # noqa: F811
    mailer,  # noqa: F811
):
    ada, bob = member("ada"), member("bob")
    offer = post(ada, kind="offer", price=3)
    propose(bob, offer)
    report = send(mailer)
    assert len(report.sent) == 1
    [mail] = smtp.to("ada@example.com")
    assert "Bob booked your offer" in mail["Subject"]
    link = alerts.unsubscribe_url(ada.member_id, "booking")
    assert mail["List-Unsubscribe"] == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in mail.get_content()
    assert send(mailer).count == 0  # sent once


def test_a_rolled_back_event_sends_nothing(engine, smtp, mailer):  # noqa: F811
    ada = member("ada")
    with pytest.raises(RuntimeError), unit_of_work() as s:
        notifications.notify(s, member_id=ada.member_id, kind="message", text="Hi")
        raise RuntimeError("the event failed")
    assert outbox_rows() == []
    send(mailer)
    assert smtp.messages == []


def test_choices_decide_immediate_digest_or_never(engine):
    ada = member("ada")
    with unit_of_work() as s:
        alerts.choose(s, actor_id=ada.member_id, kind="message", choice="never")
        alerts.choose(s, actor_id=ada.member_id, kind="intro", choice="digest")
    tell(ada.member_id, "message")
    tell(ada.member_id, "intro")
    tell(ada.member_id, "review")  # a booking's next step: immediate by default
    assert [row.kind for row in outbox_rows()] == ["booking"]
    with read_only() as s:
        assert alerts.choices_of(s, ada.member_id)["message"] == "never"


@pytest.mark.parametrize(
    "kind, choice", [("spam", "never"), ("message", "sometimes"), (None, 1)]
)
def test_a_bad_choice_is_refused_and_changes_nothing(engine, kind, choice):
    ada = member("ada")
    with pytest.raises(InvalidInput), unit_of_work() as s:
        alerts.choose(s, actor_id=ada.member_id, kind=kind, choice=choice)
    with read_only() as s:
        assert alerts.choices_of(s, ada.member_id)["message"] == "immediate"


def test_two_claimers_send_each_mail_once(engine, smtp, mailer):  # noqa: F811
    ada = member("ada")
    for n in range(12):
        tell(ada.member_id, text=f"Message {n}")
    barrier = threading.Barrier(2)
    reports: list[outbox.OutboxReport] = []

    def worker() -> None:
        barrier.wait()
        reports.append(send(mailer))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [row_id for report in reports for row_id in report.sent]
    assert len(sent) == len(set(sent)) == 12
    assert len(smtp.to("ada@example.com")) == 12


def test_a_claimed_row_is_skipped_by_a_second_claimer(engine):
    ada = member("ada")
    tell(ada.member_id)
    with unit_of_work() as s:
        assert len(outbox.claim(s)) == 1
    with unit_of_work() as s:
        assert outbox.claim(s) == []  # claimed for CLAIM_FOR


class DownThenUp:
    def __init__(self, failures: int) -> None:
        self.failures, self.sent = failures, []

    def send(self, email: Email) -> None:
        if self.failures:
            self.failures -= 1
            raise MailServerDown("can't reach the mail server")
        self.sent.append(email)


def test_a_mail_server_down_is_retried_with_growing_waits(engine):
    ada = member("ada")
    with unit_of_work() as s:
        notifications.notify(
            s,
            member_id=ada.member_id,
            kind="message",
            text="Hi",
            clock=FixedClock(MORNING),
        )
    sender = DownThenUp(failures=2)
    assert send(sender, MORNING).retrying
    [row] = outbox_rows()
    assert row.attempts == 1 and row.next_attempt_at == MORNING + timedelta(minutes=1)
    assert send(sender, MORNING + timedelta(seconds=30)).count == 0  # not yet due
    assert send(sender, MORNING + timedelta(minutes=1)).retrying
    [row] = outbox_rows()
    assert row.next_attempt_at == MORNING + timedelta(minutes=3)  # waited 2 more
    assert send(sender, MORNING + timedelta(minutes=3)).count == 1
    [row] = outbox_rows()
    assert row.sent_at is not None and row.attempts == 3 and len(sender.sent) == 1


def test_a_refused_message_is_given_up_not_retried(engine):
    ada = member("ada")
    tell(ada.member_id)

    class Refusing:
        def send(self, email):
            raise MailRefused("550 no such mailbox")

    assert send(Refusing()).failed
    [row] = outbox_rows()
    assert row.failed_at is not None and "550" in row.last_error
    assert send(DownThenUp(0)).count == 0


def test_a_name_with_a_line_break_cannot_add_headers(
    engine,
    smtp,  # noqa: F811
    mailer,  # noqa: F811
):
    ada, eve = member("ada"), member("eve")
    with unit_of_work() as s:
        s.get(Member, eve.member_id).display_name = "Eve\r\nBcc: victim@example.com"
    offer = post(ada, kind="offer", price=3)
    propose(eve, offer)
    send(mailer)
    [mail] = smtp.to("ada@example.com")
    assert mail["Bcc"] is None
    assert "\n" not in mail["Subject"] and "Eve Bcc:" in mail["Subject"]
    with pytest.raises(MailRefused):
        mailer.send(Email(to="ada@example.com", subject="Hi\nBcc: x@y.z", body="."))


# --------------------------------------------------------------------- unsubscribe


def query_of(url: str) -> str:
    return url.split("?", 1)[1]


def test_unsubscribe_works_signed_out_and_stops_that_kind(engine, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_BASE_URL", BASE)
    ada = member("ada")
    client = TestClient(api.make_api())
    path = (
        api.routes.ALERTS_UNSUBSCRIBE
        + "?"
        + query_of(alerts.unsubscribe_url(ada.member_id, "message"))
    )
    page = client.get(path)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "Unsubscribe" in page.text
    with read_only() as s:
        assert alerts.choice_of(s, ada.member_id, "message") == "immediate"
    done = client.post(path)  # the button, or the mail client's one click
    assert done.status_code == 200 and "no more emails" in done.text
    with read_only() as s:
        assert alerts.choice_of(s, ada.member_id, "message") == "never"
    tell(ada.member_id, "message")
    assert outbox_rows() == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda m, k, s: (m, k, s[:-1] + ("0" if s[-1] != "0" else "1")),
        lambda m, k, s: (str(int(m) + 1), k, s),  # another member's id
        lambda m, k, s: (m, "booking", s),  # another kind
        lambda m, k, s: (m, k, ""),
        lambda m, k, s: ("-1", k, s),
    ],
)
def test_a_forged_unsubscribe_link_is_refused_and_changes_nothing(engine, tamper):
    ada, bob = member("ada"), member("bob")
    client = TestClient(api.make_api())
    good = alerts.signature(ada.member_id, "message")
    m, k, s = tamper(str(ada.member_id), "message", good)
    response = client.post(
        api.routes.ALERTS_UNSUBSCRIBE, params={"m": m, "k": k, "s": s}
    )
    assert response.status_code == 400 and "not valid" in response.text
    with read_only() as session:
        for who in (ada, bob):
            assert alerts.choices_of(session, who.member_id) == {
                kind.name: kind.default for kind in alerts.KINDS
            }


# ------------------------------------------------------------------ settings page


def test_the_settings_page_changes_only_the_members_own_choice(engine):
    from marketplace.states.alerts import AlertsState
    from tests.integration.test_state_security import state_of

    ada, bob = member("ada"), member("bob")
    page = state_of(AlertsState, ada.token)
    page.load()
    assert [row.choice for row in page.rows if row.kind == "nudge"] == ["digest"]
    page.choose("message", "never")
    page.choose("payment", "sometimes")  # forged: refused
    page.choose("member_id", "never")  # forged: refused
    with read_only() as s:
        assert alerts.choices_of(s, ada.member_id)["message"] == "never"
        assert alerts.choices_of(s, ada.member_id)["payment"] == "immediate"
        assert alerts.choices_of(s, bob.member_id)["message"] == "immediate"
    assert [row.choice for row in page.rows if row.kind == "message"] == ["never"]


def test_the_demo_seed_queues_no_alert_mails(engine):
    from marketplace.demo.seed import seed_network

    with unit_of_work() as s:
        seed_network(s, members=12)
    assert outbox_rows() == []


def test_links_point_at_the_backend_where_its_routes_answer(monkeypatch):
    monkeypatch.delenv("REFLEX_API_URL", raising=False)
    monkeypatch.setenv("MARKETPLACE_BASE_URL", "http://localhost:3107")
    monkeypatch.setenv("REFLEX_BACKEND_PORT", "8107")
    get_settings.cache_clear()
    assert alerts.unsubscribe_url(1, "message").startswith(
        "http://localhost:8107/api/alerts/unsubscribe?m=1&k=message&s="
    )
    monkeypatch.setenv("REFLEX_API_URL", "https://api.karma.example/")
    assert alerts.api_base_url() == "https://api.karma.example"
    get_settings.cache_clear()
