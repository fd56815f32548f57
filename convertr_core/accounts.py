"""API clients: registration, bcrypt passwords and ``<id>|<secret>`` bearer tokens.

Only a SHA-256 of each token's secret is stored and lookups compare digests in constant
time, so a copy of the database holds no usable token. Passwords are bcrypt-hashed at
cost 12; bcrypt reads at most 72 bytes, so longer passwords are refused rather than
silently truncated.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import string
from dataclasses import dataclass
from typing import Any, Mapping

import bcrypt
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .accounts_models import ApiClient, ApiToken, LedgerEntry
from .cohorts import cohort_for_settings
from .db import session_scope as _db_session
from .errors import NotFound, Unauthorized, ValidationFailed
from .rows import utcnow
from .settings import Settings

BCRYPT_ROUNDS = 12
BCRYPT_MAX_BYTES = 72
MIN_PASSWORD_CHARS = 8
SECRET_CHARS = 48
DEFAULT_SIGNUP_GRANT_MINUTES = 10
_ALPHABET = string.ascii_letters + string.digits
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_TOKEN = re.compile(r"^([1-9][0-9]{0,9})\|([A-Za-z0-9]{40,128})$")
MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL


@dataclass(frozen=True)
class Registration:
    """A freshly registered client and its first token (the only time it is shown)."""

    client: ApiClient
    plain_text_token: str


@dataclass(frozen=True)
class Identity:
    """Who a valid bearer token belongs to."""

    client_id: int
    token_id: int
    cohort: str | None


def signup_grant_minutes(env: Mapping[str, str] | None = None) -> int:
    """Minutes granted at registration (``CONVERTR_SIGNUP_GRANT_MINUTES``, default 10)."""
    raw = (os.environ if env is None else env).get("CONVERTR_SIGNUP_GRANT_MINUTES", "")
    return max(int(raw), 0) if raw.strip() else DEFAULT_SIGNUP_GRANT_MINUTES


def session_scope(settings: Settings) -> Any:
    """A committed-or-rolled-back session on a database migrated to head (the first
    call per process runs the migrations; later calls cost a set lookup)."""
    from .schema import upgrade

    upgrade(settings)
    return _db_session(settings)


# -- passwords ------------------------------------------------------------------------
def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used (None when it can)."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"The password must be at least {MIN_PASSWORD_CHARS} characters."
    if not _storable(password):
        return "The password must be text."
    if len(password.encode("utf-8")) > BCRYPT_MAX_BYTES:
        return (f"The password must be at most {BCRYPT_MAX_BYTES} bytes in UTF-8 (bcrypt's "
                f"limit; a character such as € counts 3 bytes).")
    return None


def hash_password(password: str) -> str:
    """bcrypt hash at cost 12; raises ``ValidationFailed`` for an unusable password."""
    problem = password_problem(password)
    if problem:
        raise ValidationFailed(problem, errors={"password": [problem]})
    salt = bcrypt.gensalt(rounds=BCRYPT_ROUNDS)
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches; a password bcrypt cannot read never matches."""
    try:
        raw = password.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from JSON: no stored password has one
        return False
    if len(raw) > BCRYPT_MAX_BYTES:  # bcrypt 5 raises; older ones would truncate
        return False
    return bcrypt.checkpw(raw, password_hash.encode("ascii"))


_dummy_hash: list[str] = []


def _spend_a_bcrypt_check(password: str) -> None:
    """Take as long as a real check, so an unknown email is not told apart by timing."""
    if not _dummy_hash:
        _dummy_hash.append(hash_password(secrets.token_hex(8)))
    verify_password(password, _dummy_hash[0])


