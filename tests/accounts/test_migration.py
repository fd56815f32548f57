"""Revisions 0002_accounts and 0003_rate_limits create exactly the tables the models
describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from convertr_core import accounts_models, schema
from convertr_core.db import get_engine

TABLES = {"api_clients", "api_tokens", "ledger_entries", "rate_limit_hits"}


def test_upgrade_reaches_head_and_matches_the_models(settings):
    check_schema(settings)


@pytest.mark.services
def test_the_same_on_postgresql(pg_settings):
    check_schema(pg_settings)


def check_schema(settings) -> None:
    assert schema.upgrade(settings) == "0003_rate_limits" == schema.head_revision()
    engine = get_engine(settings)
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    ours = [change for change in diff if TABLES & _tables(change)]
    assert ours == []
    assert accounts_models.ApiClient.__tablename__ in TABLES


def _tables(change) -> set[str]:
    """Names of the tables an autogenerate diff entry touches."""
    items = change if isinstance(change, list) else [change]
    found = set()
    for item in items:
        for part in item:
            name = getattr(part, "name", None)
            table = getattr(part, "table", None)
            if table is not None:
                found.add(table.name)
            elif isinstance(name, str):
                found.add(name)
    return found
