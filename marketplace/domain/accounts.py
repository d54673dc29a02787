"""Who may have an account: email, handle, display name and password rules,
and the login throttle policy.

Handles are the public address of a profile (/people/<handle>): lowercase, short,
URL-safe, and never a word the app itself uses as a route.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from marketplace.domain.errors import InvalidInput
from marketplace.domain.text import clean_text

EMAIL_MAX = 254
HANDLE_MIN, HANDLE_MAX = 3, 30
PASSWORD_MIN, PASSWORD_MAX = 10, 128

_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
RESERVED_HANDLES = frozenset(
    {
        "admin", "api", "app", "dashboard", "edit", "help", "login", "logout",
        "me", "new", "operator", "people", "profile", "root", "settings",
        "signup", "support", "system", "wallet", "www", "karma",
    }
)  # fmt: skip
# The handful of passwords every breach list starts with; length does the rest.
COMMON_PASSWORDS = frozenset(
    {
        "password1234", "password123", "1234567890", "qwertyuiop", "123456789a",
        "iloveyou123", "passw0rd123", "letmein1234", "welcome1234", "admin12345",
        "abcdefghij", "0987654321",
    }
)  # fmt: skip


def normalize_email(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Email must be text.", "email")
    email = value.strip().lower()
    if not email:
        raise InvalidInput("Email is required.", "email")
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise InvalidInput("That doesn't look like an email address.", "email")
    return email


def normalize_handle(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Handle must be text.", "handle")
    handle = value.strip().lstrip("@").lower()
    if not HANDLE_MIN <= len(handle) <= HANDLE_MAX:
        raise InvalidInput(
            f"Handle must be {HANDLE_MIN} to {HANDLE_MAX} characters.", "handle"
        )
    if not _HANDLE.match(handle):
        raise InvalidInput(
            "Handle may use lowercase letters, digits, '-' and '_', "
            "and must start and end with a letter or digit.",
            "handle",
        )
    if handle in RESERVED_HANDLES:
        raise InvalidInput(f"The handle '{handle}' is reserved.", "handle")
    return handle


def clean_display_name(value: object) -> str:
    return clean_text(
        value, field="display_name", label="Name", max_length=80, required=True
    )


def check_password(password: object, *, email: str = "", handle: str = "") -> str:
    """Refuse passwords that are short, overlong, or guessable from the account."""
    if not isinstance(password, str):
        raise InvalidInput("Password must be text.", "password")
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            f"Password must be at least {PASSWORD_MIN} characters.", "password"
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(
            f"Password must be at most {PASSWORD_MAX} characters.", "password"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidInput("That password is too easy to guess.", "password")
    local_part = email.split("@")[0]
    if (handle and handle in lowered) or (
        len(local_part) >= 4 and local_part in lowered
    ):
        raise InvalidInput(
            "Password must not contain your handle or email.", "password"
        )
    return password


@dataclass(frozen=True)
class ThrottlePolicy:
    """At most `max_failures` failed logins per email within `window`; after
    that the email is locked until the oldest counted failure leaves the window."""

    max_failures: int
    window: timedelta

    def locked_until(self, failures: list[datetime], now: datetime) -> datetime | None:
        recent = sorted(t for t in failures if t > now - self.window)
        if len(recent) < self.max_failures:
            return None
        return recent[-self.max_failures] + self.window
