"""One settings object, read from the environment once and validated whole.

`Settings` is a pydantic-settings model: every MARKETPLACE_* variable (and
REFLEX_DB_URL, REFLEX_CORS_ALLOWED_ORIGINS, which Reflex reads too) is a typed
field with its bounds, so `MARKETPLACE_SESSION_TTL_HOURS=abc` or a digest hour
of 25 stops the process naming the variable instead of surfacing as a strange
error hours later. Out-of-range values are refused, never clamped: a node
silently running with another value than the one written is the kind of
misconfiguration this module exists to catch.

Secrets never live in the repository; outside development the same validation
also refuses what would make the node unsafe to serve members: a placeholder
Stripe or SMTP secret, a missing or placeholder app secret key, a base URL that
is not the public https address, a missing or `*` CORS origin.
`refuse_unsafe_start` (called by rxconfig.py, which every Reflex process
imports first, and by scripts/serve) turns a refusal into a message naming
each setting and exit status 1, without a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

# Anchored at the project root, so the app, the CLI and alembic find the same
# file whatever directory they are started from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# In a hidden directory: `reflex run` reloads the backend when anything else in
# the project root changes, and SQLite writes its file (and -wal) constantly.
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / '.data' / 'marketplace.db'}"
PREFIX = "MARKETPLACE_"
DEVELOPMENT = "development"
ENV = "MARKETPLACE_ENV"
STRIPE_KEY = "MARKETPLACE_STRIPE_SECRET_KEY"
WEBHOOK_SECRET = "MARKETPLACE_STRIPE_WEBHOOK_SECRET"
SMTP_USER = "MARKETPLACE_SMTP_USER"
SMTP_PASSWORD = "MARKETPLACE_SMTP_PASSWORD"
SMTP_STARTTLS = "MARKETPLACE_SMTP_STARTTLS"
BASE_URL = "MARKETPLACE_BASE_URL"
SECRET_KEY = "MARKETPLACE_SECRET_KEY"
CORS_ORIGINS = "REFLEX_CORS_ALLOWED_ORIGINS"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        # VAR= counts as unset (the default), as it always has here
        env_ignore_empty=True,
        frozen=True,
        # tests build variants by field name: Settings(db_url=...)
        validate_by_name=True,
    )

    db_url: str = Field(DEFAULT_DB_URL, validation_alias="REFLEX_DB_URL")
    environment: str = Field(DEVELOPMENT, validation_alias=ENV)
    session_ttl_hours: int = Field(
        24 * 7, ge=1, le=24 * 365, description="how long a login lasts, in hours"
    )
    # email addresses (domain/accounts.py, accounts/verification.py)
    email_check_deliverability: bool = Field(
        False, description="ask DNS whether a new address's domain takes mail"
    )
    verification_resend_seconds: int = Field(
        60, ge=0, description="seconds between two verification mails"
    )
    # login throttle (domain/accounts.py, ThrottlePolicy)
    login_window_hours: int = Field(24, ge=1, description="hours a failed login counts")
    login_free_failures: int = Field(
        5, ge=1, description="free wrong passwords per address per account"
    )
    login_address_free_failures: int = Field(
        20, ge=1, description="free failures per address across accounts"
    )
    login_account_free_failures: int = Field(
        10, ge=1, description="free failures per account before addresses wait"
    )
    login_first_delay_seconds: int = Field(
        30, ge=1, description="the first wait after the free failures"
    )
    login_max_delay_minutes: int = Field(
        15, ge=1, description="the longest wait between login attempts"
    )
    login_trusted_days: int = Field(
        90, ge=1, description="days an address an account logged in from is known"
    )
    # credit limits (docs/design/karma-trust.md; domain/credit.py)
    trust_limit: int = Field(
        20, ge=0, le=1_000, description="credit limit of a fully trusted member"
    )
    limit_max: int = Field(
        100, ge=0, le=100_000, description="highest credit limit, vouches included"
    )
    credit_trust_min: float = Field(
        0.1, ge=0, le=1, description="trust below which trust gives no credit"
    )
    vouch_grace_days: int = Field(
        60, ge=1, le=3_650, description="days below zero before a vouch is absorbed"
    )
    export_dir: str = Field(
        str(PROJECT_ROOT / ".data" / "exports"),
        description="where 'Download my data' archives wait for their member",
    )
    export_keep_hours: int = Field(
        24, ge=1, description="hours a data archive can be downloaded"
    )
    sweep_seconds: int = Field(
        60, ge=1, description="how often expired holds are released"
    )
    favour_points: int = Field(5, ge=1, description="karma points in one favour")
    clearing_hours: int = Field(
        24, ge=0, description="how often IOU clearing runs; 0: never"
    )
    auto_confirm_days: int = Field(
        7, ge=1, description="quiet days before a delivery confirms itself"
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(8025, ge=1, le=65_535, description="a TCP port")
    # no user: the server takes mail without a login (a relay on this network)
    smtp_user: str = ""
    smtp_password: str = Field("", repr=False)
    smtp_starttls: bool = False
    mail_from: str = "Karma <digest@karma.local>"
    # the "Signed-in devices" list shows each session's address prefix as its
    # approximate place only when the operator turns this on
    devices_show_place: bool = False
    digest_hour: int = Field(7, ge=0, le=23, description="UTC hour of the daily digest")
    base_url: str = "http://localhost:3000"
    # what Reflex's socket accepts; rxconfig.py hands it over
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        ("*",), validation_alias=CORS_ORIGINS
    )
    # how money and points are written until members choose a locale
    locale: str = "en_US"
    # Stripe: no secret key means paid terms are unavailable (the app still
    # runs); an empty API base means Stripe itself, a URL points at a fake.
    stripe_secret_key: str = Field("", repr=False)
    stripe_api_base: str = ""
    stripe_webhook_secret: str = Field("", repr=False)
    # Stripe.js in the member's browser (the wallet's card form, 3-D Secure):
    # the publishable key is public by design; the script's URL points at
    # localstripe's stand-in for the demo and the tests
    # not echoed in errors: a secret key pasted here by mistake is refused
    stripe_publishable_key: str = Field("", repr=False)
    stripe_js_url: str = "https://js.stripe.com/v3/"
    platform_fee_bps: int = Field(
        1000, ge=0, le=10_000, description="basis points of each paid engagement"
    )
    # who issues the receipts of card payments (ledger/receipts.py): the
    # operator's name and postal address, and the tax line their accountant
    # wants on each receipt
    operator_name: str = Field("Karma", min_length=1, max_length=120)
    operator_address: str = Field("", max_length=300)
    vat_note: str = Field(
        "VAT: not charged (set by the operator)",
        min_length=1,
        max_length=300,
        description="the tax line printed on every receipt",
    )
    # the Stripe account can pay consultants through Connect (payouts on)
    stripe_connect: bool = False
    card_capture_days: int = Field(
        6,
        ge=0,
        le=6,
        description="Stripe lets an uncaptured authorization lapse after 7 days",
    )
    intro_karma: int = Field(
        2, ge=0, le=100, description="karma an introducer earns for an intro"
    )
    intro_reward_monthly_cap: int = Field(
        10,
        ge=0,
        le=10_000,
        description="karma one introducer may earn from intros in a month",
    )
    # connection and message requests one member may send in 7 days
    # (network/outreach.py)
    outreach_weekly_cap: int = Field(
        25, ge=1, le=10_000, description="requests a member may send a week"
    )
    graph_half_life_days: int = Field(
        90, ge=1, le=3650, description="days for a relationship's warmth to halve"
    )

    # sign-up and mail throttles (accounts/throttles.py): Redis when this or
    # REFLEX_REDIS_URL names one, the database otherwise
    throttle_redis_url: str = Field("", repr=False)
    signups_per_address_hour: int = Field(
        10, ge=1, description="sign-ups one client address may make per hour"
    )
    signups_per_domain_hour: int = Field(
        30, ge=1, description="sign-ups with one email domain per hour"
    )
    mails_per_member_hour: int = Field(
        5, ge=1, description="verification or reset mails per member per hour"
    )
    reports_per_member_hour: int = Field(
        10, ge=1, description="reports a member may file per hour"
    )
    password_checks_per_member_hour: int = Field(
        10, ge=1, description="password confirmations per member per hour"
    )
    # contact imports (network/contacts.py): a few files a day is plenty
    contact_imports_per_member_day: int = Field(
        20, ge=1, description="contact files a member may import per day"
    )
    # phones written without a country code are read as in this region
    contacts_phone_region: str = Field(
        "GB", min_length=2, max_length=2, description="default phone region"
    )
    # signs unsubscribe links; every node the same. Required outside
    # development; there, when empty, a key kept in .data/secret-key
    secret_key: str = Field("", repr=False)
    outbox_max_attempts: int = Field(
        8, ge=1, le=50, description="tries before an alert mail is given up"
    )

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def is_development(self) -> bool:
        return self.environment == DEVELOPMENT

    @field_validator("environment")
    @classmethod
    def _environment_name(cls, value: str) -> str:
        # " Development " is development: a stray space must not arm the checks
        return value.strip().lower()

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):  # "https://a.example, https://b.example"
            return tuple(
                origin.strip() for origin in value.split(",") if origin.strip()
            )
        return value

    @field_validator("stripe_js_url")
    @classmethod
    def _script_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise PydanticCustomError("script_url", "not an http(s) URL")
        return value.strip()

    @field_validator("stripe_publishable_key")
    @classmethod
    def _publishable_key(cls, value: str) -> str:
        # a secret key pasted here would be sent to every browser
        if value.strip() and not value.strip().startswith("pk_"):
            raise PydanticCustomError("publishable_key", "not a publishable key")
        return value.strip()

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        try:
            # "de-DE" as browsers write it, "de_DE" as babel does
            return str(Locale.parse(value.strip().replace("-", "_")))
        except (ValueError, UnknownLocaleError):
            raise PydanticCustomError("locale", "unknown locale") from None

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Self:
        if not self.is_development and (problems := unsafe_settings(self)):
            # all at once, so one restart fixes them all
            raise PydanticCustomError("unsafe", "unsafe", {"problems": problems})
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment only: no .env file, no secrets directory.
        return init_settings, _Environment(settings_cls)


# ---------------------------------------------------------------------------
# Loading, and stopping on a refusal

_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("environ", default=None)


class _Environment(EnvSettingsSource):
    """os.environ, or the mapping `load_settings` was handed: one code path for
    judging the real environment and an environment under test."""

    # pydantic-settings' own hook for where variables come from (its
    # EnvSettingsSource reads os.environ here); pinned in requirements.txt
    def _load_env_vars(self) -> Mapping[str, str | None]:
        environ = _ENVIRON.get()
        if environ is None:
            return super()._load_env_vars()
        return parse_env_vars(
            environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


class SettingsError(RuntimeError):
    """The environment does not make valid settings; `problems` has one
    sentence per setting, each naming its variable."""

    def __init__(self, problems: list[str], environment: str) -> None:
        self.problems = problems
        super().__init__(refusal_message(problems, environment))


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from `env` (default: os.environ), or SettingsError."""
    try:
        with _reading(env):
            return Settings()
    except ValidationError as error:
        # `from None`: the pydantic error repeats every input, secrets included
        mode = (os.environ if env is None else env).get(ENV, DEVELOPMENT)
        raise SettingsError(_problems(error), mode) from None


