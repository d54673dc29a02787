"""Password hashing with argon2id (memory-hard), behind two functions."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

# argon2's defaults (RFC 9106's second choice: 64 MiB, 3 passes)
STRONG = PasswordHasher()
_hasher = STRONG  # the test suite swaps in a cheap one (tests/conftest.py)
# Verified against when the email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password-dummy")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(
            password_hash
        )
    except (VerifyMismatchError, InvalidHashError):
        return False
