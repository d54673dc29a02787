"""How `reflex run` serves the app (marketplace/serving.py): Reflex's disk
state manager still deletes page states idle past their expiry, but no longer
rescans its whole states directory every couple of seconds."""

from __future__ import annotations

import os
import time

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
