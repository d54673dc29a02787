"""Corrections to how `reflex run` serves the app, installed by rxconfig.py
(the one module the `reflex` command imports before it serves anything).

- Its start-up schema check compares every table it finds with the models, so
  it reported the full-text search index (raw SQL in a migration, no model) as
  "schema changes" and told operators to run `reflex db makemigrations`, which
  would write a migration dropping the index. The check here uses the app's
  own rules and says only when `python -m marketplace migrate` is due.
- Granian, as `reflex run --env prod` starts it, stops the whole node when one
  worker process dies (Reflex does not pass `respawn_failed_workers`). One
  crashed or OOM-killed worker would take every open page on the node with
  it; with respawning the other workers keep serving, the dead one comes back,
  and its pages reconnect to whichever worker takes them (their state is in
  Redis). Measured in benchmarks/faults.py.
- Reflex's disk state manager (the embedded default's page state) rescans
  its whole states directory every couple of seconds to purge states idle
  for an hour; here at most once a minute (benchmarks/load.py).
- `reflex run` (development) starts the Vite dev server with
  `react-router dev --host`, which listens on every interface. With
  MARKETPLACE_FRONTEND_HOST set (scripts/run sets 127.0.0.1) it listens there.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from pathlib import Path


def check_schema() -> None:
    """`reflex run`'s schema check, with the app's rules: a warning when the
    database is behind the code, silence when it is at head."""
    from marketplace.db import get_engine
    from marketplace.migrations import schema_warning

    try:  # the workers forked from this process drop its pool (db._after_fork)
        warning = schema_warning(get_engine())
    except Exception as error:  # the app will say more when it first queries
        warning = f"Could not check the database schema: {error}"
    if warning:
        print(f"Warning: {warning}", file=sys.stderr)


def respawn_failed_workers() -> None:
    """Make Granian's supervisor restart a worker that died instead of
    shutting the node down (a crash loop still stops it: Granian's rule)."""
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # another server runs the app
        return
    original = AbstractServer.__init__
    if getattr(original, "respawns", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs) -> None:
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init.respawns = True  # type: ignore[attr-defined]
    AbstractServer.__init__ = init


PURGE_EVERY_SECONDS = 60.0


def purge_expired_states_at_most_every(seconds: float = PURGE_EVERY_SECONDS) -> None:
    """Reflex's disk state manager (the embedded default's page state) lists
    its whole `.states` directory and stats every file after each write batch,
    every couple of seconds, to delete states idle longer than the token
    expiration (an hour). With a few hundred open tabs that scan took 44% of
    the server's CPU (py-spy, benchmarks/load.py at 200 clients); a state an
    hour old can as well go a minute later."""
    try:
        from reflex.istate.manager.disk import StateManagerDisk
    except ImportError:  # another Reflex layout: leave it as it is
        return
    original = StateManagerDisk._purge_expired_states
    if getattr(original, "throttled", False):
        return
    last: dict[int, float] = {}

    @functools.wraps(original)
    def purge(self) -> None:
        now = time.monotonic()
        if now - last.get(id(self), -seconds) < seconds:
            return
        last[id(self)] = now
        original(self)

    purge.throttled = True  # type: ignore[attr-defined]
    StateManagerDisk._purge_expired_states = purge


DEV_SERVER_SCRIPT = "react-router dev --host"  # Reflex's own, every interface


def bind_dev_frontend_to(host: str) -> None:
    """Make each start of the development frontend listen on `host` only.
    Reflex runs the `dev` script of .web/package.json and writes that script
    only when it initialises .web, so it is set again before every start."""
    from reflex.utils import exec as reflex_exec

    original = reflex_exec.run_frontend
    if getattr(original, "bound_to", None) == host:
        return
    original = getattr(original, "__wrapped__", original)

    @functools.wraps(original)
    def run_frontend(root: Path, *args, **kwargs) -> None:
        set_dev_server_host(dev_package_json(root), host)
        original(root, *args, **kwargs)

    run_frontend.bound_to = host  # type: ignore[attr-defined]
    reflex_exec.run_frontend = run_frontend


def dev_package_json(root: Path) -> Path:
    from reflex.utils import prerequisites

    return root / prerequisites.get_web_dir() / "package.json"


def set_dev_server_host(package_json: Path, host: str) -> None:
    package = json.loads(package_json.read_text())
    script = f"{DEV_SERVER_SCRIPT} {host}"
    if package.get("scripts", {}).get("dev") != script:
        package.setdefault("scripts", {})["dev"] = script
        package_json.write_text(json.dumps(package, indent=2) + "\n")


def install() -> None:
    from reflex.utils import prerequisites

    prerequisites.check_schema_up_to_date = check_schema
    respawn_failed_workers()
    purge_expired_states_at_most_every()
    if host := os.environ.get("MARKETPLACE_FRONTEND_HOST", "").strip():
        bind_dev_frontend_to(host)