# -- registration ---------------------------------------------------------------------
def _text(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(name, []).append(f"The {name.replace('_', ' ')} field is required.")
        return ""
    if not isinstance(value, str) or not _storable(value):
        errors.setdefault(name, []).append(f"The {name.replace('_', ' ')} must be text.")
        return ""
    return value


def _storable(value: str) -> bool:
    """Valid UTF-8 without NUL (PostgreSQL refuses NUL; lone surrogates cannot encode)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def validate_registration(data: Mapping[str, Any]) -> dict[str, str]:
    """Check name, email, password and confirmation; ``ValidationFailed`` lists every
    problem per field. Returns the cleaned values."""
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", errors).strip()
    email = _text(data, "email", errors).strip()
    password = _text(data, "password", errors)
    confirmation = _text(data, "password_confirmation", errors)
    if len(name) > 255:
        errors.setdefault("name", []).append("The name must be at most 255 characters.")
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.setdefault("email", []).append("The email must be a valid email address.")
    if password and password_problem(password):
        errors.setdefault("password", []).append(password_problem(password) or "")
    if password and confirmation and password != confirmation:
        errors.setdefault("password_confirmation", []).append(
            "The password confirmation does not match.")
    if errors:
        raise _invalid(errors)
    return {"name": name, "email": email, "password": password}


def _invalid(errors: dict[str, list[str]]) -> ValidationFailed:
    """Laravel-style message: the first problem, plus how many more there are."""
    messages = [msg for field_messages in errors.values() for msg in field_messages]
    more = len(messages) - 1
    suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    return ValidationFailed(messages[0] + suffix, errors=errors)


def register_client(settings: Settings, data: Mapping[str, Any],
                    label: str | None) -> Registration:
    """Create a client, its sign-up grant and its first token in one transaction.

    Raises:
        ValidationFailed: a field is missing or wrong, or the email is taken.
    """
    clean = validate_registration(data)
    email_key = clean["email"].lower()
    if find_client(settings, clean["email"]) is not None:  # friendly early answer
        raise _email_taken()
    password_hash = hash_password(clean["password"])
    try:
        with session_scope(settings) as session:
            client = ApiClient(name=clean["name"], email=clean["email"], email_key=email_key,
                               password_hash=password_hash,
                               cohort=cohort_for_settings(label, settings))
            session.add(client)
            session.flush()
            _add_signup_grant(session, client)
            plain = issue_token(session, client)
    except IntegrityError:  # a concurrent registration won the unique index
        raise _email_taken() from None
    return Registration(client, plain)


def _email_taken() -> ValidationFailed:
    return _invalid({"email": ["The email has already been taken."]})


def _add_signup_grant(session: Session, client: ApiClient) -> None:
    minutes = signup_grant_minutes()
    if minutes:
        session.add(LedgerEntry(client_id=client.id, kind="grant", minutes=minutes,
                                note="sign-up grant"))


# -- tokens ---------------------------------------------------------------------------
def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def issue_token(session: Session, client: ApiClient) -> str:
    """Add a token for ``client`` and return ``<id>|<secret>`` (never stored in clear)."""
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_CHARS))
    token = ApiToken(client_id=client.id, secret_sha256=_digest(secret))
    session.add(token)
    session.flush()
    return f"{token.id}|{secret}"


def authenticate(settings: Settings, authorization: str) -> Identity:
    """The client behind an ``Authorization: Bearer <id>|<secret>`` header.

    Raises:
        Unauthorized: malformed, unknown or revoked token (never treated as anonymous).
    """
    scheme, _, credentials = authorization.strip().partition(" ")
    match = _TOKEN.match(credentials.strip())
    if scheme.lower() != "bearer" or match is None:
        raise Unauthorized("malformed Authorization header: expected 'Bearer <id>|<secret>'")
    token_id, secret = int(match.group(1)), match.group(2)
    if token_id > MAX_ID:
        raise Unauthorized("unknown bearer token")
    with session_scope(settings) as session:
        row = session.exec(select(ApiToken, ApiClient.cohort).join(
            ApiClient, ApiClient.id == ApiToken.client_id).where(ApiToken.id == token_id)).first()
    expected = row[0].secret_sha256 if row else _digest("x" * SECRET_CHARS)
    if not hmac.compare_digest(expected, _digest(secret)) or row is None:
        raise Unauthorized("unknown bearer token")
    if row[0].revoked_at is not None:
        raise Unauthorized("this bearer token has been revoked")
    return Identity(client_id=row[0].client_id, token_id=token_id, cohort=row[1])


def create_token(settings: Settings, email: str, password: str) -> str:
    """A new token for the client with these credentials.

    Raises:
        Unauthorized: wrong email or password (the message does not say which).
    """
    client = find_client(settings, email or "")
    if client is None:
        _spend_a_bcrypt_check(password or "")
        raise Unauthorized("wrong email or password")
    if not verify_password(password or "", client.password_hash):
        raise Unauthorized("wrong email or password")
    with session_scope(settings) as session:
        return issue_token(session, client)


def revoke_token(settings: Settings, token_id: int) -> None:
    """Revoke one token (idempotent)."""
    with session_scope(settings) as session:
        token = session.get(ApiToken, token_id)
        if token is not None and token.revoked_at is None:
            token.revoked_at = utcnow()
            session.add(token)


def revoke_all_tokens(settings: Settings, email: str) -> int:
    """Revoke every live token of a client; returns how many were live."""
    client = require_client(settings, email)
    with session_scope(settings) as session:
        live = session.exec(select(ApiToken).where(ApiToken.client_id == client.id,
                                                   ApiToken.revoked_at.is_(None))).all()
        for token in live:
            token.revoked_at = utcnow()
            session.add(token)
        return len(live)


# -- lookups --------------------------------------------------------------------------
def find_client(settings: Settings, email: str) -> ApiClient | None:
    """The client with this email (any case), or None."""
    if not _storable(email) or len(email) > 1000:  # cannot be stored, so cannot match
        return None
    with session_scope(settings) as session:
        return session.exec(select(ApiClient).where(
            ApiClient.email_key == email.strip().lower())).first()


def require_client(settings: Settings, email: str) -> ApiClient:
    """The client with this email; ``NotFound`` otherwise."""
    client = find_client(settings, email)
    if client is None:
        raise NotFound(f"no API client with email {email.strip()!r}")
    return client


def get_client(settings: Settings, client_id: int) -> ApiClient:
    """The client with this id; ``NotFound`` otherwise."""
    with session_scope(settings) as session:
        client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"no API client with id {client_id}")
    return client


def list_clients(settings: Settings) -> list[ApiClient]:
    """Every client, oldest first."""
    with session_scope(settings) as session:
        return list(session.exec(select(ApiClient).order_by(ApiClient.id)).all())


def live_token_count(settings: Settings, client_id: int) -> int:
    """How many unrevoked tokens a client holds."""
    with session_scope(settings) as session:
        return len(session.exec(select(ApiToken.id).where(
            ApiToken.client_id == client_id, ApiToken.revoked_at.is_(None))).all())
