"""Sign-up and mail throttles hold across workers: counted in the database
(SQLite, PostgreSQL) or in Redis, never in one process's memory. Two real
processes hammering the same limit together get exactly the limit through."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from marketplace.accounts import throttles
from marketplace.db import unit_of_work
from marketplace.settings import get_settings
from marketplace.states.auth import SignupState
from tests.integration.test_state_security import state_of

# the browser tests use db 13; these counters get their own
REDIS_URL = os.environ.get(
    "MARKETPLACE_THROTTLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/12"
)


@pytest.fixture
def limits(monkeypatch):
    monkeypatch.setenv("MARKETPLACE_SIGNUPS_PER_ADDRESS_HOUR", "3")
    monkeypatch.setenv("MARKETPLACE_SIGNUPS_PER_DOMAIN_HOUR", "5")
    monkeypatch.setenv("MARKETPLACE_MAILS_PER_MEMBER_HOUR", "2")
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.delenv("MARKETPLACE_THROTTLE_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture(params=["database", "redis"])
def store(request, engine, limits):
    if request.param == "redis":
        limits.setenv("MARKETPLACE_THROTTLE_REDIS_URL", REDIS_URL)
        get_settings.cache_clear()
        throttles.storage().reset()  # this test's Redis db: counts start at 0
    return request.param


def fresh_domain() -> str:
    return f"{uuid.uuid4().hex[:10]}.example"


def test_one_address_gets_three_signups_an_hour_then_a_retry_time(store):
    domain = fresh_domain()
    client = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    for n in range(3):
        throttles.allow_signup(client, f"p{n}@{domain}")
    with pytest.raises(throttles.Throttled) as refused:
        throttles.allow_signup(client, f"p9@{domain}")
    assert "try again in" in str(refused.value)
    assert 3000 < refused.value.retry_after <= 3600
    throttles.allow_signup("198.51.100.254", f"x@{fresh_domain()}")  # others pass


def test_one_email_domain_is_limited_whatever_the_address(store):
    domain = fresh_domain()
    for n in range(5):
        throttles.allow_signup(f"203.0.113.{n}", f"p{n}@{domain}")
    with pytest.raises(throttles.Throttled, match="addresses at this domain"):
        throttles.allow_signup("203.0.113.77", f"Other@{domain.upper()}")


def test_verification_and_reset_mails_are_limited_per_member_and_kind(store):
    member_id = uuid.uuid4().int % 10**8
    throttles.allow_mail(member_id, "verify")
    throttles.allow_mail(member_id, "verify")
    with pytest.raises(throttles.Throttled, match="several emails"):
        throttles.allow_mail(member_id, "verify")
    throttles.allow_mail(member_id, "reset")  # its own count
    throttles.allow_mail(member_id + 1, "verify")  # someone else's


def test_allow_mail_inside_an_open_transaction(engine, limits):
    with unit_of_work() as session:
        session.connection()  # the write transaction is open (SQLite: locked)
        throttles.allow_mail(7, "reset", session=session)
        throttles.allow_mail(7, "reset", session=session)
        with pytest.raises(throttles.Throttled):
            throttles.allow_mail(7, "reset", session=session)


def test_the_signup_form_says_when_to_try_again(engine, limits):
    domain = fresh_domain()
    for n in range(3):
        throttles.allow_signup("203.0.113.7", f"q{n}@{domain}")
    state = state_of(SignupState, "", client="203.0.113.7")  # the same socket
    state.sign_up(
        {
            "email": f"new@{fresh_domain()}",
            "handle": "newcomer",
            "display_name": "New Comer",
            "password": "correct horse battery",
        }
    )
    assert "Please try again in" in state.signup_error


WORKER = """
import json, sys, time
from marketplace.accounts import throttles
start, client, domain = float(sys.argv[1]), sys.argv[2], sys.argv[3]
time.sleep(max(0.0, start - time.time()))
allowed = 0
for n in range(10):
    try:
        throttles.allow_signup(client, f"w{n}@{domain}")
        allowed += 1
    except throttles.Throttled:
        pass
print(json.dumps(allowed))
"""


# two workers run on PostgreSQL (SQLite is one worker)
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_processes_share_one_limit(store, engine):
    env = dict(os.environ)
    env["REFLEX_DB_URL"] = engine.url.render_as_string(hide_password=False)
    env["MARKETPLACE_SIGNUPS_PER_ADDRESS_HOUR"] = "7"
    env["MARKETPLACE_SIGNUPS_PER_DOMAIN_HOUR"] = "1000"
    if store == "redis":
        env["MARKETPLACE_THROTTLE_REDIS_URL"] = REDIS_URL
    start = time.time() + 3
    client, domain = f"192.0.2.{uuid.uuid4().int % 250 + 1}", fresh_domain()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start), client, domain],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = [json.loads(worker.communicate(timeout=60)[0]) for worker in workers]
    assert sum(allowed) == 7, allowed
