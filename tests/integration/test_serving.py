"""How `reflex run` serves the app (marketplace/serving.py): Reflex's disk
state manager still deletes page states idle past their expiry, but no longer
rescans its whole states directory every couple of seconds; a production start
with an unsafe or missing setting (the app's secret key) stops at rxconfig.py,
naming it; the development
frontend listens where scripts/run tells it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from reflex.istate.manager.disk import StateManagerDisk

from marketplace import serving


def _state_file(directory, name: str, age_seconds: float):
    path = directory / f"{name}.pkl"
    path.write_bytes(b"state")
    then = time.time() - age_seconds
    os.utime(path, (then, then))
    return path


def test_expired_page_states_are_purged_at_most_once_a_minute(tmp_path, monkeypatch):
    original = StateManagerDisk._purge_expired_states
    monkeypatch.setattr(StateManagerDisk, "_purge_expired_states", original)
    monkeypatch.setattr(StateManagerDisk, "states_directory", tmp_path, raising=False)
    serving.purge_expired_states_at_most_every(60)
    manager = StateManagerDisk.__new__(StateManagerDisk)  # no writer task
    manager.token_expiration = 3600

    stale = _state_file(tmp_path, "a-tab-closed-yesterday", 2 * 3600)
    fresh = _state_file(tmp_path, "an-open-tab", 10)
    manager._purge_expired_states()
    assert not stale.exists() and fresh.exists()

    later = _state_file(tmp_path, "a-tab-that-expired-since", 2 * 3600)
    manager._purge_expired_states()  # the write loop's next round, seconds later
    assert later.exists()  # no rescan within the minute

    serving.purge_expired_states_at_most_every(60)  # installed once
    assert StateManagerDisk._purge_expired_states.throttled


ROOT = Path(__file__).resolve().parents[2]
UNSAFE_PRODUCTION = {
    "MARKETPLACE_ENV": "production",
    "MARKETPLACE_BASE_URL": "https://karma.example.com",
    "MARKETPLACE_SECRET_KEY": "5d41402abc4b2a76b9719d911017c592ae2f6e8b7e3d1c0f",
    "REFLEX_CORS_ALLOWED_ORIGINS": "*",
}


def _import_rxconfig(**settings: str) -> subprocess.CompletedProcess[str]:
    """What every Reflex process does first, in a process of its own."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MARKETPLACE_", "REFLEX_CORS"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import rxconfig"],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_start_with_a_star_cors_origin_is_refused_by_name():
    started = _import_rxconfig(**UNSAFE_PRODUCTION)
    assert started.returncode == 1
    assert "REFLEX_CORS_ALLOWED_ORIGINS" in started.stderr
    assert "Traceback" not in started.stderr  # a message for an operator


def test_the_same_start_goes_ahead_once_the_origin_is_named():
    started = _import_rxconfig(
        **{
            **UNSAFE_PRODUCTION,
            "REFLEX_CORS_ALLOWED_ORIGINS": "https://karma.example.com",
        }
    )
    assert started.returncode == 0, started.stderr


def test_a_production_start_without_the_app_secret_key_is_refused_by_name():
    # each node would sign unsubscribe links with a key of its own
    safe = {
        **UNSAFE_PRODUCTION,
        "REFLEX_CORS_ALLOWED_ORIGINS": "https://karma.example.com",
    }
    del safe["MARKETPLACE_SECRET_KEY"]
    started = _import_rxconfig(**safe)
    assert started.returncode == 1
    assert "MARKETPLACE_SECRET_KEY is not set" in started.stderr
    assert "Traceback" not in started.stderr


def test_junk_in_a_setting_stops_even_a_development_start_by_name():
    started = _import_rxconfig(MARKETPLACE_DIGEST_HOUR="seven")
    assert started.returncode == 1
    assert "MARKETPLACE_DIGEST_HOUR must be a whole number" in started.stderr
    assert "Traceback" not in started.stderr


def test_the_development_frontend_listens_where_it_is_told(tmp_path):
    package_json = tmp_path / "package.json"
    reflex_wrote = {"scripts": {"dev": "react-router dev --host", "export": "x"}}
    package_json.write_text(json.dumps(reflex_wrote))
    serving.set_dev_server_host(package_json, "127.0.0.1")
    scripts = json.loads(package_json.read_text())["scripts"]
    assert scripts == {"dev": "react-router dev --host 127.0.0.1", "export": "x"}