@contextmanager
def _reading(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(env)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def refuse_unsafe_start(env: Mapping[str, str] | None = None) -> Settings:
    """The validated settings, or stop this process with a message naming each
    bad setting. SystemExit: no traceback, exit status 1."""
    try:
        return get_settings() if env is None else load_settings(env)
    except SettingsError as error:
        raise SystemExit(str(error)) from None


def production_problems(env: Mapping[str, str]) -> list[str]:
    """Every setting in `env` that stops a node, one sentence each naming the
    variable (outside development the unsafe ones are among them)."""
    try:
        load_settings(env)
    except SettingsError as error:
        return error.problems
    return []


def refusal_message(problems: list[str], environment: str) -> str:
    if environment.strip().lower() == DEVELOPMENT:
        header = "Karma refuses to start; these settings are not valid:"
        advice = "Fix them in the environment (README, Configuration)."
    else:
        header = f"Karma refuses to start with {ENV}={environment}:"
        advice = (
            "Set these in the environment (README, Deployment), or use "
            f"{ENV}={DEVELOPMENT} on a machine only you can reach."
        )
    return "\n".join([header, *(f"  - {problem}" for problem in problems), advice])


# ---------------------------------------------------------------------------
# Type and range errors, told by the variable's name

REASONS = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_parsing": "must be 1 or 0 (true/false, yes/no, on/off)",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "locale": "must be a locale such as en_US or de_DE",
    "script_url": "must be the http(s) URL of Stripe.js",
    "publishable_key": "must be a Stripe publishable key (pk_…), never a secret one",
}


