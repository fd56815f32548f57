"""Schema migrations: Alembic, driven from code (no ``alembic.ini``).

``upgrade(settings)`` is called once per process by whatever opens the database first
(the metering plugin, the HTTP app at start, ``convertr db upgrade``). It is idempotent and
safe when several gunicorn workers start at the same moment: on PostgreSQL the migration
runs inside a transaction holding an advisory lock; on SQLite an exclusive file lock beside
the database file serialises the processes. The loser of the race finds the schema at head
and does nothing.

Alembic is imported only when a migration may actually have to run: a database already at
``HEAD_REVISION`` is recognised with one plain ``SELECT`` on ``alembic_version``, so the
fixed cost of a CLI command that meters a conversion stays small.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .db import database_url, for_writing, get_engine
from .settings import Settings, get_settings

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

SCRIPT_LOCATION = "convertr_core:migrations"
# The newest revision in convertr_core/migrations/versions. UPDATE IT WITH EVERY NEW
# MIGRATION: upgrade() skips Alembic when the database is at this revision.
# tests/metering/test_startup_cost.py fails when it differs from Alembic's actual head.
HEAD_REVISION = "0003_rate_limits"
# Any stable 64-bit number: every Convertr process takes this same advisory lock.
PG_LOCK_KEY = 0x636F6E7665727472  # "convertr"

_upgraded: set[tuple[int, str]] = set()
_thread_lock = threading.Lock()


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at Convertr's migration scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str | None:
    """The newest revision the migration scripts define (Alembic scans them)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(settings: Settings | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with get_engine(settings or get_settings()).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(settings: Settings | None = None, *, force: bool = False) -> str | None:
    """Bring the database to the newest revision; cheap after the first call per process.

    A database already at ``HEAD_REVISION`` costs one ``SELECT`` and no Alembic import.

    Args:
        settings: which database (default: the process-wide settings).
        force: run Alembic even if this process already upgraded this database.

    Returns:
        The revision the database is at afterwards.
    """
    settings = settings or get_settings()
    key = (os.getpid(), database_url(settings))
    if not force and (key in _upgraded or _stored_revision(settings) == HEAD_REVISION):
        _upgraded.add(key)
        return HEAD_REVISION
    with _thread_lock:  # gthread workers: one thread migrates, the others wait
        if key in _upgraded and not force:
            return HEAD_REVISION
        _run_migrations(get_engine(settings))
        _upgraded.add(key)
    return current_revision(settings)


def _stored_revision(settings: Settings) -> str | None:
    """``alembic_version``'s revision read with plain SQL (None: never migrated).

    A database that cannot be reached raises here, exactly as a migration would."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with get_engine(settings).connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no such table yet: Alembic creates it
            return None
    return rows[0][0] if len(rows) == 1 else None


def _run_migrations(engine: Engine) -> None:
    """Alembic ``upgrade head`` under the cross-process locks."""
    from alembic import command

    # The write lock up front (SQLite): Alembic reads the schema, then writes; a
    # deferred transaction would fail at once if another connection wrote in between.
    with _process_lock(engine), for_writing(engine).begin() as connection:
        _take_pg_lock(connection)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def forget_upgrades() -> None:
    """Make the next ``upgrade`` run Alembic again (tests that drop tables)."""
    _upgraded.clear()


def _take_pg_lock(connection: Connection) -> None:
    """Released by the commit that ends the migration transaction."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy import text

        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})


@contextmanager
def _process_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock across processes for a SQLite file (nothing for servers)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
