"""The daily digest, sent to a real SMTP server (aiosmtpd on a free local port):
one plain-text email per opted-in member per day, each notification emailed
once, nothing marked when the mail did not go out; its signed unsubscribe link
turns it off without logging in. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select
from starlette.testclient import TestClient

from marketplace import api, db, tasks
from marketplace.accounts import profiles
from marketplace.adapters.clock import FixedClock
from marketplace.adapters.mailer import SmtpMailer
from marketplace.cli import main
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.inbox import alerts, digest, notifications
from marketplace.models import Member, Notification
from marketplace.settings import get_settings
from marketplace.states.profile import ProfileEditState
from marketplace.tasks import next_hour_mark, send_digests_once
from tests.integration.ledger.test_wallet import member
from tests.integration.test_state_security import state_of

MORNING = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
BASE = "https://karma.example"


class MailSink:
    """An aiosmtpd handler that keeps what it receives and refuses the
    recipients it is told to refuse, as a real server would (550)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            message_from_bytes(envelope.content, policy=default_policy)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server for one test; settings point the app at it."""
    sink, port = MailSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("MARKETPLACE_SMTP_PORT", str(port))
    monkeypatch.setenv("MARKETPLACE_BASE_URL", BASE)
    get_settings.cache_clear()
    yield sink
    controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def mailer(smtp) -> SmtpMailer:
    return SmtpMailer.from_settings()


def opt_in(handle: str, wanted: bool = True):
    signed = member(handle)
    with unit_of_work() as s:
        s.get(Member, signed.member_id).digest_opt_in = wanted
    return signed


def tell(member_id: int, text: str, link: str = "", at: datetime = MORNING) -> int:
    with unit_of_work() as s:
        note = notifications.notify(
            s,
            member_id=member_id,
            kind="test",
            text=text,
            link=link,
            clock=FixedClock(at - timedelta(hours=2)),
        )
        s.flush()
        return note.id


def run(mailer, at: datetime = MORNING, **options) -> digest.DigestReport:
    with unit_of_work() as s:
        return digest.send_digests(s, clock=FixedClock(at), mailer=mailer, **options)


def marks(member_id: int) -> list[tuple]:
    with read_only() as s:
        notes = s.exec(
            select(Notification)
            .where(Notification.member_id == member_id)
            .order_by(Notification.id)
        ).all()
        last = s.get(Member, member_id).last_digest_at
    return [(n.id, n.emailed_at) for n in notes] + [("last", last)]


# ------------------------------------------------------------------------ sending


def test_an_opted_in_member_gets_one_email_with_every_unread_line(smtp, mailer, engine):
    ada = opt_in("ada")
    tell(ada.member_id, "Bob answered “Review my pricing”.", "/engagements/7")
    tell(ada.member_id, "Cyd wrote:\nsee you at 3", "/engagements/8")
    read = tell(ada.member_id, "Old news")
    with unit_of_work() as s:
        notifications.mark_read(s, actor_id=ada.member_id, notification_id=read)

    report = run(mailer)

    assert [o.handle for o in report.sent] == ["ada"] and report.items == 2
    [mail] = smtp.to("ada@example.com")
    assert mail["Subject"] == "Karma: 2 things waiting for you"
    assert mail["From"] == get_settings().mail_from
    assert mail.get_content_type() == "text/plain"
    lines = mail.get_content().splitlines()
    assert lines[0] == "Hello Ada,"
    assert "- Bob answered “Review my pricing”." in lines
    assert f"  {BASE}/engagements/7" in lines
    assert "- Cyd wrote: see you at 3" in lines  # one line per item
    assert f"  {BASE}/engagements/8" in lines
    assert "Old news" not in mail.get_content()
    assert f"Your inbox: {BASE}/inbox" in lines
    emailed = [at for key, at in marks(ada.member_id) if key != "last"]
    assert emailed == [MORNING, MORNING, None]  # the read one is not emailed
    assert marks(ada.member_id)[-1] == ("last", MORNING)


def test_an_opted_out_member_gets_nothing(smtp, mailer, engine):
    bob = opt_in("bob", wanted=False)
    tell(bob.member_id, "Something happened")
    before = marks(bob.member_id)
    assert run(mailer).sent == []
    assert smtp.messages == [] and marks(bob.member_id) == before


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_only_news(
    smtp, mailer, engine
):
    ada = opt_in("ada")
    tell(ada.member_id, "First")
    assert len(run(mailer).sent) == 1
    tell(ada.member_id, "Second, the same day", at=MORNING + timedelta(hours=5))

    assert run(mailer, MORNING + timedelta(hours=6)).sent == []
    assert len(smtp.messages) == 1

    tomorrow = MORNING + timedelta(days=1)
    assert len(run(mailer, tomorrow).sent) == 1
    mail = smtp.messages[-1]
    assert mail["Subject"] == "Karma: 1 thing since yesterday"
    assert "Second, the same day" in mail.get_content()
    assert "First" not in mail.get_content()
    assert run(mailer, tomorrow + timedelta(days=1)).sent == []  # nothing new
    assert len(smtp.messages) == 2


def test_smtp_down_is_a_clear_error_and_nothing_is_marked(engine):
    ada = opt_in("ada")
    tell(ada.member_id, "Hello")
    before = marks(ada.member_id)
    port = free_port()  # nobody listens here

    report = run(SmtpMailer("127.0.0.1", port, "Karma <d@karma.local>"))

    assert report.sent == []
    assert report.stopped.startswith(f"can't reach the mail server at 127.0.0.1:{port}")
    assert marks(ada.member_id) == before


def test_a_refused_recipient_is_skipped_unmarked_and_retried_next_run(
    smtp, mailer, engine
):
    ada, bob = opt_in("ada"), opt_in("bob")
    tell(ada.member_id, "For Ada")
    tell(bob.member_id, "For Bob")
    before = marks(ada.member_id)
    smtp.refuse.add("ada@example.com")

    report = run(mailer)

    assert [o.handle for o in report.sent] == ["bob"]
    assert [o.handle for o in report.refused] == ["ada"]
    assert "refused" in report.refused[0].error
    assert marks(ada.member_id) == before
    smtp.refuse.clear()
    assert [o.handle for o in run(mailer, MORNING + timedelta(hours=1)).sent] == ["ada"]


def test_a_dry_run_sends_and_marks_nothing(smtp, mailer, engine):
    ada = opt_in("ada")
    tell(ada.member_id, "Hello")
    before = marks(ada.member_id)
    report = run(mailer, dry_run=True)
    assert [(o.handle, o.items, o.sent) for o in report.sent] == [("ada", 1, False)]
    assert smtp.messages == [] and marks(ada.member_id) == before


def test_two_workers_running_at_once_send_each_digest_once(smtp, mailer, engine):
    people = [opt_in(handle) for handle in ("ada", "bob", "cyd", "dee")]
    for person in people:
        tell(person.member_id, "Hello")
    clock = FixedClock(MORNING)
    reports: list[digest.DigestReport] = []
    workers = [
        threading.Thread(
            target=lambda: reports.append(send_digests_once(clock=clock, mailer=mailer))
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sum(len(r.sent) for r in reports) == 4
    assert sorted(m["To"] for m in smtp.messages) == [
        f"{p}@example.com" for p in ("ada", "bob", "cyd", "dee")
    ]


def test_more_than_a_screenful_is_summed_up(smtp, mailer, engine):
    ada = opt_in("ada")
    for n in range(digest.LINES_MAX + 5):
        tell(ada.member_id, f"item {n}")
    run(mailer)
    body = smtp.messages[0].get_content()
    assert f"Karma: {digest.LINES_MAX + 5} things" in smtp.messages[0]["Subject"]
    assert "- and 5 more" in body and f"item {digest.LINES_MAX}" not in body


# ------------------------------------------------------------------------ schedule


@pytest.mark.parametrize(
    ("now", "hour", "expected"),
    [
        (datetime(2026, 11, 26, 6, 30, tzinfo=UTC), 7, datetime(2026, 11, 26, 7, 0)),
        (datetime(2026, 11, 26, 7, 0, tzinfo=UTC), 7, datetime(2026, 11, 27, 7, 0)),
        (datetime(2026, 11, 26, 7, 0, 1, tzinfo=UTC), 7, datetime(2026, 11, 27, 7, 0)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 0, datetime(2027, 1, 1, 0, 0)),
    ],
)
def test_the_daily_task_waits_for_the_next_hour_mark(now, hour, expected):
    assert next_hour_mark(now, hour) == expected.replace(tzinfo=UTC)


def test_the_daily_task_sends_once_at_the_mark_even_when_woken_early(monkeypatch):
    """The timer wakes a little early once; the task sleeps the rest, sends
    once at the mark, then waits for tomorrow."""
    at = [
        (6, 0, 0),  # start: the next mark is 07:00
        (6, 0, 0),  # so sleep an hour
        (6, 59, 59),  # woken a second early: sleep the rest
        (7, 0, 0),  # at the mark: send
        (7, 0, 5),  # the next mark is tomorrow
        (7, 0, 5),
    ]
    now = iter(datetime(2026, 11, 26, h, m, s, tzinfo=UTC) for h, m, s in at)
    sleeps: list[float] = []
    runs: list[int] = []

    class Clock:
        def now(self):
            return next(now)

    async def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise asyncio.CancelledError  # the app shuts down

    monkeypatch.setattr(tasks, "system_clock", Clock())
    monkeypatch.setattr(tasks.asyncio, "sleep", fake_sleep)
    monkeypatch.setattr(
        tasks, "send_digests_once", lambda: runs.append(1) or digest.DigestReport()
    )
    with pytest.raises(asyncio.CancelledError):
        run_in_own_thread(tasks.send_digests_daily())
    assert runs == [1]
    assert sleeps == [3600, 1, 24 * 3600 - 5]


def run_in_own_thread(coroutine):
    """asyncio.run on a fresh thread: a browser test earlier in the same pytest
    process leaves an event loop running on the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# ------------------------------------------------------------------------ opting in


