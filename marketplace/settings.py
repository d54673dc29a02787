"""One settings object, read from the environment once.

Secrets never live in the repository; placeholder values are refused outside
development so a misconfigured production node fails loudly at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

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
    login_max_failures: int
    login_lockout_minutes: int
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
        login_max_failures=_int_env("MARKETPLACE_LOGIN_MAX_FAILURES", 5),
        login_lockout_minutes=_int_env("MARKETPLACE_LOGIN_LOCKOUT_MINUTES", 15),
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
