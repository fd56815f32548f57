"""Fixtures for the accounts and billing tests."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest

import convertr_core
from convertr_core import Caller, Registry, accounts, billing, convert, metering
from convertr_core.db import dispose_engines
from convertr_core.testing import make_registry
from tests.accounts import toy_media

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FORM = {"name": "Acme Mobile", "email": "dev@acme.example", "password": "secret-password",
        "password_confirmation": "secret-password"}


@pytest.fixture
def registry() -> Registry:
    """The toy audio/image pairs with the real metering and billing plugins."""
    return make_registry(toy_media, metering, billing)


@pytest.fixture
def client(settings) -> accounts.Registration:
    """A registered client with the default sign-up grant."""
    return accounts.register_client(settings, FORM, "acme-mobile-production")


def toy_convert(registry: Registry, settings, folder: Path, client_id: int | None,
                body: bytes = b"TONE hello", target: str = "beep", name: str = "in") -> Any:
    """Run the real pipeline on a toy file as client ``client_id``."""
    source = folder / f"{name}.bin"
    source.write_bytes(body)
    return convert(source, folder / f"{name}.out", target=target, registry=registry,
                   settings=settings, caller=Caller("http", "acme", client_id))


@pytest.fixture
def pg_settings(settings):
    """Settings on PostgreSQL, in a schema of its own that is dropped afterwards."""
    import psycopg

    schema = f"accounts_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres",
                                autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    admin.execute(f"CREATE SCHEMA {schema}")
    pg = settings.with_(database_url=f"{PG_URL}?options=-csearch_path%3D{schema}")
    convertr_core.configure(pg)  # the metering and billing hooks read these settings
    yield pg
    dispose_engines()
    admin.execute(f"DROP SCHEMA {schema} CASCADE")
    admin.close()


from tests.http.conftest import gunicorn_server  # noqa: E402,F401  (the real server fixture)
