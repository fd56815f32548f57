"""Database engines and sessions: SQLite (WAL) by default, PostgreSQL by URL.

Engines are created lazily per process, so gunicorn workers never share a connection
pool inherited through ``fork``. SQLAlchemy and SQLModel are imported only when an engine or
a session is first needed: the metering plugin imports this module for every command, most
of which never touch the database.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[tuple[int, str], Engine] = {}
_write_engines: dict[int, Engine] = {}
_sqlite_urls: dict[tuple[str, str], str] = {}


def database_url(settings: Settings) -> str:
    """``CONVERTR_DATABASE_URL``, or SQLite in the data directory."""
    if settings.database_url:
        return settings.database_url
    # Every metered conversion asks: resolve the path once per home and working dir.
    key = (str(settings.home), os.getcwd())  # a relative home depends on the cwd
    url = _sqlite_urls.get(key)
    if url is None:
        home = Path(settings.home)
        home.mkdir(parents=True, exist_ok=True)
        url = _sqlite_urls[key] = f"sqlite:///{(home / 'convertr.db').resolve()}"
    return url


def get_engine(settings: Settings | None = None) -> Engine:
    """This process's engine for ``settings`` (created on first use after a fork)."""
    url = database_url(settings or get_settings())
    key = (os.getpid(), url)
    engine = _engines.get(key)
    if engine is None:
        engine = _create_engine(url)
        _engines[key] = engine
    return engine


def _create_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event  # not SQLModel's re-export: no pydantic

    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False,
                                                  "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event opens transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


WRITE_OPTION = "convertr_write"


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    """Writers take SQLite's write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads, then writes, fails at once with SQLITE_BUSY when
    another process committed in between (the busy timeout does not apply to that case),
    and the caller's retry costs far more than waiting its turn for the lock.
    """
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def for_writing(engine: Engine) -> Engine:
    """``engine`` with the option that makes SQLite transactions ``BEGIN IMMEDIATE``."""
    writer = _write_engines.get(id(engine))
    if writer is None:
        writer = _write_engines[id(engine)] = engine.execution_options(**{WRITE_OPTION: True})
    return writer


@contextmanager
def write_transaction(settings: Settings | None = None) -> Iterator[Connection]:
    """A connection in a write transaction, committed on success, else rolled back.

    Core statements on it skip the ORM's unit of work: metering writes two rows per
    conversion this way, which is most of what a small image conversion costs.
    """
    with for_writing(get_engine(settings)).begin() as connection:
        yield connection


@contextmanager
def session_scope(settings: Settings | None = None, *, write: bool = True,
                  ) -> Iterator[Session]:
    """A session committed on success and rolled back on any exception.

    ``write=False`` for long reads (rollups): on SQLite they then do not hold the write
    lock that metering waits for.
    """
    from sqlmodel import Session

    engine = get_engine(settings)
    bind = for_writing(engine) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dispose_engines() -> None:
    """Close every engine this process created (tests, shutdown)."""
    for key in [k for k in _engines if k[0] == os.getpid()]:
        engine = _engines.pop(key)
        _write_engines.pop(id(engine), None)
        engine.dispose()


def upgrade(settings: Settings | None = None) -> str | None:
    """Apply pending Alembic migrations once per process (see ``convertr_core.schema``)."""
    from .schema import upgrade as upgrade_schema  # Alembic loads only when needed
    return upgrade_schema(settings)
