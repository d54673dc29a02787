"""Load test: simulated members using the app over its real WebSocket protocol
against the production backend, at several numbers of concurrent clients.

    python benchmarks/load.py                # 5 configurations x 50/200/500 clients
    python benchmarks/load.py --quick        # pg-redis-2w x 50/200, short
    python benchmarks/load.py --configs pg-redis-2w --levels 200 --seconds 60
    python benchmarks/load.py --configs sqlite-1w --levels 50 --profile /tmp/prof
    python benchmarks/load.py --no-baseline  # the realistic mix only

Configurations: `sqlite-1w` is the embedded default (SQLite file, disk state
manager, one worker); `pg-redis-Nw` is PostgreSQL + the Redis state manager + N
Granian workers (GRANIAN_WORKERS); `+oplock` adds REFLEX_OPLOCK_ENABLED=true (a
worker keeps the Redis lock and the state of its own clients between events).

What runs, per configuration:

1. a fresh database (a SQLite file, or PostgreSQL `bench_load_<pid>_<n>`),
   migrated to head, the 50-member demo network seeded as background, and the
   load-test members registered through `accounts.register` (then
   verified) with a known password
   (hashed once: argon2 is slow on purpose), each with give/get tags and one
   standing offer, so the market and the dashboard have something to read;
2. per level (number of clients): a fresh `reflex run --env prod
   --backend-only` in a scratch directory (a copy of the app, so nothing is
   written into the project), `FLUSHDB` on our own Redis database first;
   a few warm-up members touch every page; then the resident memory of the
   server's processes (and Redis `used_memory`) is taken idle, every client
   connects, and memory is taken again. A member logs in once per database
   through the login form's handler (`LoginState.log_in`), then follows the
   session handoff as a browser does: the handler's script sends the page to
   `/api/session/start?ticket=...`, whose reply sets the HttpOnly
   `karma_session` cookie, and the next page's socket carries it in its
   handshake. Later it comes back as a browser does, the cookie in the
   socket's handshake, straight to the dashboard;
3. the measured window (after an unmeasured warm-up): each client sends one
   user action about every 0.5 s (the next 0.4-0.6 s after the previous was
   sent, or at once when the reply came later), and the navigation heartbeat
   (`NavState.check_unread`) every 15 s as the page's timer does. Clients are
   paired: one member of a pair posts a karma request, the other finds it
   (market page, search), offers to help, the asker accepts (a hold), they
   exchange messages, the helper marks it delivered and the asker confirms (the
   hold is posted: karma moves); then the roles swap. While it is not their
   turn, members browse: market, search, dashboard, inbox, engagements;
4. the ledger audit (`audit.audit_ledger`) on that database, and the confirmed
   engagements in it checked against the confirmations the clients saw;
5. the baseline in the same run (unless --no-baseline): a minimal Reflex app
   written into the scratch directory (`baseline/baseline.py`, `rxconfig.py`,
   a 100-row SQLite file), one state whose `read` handler and whose page `/`'s
   on_load each do one SQLite read (one SELECT of one row) and set a var, run
   by a fresh `reflex run --env prod --backend-only` exactly as the real app
   (same state manager, Redis database, workers, oplock). The same number of
   clients connect, then three loads with the mix's clients and pace (12 s
   after 3 s unmeasured; --baseline-seconds, --baseline-warmup): `event`, the
   `read` event until the delta with its new var (the issue's reference: one
   read per event, 200 raw socket clients, p50 16 ms, p95 104 ms on these
   machines); `page`, a navigation to `/` (`update_vars_internal` with a
   cookie, `on_load_internal`, the load handler, `set_is_hydrated`) until
   `is_hydrated`: Reflex's own page protocol around one read; `page-inline`,
   the same navigation to `/inline`, whose load handler runs inside
   `on_load_internal` as the app's pages' do (marketplace/states/page_load.py,
   copied in): two events instead of four. The baseline's cookie is a plain
   `rx.Cookie` (client storage, sent in `update_vars_internal`); the app's
   session cookie is HttpOnly and travels in the socket's handshake, so the
   app's own pages send one event, `on_load_internal`, one fewer than
   `page-inline`.

A round trip is one user action as the browser sends it: for a page load, the
`on_load_internal` event until the page's final delta (`is_hydrated` true,
after every on_load handler ran); for a
form, the handler's event until its reply (its toast or redirect, or for a
search the market delta). Reflex 0.10 no longer marks the final delta of an
event, so each action waits for the reply its handler is known to end with.
Errors: no reply within the timeout (10 s), an error toast (the app's refusals
and Reflex's "An error occurred"), an `*_error` var set, a redirect to the login
page, a dropped socket, or a failed connect or login.

Also reported: CPU of the server, of this load generator, of our PostgreSQL
backends and Redis, and of everything else on the machine (other people's
work: the noise); server CPU per action; sockets per worker; with --profile,
where py-spy found the server's time (app handlers and services).

Last stdout line: one JSON object, `{"configs": [{"config", "clients", "p50_ms",
"p95_ms", "events_per_s", "errors", "audit_ok", "mem_per_client_kb",
"p95_vs_baseline_page", ...}, ...], "baselines": [{"config", "kind", "clients",
"p50_ms", "p95_ms", "events_per_s", "errors", ...}, ...], "targets": {...},
"ok": ...}`; `events_per_s` counts round trips (user actions) started in the
window and answered; `p95_vs_baseline_page` is the mix's p95 over the
`page-inline` baseline's (a page loaded as the app's pages load) at the same
configuration and level, and `cpu_ratio_to_baseline` the same for CPU per
action (`cpu_ms_per_action`: the server, its PostgreSQL backends and Redis,
and this load generator; `machine_cpu_ms_per_action` adds everything else
the machine ran). The baselines don't count in `ok`, which holds when every
level of every configuration had no error and a clean audit, and every
target the run measured was met (issue 25's): on pg-redis-2w at the 0.5 s
pace, `cpu_ratio_to_baseline` at most 2.0 at every level; at a human pace
(`--interval 5`), p95 under 50 ms at 500 clients on pg-redis-2w; and, when
pg-redis-1w ran too, more round trips per second with several workers than
with one at the highest level. Exit 0 when ok, 1 when a target is missed, 2
when the benchmark itself failed. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from http.cookies import CookieError, SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil
import redis
from rich.console import Console
from rich.table import Table
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from marketplace import db, routes, session_cookie  # noqa: E402
from marketplace.accounts import accounts, profiles  # noqa: E402
from marketplace.adapters.passwords import hash_password  # noqa: E402
from marketplace.demo.seed import seed_network  # noqa: E402
from marketplace.domain import taxonomy  # noqa: E402
from marketplace.ledger import credit  # noqa: E402
from marketplace.ledger.audit import audit_ledger  # noqa: E402
from marketplace.market import listings  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.models import Engagement, Member, MemberTrust  # noqa: E402
from marketplace.states.auth import LoginState  # noqa: E402
from marketplace.states.engagements import EngagementState  # noqa: E402
from marketplace.states.market import ListingFormState, ListingState, MarketState  # noqa: E402
from marketplace.states.nav import UNREAD_CHECK_SECONDS, NavState  # noqa: E402
from marketplace.states.session import FORM_KEY  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "MARKETPLACE_BENCH_PG_URL",
    os.environ.get(
        "MARKETPLACE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
PASSWORD = "karma-load-2026"
CONFIGS = (
    "sqlite-1w",
    "pg-redis-1w",
    "pg-redis-2w",
    "pg-redis-4w",
    "pg-redis-2w+oplock",
)
FULL = {
    "levels": (50, 200, 500),
    "seconds": 30.0,
    "warmup": 5.0,
    "baseline_seconds": 12.0,
    "baseline_warmup": 3.0,
    "configs": CONFIGS,
}
QUICK = {
    "levels": (50, 200),
    "seconds": 10.0,
    "warmup": 3.0,
    "baseline_seconds": 8.0,
    "baseline_warmup": 2.0,
    "configs": ("pg-redis-2w",),
}
TARGET_CONFIG = "pg-redis-2w"
TARGET_CPU_RATIO = 2.0  # the mix's CPU per action over the baseline page's
HUMAN_PACE = 5.0  # seconds between one member's actions at a human pace
HUMAN_LEVEL = 500
TARGET_HUMAN_P95_MS = 50.0
INTERVAL = 0.5  # seconds between one client's actions (--interval)
HEARTBEAT = float(UNREAD_CHECK_SECONDS)  # NavState's browser timer off /messages
PRICE = 3  # karma per engagement; the signup grant (10) covers three holds
LOGINS_AT_ONCE = 8  # argon2 blocks the worker ~0.1 s per login
CONNECTS_AT_ONCE = 25
WARM_MEMBERS_PER_WORKER = 2

# --------------------------------------------------------------------------- wire names

STATE = "reflex___state____state"
HYDRATE = f"{STATE}.hydrate_and_load"
ON_LOAD = f"{STATE}.reflex___state____on_load_internal_state.on_load_internal"
UPDATE_VARS = (
    f"{STATE}.reflex___state____update_vars_internal_state.update_vars_internal"
)
HYDRATED_VAR = "is_hydrated_rx_state_"
MARKET = MarketState.get_full_name()
LOG_IN = f"{LoginState.get_full_name()}.log_in"
SEARCH = f"{MARKET}.search"
SAVE = f"{ListingFormState.get_full_name()}.save"
PROPOSE = f"{ListingState.get_full_name()}.propose"
FORM_KEYS_VAR = "form_keys_rx_state_"  # SessionState.form_keys in a delta
ACT = f"{EngagementState.get_full_name()}.act"
MESSAGE = f"{EngagementState.get_full_name()}.send_message"
CHECK_UNREAD = f"{NavState.get_full_name()}.check_unread"
NAMESPACE = "/_event"
REFLEX_VERSION = version("reflex")  # the frontend sends it as the subprotocol
TOAST_LEVEL = re.compile(r"""__toast'\]\?\.\["(\w+)"\]""")
ID_IN_PATH = re.compile(r"/(\d+)(?=/|$)")
# what `rx.call_script(f"window.location.replace({json.dumps(url)})")` sends
LOCATION_REPLACE = re.compile(r'window\.location\.replace\(("(?:[^"\\]|\\.)*")\)')
EXCEPTION_LINE = re.compile(r"^\s*[\w.]*(Error|Exception|Timeout\w*)(: |$)")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


