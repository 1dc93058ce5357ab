"""argon2id password hashing, with the cost taken from configuration, and what a new password
must be (`password_problem`)."""
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError


def _hasher():
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same effort as a real check so timing does not reveal unknown accounts.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# -- what a password must be ------------------------------------------------------------------

MIN_LENGTH = 12
MAX_LENGTH = 1024
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords():
    """The shipped list of the most common passwords (lower-cased)."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str):
    """Why `password` may not be set, or None: at least 12 characters (a passphrase of a few
    words is welcome), not only whitespace, not one of the most common passwords (also with its
    spaces taken out), and more than a few distinct characters."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(least)s characters; a few words make a good passphrase.", least=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(most)s characters.", most=MAX_LENGTH)
    if not password.strip():
        return _("A password cannot be only spaces.")
    squeezed = "".join(password.split()).lower()
    if password.lower() in common_passwords() or squeezed in common_passwords():
        return _("This is one of the most common passwords; choose another.")
    if len(set(squeezed)) < 5:
        return _("Use more than a few different characters.")
    return None


def validate_password(password):
    """marshmallow validator for every field that sets a password, beside a Length(12, 1024)
    validator (which also tells the OpenAPI description the bounds)."""
    problem = password_problem(password) if MIN_LENGTH <= len(password) <= MAX_LENGTH else None
    if problem:
        raise ValidationError(problem)
