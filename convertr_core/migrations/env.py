"""Alembic environment for Convertr: run by ``convertr_core.schema.upgrade``.

``upgrade`` hands over an open connection (holding the migration lock) through
``config.attributes["connection"]``; without one, the engine comes from the settings.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from convertr_core import models  # noqa: F401  (registers the metering tables)

target_metadata = SQLModel.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the caller's connection, or one from the configured engine."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from convertr_core.db import get_engine
    with get_engine().connect() as fresh:
        _run(fresh)


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
