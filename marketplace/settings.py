"""One settings object, read from the environment once.

Secrets never live in the repository; placeholder values are refused outside
development so a misconfigured production node fails loudly at start-up:
`production_problems` lists what is unsafe in an environment, and
`refuse_unsafe_start` (called by rxconfig.py, which every Reflex process
imports first) stops the process naming each setting.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

# Anchored at the project root, so the app, the CLI and alembic find the same
# file whatever directory they are started from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# In a hidden directory: `reflex run` reloads the backend when anything else in
# the project root changes, and SQLite writes its file (and -wal) constantly.
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / '.data' / 'marketplace.db'}"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    db_url: str
    session_ttl_hours: int
    # login throttle (domain/accounts.py, ThrottlePolicy)
    login_window_hours: int
    login_free_failures: int
    login_address_free_failures: int
    login_account_free_failures: int
    login_first_delay_seconds: int
    login_max_delay_minutes: int
    login_trusted_days: int
    signup_karma_grant: int
    sweep_seconds: int
    favour_points: int
    clearing_hours: int
    auto_confirm_days: int
    smtp_host: str
    smtp_port: int
    mail_from: str
    digest_hour: int
    base_url: str
    environment: str
    # Stripe: no secret key means paid terms are unavailable (the app still
    # runs); an empty API base means Stripe itself, a URL points at a fake.
    stripe_secret_key: str = field(default="", repr=False)
    stripe_api_base: str = ""
    stripe_webhook_secret: str = field(default="", repr=False)
    platform_fee_bps: int = 1000  # basis points of each paid engagement
    # the Stripe account can pay consultants through Connect (payouts on)
    stripe_connect: bool = False
    # Stripe lets an uncaptured authorization lapse after 7 days
    card_capture_days: int = 6
    # karma an introducer earns when their intro leads to confirmed help
    intro_karma: int = 2
    # relationship warmth halves in this many days without an interaction
    graph_half_life_days: int = 90

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")


def load_settings() -> Settings:
    return Settings(
        db_url=os.environ.get("REFLEX_DB_URL") or DEFAULT_DB_URL,
        session_ttl_hours=_int_env("MARKETPLACE_SESSION_TTL_HOURS", 24 * 7),
        # failures older than this are forgotten
        login_window_hours=max(1, _int_env("MARKETPLACE_LOGIN_WINDOW_HOURS", 24)),
        # free wrong passwords per address per account, then delays
        login_free_failures=max(1, _int_env("MARKETPLACE_LOGIN_FREE_FAILURES", 5)),
        # free failures per address across accounts (a NAT shares them)
        login_address_free_failures=max(
            1, _int_env("MARKETPLACE_LOGIN_ADDRESS_FREE_FAILURES", 20)
        ),
        # free failures per account before unknown addresses wait
        login_account_free_failures=max(
            1, _int_env("MARKETPLACE_LOGIN_ACCOUNT_FREE_FAILURES", 10)
        ),
        login_first_delay_seconds=max(
            1, _int_env("MARKETPLACE_LOGIN_FIRST_DELAY_SECONDS", 30)
        ),
        login_max_delay_minutes=max(
            1, _int_env("MARKETPLACE_LOGIN_MAX_DELAY_MINUTES", 15)
        ),
        # how long an address an account logged in from stays known
        login_trusted_days=max(1, _int_env("MARKETPLACE_LOGIN_TRUSTED_DAYS", 90)),
        signup_karma_grant=_int_env("MARKETPLACE_SIGNUP_KARMA", 10),
        sweep_seconds=max(1, _int_env("MARKETPLACE_SWEEP_SECONDS", 60)),
        favour_points=max(1, _int_env("MARKETPLACE_FAVOUR_POINTS", 5)),
        clearing_hours=max(0, _int_env("MARKETPLACE_CLEARING_HOURS", 24)),
        auto_confirm_days=max(1, _int_env("MARKETPLACE_AUTO_CONFIRM_DAYS", 7)),
        smtp_host=os.environ.get("MARKETPLACE_SMTP_HOST", "127.0.0.1"),
        smtp_port=_int_env("MARKETPLACE_SMTP_PORT", 8025),
        mail_from=os.environ.get("MARKETPLACE_MAIL_FROM", "Karma <digest@karma.local>"),
        # UTC hour at which the daily digest goes out
        digest_hour=min(23, max(0, _int_env("MARKETPLACE_DIGEST_HOUR", 7))),
        base_url=os.environ.get("MARKETPLACE_BASE_URL", "http://localhost:3000"),
        environment=os.environ.get("MARKETPLACE_ENV", "development"),
        stripe_secret_key=os.environ.get("MARKETPLACE_STRIPE_SECRET_KEY", ""),
        stripe_api_base=os.environ.get("MARKETPLACE_STRIPE_API_BASE", ""),
        stripe_webhook_secret=os.environ.get("MARKETPLACE_STRIPE_WEBHOOK_SECRET", ""),
        platform_fee_bps=min(
            10_000, max(0, _int_env("MARKETPLACE_PLATFORM_FEE_BPS", 1000))
        ),
        stripe_connect=os.environ.get("MARKETPLACE_STRIPE_CONNECT", "").lower()
        in {"1", "true", "yes"},
        card_capture_days=min(6, max(0, _int_env("MARKETPLACE_CARD_CAPTURE_DAYS", 6))),
        intro_karma=min(100, max(0, _int_env("MARKETPLACE_INTRO_KARMA", 2))),
        graph_half_life_days=min(
            3650, max(1, _int_env("MARKETPLACE_GRAPH_HALF_LIFE_DAYS", 90))
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


# ---------------------------------------------------------------------------
# Refusing an unsafe production start

DEVELOPMENT = "development"
STRIPE_KEY = "MARKETPLACE_STRIPE_SECRET_KEY"
WEBHOOK_SECRET = "MARKETPLACE_STRIPE_WEBHOOK_SECRET"
BASE_URL = "MARKETPLACE_BASE_URL"
CORS_ORIGINS = "REFLEX_CORS_ALLOWED_ORIGINS"
# Stripe's own prefixes: a value without one was pasted from somewhere else.
SECRET_PREFIXES = {STRIPE_KEY: ("sk_", "rk_"), WEBHOOK_SECRET: ("whsec_",)}
# Real Stripe secrets are random strings several dozen characters long.
MIN_SECRET_LENGTH = 20
# Words of a value someone meant to replace, the demo's own values included.
# Compared with whole `_`/`-`/`.` separated parts, so a real random key that
# happens to contain "demo" or "xxx" somewhere is not refused.
PLACEHOLDER_WORDS = frozenset(
    {"changeme", "change", "placeholder", "demo", "dummy", "example", "fake"}
    | {"todo", "fixme", "replace", "secret", "your", "insert", "none", "null"}
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def production_problems(env: Mapping[str, str]) -> list[str]:
    """Every setting in `env` that makes it unsafe to serve members, one
    sentence each naming the variable (none in development)."""
    if env.get("MARKETPLACE_ENV", DEVELOPMENT).strip().lower() == DEVELOPMENT:
        return []
    return [*_stripe_problems(env), *_base_url_problems(env), *_cors_problems(env)]


def refuse_unsafe_start(env: Mapping[str, str] | None = None) -> None:
    """Stop this process with a message naming each unsafe setting; nothing
    happens when there is none. SystemExit: no traceback, exit status 1."""
    env = os.environ if env is None else env
    if problems := production_problems(env):
        raise SystemExit(refusal_message(problems, env))


def refusal_message(problems: list[str], env: Mapping[str, str]) -> str:
    mode = env.get("MARKETPLACE_ENV", "")
    lines = [f"Karma refuses to start with MARKETPLACE_ENV={mode}:"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append(
        "Set these in the environment (README, Deployment), or use "
        "MARKETPLACE_ENV=development on a machine only you can reach."
    )
    return "\n".join(lines)


def _stripe_problems(env: Mapping[str, str]) -> list[str]:
    problems = [
        problem
        for name in (STRIPE_KEY, WEBHOOK_SECRET)
        if name in env and (problem := _secret_problem(name, env[name]))
    ]
    if env.get(STRIPE_KEY, "").strip() and WEBHOOK_SECRET not in env:
        # the webhook route would reject every event: no payment would settle
        problems.append(
            f"{WEBHOOK_SECRET} is missing although {STRIPE_KEY} is set: "
            "Stripe's webhooks could not be verified, so no payment would settle"
        )
    return problems


def _secret_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be a real Stripe secret. The value itself is never
    repeated: a real secret misjudged here must not end up in a log."""
    if not value.strip():
        return f"{name} is set but blank"
    if value != value.strip():
        return f"{name} has spaces or a newline around it (signatures would fail)"
    if _is_placeholder(value):
        return f"{name} is a placeholder, not a secret from Stripe"
    if not value.startswith(SECRET_PREFIXES[name]):
        expected = " or ".join(f"{prefix}…" for prefix in SECRET_PREFIXES[name])
        return f"{name} does not look like a Stripe secret ({expected})"
    return None