# --------------------------------------------------------------------------- socket


class Disconnected(Exception):
    """The server closed the socket (or it never opened)."""


class Socket:
    """Engine.IO 4 / Socket.IO 5 over one WebSocket, as socket.io-client speaks
    it to Reflex (`/_event/?EIO=4&transport=websocket&token=...`, namespace
    `/_event`, the hydrate event in the CONNECT packet), on wsproto and asyncio
    streams: light enough for hundreds of clients in one process. One socket
    opens once: a reconnect or a page load is a new one."""

    def __init__(self, port: int, token: str, on_event: Callable[[dict], None]):
        self.port, self.token, self.on_event = port, token, on_event
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.writer: asyncio.StreamWriter | None = None
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed = asyncio.Event()
        self.sent = 0
        self._reader_task: asyncio.Task | None = None
        self._parts: list[str] = []
        self._boot: dict = {}

    async def open(self, boot_event: dict, cookie: str = "") -> None:
        """Upgrade, then (on Engine.IO's open packet) connect the namespace with
        the hydrate event in the CONNECT packet, as the frontend does.

        `cookie` is the handshake's Cookie header, as the browser sends it from
        its cookie jar: the server reads the session from it for every event
        on this socket (the app's `router.headers.cookie`)."""
        self._boot = boot_event
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        query = urlencode({"token": self.token, "EIO": "4", "transport": "websocket"})
        self._write(
            Request(
                host=f"127.0.0.1:{self.port}",
                target=f"{NAMESPACE}/?{query}",
                subprotocols=[REFLEX_VERSION],
                extra_headers=[(b"cookie", cookie.encode())] if cookie else [],
            )
        )
        self._reader_task = asyncio.create_task(self._read(reader))
        await asyncio.wait_for(asyncio.shield(self.opened), 30)

    def emit(self, event: dict) -> None:
        self.send_text(f"42{NAMESPACE}," + json.dumps(["event", event]))
        self.sent += 1

    def send_text(self, data: str) -> None:
        if self.closed.is_set():
            raise Disconnected("socket closed")
        self._write(TextMessage(data=data))

    def _write(self, event) -> None:
        assert self.writer is not None
        self.writer.write(self.ws.send(event))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send_text(f"41{NAMESPACE},")
            self._write(CloseConnection(code=1000))
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while data := await reader.read(65536):
                self.ws.receive_data(data)
                for event in self.ws.events():
                    self._handle(event)
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed.set()
            if not self.opened.done():
                self.opened.set_exception(Disconnected("the socket did not open"))

    def _handle(self, event) -> None:
        if isinstance(event, TextMessage):
            self._parts.append(event.data)
            if event.message_finished:
                packet, self._parts = "".join(self._parts), []
                self._packet(packet)
        elif isinstance(event, Ping):
            self._write(event.response())
        elif isinstance(event, CloseConnection | RejectConnection):
            self.closed.set()
        elif isinstance(event, AcceptConnection):
            pass

    def _packet(self, packet: str) -> None:
        if packet == "2":  # Engine.IO ping
            self.send_text("3")
        elif packet.startswith("0{"):  # Engine.IO open: connect the namespace
            self.send_text(f"40{NAMESPACE}," + json.dumps({"event": self._boot}))
        elif packet.startswith(f"42{NAMESPACE},"):
            name, *args = json.loads(packet[len(NAMESPACE) + 3 :])
            if name == "event" and args:
                self.on_event(args[0])
        elif packet.startswith(f"40{NAMESPACE}") and not self.opened.done():
            self.opened.set_result(None)
        elif packet.startswith(f"44{NAMESPACE}") and not self.opened.done():
            self.opened.set_exception(Disconnected(f"connect refused: {packet[:200]}"))
        elif packet == "1":  # Engine.IO close
            self.closed.set()


# --------------------------------------------------------------------------- member


class StepFailed(Exception):
    """A round trip that errored: a refusal, an exception toast, a timeout."""


def hydrated(update: dict) -> bool:
    return (update.get("delta") or {}).get(STATE, {}).get(HYDRATED_VAR) is True


def has_events(update: dict) -> bool:
    return bool(update.get("events"))


def market_delta(update: dict) -> bool:
    return MARKET in (update.get("delta") or {})


@dataclass
class Waiter:
    until: Callable[[dict], bool]
    future: asyncio.Future
    redirect: str = ""  # a `_redirect`'s path, or a location script's URL


class Recorder:
    """Round trips and errors of one level; samples count once measuring."""

    def __init__(self) -> None:
        self.measuring = False
        self.started = 0.0
        self.latency: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.completed = 0
        self.confirmed = 0

    def sample(self, kind: str, began: float, ms: float) -> None:
        if self.measuring and began >= self.started:
            self.latency.setdefault(kind, []).append(ms)
            self.completed += 1

    def error(self, kind: str, detail: str) -> None:
        key = f"{kind}: {_short(detail)}"
        self.errors[key] += 1
        self.examples.setdefault(key, detail[:300])

    def all_latencies(self) -> list[float]:
        return [ms for values in self.latency.values() for ms in values]


def _short(detail: str) -> str:
    return re.sub(r"\d+", "#", detail)[:80]