def _problems(error: ValidationError) -> list[str]:
    problems: list[str] = []
    for detail in error.errors():
        if detail["type"] == "unsafe":
            problems += detail["ctx"]["problems"]
        else:
            problems.append(_type_problem(detail))
    return problems


def _type_problem(detail: ErrorDetails) -> str:
    field_name = _field_at(detail["loc"])
    field = Settings.model_fields.get(field_name)
    name = variable(field_name) if field else "a setting"
    reason = REASONS.get(detail["type"])
    if reason is None:
        return f"{name}: {detail['msg']}"
    sentence = f"{name} {reason.format(**detail.get('ctx', {}))}"
    if field and field.repr:  # a secret is never repeated, not even a bad one
        sentence += f", got {detail['input']!r}"
    if field and field.description:
        sentence += f" ({field.description})"
    return sentence


def _field_at(loc: tuple[int | str, ...]) -> str:
    """The field an error is about: pydantic names it by its alias if any."""
    key = str(loc[0]) if loc else ""
    for name, field in Settings.model_fields.items():
        if key in (name, field.validation_alias):
            return name
    return key


def variable(field_name: str) -> str:
    """The environment variable a field is read from."""
    alias = Settings.model_fields[field_name].validation_alias
    return alias if isinstance(alias, str) else PREFIX + field_name.upper()