def _is_placeholder(value: str) -> bool:
    if len(value) < MIN_SECRET_LENGTH or re.search(r"[<>{}]|\.\.\.", value):
        return True
    for part in re.split(r"[_\-.\s]+", value.lower()):
        # a word to replace, or a run of one character: xxxx, 0000, ****
        if part in PLACEHOLDER_WORDS or re.fullmatch(r"(.)\1{2,}", part):
            return True
    return False


def _base_url_problems(env: Mapping[str, str]) -> list[str]:
    raw = env.get(BASE_URL, "").strip()
    if not raw:
        return [f"{BASE_URL} is not set (the public https address emails link to)"]
    url = urlsplit(raw)
    if url.scheme != "https" or not url.hostname:
        return [f"{BASE_URL} must be an https:// address, got {raw!r}"]
    if _is_local_host(url.hostname):
        return [f"{BASE_URL} points at this machine ({raw!r}), not the public address"]
    return []


def _is_local_host(host: str) -> bool:
    host = host.lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _cors_problems(env: Mapping[str, str]) -> list[str]:
    origins = [origin.strip() for origin in env.get(CORS_ORIGINS, "").split(",")]
    if not any(origins):
        # rxconfig.py would fall back to "*"
        return [f"{CORS_ORIGINS} is not set (it must name the site's origin)"]
    if any("*" in origin for origin in origins):
        return [
            f"{CORS_ORIGINS} allows every origin ('*'): "
            "name the site's origin, e.g. https://karma.example.com"
        ]
    return []
