"""Page weight and speed: the JavaScript each main page loads and the time from
navigation to its content, in headless Chromium, against a blank Reflex app
built and served the same way, in the same run.

    python benchmarks/pages.py               # 7 navigations per page
    python benchmarks/pages.py --samples 3   # a smoke run
    python benchmarks/pages.py --chunks      # and each page's biggest scripts

What runs:

1. two scratch directories: a copy of the app (marketplace/, rxconfig.py,
   assets/, alembic/) with a SQLite file migrated and seeded with the demo
   network (`python -m marketplace bootstrap`), and a blank Reflex app (Reflex's
   own `blank` template: one page, one heading, plus one state var its on_load
   sets, and the template's rxconfig);
2. each served as `scripts/serve` serves the app: `reflex run --env prod
   --single-port` (the production build, pages and event socket on one free
   port), one worker, the embedded defaults (no Redis);
3. a member (priya@example.com, the demo login) logs in once through the login
   form; every measured navigation then runs in a fresh browser context (cold
   cache) carrying that session cookie;
4. one unmeasured navigation per page (the server warms up); during it every
   JavaScript response the page loads (resource type `script`, which covers
   module preloads and dynamic imports, or a `.js` URL) is collected until the
   network is idle, and each body compressed with gzip level 6: the page's
   JavaScript weight. The bytes the server actually sent (it serves its
   pre-compressed sidecars) are shown too;
5. `--samples` rounds, each one navigation per page and to the blank app,
   interleaved so that the machine's noise falls on all alike. An init script
   watches the DOM (a MutationObserver, checking at most once per animation
   frame) and notes `performance.now()` (ms since
   navigation start) when the page's `h1` is laid out ("h1"), and when its
   content is ("content"): the `h1` and a sign that the page's on_load data
   arrived (the dashboard's heading names the member; the market shows a
   listing count above zero; the network lists someone going cold; the inbox
   has an item to open; the engagements list has one). The blank page's content
   is its heading and its own on_load var ("Hydrated: yes"): the same socket
   connect, hydrate and on_load round trip, with nothing to read.

The blank page's heading alone is in the pre-rendered HTML, visible before any
script runs; a page's content over that ("x blank h1") is reported too, but
the target compares like with like: content over the blank page's content.

Figures are medians over the samples. Last stdout line: one JSON object,
`{"pages": [{"page", "path", "js_gzip_bytes", "js_wire_bytes", "js_files",
"js_ratio", "content_ms", "heading_ms", "time_ratio", "time_ratio_to_heading",
"samples_ms", ...}], "blank": {...}, "targets": {...}, "ok": ...}`; `js_ratio`
is a page's gzip bytes over the blank page's, `time_ratio` its median content
time over the blank page's, `time_ratio_to_heading` over the blank heading's.
`ok` holds when every page has `js_ratio` <= 1.5 and `time_ratio` <= 1.5.
Exit 0 when ok, 1 when a target is missed, 2 when the benchmark itself
failed. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("MARKETPLACE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-quic",
]  # fmt: skip
DEMO_EMAIL, DEMO_PASSWORD = "priya@example.com", "karma-demo-2026"
TARGET_JS_RATIO = 1.5
TARGET_TIME_RATIO = 1.5
GZIP_LEVEL = 6
NAV_TIMEOUT_MS = 30_000
BUILD_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Target:
    """A page to measure and the JavaScript test that its content is there
    (`h` is the page's first `h1`, `t` the text of the page's body)."""

    name: str
    path: str
    content: str


PAGES = (
    Target("dashboard", "/dashboard", r"/^Welcome, \S/.test(h.textContent.trim())"),
    Target("market", "/market", r"/(^|\D)[1-9]\d* listings?/.test(t)"),
    Target("network", "/network", r"t.includes('Reach out')"),
    Target(
        "inbox",
        "/inbox",
        "[...document.querySelectorAll('a,button')]"
        ".some((e) => e.textContent.trim() === 'Open')",
    ),
    Target("engagements", "/engagements", r"/helps you|You help /.test(t)"),
)
# The blank page's content: its heading, and its on_load var arrived.
BLANK = Target("blank", "/", "t.includes('Hydrated: yes')")

# Runs before any of the page's own scripts, in every frame.
PROBE = """
(() => {
  if (window.top !== window) return;
  const probe = (window.__pageProbe = {
    heading: null, content: null, socket: null, sent: null, message: null,
    data: null,
  });
  // Where the time goes: the event socket's creation (the scripts ran), its
  // first event (hydrate and load), the last message before the content.
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Socket(...args);
    if (probe.socket === null) probe.socket = performance.now();
    ws.addEventListener("message", () => {
      if (probe.content === null) probe.message = performance.now();
    });
    const send = ws.send.bind(ws);
    ws.send = (data) => {
      if (probe.sent === null && String(data).includes("_event")) {
        probe.sent = performance.now();
      }
      return send(data);
    };
    return ws;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, Socket);
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 &&
      getComputedStyle(el).visibility !== "hidden";
  };
  // At most once a frame, in the frame's own callback: the moment the
  // browser would paint. Checking on every DOM change forced a layout per
  // change, which cost the probe itself up to 100 ms on a large page (the
  // more a page changes, the more the probe slowed it), and a frame is
  // when a person could see the content anyway.
  const check = () => {
    const h = document.querySelector("h1");
    if (!h) return;
    const now = performance.now();
    if (probe.heading === null) {
      if (!shown(h)) return;
      probe.heading = now;
    }
    const t = document.body ? document.body.textContent : "";
    if ((@CONTENT@) && shown(h)) {
      probe.content = now;
      probe.data = probe.message;
      observer.disconnect();
    }
  };
  let pending = false;
  const nextFrame = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (probe.content === null) check();
    });
  };
  const observer = new MutationObserver(nextFrame);
  observer.observe(document, {
    childList: true, subtree: true, characterData: true,
  });
  document.addEventListener("DOMContentLoaded", nextFrame);
})();
"""

BLANK_APP = '''"""benchmarks/pages.py's blank app: Reflex's own `blank` template (its
heading), and one state var the page's on_load sets."""

