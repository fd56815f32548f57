"""Registration, tokens and lookups against the real (migrated) database."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from convertr_core import NotFound, Unauthorized, ValidationFailed, cohort_for_label
from convertr_core import accounts, billing
from convertr_core.db import database_url

FORM = {"name": "Acme Mobile", "email": "dev@acme.example", "password": "secret-password",
        "password_confirmation": "secret-password"}


def register(settings, label="acme-mobile-production", **changes):
    return accounts.register_client(settings, {**FORM, **changes}, label)


def test_registration_stores_cohort_grant_and_a_working_token(settings, monkeypatch):
    monkeypatch.setenv("CONVERTR_SIGNUP_GRANT_MINUTES", "7")
    done = register(settings)
    assert done.client.cohort == cohort_for_label("acme-mobile-production", settings)
    assert done.client.cohort.startswith("cohort_")
    token_id, _, secret = done.plain_text_token.partition("|")
    assert len(secret) >= 40 and secret.isalnum()
    identity = accounts.authenticate(settings, f"Bearer {done.plain_text_token}")
    assert (identity.client_id, identity.token_id) == (done.client.id, int(token_id))
    assert billing.balance_of(settings, done.client.id) == 7


def test_every_problem_is_reported_per_field(settings):
    with pytest.raises(ValidationFailed) as caught:
        accounts.register_client(settings, {"email": "not-an-email", "password": "short",
                                            "password_confirmation": "other"}, None)
    errors = caught.value.errors
    assert set(errors) == {"name", "email", "password", "password_confirmation"}
    assert "required" in errors["name"][0] and "valid email" in errors["email"][0]
    assert "(and 3 more errors)" in caught.value.message


def test_email_is_unique_whatever_its_case(settings):
    register(settings)
    with pytest.raises(ValidationFailed) as caught:
        register(settings, email="  DEV@Acme.Example ")
    assert caught.value.errors == {"email": ["The email has already been taken."]}


def test_concurrent_registrations_of_one_email_create_one_client(settings):
    outcomes: list[str] = []

    def attempt(index: int) -> None:
        try:
            register(settings, email=f"Race@Example.{'com' if index % 2 else 'COM'}")
            outcomes.append("created")
        except ValidationFailed as ex:
            outcomes.append(ex.errors["email"][0])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["The email has already been taken."] * 3 + ["created"]
    assert len(accounts.list_clients(settings)) == 1


@pytest.mark.parametrize("header", [
    "", "Bearer", "Bearer abc", "Basic dXNlcjpwYXNz", "Bearer 1|short",
    "Bearer 0|" + "a" * 48, "Bearer x|" + "a" * 48, "Bearer 1|" + "a" * 47 + "!"])
def test_malformed_tokens_are_refused(settings, header):
    with pytest.raises(Unauthorized, match="malformed"):
        accounts.authenticate(settings, header)


def test_unknown_wrong_and_revoked_tokens_are_refused(settings):
    done = register(settings)
    token_id, _, secret = done.plain_text_token.partition("|")
    with pytest.raises(Unauthorized, match="unknown"):
        accounts.authenticate(settings, f"Bearer {int(token_id) + 1}|{secret}")
    with pytest.raises(Unauthorized, match="unknown"):
        accounts.authenticate(settings, f"Bearer {token_id}|{secret[::-1]}")
    accounts.revoke_token(settings, int(token_id))
    with pytest.raises(Unauthorized, match="revoked"):
        accounts.authenticate(settings, f"Bearer {done.plain_text_token}")


def test_new_tokens_need_the_password_and_revoke_all_revokes_them(settings):
    done = register(settings)
    second = accounts.create_token(settings, "DEV@acme.example", "secret-password")
    assert accounts.authenticate(settings, f"bearer {second}").client_id == done.client.id
    for email, password in [("dev@acme.example", "wrong-password"),
                            ("nobody@acme.example", "secret-password")]:
        with pytest.raises(Unauthorized, match="wrong email or password"):
            accounts.create_token(settings, email, password)
    assert accounts.revoke_all_tokens(settings, "dev@acme.example") == 2
    for token in (done.plain_text_token, second):
        with pytest.raises(Unauthorized, match="revoked"):
            accounts.authenticate(settings, f"Bearer {token}")
    with pytest.raises(NotFound):
        accounts.revoke_all_tokens(settings, "nobody@acme.example")


def test_database_files_hold_no_usable_token_or_password(settings):
    done = register(settings)
    accounts.authenticate(settings, f"Bearer {done.plain_text_token}")
    secret = done.plain_text_token.partition("|")[2].encode()
    db_file = Path(database_url(settings).removeprefix("sqlite:///"))
    files = [p for p in db_file.parent.iterdir() if p.name.startswith(db_file.name)]
    assert db_file in files
    dump = b"".join(path.read_bytes() for path in files)  # main file, -wal and -shm
    assert hashlib.sha256(secret).hexdigest().encode() in dump  # we scanned the right bytes
    assert secret not in dump and b"secret-password" not in dump
    assert b"acme-mobile-production" not in dump


def test_out_of_range_ids_and_unstorable_emails_are_plain_refusals(settings):
    with pytest.raises(Unauthorized, match="unknown"):
        accounts.authenticate(settings, "Bearer 9999999999|" + "a" * 48)
    with pytest.raises(Unauthorized, match="wrong email"):
        accounts.create_token(settings, "a\x00b@acme.example", "secret-password")


@pytest.mark.services
def test_accounts_on_postgresql(pg_settings):
    done = register(pg_settings)
    assert accounts.authenticate(pg_settings, f"Bearer {done.plain_text_token}").client_id \
        == done.client.id
    with pytest.raises(ValidationFailed, match="already been taken"):
        register(pg_settings, email="DEV@ACME.EXAMPLE")
    with pytest.raises(ValidationFailed) as caught:
        register(pg_settings, name="nul\x00name", email="other@acme.example")
    assert caught.value.errors == {"name": ["The name must be text."]}
    test_out_of_range_ids_and_unstorable_emails_are_plain_refusals(pg_settings)