# ---------------------------------------------------------------------------
# What is unsafe outside development

# Stripe's own prefixes: a value without one was pasted from somewhere else.
SECRET_PREFIXES = {STRIPE_KEY: ("sk_", "rk_"), WEBHOOK_SECRET: ("whsec_",)}
# Real Stripe secrets are random strings several dozen characters long.
MIN_SECRET_LENGTH = 20
# The app's own key signs links with HMAC-SHA256: 32 characters is the least
# a random key (`secrets.token_hex(32)` makes 64) should have.
MIN_APP_KEY_LENGTH = 32
# Mail providers' passwords and API keys are long too; eight is a floor that
# still lets a strong human-chosen password through.
MIN_SMTP_PASSWORD_LENGTH = 8
# Words of a value someone meant to replace, the demo's own values included.
# Compared with whole `_`/`-`/`.` separated parts, so a real random key that
# happens to contain "demo" or "xxx" somewhere is not refused.
PLACEHOLDER_WORDS = frozenset(
    {"changeme", "change", "placeholder", "demo", "dummy", "example", "fake"}
    | {"todo", "fixme", "replace", "secret", "your", "insert", "none", "null"}
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def unsafe_settings(settings: Settings) -> list[str]:
    """Every setting that makes it unsafe to serve members, one sentence each
    naming the variable; the development check is the caller's."""
    return [
        *_stripe_problems(settings),
        *_smtp_problems(settings),
        *_secret_key_problems(settings),
        *_base_url_problems(settings),
        *_cors_problems(settings),
    ]


def _stripe_problems(settings: Settings) -> list[str]:
    given = settings.model_fields_set
    secrets = {
        STRIPE_KEY: ("stripe_secret_key", settings.stripe_secret_key),
        WEBHOOK_SECRET: ("stripe_webhook_secret", settings.stripe_webhook_secret),
    }
    problems = [
        problem
        for name, (field, value) in secrets.items()
        if field in given and (problem := _stripe_secret_problem(name, value))
    ]
    if settings.stripe_secret_key.strip() and "stripe_webhook_secret" not in given:
        # the webhook route would reject every event: no payment would settle
        problems.append(
            f"{WEBHOOK_SECRET} is missing although {STRIPE_KEY} is set: "
            "Stripe's webhooks could not be verified, so no payment would settle"
        )
    return problems


def _stripe_secret_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be a real Stripe secret. The value itself is never
    repeated: a real secret misjudged here must not end up in a log."""
    real = "a secret from Stripe"
    if problem := _secret_problem(name, value, MIN_SECRET_LENGTH, real):
        return problem
    if not value.startswith(SECRET_PREFIXES[name]):
        expected = " or ".join(f"{prefix}…" for prefix in SECRET_PREFIXES[name])
        return f"{name} does not look like a Stripe secret ({expected})"
    return None


def _secret_problem(name: str, value: str, min_length: int, real: str) -> str | None:
    if not value.strip():
        return f"{name} is set but blank"
    if value != value.strip():
        return f"{name} has spaces or a newline around it (it would never match)"
    if len(value) < min_length or _is_placeholder(value):
        return f"{name} is a placeholder, not {real}"
    return None


def _is_placeholder(value: str, separators: str = r"[_\-.\s]+") -> bool:
    if re.search(r"[<>{}]|\.\.\.", value):
        return True
    for part in re.split(separators, value.lower()):
        # a word to replace, or a run of one character: xxxx, 0000, ****
        if part in PLACEHOLDER_WORDS or re.fullmatch(r"(.)\1{2,}", part):
            return True
    return False


def _smtp_problems(settings: Settings) -> list[str]:
    """A login is optional (a relay that needs none); half a login, a
    placeholder, or a password crossing the network in clear is refused."""
    user, password = settings.smtp_user, settings.smtp_password
    if not user and not password:
        return []
    if not password:
        return [f"{SMTP_PASSWORD} is missing although {SMTP_USER} is set"]
    if not user:
        return [f"{SMTP_USER} is missing although {SMTP_PASSWORD} is set"]
    problems = []
    real, shortest = "the mail server's password", MIN_SMTP_PASSWORD_LENGTH
    if problem := _secret_problem(SMTP_PASSWORD, password, shortest, real):
        problems.append(problem)
    # "user@example.com", "your-login": an address counts its parts too
    if _is_placeholder(user, separators=r"[_\-.@+\s]+"):
        problems.append(f"{SMTP_USER} is a placeholder ({user!r})")
    if not settings.smtp_starttls and not _is_local_host(settings.smtp_host):
        problems.append(
            f"{SMTP_PASSWORD} would cross the network in clear to "
            f"{settings.smtp_host}: set {SMTP_STARTTLS}=1"
        )
    return problems


def _secret_key_problems(settings: Settings) -> list[str]:
    """Unsubscribe links must be signed with one key on every node: without it
    each node would make its own in .data/ and refuse the others' links. The
    value is never repeated."""
    key = settings.secret_key
    if "secret_key" not in settings.model_fields_set:
        return [
            f"{SECRET_KEY} is not set (it signs the unsubscribe links in emails; "
            "set the same random value on every node, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
        ]
    real = f"a random key of at least {MIN_APP_KEY_LENGTH} characters"
    problem = _secret_problem(SECRET_KEY, key, MIN_APP_KEY_LENGTH, real)
    return [problem] if problem else []


def _base_url_problems(settings: Settings) -> list[str]:
    raw = settings.base_url.strip()
    if "base_url" not in settings.model_fields_set or not raw:
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


def _cors_problems(settings: Settings) -> list[str]:
    origins = settings.cors_allowed_origins
    if "cors_allowed_origins" not in settings.model_fields_set or not origins:
        # Reflex's own default would be "*"
        return [f"{CORS_ORIGINS} is not set (it must name the site's origin)"]
    if any("*" in origin for origin in origins):
        return [
            f"{CORS_ORIGINS} allows every origin ('*'): "
            "name the site's origin, e.g. https://karma.example.com"
        ]
    return []
