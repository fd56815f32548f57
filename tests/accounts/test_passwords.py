"""Passwords: bcrypt at cost 12, and the 72-byte limit refused, never truncated."""

from __future__ import annotations

import pytest

from convertr_core import ValidationFailed
from convertr_core.accounts import hash_password, verify_password


def test_hash_uses_bcrypt_cost_12_and_verifies():
    hashed = hash_password("secret-password")
    assert hashed.startswith("$2b$12$")
    assert verify_password("secret-password", hashed)
    assert not verify_password("secret-passworD", hashed)


def test_72_ascii_bytes_accepted_and_73_refused():
    password = "a" * 72
    assert verify_password(password, hash_password(password))
    with pytest.raises(ValidationFailed) as caught:
        hash_password("a" * 73)
    assert "72 bytes" in caught.value.errors["password"][0]
    assert caught.value.status == 422


def test_multibyte_limit_counts_utf8_bytes():
    euros = "€" * 24  # 72 bytes in UTF-8
    assert len(euros.encode("utf-8")) == 72
    assert verify_password(euros, hash_password(euros))
    with pytest.raises(ValidationFailed, match="72 bytes"):
        hash_password("€" * 25)


def test_a_longer_password_never_matches_a_72_byte_one():
    # bcrypt ignores bytes after 72: P + "x" must still not verify as P
    password = "p" * 72
    hashed = hash_password(password)
    assert not verify_password(password + "x", hashed)
    assert verify_password(password, hashed)


def test_short_and_unencodable_passwords():
    with pytest.raises(ValidationFailed, match="at least 8"):
        hash_password("short")
    assert not verify_password("\ud800" * 9, hash_password("12345678"))