def test_the_profile_checkbox_turns_the_digest_on_and_off(engine):
    ada = member("ada")
    form = {"display_name": "Ada", "timezone": "UTC", "availability": "open"}
    state = state_of(ProfileEditState, ada.token)
    ProfileEditState.save.fn(state, form | {"digest": "on"})
    assert state.digest_opt_in
    ProfileEditState.load.fn(state)
    assert state.digest_opt_in
    ProfileEditState.save.fn(state, form)  # an unticked box posts nothing
    with read_only() as s:
        assert not profiles.digest_opt_in(s, ada.member_id)


@pytest.mark.parametrize("bad", ["yes", 1, ["on"], {"on": True}])
def test_a_strange_digest_value_is_refused(engine, bad):
    ada = member("ada")
    form = {"display_name": "Ada", "timezone": "UTC", "availability": "open"}
    with unit_of_work() as s, pytest.raises(InvalidInput):
        profiles.update_profile(
            s,
            actor_id=ada.member_id,
            member_id=ada.member_id,
            form=form | {"digest": bad},
        )


# ------------------------------------------------------------------------ unsubscribing


def digest_mail_of(smtp, mailer, handle: str = "ada"):
    person = opt_in(handle)
    tell(person.member_id, "Bob wrote to you.", "/engagements/7")
    run(mailer)
    [mail] = smtp.to(f"{handle}@example.com")
    return person, mail