import reflex as rx

from rxconfig import config


class State(rx.State):
    """The app state."""

    hydrated: str = "no"

    @rx.event
    def load(self):
        self.hydrated = "yes"


def index() -> rx.Component:
    # Welcome Page (Index)
    return rx.container(
        rx.color_mode.button(position="top-right"),
        rx.vstack(
            rx.heading("Welcome to Reflex!", size="9", as_="h1"),
            rx.text(
                "Get started by editing ",
                rx.code(f"{config.app_name}/{config.app_name}.py"),
                size="5",
            ),
            rx.text("Hydrated: ", State.hydrated),
            rx.link(
                rx.button("Check out our docs!"),
                href="https://reflex.dev/docs/getting-started/introduction/",
                is_external=True,
            ),
            spacing="5",
            justify="center",
            min_height="85vh",
        ),
    )


app = rx.App()
app.add_page(index, on_load=State.load)
'''

# Reflex's template rxconfig (reflex init), with the app's two display and
# privacy switches so both builds differ only by the app.
BLANK_RXCONFIG = """import reflex as rx

config = rx.Config(
    app_name="blank",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[
        rx.plugins.SitemapPlugin(),
        rx.plugins.TailwindV4Plugin(),
        rx.plugins.RadixThemesPlugin(),
    ],
)
"""

OUT = Console(file=sys.stdout, width=130)
SERVERS: list[Server] = []


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# --------------------------------------------------------------------------- figures


def gzip_size(body: bytes, level: int = GZIP_LEVEL) -> int:
    """Bytes of `body` gzipped at `level` (mtime fixed: the same bytes every run)."""
    return len(gzip.compress(body, compresslevel=level, mtime=0))


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(value: float | None, base: float | None) -> float | None:
    """value / base, unrounded: the targets compare it as it is."""
    if value is None or not base:
        return None
    return value / base


def within(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit


PHASES = ("scripts", "connect", "server", "render")


def phases(probe: dict) -> dict[str, float]:
    """A navigation's time to content in four steps (ms): `scripts` until the
    page's scripts open the event socket, `connect` until its first event
    (hydrate and on_load) is sent, `server` until the last message before the
    content arrived, `render` until the content is laid out. Empty when a
    mark is missing (no socket, or content before any message)."""
    marks = [0.0, probe.get("socket"), probe.get("sent"), probe.get("data")]
    marks.append(probe.get("content"))
    if any(m is None for m in marks) or sorted(marks) != marks:
        return {}
    return {name: marks[i + 1] - marks[i] for i, name in enumerate(PHASES)}


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_app(run_dir: Path) -> None:
    """The app as it is now, in a scratch directory: `reflex run` writes .web
    and .states where it runs, and edits in the project can't reach a run.
    alembic/ for the migrations and the server's schema check, assets/ for
    the pages' static files."""
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("marketplace", "alembic", "assets"):
        shutil.copytree(ROOT / name, run_dir / name, ignore=ignore)
    for name in ("rxconfig.py", "alembic.ini"):
        shutil.copy2(ROOT / name, run_dir / name)


def write_blank_app(run_dir: Path) -> None:
    (run_dir / "blank").mkdir(parents=True)
    (run_dir / "blank" / "__init__.py").write_text("")
    (run_dir / "blank" / "blank.py").write_text(BLANK_APP)
    (run_dir / "rxconfig.py").write_text(BLANK_RXCONFIG)


def server_env(run_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFLEX_REDIS")}
    for name in ("REFLEX_API_URL", "REFLEX_DEPLOY_URL", "GRANIAN_WORKERS"):
        env.pop(name, None)
    env.update(
        REFLEX_DB_URL=f"sqlite:///{run_dir / 'app.db'}",
        MARKETPLACE_ENV="development",
        GRANIAN_WORKERS="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


try:  # loaded here: the child process between fork and exec must not dlopen
    import ctypes

    _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _die_with_parent() -> None:
    """In the server's child process: get SIGTERM if the benchmark dies."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """`reflex run --env prod --single-port` in its own process group, as
    scripts/serve runs it."""

    def __init__(self, name: str, run_dir: Path):
        self.name, self.run_dir = name, run_dir
        self.port = free_port()
        self.log = run_dir / f"server-{self.port}.log"
        env = server_env(run_dir)
        env["MARKETPLACE_BASE_URL"] = self.url
        command = [
            sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
            "--backend-host", "127.0.0.1",
            "--backend-port", str(self.port), "--frontend-port", str(self.port),
        ]  # fmt: skip
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
        SERVERS.append(self)

    @property
    def url(self) -> str:
        """`localhost`: the address Reflex builds into the pages (its api_url)
        and where /api/session/start sends the browser, so the session cookie
        and the page share a site."""
        return f"http://localhost:{self.port}"

    def wait_ready(self, timeout: float = BUILD_TIMEOUT_S) -> float:
        began = time.perf_counter()
        while time.perf_counter() - began < timeout:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                raise RuntimeError(f"{self.name}: the server exited:\n{tail}")
            if self._serves():
                return time.perf_counter() - began
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: the server did not come up in {timeout:.0f}s")

    def _serves(self) -> bool:
        """The built pages and the backend both answer."""
        try:
            for path in ("/_health", "/"):
                url = f"http://127.0.0.1:{self.port}{path}"
                with urllib.request.urlopen(url, timeout=2) as reply:
                    if reply.status != 200:
                        return False
            return True
        except OSError:
            return False

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

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
        if self in SERVERS:
            SERVERS.remove(self)


def bootstrap(run_dir: Path) -> None:
    """Migrate the scratch SQLite file and seed the demo network into it."""
    done = subprocess.run(
        [sys.executable, "-m", "marketplace", "bootstrap"],
        cwd=run_dir,
        env=server_env(run_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        tail = done.stdout[-2000:] + done.stderr[-2000:]
        raise RuntimeError(f"bootstrap failed:\n{tail}")


# --------------------------------------------------------------------------- browser


@dataclass
class Measured:
    target: Target
    base: str
    scripts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    heading_ms: list[float] = field(default_factory=list)
    content_ms: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)

    @property
    def js_gzip(self) -> int:
        return sum(gz for _raw, gz, _wire in self.scripts.values())

    @property
    def js_raw(self) -> int:
        return sum(raw for raw, _gz, _wire in self.scripts.values())

    @property
    def js_wire(self) -> int:
        return sum(wire for _raw, _gz, wire in self.scripts.values())


def _is_script(response) -> bool:
    if response.request.resource_type == "script":
        return True
    return urlsplit(response.url).path.endswith((".js", ".mjs"))


def navigate(browser, measured: Measured, storage: dict | None, collect: bool) -> None:
    """One navigation in a fresh context; its times, and with `collect` its
    scripts' sizes."""
    target = measured.target
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=storage
    )
    try:
        context.set_default_timeout(NAV_TIMEOUT_MS)
        context.add_init_script(PROBE.replace("@CONTENT@", target.content))
        page = context.new_page()
        responses = []
        if collect:
            page.on("response", lambda r: _is_script(r) and responses.append(r))
        page.goto(measured.base + target.path, wait_until="commit")
        page.wait_for_function(
            "() => window.__pageProbe && window.__pageProbe.content !== null",
            timeout=NAV_TIMEOUT_MS,
        )
        probe = page.evaluate("() => window.__pageProbe")
        if urlsplit(page.url).path.rstrip("/") != target.path.rstrip("/"):
            raise RuntimeError(f"{target.name}: ended at {page.url}, not {target.path}")
        if collect:
            page.wait_for_load_state("networkidle")
            for response in responses:
                if not response.ok:
                    continue
                body = response.body()
                wire = response.request.sizes()["responseBodySize"]
                path = urlsplit(response.url).path
                measured.scripts[path] = (len(body), gzip_size(body), wire)
        else:
            measured.heading_ms.append(probe["heading"])
            measured.content_ms.append(probe["content"])
            for name, value in phases(probe).items():
                measured.phases.setdefault(name, []).append(value)
    finally:
        context.close()


def log_in(browser, base: str) -> dict:
    """The demo member logs in through the login form; the session cookie
    (and anything else the context stored) for every later context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.set_default_timeout(NAV_TIMEOUT_MS)
        page = context.new_page()
        page.goto(base + "/login")
        page.get_by_label("Email").fill(DEMO_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()
        state = context.storage_state()
        if not any(c["name"] == "karma_session" for c in state["cookies"]):
            raise RuntimeError("logged in but no karma_session cookie")
        return state
    finally:
        context.close()


def measure(app: Server, blank: Server, samples: int) -> list[Measured]:
    from playwright.sync_api import sync_playwright

    results = [Measured(BLANK, blank.url)] + [Measured(p, app.url) for p in PAGES]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            say("logging in as the demo member")
            storage = log_in(browser, app.url)
            for m in results:  # warm-up, and the scripts each page loads
                navigate(browser, m, None if m.target is BLANK else storage, True)
                say(
                    f"  {m.target.name:12} {len(m.scripts)} scripts, "
                    f"{m.js_gzip / 1024:.0f} KB gzip ({m.js_raw / 1024:.0f} KB raw)"
                )
            for n in range(samples):
                began = time.perf_counter()
                for m in results:
                    navigate(browser, m, None if m.target is BLANK else storage, False)
                say(
                    f"round {n + 1}/{samples} ({time.perf_counter() - began:.1f}s): "
                    + ", ".join(
                        f"{m.target.name} {m.content_ms[-1]:.0f}" for m in results
                    )
                    + f" ms; load {_load()}"
                )
        finally:
            browser.close()
    return results


# --------------------------------------------------------------------------- report


def summarize(results: list[Measured]) -> dict:
    blank, pages = results[0], results[1:]
    blank_js = blank.js_gzip
    blank_heading = median(blank.heading_ms)
    blank_content = median(blank.content_ms)
    rows = []
    for m in pages:
        content = median(m.content_ms)
        js_ratio = ratio(m.js_gzip, blank_js)
        time_ratio = ratio(content, blank_content)
        rows.append(
            {
                "page": m.target.name,
                "path": m.target.path,
                "js_gzip_bytes": m.js_gzip,
                "js_raw_bytes": m.js_raw,
                "js_wire_bytes": m.js_wire,
                "js_files": len(m.scripts),
                "js_ratio": _round(js_ratio, 2),
                "content_ms": _round(content),
                "heading_ms": _round(median(m.heading_ms)),
                "time_ratio": _round(time_ratio, 2),
                "time_ratio_to_heading": _round(ratio(content, blank_heading), 2),
                "samples_ms": [_round(v) for v in m.content_ms],
                "phases_ms": phase_medians(m),
                "js_ok": within(js_ratio, TARGET_JS_RATIO),
                "time_ok": within(time_ratio, TARGET_TIME_RATIO),
            }
        )
    return {
        "pages": rows,
        "blank": {
            "path": BLANK.path,
            "js_gzip_bytes": blank_js,
            "js_raw_bytes": blank.js_raw,
            "js_wire_bytes": blank.js_wire,
            "js_files": len(blank.scripts),
            "heading_ms": _round(blank_heading),
            "content_ms": _round(blank_content),
            "samples_ms": [_round(v) for v in blank.content_ms],
            "phases_ms": phase_medians(blank),
        },
        "ok": bool(rows) and all(r["js_ok"] and r["time_ok"] for r in rows),
    }


def phase_medians(m: Measured) -> dict[str, float | None]:
    return {name: _round(median(m.phases.get(name, []))) for name in PHASES}


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def print_table(summary: dict) -> None:
    blank = summary["blank"]
    table = Table(
        title="Pages: JavaScript (gzip -6) and time to content (medians, ms)",
        caption="content = scripts + connect + server + render (each a median)",
    )
    for header in (
        "page", "JS KB", "x blank", "files", "h1", "content", "x blank",
        "x blank h1", *PHASES,
    ):  # fmt: skip
        table.add_column(header, justify="left" if header == "page" else "right")
    rows = [("blank /", blank, "1.00", "1.00", "")]
    for row in summary["pages"]:
        rows.append(
            (
                row["path"],
                row,
                _mark(row["js_ratio"], row["js_ok"]),
                _mark(row["time_ratio"], row["time_ok"]),
                f"{row['time_ratio_to_heading']:.2f}",
            )
        )
    for name, row, js_ratio, time_ratio, to_heading in rows:
        table.add_row(
            name,
            f"{row['js_gzip_bytes'] / 1024:.1f}",
            js_ratio,
            str(row["js_files"]),
            f"{row['heading_ms']:.0f}",
            f"{row['content_ms']:.0f}",
            time_ratio,
            to_heading,
            *(_ms(row["phases_ms"][p]) for p in PHASES),
        )
    OUT.print(table)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _mark(value: float | None, ok: bool) -> str:
    text = "-" if value is None else f"{value:.2f}"
    return text if ok else f"[red]{text}[/red]"


def print_chunks(results: list[Measured], top: int = 12) -> None:
    """Each page's biggest scripts, and which the blank page loads too (the
    same file name: Vite names a chunk after a hash of its content)."""
    blank = {Path(p).name for p in results[0].scripts}
    for m in results:
        table = Table(title=f"{m.target.name}: biggest scripts (gzip -6)")
        for header in ("script", "raw KB", "gz KB", "wire KB", "in blank"):
            table.add_column(header, justify="left" if header == "script" else "right")
        ranked = sorted(m.scripts.items(), key=lambda kv: -kv[1][1])
        for path, (raw, gz, wire) in ranked[:top]:
            name = Path(path).name
            table.add_row(
                name,
                f"{raw / 1024:.1f}",
                f"{gz / 1024:.1f}",
                f"{wire / 1024:.1f}",
                "yes" if name in blank else "",
            )
        OUT.print(table)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--samples", type=int, default=7, help="measured navigations per page"
    )
    parser.add_argument(
        "--chunks", action="store_true", help="list each page's biggest scripts"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (say where)"
    )
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


def _clean_up() -> None:
    for server in list(SERVERS):
        with contextlib.suppress(Exception):
            server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        say(f"Chromium not found at {CHROMIUM}")
        return 2
    started = datetime.now(UTC)
    say(
        f"Pages: {len(PAGES)} pages and a blank Reflex app, {args.samples} "
        f"navigations each; {os.cpu_count()} CPUs, load average {_load()}"
    )
    scratch = Path(tempfile.mkdtemp(prefix=f"karma_pages_{os.getpid()}_"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    atexit.register(_clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failed, summary, results = "", {}, []
    try:
        app_dir, blank_dir = scratch / "app", scratch / "blank"
        copy_app(app_dir)
        write_blank_app(blank_dir)
        say("seeding the demo network (python -m marketplace bootstrap)")
        bootstrap(app_dir)
        say("building and serving both (reflex run --env prod --single-port)")
        app, blank = Server("app", app_dir), Server("blank", blank_dir)
        for server in (app, blank):
            took = server.wait_ready()
            say(f"  {server.name} up at {server.url} after {took:.0f}s")
        results = measure(app, blank, args.samples)
        summary = summarize(results)
    except KeyboardInterrupt:
        failed = "KeyboardInterrupt: stopped"
    except Exception as exc:
        traceback.print_exc()
        failed = f"{type(exc).__name__}: {exc}"
        for server in list(SERVERS):
            say(f"--- {server.name} log:\n{server.log_tail()}")
    finally:
        _clean_up()
        if args.keep:
            atexit.unregister(shutil.rmtree)
            say(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    if summary:
        print_table(summary)
        if args.chunks:
            print_chunks(results)
    out = {
        **(summary or {"pages": [], "blank": {}}),
        "samples": args.samples,
        "compression": f"gzip level {GZIP_LEVEL} of each script's body",
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 1),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "reflex": version("reflex"),
        "targets": {
            "js_ratio_max": TARGET_JS_RATIO,
            "time_ratio_max": TARGET_TIME_RATIO,
        },
        "failed": failed,
    }
    out["ok"] = bool(summary.get("ok")) and not failed
    print(json.dumps(out))
    if failed:
        return 130 if failed.startswith("KeyboardInterrupt") else 2
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