class SimMember:
    """One browser tab of one member: a socket, the session cookie its cookie
    jar holds, the page it is on, and at most one action in flight.

    The app's session cookie is HttpOnly (marketplace/session_cookie.py): no
    page script sees it, so it is never in an event's payload or a delta. The
    browser sends it in the handshake of every socket it opens, and gets it
    only from an HTTP reply (`/api/session/start`); so does this tab."""

    def __init__(self, port: int, email: str, rec: Recorder, timeout: float):
        self.port, self.email, self.rec, self.timeout = port, email, rec, timeout
        self.token = str(uuid.uuid4())  # sessionStorage: outlives a page load
        self.cookie = ""  # karma_session, as the cookie jar holds it
        self.path = "/login"
        self.waiter: Waiter | None = None
        self.doing = "connect"  # what the round trip in flight is, for errors
        self.socket = Socket(port, self.token, self._on_update)
        # the keys the server made for the create forms on the page, which a
        # browser echoes in each form's hidden `form_key` field (a double
        # click's second submit writes nothing: SessionState._submit_once)
        self.form_keys: dict[str, str] = {}

    # -- the protocol

    async def connect(self, path: str = "/login") -> None:
        """Open the socket on `path`: the cookie jar's cookie in the handshake,
        the page's client storage (if any) in the hydrate event."""
        self.path = path
        storage = self._client_storage()
        boot = self._event(HYDRATE, {"vars": storage} if storage else {})
        future = self._expect(hydrated)
        await self.socket.open(boot, self._cookie_header())
        await self._wait(future)

    async def reload(self, path: str) -> None:
        """A full page load of `path` (or socket.io's reconnect): a new socket,
        the same tab token, the cookie the jar holds now."""
        with contextlib.suppress(Exception):
            await self.socket.close()
        self.socket = Socket(self.port, self.token, self._on_update)
        await self.connect(path)

    async def log_in(self) -> None:
        """The login form, then the handoff the browser follows: the handler's
        script sends the page to `/api/session/start?ticket=...`, whose 303
        sets the cookie and names the next page, which opens a socket that
        carries the cookie."""
        form = {"email": self.email, "password": PASSWORD}
        url = await self.call("log in", LOG_IN, {"form": form}, has_events)
        if urlsplit(url).path != routes.SESSION_START:
            raise StepFailed(f"login did not hand a session over (went to {url!r})")
        self.doing = "session handoff"
        cookie, target = await asyncio.to_thread(take_over, url, self.timeout)
        if not cookie or target != routes.DASHBOARD:
            raise StepFailed(f"the handoff set no session (went to {target!r})")
        self.cookie = cookie
        await self.reload(target)

    async def navigate(self, path: str) -> None:
        """A client-side navigation: the page's on_load chain (after its client
        storage, if it has any: the app has none)."""
        self.path, self.doing = path, "page " + route_of(path)
        future = self._expect(hydrated)
        began = time.perf_counter()
        if storage := self._client_storage():
            self.socket.emit(self._event(UPDATE_VARS, {"vars": storage}))
        self.socket.emit(self._event(ON_LOAD, {}))
        await self._wait(future)
        self.rec.sample(self.doing, began, (time.perf_counter() - began) * 1000)

    def keyed(self, form_name: str, fields: dict[str, str]) -> dict[str, str]:
        """A create form's fields with the key its page was shown with."""
        return {**fields, FORM_KEY: self.form_keys.get(form_name, "")}

    async def call(
        self, kind: str, name: str, payload: dict, until: Callable[[dict], bool]
    ) -> str:
        """One handler event; returns where it sent the page, if anywhere (a
        `_redirect`'s path, or a `window.location.replace` script's URL)."""
        self.doing = kind
        future = self._expect(until)
        waiter = self.waiter
        began = time.perf_counter()
        self.socket.emit(self._event(name, payload))
        await self._wait(future)
        self.rec.sample(kind, began, (time.perf_counter() - began) * 1000)
        return waiter.redirect if waiter else ""

    def heartbeat(self) -> None:
        """The page's timer: the unread count. Only signed-in pages tick; the
        server knows the member from the socket's cookie."""
        if self.cookie and not self.socket.closed.is_set():
            self.socket.emit(self._event(CHECK_UNREAD, {}))

    async def close(self) -> None:
        await self.socket.close()

    def _cookie_header(self) -> str:
        """The handshake's Cookie header: the session, once the jar has one."""
        return f"{session_cookie.NAME}={self.cookie}" if self.cookie else ""

    def _client_storage(self) -> dict[str, str]:
        """The state vars the page sends from its client storage (Reflex's
        `rx.Cookie`, `rx.LocalStorage`) with the hydrate event and before each
        navigation's on_load. The app keeps none: its only cookie is HttpOnly."""
        return {}

    # -- replies

    def _event(self, name: str, payload: dict) -> dict:
        return {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": self.path, "asPath": self.path},
        }

    def _expect(self, until: Callable[[dict], bool]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiter = Waiter(until, future)
        return future

    async def _wait(self, future: asyncio.Future) -> None:
        closed = asyncio.ensure_future(self.socket.closed.wait())
        try:
            done, _ = await asyncio.wait(
                (future, closed), timeout=self.timeout, return_when="FIRST_COMPLETED"
            )
        finally:
            closed.cancel()
        if future in done:
            future.result()  # raises StepFailed
            return
        self.waiter = None
        raise StepFailed(
            "socket dropped" if closed in done else f"no reply in {self.timeout:.0f}s"
        )

    def _on_update(self, update: dict) -> None:
        problem = self._read_update(update)
        waiter = self.waiter
        if waiter is None or waiter.future.done():
            if problem:
                self.rec.error("background", problem)
            return
        if problem:
            waiter.future.set_exception(StepFailed(problem))
        elif waiter.until(update):
            self.waiter = None
            waiter.future.set_result(None)

    def _read_update(self, update: dict) -> str:
        """Keep where the page is sent; say what went wrong, if anything."""
        problem = ""
        for changes in (update.get("delta") or {}).values():
            for var, value in changes.items():
                if var == FORM_KEYS_VAR and isinstance(value, dict):
                    self.form_keys = {**self.form_keys, **value}
                if (
                    var.endswith("_error_rx_state_")
                    and isinstance(value, str)
                    and value
                ):
                    problem = f"{var.removesuffix('_rx_state_')}: {value}"
        for event in update.get("events") or ():
            payload = event.get("payload") or {}
            if event.get("name") == "_redirect":
                path = str(payload.get("path", ""))
                if self.waiter is not None:
                    self.waiter.redirect = path
                if path.startswith("/login"):
                    problem = "sent to the login page"
            elif event.get("name") == "_call_script":
                url = _replaced_location(str(payload.get("javascript_code", "")))
                if url and self.waiter is not None:
                    self.waiter.redirect = url
            elif event.get("name") == "_call_function":
                problem = _toast_problem(str(payload.get("function", ""))) or problem
        return problem


def _replaced_location(script: str) -> str:
    """The URL of a `window.location.replace("...")` script, or ''."""
    found = LOCATION_REPLACE.search(script)
    if not found:
        return ""
    with contextlib.suppress(ValueError):
        return str(json.loads(found.group(1)))
    return ""


def take_over(url: str, timeout: float) -> tuple[str, str]:
    """GET the session handoff URL as the browser's navigation does, and
    return the session cookie its reply sets and the path it redirects to.

    A navigation that a page of the app starts by script is same-origin
    (`Sec-Fetch-Site`); the route refuses a cross-site one (login CSRF). The
    303 is not followed: the page it names is the frontend's, which this
    backend-only server doesn't serve; the tab opens that page's socket."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise StepFailed(f"the handoff URL is not this server's: {url!r}")
    connection = HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            "GET",
            f"{parts.path}?{parts.query}",
            headers={"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"},
        )
        reply = connection.getresponse()
        reply.read()
    finally:
        connection.close()
    if reply.status != 303:
        raise StepFailed(f"the handoff answered {reply.status}, not 303")
    jar = SimpleCookie()
    for header in reply.headers.get_all("set-cookie") or ():
        with contextlib.suppress(CookieError):
            jar.load(header)
    morsel = jar.get(session_cookie.NAME)
    location = urlsplit(reply.headers.get("location", ""))
    target = location.path + (f"?{location.query}" if location.query else "")
    return (morsel.value if morsel is not None else ""), target


def _toast_problem(function: str) -> str:
    found = TOAST_LEVEL.search(function)
    if (found and found.group(1) == "error") or "backend_error" in function:
        return "error toast: " + function[:200]
    return ""


def route_of(path: str) -> str:
    return ID_IN_PATH.sub("/[id]", path)


def id_in(path: str, prefix: str) -> int:
    if not path.startswith(prefix + "/"):
        raise StepFailed(f"expected a redirect to {prefix}/<id>, got {path!r}")
    return int(path.removeprefix(prefix + "/").split("/")[0])


# --------------------------------------------------------------------------- behaviour

Step = tuple[SimMember, Callable[[], Awaitable[object]]]  # who, and what they do


class Pair:
    """Two members taking turns through one engagement after another: the
    asker posts a request, the helper finds it and offers help, the asker
    accepts, the helper delivers, the asker confirms. Roles swap each cycle.
    The steps of a cycle run one at a time, in order."""

    def __init__(self, index: int, a: SimMember, b: SimMember, skills: list[str]):
        self.index, self.a, self.b, self.skills = index, a, b, skills
        self.cycle = 0
        self.busy = False
        self.queue: deque[Step] = deque()
        self._new_cycle()

    def take(self, member: SimMember) -> Step | None:
        if self.busy or not self.queue or self.queue[0][0] is not member:
            return None
        self.busy = True
        return self.queue.popleft()

    def done(self, ok: bool) -> None:
        self.busy = False
        if not ok:
            self.queue.clear()  # give this engagement up; start afresh
        if not self.queue:
            self.cycle += 1
            self._new_cycle()

    def _new_cycle(self) -> None:
        asker, helper = (self.a, self.b) if self.cycle % 2 == 0 else (self.b, self.a)
        skill = self.skills[(self.index + self.cycle) % len(self.skills)]
        title = f"Need a hand with {skill} (pair {self.index}, round {self.cycle})"
        got: dict[str, int] = {}

        async def post() -> None:
            form = asker.keyed("listing", request_form(title, skill))
            path = await asker.call("save listing", SAVE, {"form": form}, has_events)
            got["listing"] = id_in(path, "/market")

        async def propose() -> None:
            form = {"listing_id": str(got["listing"]), "note": "Happy to help."}
            form = helper.keyed("booking", form)
            path = await helper.call("propose", PROPOSE, {"form": form}, has_events)
            got["engagement"] = id_in(path, "/engagements")

        def act(who: SimMember, action: str) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                form = {"engagement_id": str(got["engagement"]), "action": action}
                await who.call(f"act {action}", ACT, {"form": form}, has_events)
                if action == "confirm":
                    asker.rec.confirmed += 1

            return run

        def message(who: SimMember, body: str) -> Callable[[], Awaitable[None]]:
            async def run() -> None:
                form = {"engagement_id": str(got["engagement"]), "body": body}
                form = who.keyed("message", form)
                await who.call("message", MESSAGE, {"form": form}, has_events)

            return run

        async def search() -> None:
            form = {"form": search_form(skill)}
            await helper.call("search", SEARCH, form, market_delta)

        def page(who: SimMember, path: Callable[[], str]) -> Step:
            return (who, lambda: who.navigate(path()))

        def listing() -> str:
            return f"/market/{got['listing']}"

        def engagement() -> str:
            return f"/engagements/{got['engagement']}"

        self.queue = deque([
            page(asker, lambda: "/market/new"),
            (asker, post),
            page(asker, listing),
            page(helper, lambda: "/market"),
            (helper, search),
            page(helper, listing),
            (helper, propose),
            page(helper, engagement),
            page(asker, lambda: "/inbox"),
            page(asker, engagement),
            (asker, act(asker, "accept")),
            page(helper, engagement),
            (helper, message(helper, "On it; I'll send notes tonight.")),
            (helper, act(helper, "deliver")),
            page(asker, engagement),
            (asker, act(asker, "confirm")),
            (asker, message(asker, "Thanks, that was a great help!")),
        ])  # fmt: skip


def request_form(title: str, skill: str) -> dict[str, str]:
    return {
        "kind": "request",
        "title": title,
        "description": f"Looking for someone who knows {skill} for an hour.",
        "tags": skill,
        "terms": "karma",
        "price": str(PRICE),
        "currency": "usd",
        "rate_kind": "hourly",
        "capacity": "1",
        "deadline": "",
        "audience": "public",
        "chosen": "",
    }


def search_form(query: str) -> dict[str, str]:
    return {
        "query": query,
        "kind": "any",
        "terms": "any",
        "tag": "",
        "degree": "any",
        "recency": "any",
    }


BROWSING = ("/market", "/dashboard", "/inbox", "/engagements")


async def browse(member: SimMember, rng: random.Random, skills: list[str]) -> None:
    """What a member does while waiting for the other: look around."""
    if member.path == "/market" and rng.random() < 0.5:
        form = search_form(rng.choice(skills))
        await member.call("search", SEARCH, {"form": form}, market_delta)
    else:
        await member.navigate(rng.choice(BROWSING))


async def act_out(
    member: SimMember,
    pair: Pair,
    until: float,
    seed: int,
    skills: list[str],
    every: float,
    recover: Callable[[SimMember, random.Random], Awaitable[bool]] | None = None,
) -> None:
    """One client's loop: an action about every `every` seconds until `until`.
    Without `recover` a dropped socket ends it; with it (faults.py), each turn
    first lets `recover` bring the tab back, which takes the turn if it did."""
    pace = Pace(seed, every)
    rng = pace.rng
    while recover is not None or not member.socket.closed.is_set():
        if not await pace.turn(until):
            return
        if recover is not None and await recover(member, rng):
            continue
        step = pair.take(member)
        try:
            if step is None:
                await browse(member, rng, skills)
            else:
                await step[1]()
                pair.done(True)
        except (StepFailed, Disconnected, KeyError) as failure:
            member.rec.error(member.doing, str(failure) or type(failure).__name__)
            if step is not None:
                pair.done(False)
        pace.answered()
    member.rec.error("socket", "dropped")


class Pace:
    """One client's pacing: its first action at a random moment of the first
    interval, each next one 0.8-1.2 intervals after the previous was due (0.4-0.6
    s at 0.5 s), or at once when the previous reply came later than that."""

    def __init__(self, seed: int, every: float):
        self.rng, self.every = random.Random(seed), every
        self.next_at = time.perf_counter() + self.rng.uniform(0, every)

    async def turn(self, until: float) -> bool:
        """Wait for the next action's moment; False once the window is over."""
        await asyncio.sleep(max(0.0, self.next_at - time.perf_counter()))
        if time.perf_counter() >= until:
            return False
        self.next_at += self.every * self.rng.uniform(0.8, 1.2)
        return True

    def answered(self) -> None:
        """The action's reply came: a late one moves the schedule to now."""
        self.next_at = max(self.next_at, time.perf_counter())


async def heartbeats(members: list[SimMember], until: float) -> None:
    """The navigation's timer, spread evenly over its period."""
    for n in range(int((until - time.perf_counter()) / HEARTBEAT * len(members)) + 1):
        member = members[n % len(members)]
        member.heartbeat()
        await asyncio.sleep(HEARTBEAT / len(members))
        if time.perf_counter() >= until:
            return


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class Config:
    """`sqlite-1w`, `pg-redis-4w`; `+oplock` lets each worker keep the Redis
    lock and the state of its own clients between events (Reflex's
    REFLEX_OPLOCK_ENABLED, off by default)."""

    name: str
    postgres: bool
    workers: int
    oplock: bool = False

    @classmethod
    def parse(cls, name: str) -> Config:
        found = re.fullmatch(r"(sqlite|pg-redis)-(\d+)w(\+oplock)?", name)
        if not found or (found.group(3) and found.group(1) == "sqlite"):
            raise SystemExit(f"unknown configuration {name!r}")
        postgres, workers = found.group(1) == "pg-redis", int(found.group(2))
        return cls(name, postgres, workers, bool(found.group(3)))


try:  # loaded here: the child process between fork and exec must not dlopen
    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """In the server's child process: get SIGTERM if the benchmark dies."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """`reflex run --env prod --backend-only` in its own process group."""

    def __init__(self, run_dir: Path, db_url: str, redis_url: str, config: Config):
        self.port = free_port()
        self.workers = workers = config.workers
        self.log = run_dir / f"server-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("REFLEX_REDIS")}
        env.update(
            REFLEX_DB_URL=db_url,
            GRANIAN_WORKERS=str(workers),
            REFLEX_TELEMETRY_ENABLED="false",
            REFLEX_CHECK_LATEST_VERSION="false",
        )
        if redis_url:
            env["REFLEX_REDIS_URL"] = redis_url
        if config.oplock:
            env["REFLEX_OPLOCK_ENABLED"] = "true"
        command = [
            sys.executable,
            "-m",
            "reflex",
            "run",
            "--env",
            "prod",
            "--backend-only",
            "--backend-port",
            str(self.port),
        ]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=run_dir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self, timeout: float = 120.0) -> float:
        began = time.perf_counter()
        while time.perf_counter() - began < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{self.log_tail()}")
            if self._healthy() and len(self.processes()) >= self.workers + 1:
                return time.perf_counter() - began
            time.sleep(0.25)
        raise RuntimeError(f"the server did not come up in {timeout:.0f}s")

    def _healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.port}/_health"
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    def processes(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def rss(self) -> int:
        total = 0
        for proc in self.processes():
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def sockets_per_worker(self) -> list[int]:
        """Open connections on our port, per worker process: a socket stays
        with the worker that accepted it for as long as it lives."""
        counts = []
        for proc in self.processes()[1:]:
            with contextlib.suppress(psutil.Error):
                counts.append(
                    sum(
                        1
                        for c in proc.net_connections(kind="tcp")
                        if c.laddr and c.laddr.port == self.port and c.raddr
                    )
                )
        return sorted(counts, reverse=True)

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in self.processes():
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
        return total

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def log_errors(self) -> list[str]:
        """The exceptions the server logged, one line each."""
        with contextlib.suppress(OSError):
            lines = self.log.read_text(errors="replace").splitlines()
            return [line.strip() for line in lines if EXCEPTION_LINE.match(line)]
        return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # stragglers of the group


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_app(run_dir: Path) -> None:
    """The app as it is now, in a scratch directory: `reflex run` writes .web
    and .states where it runs, and edits in the project can't reach a run."""
    shutil.copytree(
        ROOT / "marketplace",
        run_dir / "marketplace",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy2(ROOT / "rxconfig.py", run_dir / "rxconfig.py")


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    """One configuration's database and the load-test members in it."""

    url: str
    engine: Engine
    pg_name: str = ""
    emails: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)  # email -> session

    def close(self) -> None:
        db.use_engine(None)
        self.engine.dispose()
        if self.pg_name:
            drop_database(self.pg_name)


def make_database(config: Config, scratch: Path, n: int) -> Database:
    if config.postgres:
        name = f"bench_load_{os.getpid()}_{n}"
        url = create_database(name)
    else:
        name, url = "", f"sqlite:///{scratch / f'{config.name}.db'}"
    database = Database(url, db.make_engine(url), name)
    db.use_engine(database.engine)
    upgrade_to_head(database.engine)
    return database


def populate(database: Database, members: int, seed: int) -> None:
    """The demo network as background, then the load-test members through the
    accounts service, each with tags and one standing offer."""
    rng = random.Random(seed)
    with db.unit_of_work() as session:
        seed_network(session, members=50, seed=7)
    skills = taxonomy.all_skills()
    database.skills = rng.sample(skills, 40)
    hashed = hash_password(PASSWORD)
    original = accounts.hash_password
    accounts.hash_password = lambda _password: hashed  # argon2 once, not per member
    try:
        with db.unit_of_work() as session:
            for i in range(members):
                database.emails.append(_load_member(session, i, rng, skills))
    finally:
        accounts.hash_password = original
    # A live database has planner statistics; a freshly filled one has none
    # until autovacuum gets to it, and PostgreSQL then picks plans 10x slower
    # (the dashboard's shared-tags join: 1.4 ms instead of 0.1).
    with database.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


def _load_member(session, i: int, rng: random.Random, skills: list[str]) -> str:
    email = f"load{i}@load.example"
    joined = accounts.register(
        session,
        email=email,
        handle=f"load{i}",
        display_name=f"Load Member {i}",
        password=PASSWORD,
    )
    # members of a load test verified their address long ago, and the
    # network trusts them as it would a regular (karma is mutual credit: the
    # limit, round(20 x trust) = 10, lets the asker of each round pay for help
    # before the roles swap and they earn it back)
    session.get(Member, joined.member_id).email_verified_at = datetime.now(UTC)
    session.add(
        MemberTrust(
            member_id=joined.member_id, score=0.5, computed_at=datetime.now(UTC)
        )
    )
    session.flush()
    credit.refresh_limit(session, joined.member_id)
    give, get = rng.sample(skills, 3), rng.sample(skills, 2)
    profiles.replace_tags(session, joined.member_id, {"give": give, "get": get})
    offer = {
        "kind": "offer",
        "title": f"I can help with {give[0]}",
        "description": f"An hour of {give[0]} help, for karma.",
        "tags": ", ".join(give),
        "terms": "karma",
        "price": "2",
        "capacity": "3",
        "audience": "public",
    }
    listings.create_listing(session, actor_id=joined.member_id, form=offer)
    return email


def confirmed_engagements(database: Database) -> int:
    with db.read_only() as session:
        return session.execute(
            select(func.count())
            .select_from(Engagement)
            .join(Member, Member.id == Engagement.asker_id)
            .where(
                Engagement.status == "confirmed", Member.email.like("%@load.example")
            )
        ).scalar_one()


def create_database(name: str) -> str:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            PG_DATABASES.add(name)
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def drop_database(name: str) -> None:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        PG_DATABASES.discard(name)
    finally:
        admin.dispose()


def _admin_engine() -> Engine:
    return db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")


# --------------------------------------------------------------------------- one level


class Rates:
    """What a measured window's counts come to (Result, Baseline)."""

    errors: Counter
    completed: int
    wire_events: int
    seconds: float
    cpu: dict[str, float]

    def _figures(self, latency: list[float]) -> dict:
        """The JSON figures every measured window reports."""
        return {
            "p50_ms": round(percentile(latency, 50), 1),
            "p95_ms": round(percentile(latency, 95), 1),
            "p99_ms": round(percentile(latency, 99), 1),
            "events_per_s": round(self.events_per_s, 1),
            "round_trips": self.completed,
            "wire_events_per_s": round(self.wire_events / self.seconds, 1)
            if self.seconds
            else 0.0,
            "errors": self.error_count,
        }

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def events_per_s(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU time per round trip: what one user action costs it."""
        return self._cpu_ms("server")

    @property
    def machine_cpu_ms(self) -> float:
        """The whole machine's CPU time per round trip (server, database,
        Redis, this load generator and any noise): what an action costs a
        node, comparable between the mix and the baseline of one run."""
        return self._cpu_ms("machine")

    @property
    def own_cpu_ms(self) -> float:
        """CPU time per round trip of the processes that do this run's work:
        the server, its PostgreSQL backends and Redis, and this load
        generator; not the rest of the machine (other people's work, which
        on a shared machine can dwarf a quiet baseline's). What an action
        costs a node, comparable between the mix and the baseline."""
        return sum(self._cpu_ms(part) for part in ("server", "db", "loadgen"))

    def _cpu_ms(self, part: str) -> float:
        if not self.completed:
            return 0.0
        return self.cpu.get(part, 0.0) / 100 * self.seconds * 1000 / self.completed


@dataclass
class Result(Rates):
    config: str
    workers: int
    clients: int
    latency: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    completed: int = 0
    wire_events: int = 0
    seconds: float = 0.0
    mem_idle: int = 0
    mem_connected: int = 0
    redis_idle: int = 0
    redis_connected: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    start_seconds: float = 0.0
    login_seconds: float = 0.0
    confirmed_seen: int = 0
    confirmed_db: int = 0
    audit_ok: bool = False
    audit_breaches: list[str] = field(default_factory=list)
    server_log_errors: int = 0
    load_average: tuple[float, ...] = ()
    profile: list[tuple[str, float]] = field(default_factory=list)
    sockets: list[int] = field(default_factory=list)  # per worker, busiest first

    @property
    def all_ms(self) -> list[float]:
        return [ms for values in self.latency.values() for ms in values]

    @property
    def mem_per_client_kb(self) -> float:
        grown = self.mem_connected - self.mem_idle
        grown += self.redis_connected - self.redis_idle
        return grown / 1024 / self.clients if self.clients else 0.0

    def summary(self) -> dict:
        return {
            "config": self.config,
            "workers": self.workers,
            "clients": self.clients,
            **self._figures(self.all_ms),
            "audit_ok": self.audit_ok,
            "mem_per_client_kb": round(self.mem_per_client_kb, 1),
            "server_rss_mb": round(self.mem_connected / 2**20, 1),
            "confirmed": self.confirmed_db,
            "cpu_pct": {k: round(v, 1) for k, v in self.cpu.items()},
            "server_cpu_ms_per_action": round(self.server_cpu_ms, 2),
            "machine_cpu_ms_per_action": round(self.machine_cpu_ms, 2),
            "cpu_ms_per_action": round(self.own_cpu_ms, 2),
            "server_log_errors": self.server_log_errors,
            "sockets_per_worker": self.sockets,
            "p95_ms_by_action": {
                kind: round(percentile(values, 95), 1)
                for kind, values in sorted(self.latency.items())
            },
        }


class CpuMeter:
    """CPU used over a window, in % of one CPU: the server's processes, this
    load generator, our PostgreSQL backends (their process title names our
    database) and Redis, and the rest of the machine (other people's work)."""

    def __init__(self, server: Server, pg_name: str):
        self.server, self.pg_name = server, pg_name
        self._start = self._read()

    def _stores(self) -> dict[int, float]:
        found = {}
        for proc in psutil.process_iter(["name", "cmdline"]):
            name, cmdline = proc.info["name"] or "", proc.info["cmdline"] or []
            ours = name.startswith("redis") or (
                self.pg_name and any(self.pg_name in part for part in cmdline)
            )
            if ours:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    found[proc.pid] = times.user + times.system
        return found

    def _read(self) -> dict:
        machine = psutil.cpu_times()
        me = psutil.Process().cpu_times()
        return {
            "time": time.perf_counter(),
            "machine": sum(
                (
                    machine.user,
                    machine.system,
                    machine.nice,
                    machine.irq,
                    machine.softirq,
                )
            ),
            "server": self.server.cpu_seconds(),
            "loadgen": me.user + me.system,
            "stores": self._stores(),
        }

    def stop(self) -> dict[str, float]:
        end, start = self._read(), self._start
        span = end["time"] - start["time"]
        used = {
            k: (end[k] - start[k]) / span * 100
            for k in ("machine", "server", "loadgen")
        }
        stores = sum(
            t - start["stores"].get(pid, 0.0) for pid, t in end["stores"].items()
        )
        used["db"] = stores / span * 100
        used["other"] = max(
            0.0, used["machine"] - used["server"] - used["loadgen"] - used["db"]
        )
        return used


class RedisMeter:
    def __init__(self, db_number: int | None):
        self.client = (
            redis.Redis(REDIS_HOST, REDIS_PORT, db=db_number)
            if db_number is not None
            else None
        )

    def flush(self) -> None:
        if self.client is not None:
            REDIS_DBS.add(self.client.connection_pool.connection_kwargs["db"])
            self.client.flushdb()

    def used(self) -> int:
        if self.client is None:
            return 0
        return int(self.client.info("memory")["used_memory"])


def _serve(
    config: Config, source: Path, db_url: str, args
) -> tuple[RedisMeter, Server]:
    """A fresh server for one level (the app or the baseline), served as the
    configuration says, with our Redis database flushed first."""
    meter = RedisMeter(args.redis_db if config.postgres else None)
    meter.flush()
    redis_url = (
        f"redis://{REDIS_HOST}:{REDIS_PORT}/{args.redis_db}" if config.postgres else ""
    )
    server = Server(source, db_url, redis_url, config)
    SERVERS.append(server)
    return meter, server


async def _retire(
    server: Server, members: list, meter: RedisMeter, args, name: str, label: str
) -> int:
    """Close the clients, stop the server, keep its log (`--logs`) and say
    what it logged as errors; returns how many."""
    await asyncio.gather(*(m.close() for m in members), return_exceptions=True)
    await asyncio.to_thread(server.stop)
    SERVERS.remove(server)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copy(server.log, args.logs / f"{name}.log")
    errors = server.log_errors()
    if errors:
        say(f"  {label}:\n    " + "\n    ".join(errors[:5]))
    meter.flush()
    return len(errors)


async def run_level(
    config: Config, database: Database, clients: int, args, scratch: Path
) -> Result:
    result = Result(config.name, config.workers, clients)
    meter, server = _serve(config, scratch / "run", database.url, args)
    members: list[SimMember] = []
    try:
        result.start_seconds = await asyncio.to_thread(server.wait_ready)
        await _measure(server, meter, database, clients, args, result, members)
    finally:
        result.server_log_errors = await _retire(
            server, members, meter, args, f"{config.name}-{clients}", "server log"
        )
    _audit(database, result)
    return result


async def _measure(server, meter, database, clients, args, result, members) -> None:
    rec = Recorder()
    await _warm_up(server, database, rec, args)
    await asyncio.sleep(1.0)
    result.mem_idle, result.redis_idle = server.rss(), meter.used()
    began = time.perf_counter()
    members.extend(
        SimMember(server.port, email, rec, args.timeout)
        for email in database.emails[:clients]
    )
    await _sign_in(members, rec, database.cookies)
    result.login_seconds = time.perf_counter() - began
    await asyncio.sleep(1.0)
    result.mem_connected, result.redis_connected = server.rss(), meter.used()
    result.sockets = server.sockets_per_worker()
    say(
        f"    {clients} clients in ({result.login_seconds:.0f}s); server RSS "
        f"{result.mem_idle / 2**20:.0f} -> {result.mem_connected / 2**20:.0f} MB"
        + (
            f", redis {result.redis_idle / 2**20:.1f} -> "
            f"{result.redis_connected / 2**20:.1f} MB"
            if meter.client
            else ""
        )
    )
    confirmed_before = confirmed_engagements(database)
    result.load_average = os.getloadavg()
    await _window(members, rec, database, args, result, server)
    result.confirmed_seen = rec.confirmed
    result.confirmed_db = confirmed_engagements(database) - confirmed_before
    if result.confirmed_db < result.confirmed_seen:  # more: replies lost (errors)
        rec.error(
            "ledger",
            f"{result.confirmed_db} engagements confirmed in the database, "
            f"{result.confirmed_seen} confirmations seen by clients",
        )
    result.latency, result.errors, result.examples = (
        rec.latency,
        rec.errors,
        rec.examples,
    )
    result.completed = rec.completed


async def _warm_up(server: Server, database: Database, rec: Recorder, args) -> None:
    """A few members touch every page first, so first-use costs (imports,
    caches) are not counted as per-client memory or as latency."""
    emails = database.emails[-WARM_MEMBERS_PER_WORKER * server.workers :]
    warm = [
        SimMember(server.port, email, Recorder(), args.timeout * 3) for email in emails
    ]
    try:
        await _sign_in(warm, rec, database.cookies)
        for path in (
            "/market",
            "/market/new",
            "/inbox",
            "/engagements",
            "/wallet",
            "/dashboard",
        ):
            await asyncio.gather(*(m.navigate(path) for m in warm))
        await asyncio.gather(
            *(
                m.call("search", SEARCH, {"form": search_form("seo")}, market_delta)
                for m in warm
            )
        )
    finally:
        await asyncio.gather(*(m.close() for m in warm), return_exceptions=True)


async def _sign_in(
    members: list[SimMember], rec: Recorder, cookies: dict[str, str]
) -> None:
    """Each member logs in once through the login form (argon2: slow on
    purpose) and the session handoff; at later levels it comes back as a
    browser does, its session cookie in the socket's handshake, straight to
    the dashboard."""
    connects, logins = (
        asyncio.Semaphore(CONNECTS_AT_ONCE),
        asyncio.Semaphore(LOGINS_AT_ONCE),
    )

    async def one(member: SimMember) -> None:
        member.cookie = cookies.get(member.email, "")
        try:
            async with connects:
                await member.connect("/dashboard" if member.cookie else "/login")
            if not member.cookie:
                async with logins:
                    await member.log_in()
                cookies[member.email] = member.cookie
        except (StepFailed, Disconnected, OSError, TimeoutError) as failure:
            rec.error("connect/login", str(failure) or type(failure).__name__)

    await asyncio.gather(*(one(m) for m in members))


async def _window(members, rec: Recorder, database, args, result, server) -> None:
    pairs = [
        Pair(i, members[2 * i], members[2 * i + 1], database.skills)
        for i in range(len(members) // 2)
    ]
    by_member = {id(m): p for p in pairs for m in (p.a, p.b)}
    live = [m for m in members if id(m) in by_member and m.cookie]
    now = time.perf_counter()
    rec.started = now + args.warmup
    until = rec.started + args.seconds
    rec.measuring = True
    tasks = [
        asyncio.create_task(
            act_out(
                m,
                by_member[id(m)],
                until,
                hash((args.seed, i)),
                database.skills,
                args.interval,
            )
        )
        for i, m in enumerate(live)
    ]
    tasks.append(asyncio.create_task(heartbeats(live, until)))
    try:
        await asyncio.sleep(max(0.0, rec.started - time.perf_counter()))
        cpu = CpuMeter(server, database.pg_name)
        sent_at_start = sum(m.socket.sent for m in members)
        profilers = start_profilers(server, args, result)
        await _progress(rec, until)
        result.cpu = cpu.stop()
        await asyncio.to_thread(finish_profilers, profilers, result)
        result.wire_events = sum(m.socket.sent for m in members) - sent_at_start
        result.seconds = args.seconds
        await asyncio.gather(*tasks)  # in-flight actions finish (or time out)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _progress(rec: Recorder, until: float) -> None:
    while (left := until - time.perf_counter()) > 0:
        await asyncio.sleep(min(10.0, left))
        values = rec.all_latencies()
        say(
            f"      {until - time.perf_counter():4.0f}s left: {rec.completed:,} round "
            f"trips, p95 {percentile(values, 95):.0f} ms, "
            f"{sum(rec.errors.values())} errors"
        )


def start_profilers(server: Server, args, result: Result) -> list:
    """With --profile: py-spy samples every server process for the window."""
    if not args.profile:
        return []
    tool = shutil.which("py-spy") or os.environ.get("PY_SPY", "")
    if not tool:
        say("    (no py-spy on PATH: not profiling)")
        return []
    args.profile.mkdir(parents=True, exist_ok=True)
    started = []
    for proc in server.processes():
        out = args.profile / f"{result.config}-{result.clients}-{proc.pid}.txt"
        command = [tool, "record", "--pid", str(proc.pid), "--rate", "50",
                   "--duration", str(int(args.seconds)), "--format", "raw",
                   "--nonblocking", "--output", str(out)]  # fmt: skip
        if args.profile_cpu:
            command.append("--gil")
        started.append((subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL), out))  # fmt: skip
    return started


def finish_profilers(profilers: list, result: Result) -> None:
    stacks: Counter[str] = Counter()
    for proc, out in profilers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(OSError):
            for line in out.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if count.isdigit():
                    stacks[stack] += int(count)
    result.profile = _hot_spots(stacks)


def _hot_spots(stacks: Counter[str], top: int = 12) -> list[tuple[str, float]]:
    """Where the server's busy samples went, inclusive, as shares: Reflex's
    event processing as a whole, then the app's handlers and services."""
    total = sum(stacks.values()) or 1
    inclusive: Counter[str] = Counter()
    for stack, count in stacks.items():
        for frame in {_function(f) for f in stack.split(";")}:
            inclusive[frame] += count
    framework = [(f, n) for f, n in inclusive.items() if f.startswith("process_event")]
    app = [(f, n) for f, n in inclusive.most_common() if f.startswith("marketplace/")]
    picked = framework + app[:top]
    return [(frame, n / total) for frame, n in picked]


def _function(frame: str) -> str:
    """`marketplace/states/market.py MarketState.load` from py-spy's
    `MarketState.load (marketplace/states/market.py:44)`."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    if "/marketplace/" in "/" + path:
        path = "marketplace/" + ("/" + path).rsplit("/marketplace/", 1)[-1]
        return f"{path} {name}"
    return f"{name} ({path.rsplit('/', 1)[-1]})"


def _audit(database: Database, result: Result) -> None:
    with db.read_only() as session:
        report = audit_ledger(session)
    result.audit_ok = report.ok
    result.audit_breaches = report.breaches[:10]


# --------------------------------------------------------------------------- baseline

BASELINE_STATE = f"{STATE}.baseline___baseline____baseline_state"  # BaselineState
BASELINE_READ = f"{BASELINE_STATE}.read"
BASELINE_SEQ = "seq_rx_state_"
BASELINE_KINDS = ("event", "page", "page-inline")
# the path of each page kind: `/` loads through Reflex's own chain, `/inline`
# as the app's pages do (marketplace/states/page_load.py)
BASELINE_PAGES = {"page": "/", "page-inline": "/inline"}
APP_PAGE_KIND = "page-inline"  # the mix's p95 is compared with this one
BASELINE_ROWS = 100

BASELINE_APP = '''"""benchmarks/load.py's baseline: the issue's trivial handler (one
SQLite read) behind Reflex's event and page protocol, and nothing else."""

import os
import sqlite3
from pathlib import Path

import reflex as rx

DATABASE = Path(__file__).resolve().parent.parent / "baseline.db"
ROWS = @ROWS@
_connection: tuple[int, sqlite3.Connection] | None = None


def one_read(n: int) -> str:
    """One SELECT of one row, on this worker process's own connection."""
    global _connection
    if _connection is None or _connection[0] != os.getpid():
        _connection = (os.getpid(), sqlite3.connect(DATABASE, check_same_thread=False))
    query = "SELECT name FROM item WHERE id = ?"
    return _connection[1].execute(query, (n % ROWS + 1,)).fetchone()[0]


class BaselineState(rx.State):
    token: str = rx.Cookie("")  # the page's cookie, sent on every navigation
    seq: int = 0
    value: str = ""

    @rx.event
    def read(self, seq: int):
        """The event load: one read; the reply's delta carries seq and value."""
        self.seq = seq
        self.value = one_read(seq)

    @rx.event
    def load(self):
        """The page's on_load: the same one read."""
        self.value = one_read(self.seq)


def index() -> rx.Component:
    return rx.text(BaselineState.value)


from reflex.state import OnLoadInternalState  # noqa: E402

from baseline import page_load  # noqa: E402  (a copy of the app's)

REFLEX_CHAIN = OnLoadInternalState.event_handlers["on_load_internal"].fn


async def on_load_internal(self):
    """`/inline` loads as the app's pages do, `/` through Reflex's chain."""
    if self.rx_router_url.path.rstrip("/") == "/inline":
        return await page_load.on_load_internal(self)
    return REFLEX_CHAIN(self)


page_load.install(on_load_internal)
app = rx.App()
app.add_page(index, route="/", on_load=BaselineState.load)
app.add_page(index, route="/inline", on_load=BaselineState.load)
'''.replace("@ROWS@", str(BASELINE_ROWS))

BASELINE_RXCONFIG = """import os

import reflex as rx

config = rx.Config(
    app_name="baseline",
    db_url=os.environ.get("REFLEX_DB_URL"),
    show_built_with_reflex=False,
    telemetry_enabled=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""


def write_baseline_app(run_dir: Path) -> str:
    """The baseline app and its SQLite file in a scratch directory; returns
    the file's URL (the server's REFLEX_DB_URL: Reflex itself never opens it)."""
    (run_dir / "baseline").mkdir(parents=True)
    (run_dir / "baseline" / "__init__.py").write_text("")
    (run_dir / "baseline" / "baseline.py").write_text(BASELINE_APP)
    shutil.copy(
        ROOT / "marketplace" / "states" / "page_load.py",
        run_dir / "baseline" / "page_load.py",
    )
    (run_dir / "rxconfig.py").write_text(BASELINE_RXCONFIG)
    path = run_dir / "baseline.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        conn.executemany(
            "INSERT INTO item (id, name) VALUES (?, ?)",
            [(n, f"item {n}") for n in range(1, BASELINE_ROWS + 1)],
        )
    return f"sqlite:///{path}"


class BaselineMember(SimMember):
    """A tab of the baseline app: the pages `/` and `/inline` (their on_load
    does one read) and the `read` event, with the page's `rx.Cookie` sent
    with the hydrate event and on every navigation (`update_vars_internal`),
    as Reflex's frontend sends a cookie it can read. The app's session cookie
    is not one of those: it travels in the socket's handshake."""

    cookie_var = f"{BASELINE_STATE}.token_rx_state_"

    def __init__(self, port: int, n: int, rec: Recorder, timeout: float):
        super().__init__(port, f"baseline{n}", rec, timeout)
        self.page_cookie = f"baseline-{n}"
        self.seq = 0

    def _client_storage(self) -> dict[str, str]:
        return {self.cookie_var: self.page_cookie}

    async def read(self) -> None:
        """One `read` event, until the delta with its seq."""
        self.seq += 1
        seq = self.seq

        def answered(update: dict) -> bool:
            changes = (update.get("delta") or {}).get(BASELINE_STATE) or {}
            return changes.get(BASELINE_SEQ) == seq

        await self.call("event", BASELINE_READ, {"seq": seq}, answered)


async def baseline_out(member: BaselineMember, kind: str, until: float, seed: int,
                       every: float) -> None:  # fmt: skip
    """One baseline client: the `read` event, or the page, at the mix's pace."""
    pace = Pace(seed, every)
    while not member.socket.closed.is_set():
        if not await pace.turn(until):
            return
        try:
            if kind == "event":
                await member.read()
            else:
                await member.navigate(BASELINE_PAGES[kind])
        except (StepFailed, Disconnected) as failure:
            member.rec.error(member.doing, str(failure) or type(failure).__name__)
        pace.answered()
    member.rec.error("socket", "dropped")


@dataclass
class Baseline(Rates):
    """One baseline load (`event` or `page`) at one configuration and level."""

    config: str
    kind: str
    clients: int
    latency: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    completed: int = 0
    wire_events: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    start_seconds: float = 0.0
    load_average: tuple[float, ...] = ()

    def summary(self) -> dict:
        return {
            "config": self.config,
            "kind": self.kind,
            "clients": self.clients,
            **self._figures(self.latency),
            "cpu_pct": {k: round(v, 1) for k, v in self.cpu.items()},
            "server_cpu_ms_per_action": round(self.server_cpu_ms, 2),
            "machine_cpu_ms_per_action": round(self.machine_cpu_ms, 2),
            "cpu_ms_per_action": round(self.own_cpu_ms, 2),
        }


async def run_baselines(
    config: Config, clients: int, args, scratch: Path
) -> list[Baseline]:
    """The baseline app served as the configuration serves the real one (state
    manager, workers, oplock), a fresh server per level; its clients connect
    once, then run the `event`, `page` and `page-inline` loads one after the
    other."""
    meter, server = _serve(config, scratch / "baseline", args.baseline_db_url, args)
    rec = Recorder()
    members = [
        BaselineMember(server.port, n, rec, args.timeout) for n in range(clients)
    ]
    out: list[Baseline] = []
    try:
        up = await asyncio.to_thread(server.wait_ready)
        connects = asyncio.Semaphore(CONNECTS_AT_ONCE)

        async def connect(member: BaselineMember) -> bool:
            try:
                async with connects:
                    await member.connect("/")
                return True
            except (StepFailed, Disconnected, OSError, TimeoutError) as failure:
                rec.error("connect", str(failure) or type(failure).__name__)
                return False

        began = time.perf_counter()
        connected = await asyncio.gather(*(connect(m) for m in members))
        live = [m for m, ok in zip(members, connected, strict=True) if ok]
        say(
            f"    baseline: {len(live)} clients in "
            f"({time.perf_counter() - began:.0f}s), server up in {up:.0f}s"
        )
        for kind in BASELINE_KINDS:
            result = Baseline(config.name, kind, clients, start_seconds=up)
            result.errors.update(rec.errors)  # failed connects count in both
            result.examples.update(rec.examples)
            await _baseline_window(kind, live, args, server, result)
            out.append(result)
            say(
                f"    baseline {kind}: p50 {percentile(result.latency, 50):.0f} ms, "
                f"p95 {percentile(result.latency, 95):.0f} ms, "
                f"{result.events_per_s:.0f}/s, {result.error_count} errors, "
                f"server {result.server_cpu_ms:.1f} ms CPU per round trip"
            )
    finally:
        await _retire(
            server,
            members,
            meter,
            args,
            f"{config.name}-{clients}-baseline",
            "baseline server log",
        )
    return out


async def _baseline_window(
    kind: str, members: list[BaselineMember], args, server: Server, result: Baseline
) -> None:
    rec = Recorder()
    for member in members:
        member.rec = rec
    rec.started = time.perf_counter() + args.baseline_warmup
    until = rec.started + args.baseline_seconds
    rec.measuring = True
    number = BASELINE_KINDS.index(kind)
    tasks = [
        asyncio.create_task(
            baseline_out(m, kind, until, hash((args.seed, number, i)), args.interval)
        )
        for i, m in enumerate(members)
    ]
    try:
        await asyncio.sleep(max(0.0, rec.started - time.perf_counter()))
        cpu = CpuMeter(server, "")
        sent_at_start = sum(m.socket.sent for m in members)
        result.load_average = os.getloadavg()
        await _progress(rec, until)
        result.cpu = cpu.stop()
        result.wire_events = sum(m.socket.sent for m in members) - sent_at_start
        result.seconds = args.baseline_seconds
        await asyncio.gather(*tasks)  # in-flight round trips finish (or time out)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    result.latency = rec.all_latencies()
    result.completed = rec.completed
    result.errors.update(rec.errors)
    for key, example in rec.examples.items():
        result.examples.setdefault(key, example)


# --------------------------------------------------------------------------- report


def cpu_ratio(r: Result, page: Baseline | None) -> float | None:
    """The mix's CPU per action over the `page-inline` baseline's, at the
    same configuration and level (None without that baseline)."""
    if page is None or not page.own_cpu_ms or not r.completed:
        return None
    return round(r.own_cpu_ms / page.own_cpu_ms, 2)


def targets(results: list[Result], baselines: list[Baseline], interval: float) -> dict:
    """Issue 25's targets, each None when this run did not measure it: no
    errors and clean audits everywhere; on pg-redis-2w at the brisk pace,
    the mix's CPU per action at most TARGET_CPU_RATIO times the baseline
    page's at every level; at a human pace (an action per HUMAN_PACE s),
    p95 under TARGET_HUMAN_P95_MS at HUMAN_LEVEL clients on pg-redis-2w.
    And, when both were run, more throughput with two workers than one."""
    clean = bool(results) and all(r.error_count == 0 and r.audit_ok for r in results)
    main = [r for r in results if r.config == TARGET_CONFIG]
    ratios = {
        str(r.clients): cpu_ratio(r, _baseline_of(baselines, r, APP_PAGE_KIND))
        for r in main
    }
    measured = {k: v for k, v in ratios.items() if v is not None}
    ratio_met = (
        all(v <= TARGET_CPU_RATIO for v in measured.values())
        if measured and interval < HUMAN_PACE
        else None
    )
    human = [r for r in main if r.clients == HUMAN_LEVEL and interval >= HUMAN_PACE]
    human_p95 = round(percentile(human[0].all_ms, 95), 1) if human else None
    human_met = None if human_p95 is None else human_p95 < TARGET_HUMAN_P95_MS
    top = max((r.clients for r in results), default=0)
    one = [r for r in results if r.config == "pg-redis-1w" and r.clients == top]
    several = [
        r for r in results
        if r.config.startswith("pg-redis") and r.workers > 1
        and "+" not in r.config and r.clients == top
    ]  # fmt: skip
    grows = (
        max(r.events_per_s for r in several) > max(r.events_per_s for r in one)
        if one and several
        else None
    )
    return {
        "clean": clean,
        "cpu_ratio_to_baseline": ratios,
        "cpu_ratio_target": TARGET_CPU_RATIO,
        "cpu_ratio_met": ratio_met,
        "human_pace_p95_ms": human_p95,
        "human_pace_target_ms": TARGET_HUMAN_P95_MS,
        "human_pace_met": human_met,
        "throughput_grows": grows,
    }


def targets_ok(goals: dict, failed: str) -> bool:
    """Clean, and every target this run measured met (at least one)."""
    measured = [
        goals[k]
        for k in ("cpu_ratio_met", "human_pace_met", "throughput_grows")
        if goals[k] is not None
    ]
    return not failed and goals["clean"] and bool(measured) and all(measured)


def report(
    results: list[Result], args, failed: str, baselines: list[Baseline] | None = None
) -> int:
    baselines = baselines or []
    out = Console(file=sys.stdout, width=200)
    table = Table(title="Load test: round trips of user actions")
    for column in (
        "config",
        "clients",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "actions/s",
        "events/s",
        "errors",
        "audit",
        "KB/client",
        "CPU% srv/gen/db/other",
    ):
        table.add_column(column, justify="left" if column == "config" else "right")
    for r in results:
        s = r.summary()
        cpu = s["cpu_pct"]
        table.add_row(
            r.config,
            str(r.clients),
            f"{s['p50_ms']:.0f}",
            f"{s['p95_ms']:.0f}",
            f"{s['p99_ms']:.0f}",
            f"{s['events_per_s']:.0f}",
            f"{s['wire_events_per_s']:.0f}",
            str(s["errors"]),
            "clean" if r.audit_ok else "BREACH",
            f"{s['mem_per_client_kb']:.0f}",
            f"{cpu.get('server', 0):.0f}/{cpu.get('loadgen', 0):.0f}/"
            f"{cpu.get('db', 0):.0f}/{cpu.get('other', 0):.0f}",
        )
    out.print(table)
    if baselines:
        out.print(_baseline_table(results, baselines))
    out.print(_by_action(results))
    for r in results:
        _details(out, r)
    for b in baselines:
        _baseline_details(out, b)
    goals = targets(results, baselines, args.interval)
    ok = targets_ok(goals, failed)
    met = {True: "met", False: "MISSED", None: "not measured"}
    out.print(
        f"targets: no errors and clean audits {met[goals['clean']]}; CPU per "
        f"action on {TARGET_CONFIG} at most {TARGET_CPU_RATIO:.1f}x the baseline "
        f"page's {goals['cpu_ratio_to_baseline']} {met[goals['cpu_ratio_met']]}; "
        f"at one action per {HUMAN_PACE:.0f} s, p95 < {TARGET_HUMAN_P95_MS:.0f} ms "
        f"at {HUMAN_LEVEL} clients ({goals['human_pace_p95_ms']}) "
        f"{met[goals['human_pace_met']]}; more throughput with several workers "
        f"than one {met[goals['throughput_grows']]}",
        highlight=False,
    )
    configs = []
    for r in results:
        entry = r.summary()
        page = _baseline_of(baselines, r, APP_PAGE_KIND)
        entry["p95_vs_baseline_page"] = (
            round(entry["p95_ms"] / percentile(page.latency, 95), 2)
            if page is not None and page.latency
            else None
        )
        # what an action of the mix costs the machine, over Reflex's own
        # one-read page loaded as the app's pages load, in the same run
        entry["cpu_ratio_to_baseline"] = cpu_ratio(r, page)
        if entry["cpu_ratio_to_baseline"] is not None:
            out.print(
                f"CPU per action (server + PostgreSQL/Redis + load generator), "
                f"{r.config} at {r.clients} clients: mix {r.own_cpu_ms:.1f} ms, "
                f"page-inline {page.own_cpu_ms:.1f} ms "
                f"= {entry['cpu_ratio_to_baseline']:.2f}x (target "
                f"<= {TARGET_CPU_RATIO:.1f}x)",
                highlight=False,
            )
        configs.append(entry)
    summary = {
        "configs": configs,
        "baselines": [b.summary() for b in baselines],
        "targets": goals,
        "ok": ok,
    }
    if failed:
        summary["error"] = failed
    print(json.dumps(summary), flush=True)
    if failed:
        return 2
    return 0 if ok else 1


def _baseline_of(baselines: list[Baseline], r: Result, kind: str) -> Baseline | None:
    for b in baselines:
        if (b.config, b.clients, b.kind) == (r.config, r.clients, kind):
            return b
    return None


def _baseline_table(results: list[Result], baselines: list[Baseline]) -> Table:
    """The realistic mix next to the baselines of its configuration and level."""
    table = Table(
        title="Baseline in the same run: the mix vs one SQLite read per round trip "
        "(event: the `read` event; page: a navigation whose on_load does the read, "
        "through Reflex's chain; page-inline: the same, loaded as the app's pages)"
    )
    for column in (
        "config",
        "clients",
        "load",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "round trips/s",
        "events/s",
        "errors",
        "srv CPU ms/rt",
        "CPU% srv/gen/db/other",
        "p95 / page-inline p95",
    ):
        table.add_column(column, justify="left" if column == "config" else "right")
    rows: list[tuple[str, int, str, dict]] = []
    mixes = {(r.config, r.clients): r for r in results}
    keys = list(mixes) + [
        (b.config, b.clients) for b in baselines if (b.config, b.clients) not in mixes
    ]
    for key in dict.fromkeys(keys):
        page = next(
            (
                b
                for b in baselines
                if (b.config, b.clients, b.kind) == (*key, APP_PAGE_KIND)
            ),
            None,
        )
        page_p95 = percentile(page.latency, 95) if page and page.latency else 0.0
        if key in mixes:
            rows.append((*key, "mix", mixes[key].summary()))
        rows.extend(
            (*key, b.kind, b.summary())
            for b in baselines
            if (b.config, b.clients) == key
        )
        for config, clients, kind, s in rows:
            cpu = s["cpu_pct"]
            ratio = s["p95_ms"] / page_p95 if page_p95 and kind == "mix" else 0.0
            table.add_row(
                config,
                str(clients),
                kind,
                f"{s['p50_ms']:.0f}",
                f"{s['p95_ms']:.0f}",
                f"{s['p99_ms']:.0f}",
                f"{s['events_per_s']:.0f}",
                f"{s['wire_events_per_s']:.0f}",
                str(s["errors"]),
                f"{s['server_cpu_ms_per_action']:.1f}",
                f"{cpu.get('server', 0):.0f}/{cpu.get('loadgen', 0):.0f}/"
                f"{cpu.get('db', 0):.0f}/{cpu.get('other', 0):.0f}",
                f"{ratio:.2g}x" if ratio else "-",
            )
        rows.clear()
    return table


def _commonest_errors(out: Console, measured: Result | Baseline, most: int) -> None:
    for key, count in measured.errors.most_common(most):
        out.print(
            f"    {count}x {key}  e.g. {measured.examples.get(key, '')}",
            highlight=False,
            markup=False,
        )


def _baseline_details(out: Console, b: Baseline) -> None:
    out.print(
        f"baseline {b.kind} {b.config} @ {b.clients}: server up in "
        f"{b.start_seconds:.0f}s, load average {_load(b.load_average)}, server "
        f"{b.server_cpu_ms:.1f} ms CPU per round trip",
        highlight=False,
        markup=False,
    )
    _commonest_errors(out, b, 3)


ACTION_COLUMNS = {  # the by-action table's short headers
    "page /dashboard": "dashboard",
    "page /market": "market",
    "page /market/[id]": "listing",
    "page /market/new": "new",
    "page /inbox": "inbox",
    "page /engagements": "engagements",
    "page /engagements/[id]": "engagement",
    "search": "search",
    "save listing": "post",
    "propose": "propose",
    "act accept": "accept",
    "act deliver": "deliver",
    "act confirm": "confirm",
    "message": "message",
}


def _by_action(results: list[Result]) -> Table:
    """p95 per action: pages (the on_load chain) and forms."""
    table = Table(title="p95 ms by action (pages: the page's on_load chain)")
    table.add_column("config", no_wrap=True)
    table.add_column("clients", justify="right")
    kinds = [k for k in ACTION_COLUMNS if any(k in r.latency for r in results)]
    for kind in kinds:
        table.add_column(ACTION_COLUMNS[kind], justify="right")
    for r in results:
        cells = [
            f"{percentile(r.latency[kind], 95):.0f}" if kind in r.latency else "-"
            for kind in kinds
        ]
        table.add_row(r.config, str(r.clients), *cells)
    return table


def _details(out: Console, r: Result) -> None:
    out.print(
        f"{r.config} @ {r.clients}: server up in {r.start_seconds:.0f}s, clients "
        f"in {r.login_seconds:.0f}s, load average {_load(r.load_average)}, server "
        f"{r.server_cpu_ms:.1f} ms CPU per action, {r.confirmed_db} engagements "
        f"confirmed, sockets per worker {r.sockets}",
        highlight=False,
        markup=False,
    )
    _commonest_errors(out, r, 5)
    for breach in r.audit_breaches:
        out.print(f"    AUDIT: {breach}", highlight=False, markup=False)
    if r.profile:
        out.print(
            "    server profile (share of busy samples, inclusive):", markup=False
        )
        for frame, share in r.profile:
            out.print(f"      {share:6.1%}  {frame}", highlight=False, markup=False)


# --------------------------------------------------------------------------- main

SERVERS: list[Server] = []  # running now
PG_DATABASES: set[str] = set()  # created, not yet dropped
REDIS_DBS: set[int] = set()  # flushed at the end whatever happens


async def run_all(
    args, scratch: Path, results: list[Result], baselines: list[Baseline]
) -> None:
    members = max(args.levels) + WARM_MEMBERS_PER_WORKER * max(
        c.workers for c in args.configs
    )
    for n, config in enumerate(args.configs):
        say(f"\n[{n + 1}/{len(args.configs)}] {config.name}: {members} members")
        database = make_database(config, scratch, n)
        try:
            began = time.perf_counter()
            populate(database, members, args.seed)
            say(f"  populated in {time.perf_counter() - began:.1f}s")
            for clients in args.levels:
                say(f"  {clients} clients, load average {_load()}")
                result = await run_level(config, database, clients, args, scratch)
                results.append(result)
                s = result.summary()
                say(
                    f"    p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
                    f"{s['events_per_s']}/s, {s['errors']} errors, audit "
                    f"{'clean' if result.audit_ok else 'BREACH'}, "
                    f"{s['mem_per_client_kb']} KB/client"
                )
                if not args.no_baseline:
                    baselines.extend(
                        await run_baselines(config, clients, args, scratch)
                    )
        finally:
            database.close()


def _load(values: tuple[float, ...] = ()) -> str:
    return " ".join(f"{v:.2f}" for v in values or os.getloadavg())


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--levels", help="clients per level, comma-separated (even)")
    parser.add_argument("--seconds", type=float, help="measured window per level")
    parser.add_argument("--warmup", type=float, help="unmeasured start of each window")
    parser.add_argument("--timeout", type=float, default=10.0, help="per round trip")
    parser.add_argument(
        "--interval", type=float, default=INTERVAL, help="seconds between actions"
    )
    parser.add_argument("--redis-db", type=int, default=13, help="our Redis database")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--profile", type=Path, help="py-spy every server process into this folder"
    )
    parser.add_argument(
        "--profile-cpu",
        action="store_true",
        help="with --profile, sample only threads holding the GIL: where the "
        "server's CPU goes, not where it waits for PostgreSQL",
    )
    parser.add_argument("--logs", type=Path, help="keep the servers' logs here")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the baseline (one SQLite read per event / page) after each level",
    )
    parser.add_argument(
        "--baseline-seconds", type=float, help="measured window per baseline load"
    )
    parser.add_argument(
        "--baseline-warmup", type=float, help="unmeasured start of a baseline load"
    )
    args = parser.parse_args(argv)
    preset = QUICK if args.quick else FULL
    args.configs = [
        Config.parse(c.strip())
        for c in (args.configs.split(",") if args.configs else preset["configs"])
    ]
    args.levels = (
        [int(v) for v in args.levels.split(",")]
        if args.levels
        else list(preset["levels"])
    )
    if any(level < 2 or level % 2 for level in args.levels):
        parser.error("levels must be even: clients work in pairs")
    args.seconds = args.seconds or preset["seconds"]
    args.warmup = preset["warmup"] if args.warmup is None else args.warmup
    args.baseline_seconds = args.baseline_seconds or preset["baseline_seconds"]
    if args.baseline_warmup is None:
        args.baseline_warmup = preset["baseline_warmup"]
    args.baseline_db_url = ""  # main writes the baseline app and its file
    return args


def _clean_up() -> None:
    """Whatever a failure or an interruption left behind: servers, databases,
    our Redis database."""
    for server in list(SERVERS):
        with contextlib.suppress(Exception):
            server.stop()
    for name in list(PG_DATABASES):
        with contextlib.suppress(Exception):
            drop_database(name)
    for number in list(REDIS_DBS):
        with contextlib.suppress(Exception):
            redis.Redis(REDIS_HOST, REDIS_PORT, db=number).flushdb()


async def run_guarded(
    args,
    scratch: Path,
    results: list[Result],
    baselines: list[Baseline],
    budget: int,
):
    """SIGTERM stops the run as Ctrl-C does: the main task is cancelled and
    every `finally` on the way out runs."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await asyncio.wait_for(run_all(args, scratch, results, baselines), budget)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    per_level = 90 + args.warmup + args.seconds + 2 * args.timeout
    if not args.no_baseline:  # a server start, the connects, two loads
        per_level += 60 + len(BASELINE_KINDS) * (
            args.baseline_warmup + args.baseline_seconds + 2 * args.timeout
        )
    budget = int(
        sum(per_level + clients * 0.5 for clients in args.levels) * len(args.configs)
        + 120
    )
    say(
        f"Load test: {', '.join(c.name for c in args.configs)} at "
        f"{', '.join(map(str, args.levels))} clients, {args.seconds:.0f}s each "
        f"(+{args.warmup:.0f}s warm-up)"
        + (
            ""
            if args.no_baseline
            else f", baselines {args.baseline_seconds:.0f}s each "
            f"(+{args.baseline_warmup:.0f}s)"
        )
        + f"; {os.cpu_count()} CPUs, load average {_load()} (gives up after {budget}s)"
    )
    results: list[Result] = []
    baselines: list[Baseline] = []
    failed = ""
    scratch = Path(tempfile.mkdtemp(prefix=f"karma_load_{os.getpid()}_"))
    try:
        copy_app(scratch / "run")
        if not args.no_baseline:
            args.baseline_db_url = write_baseline_app(scratch / "baseline")
        asyncio.run(run_guarded(args, scratch, results, baselines, budget))
    except (KeyboardInterrupt, asyncio.CancelledError):
        failed = "KeyboardInterrupt: stopped"
        say("\nstopped; the servers and databases are cleaned up")
    except Exception as exc:
        traceback.print_exc()
        failed = f"{type(exc).__name__}: {exc}"
    finally:
        _clean_up()
        shutil.rmtree(scratch, ignore_errors=True)
    code = report(results, args, failed, baselines)
    return 130 if failed.startswith("KeyboardInterrupt") else code


if __name__ == "__main__":
    sys.exit(main())