def digest_on(member_id: int) -> bool:
    with read_only() as s:
        return profiles.digest_opt_in(s, member_id)


def test_the_digest_carries_a_signed_one_click_unsubscribe_link(smtp, mailer, engine):
    ada, mail = digest_mail_of(smtp, mailer)
    link = alerts.unsubscribe_url(ada.member_id, "digest")
    assert link.startswith(f"{BASE}/api/alerts/unsubscribe?m={ada.member_id}&k=digest")
    assert mail["List-Unsubscribe"] == f"<{link}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"To stop it (no login needed): {link}" in mail.get_content().splitlines()


def test_the_digest_link_turns_the_digest_off_signed_out(smtp, mailer, engine):
    ada, mail = digest_mail_of(smtp, mailer)
    link = mail["List-Unsubscribe"].strip("<>")
    path = link.removeprefix(BASE)
    client = TestClient(api.make_api())  # no cookie: nobody is logged in

    page = client.get(path)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "The daily digest" in page.text
    assert digest_on(ada.member_id)

    done = client.post(path)  # the mail client's one click (RFC 8058)
    assert done.status_code == 200 and "no more emails" in done.text
    assert not digest_on(ada.member_id)
    with read_only() as s:  # the alerts are a choice of their own: untouched
        assert alerts.choices_of(s, ada.member_id) == {
            kind.name: kind.default for kind in alerts.KINDS
        }
    tell(ada.member_id, "Tomorrow's news")
    assert run(mailer, MORNING + timedelta(days=1)).sent == []
    assert client.post(path).status_code == 200  # clicking again changes nothing


