"""Password hashing with argon2id (OWASP ASVS 5.0: ≥ 19 MiB, t=2, p=1).

Parameters come from config so tests can use cheap ones; ``needs_rehash`` lets a
sign-in upgrade a hash made with older parameters.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


_DUMMY_HASH: dict[tuple, str] = {}


def burn_equal_time(password: str) -> None:
    """Spend as long as a real check so unknown e-mails cannot be told apart by timing."""
    config = current_app.config
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST_KIB"], config["ARGON2_PARALLELISM"])
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not-a-real-password")
    verify_password(_DUMMY_HASH[key], password)