@pytest.mark.parametrize(
    "tamper",
    [
        lambda m, s: (m, "digest", s[:-1] + ("0" if s[-1] != "0" else "1")),
        lambda m, s: (str(int(m) + 1), "digest", s),  # Bob's digest, Ada's link
        lambda m, s: (m, "digest", alerts.signature(int(m), "message")),
        lambda m, s: (m, "message", s),  # the digest's signature for an alert
        lambda m, s: (m, "digest", ""),
        lambda m, s: (m, "Digest", s),
    ],
)
def test_a_forged_digest_link_is_refused_and_changes_nothing(
    smtp, mailer, engine, tamper
):
    ada, _ = digest_mail_of(smtp, mailer)
    bob = opt_in("bob")
    m, k, sig = tamper(str(ada.member_id), alerts.signature(ada.member_id, "digest"))
    response = TestClient(api.make_api()).post(
        api.routes.ALERTS_UNSUBSCRIBE, params={"m": m, "k": k, "s": sig}
    )
    assert response.status_code == 400 and "not valid" in response.text
    assert digest_on(ada.member_id) and digest_on(bob.member_id)
    with read_only() as s:
        for who in (ada, bob):
            assert alerts.choices_of(s, who.member_id)["message"] == "immediate"


# ------------------------------------------------------------------------ command line


@pytest.fixture
def cli_db(tmp_path, monkeypatch, smtp):
    """The CLI on its own SQLite file, as an operator's shell would run it."""
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    db.use_engine(None)
    assert main(["migrate"]) == 0
    yield
    db.get_engine().dispose()
    db.use_engine(None)


def test_the_command_sends_today_s_digests_once(cli_db, smtp, capsys):
    ada = opt_in("ada")
    tell(ada.member_id, "Hello", at=datetime.now(UTC))
    capsys.readouterr()

    assert main(["digest", "send", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Daily digest (dry run)" in out and "@ada: 1" in out
    assert smtp.messages == []

    assert main(["digest", "send"]) == 0
    out = capsys.readouterr().out
    assert "Digests sent" in out and len(smtp.messages) == 1
    assert main(["digest", "send"]) == 0
    assert len(smtp.messages) == 1


def test_the_command_says_when_the_mail_server_is_down(cli_db, monkeypatch, capsys):
    ada = opt_in("ada")
    tell(ada.member_id, "Hello", at=datetime.now(UTC))
    port = free_port()
    monkeypatch.setenv("MARKETPLACE_SMTP_PORT", str(port))
    get_settings.cache_clear()
    capsys.readouterr()

    assert main(["digest", "send"]) == 1
    err = capsys.readouterr().err
    assert f"can't reach the mail server at 127.0.0.1:{port}" in err
    with read_only() as s:
        assert s.get(Member, ada.member_id).last_digest_at is None
