"""The built-in metering plugin: one ``conversions`` row per conversion attempt.

It is an ordinary plugin (entry point ``metering`` in the ``convertr`` group) on the
``started`` / ``finished`` hooks: ``started`` inserts a ``running`` row owned by this
process (host, pid, process start time); ``finished`` turns the same row into
``succeeded`` or ``failed`` and, in the same transaction, runs every function in
``FINALISERS`` (billing charges conversion minutes there, so a charge exists exactly when
its row is final). A row left ``running`` by a crash is closed as ``abandoned`` by
``recover()``, which runs when a process first meters and then every few minutes.

A metering failure (database down, disk full) never fails a conversion: it is logged at
ERROR level and counted (``failure_count()``, ``status()``).

The registry imports this module for every command, most of which never meter anything:
SQLAlchemy and the schema code are therefore imported inside the functions that use the
database, never at module level. Rows are written with Core statements on
``rows.conversions()``, so a conversion imports SQLModel (and pydantic) only when a
finaliser actually uses its session (tests/metering/test_startup_cost.py checks both).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from .db import database_url, write_transaction
from .hookspecs import hookimpl
from .records import ConversionRecord
from .rows import ABANDONED, ABANDONED_CODE, RUNNING, conversions, utc_naive, utcnow
from .settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

CONVERTR_PLUGIN_INTERFACE = 1

Finaliser = Callable[["Session", ConversionRecord], None]
FINALISERS: list[Finaliser] = []
"""Called as ``finaliser(session, record)`` inside the transaction that finalises a row.

``session`` is a SQLModel session joined to that transaction, created when the finaliser
first uses it (a finaliser that returns early costs no session). Raising rolls the whole
finalisation back (the row stays ``running`` until recovery closes it as ``abandoned``),
so whatever a finaliser writes is atomic with the row."""

RECOVERY_INTERVAL_S = 300.0
ABANDON_GRACE_S = 300.0           # beyond the time limit, before a live-looking row is closed
NO_LIMIT_MAX_AGE_S = 24 * 3600.0  # when conversions have no time limit
DEFAULT_RETENTION_DAYS = 30
FINISH_ATTEMPTS = 3

log = logging.getLogger("convertr.metering")

_lock = threading.Lock()
_failures = {"count": 0}
_last_error: dict[str, Any] = {}
_last_recovery: dict[tuple[int, str], float] = {}
_owners: dict[int, dict[str, Any]] = {}


# -- hooks ---------------------------------------------------------------------------
@hookimpl
def convertr_conversion_started(record: ConversionRecord, settings: Settings) -> None:
    """Insert the attempt's ``running`` row (before the converter runs)."""
    try:
        _ensure_ready(settings)
        with write_transaction(settings) as connection:
            connection.execute(_statements().insert, _row_values(record))
    except Exception as ex:  # metering never breaks a conversion
        _record_failure("start", record, ex)


@hookimpl
def convertr_conversion_finished(record: ConversionRecord, settings: Settings) -> None:
    """Finalise the attempt's row and run ``FINALISERS`` in the same transaction."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(1, FINISH_ATTEMPTS + 1):
        try:
            _ensure_ready(settings)
            with write_transaction(settings) as connection:
                finalise(connection, record)
            return
        except DBAPIError as ex:  # a blip (connection lost, lock timeout): try again
            if attempt == FINISH_ATTEMPTS:
                _record_failure("finish", record, ex)
            else:
                time.sleep(0.2 * attempt)
        except Exception as ex:
            _record_failure("finish", record, ex)
            return


def finalise(connection: Connection, record: ConversionRecord) -> None:
    """Write ``record``'s outcome into its row (creating it if ``started`` failed).

    Then every ``FINALISERS`` entry runs with a session on the same transaction; the
    caller commits. The row itself is written with Core statements: the ORM's unit of
    work used to be most of a small conversion's cost.
    """
    statements = _statements()
    outcome = _outcome_values(record)
    updated = connection.execute(statements.finish, {"row_id": record.id, **outcome})
    if not updated.rowcount:  # ``started`` could not write it: one complete row now
        connection.execute(statements.insert, {**_row_values(record), **outcome})
    if FINALISERS:
        _run_finalisers(connection, record)


def _run_finalisers(connection: Connection, record: ConversionRecord) -> None:
    session = _JoinedSession(connection)
    try:
        for finaliser in list(FINALISERS):
            finaliser(session, record)
        session.flush()
    finally:
        session.close()


class _JoinedSession:
    """A SQLModel session on the row's connection, created when a finaliser first uses it.

    Most conversions are anonymous and billing's finaliser returns without touching the
    session: not building it keeps SQLModel (and pydantic) out of a CLI conversion.
    A session on a connection already in a transaction joins it: it neither commits nor
    ends it, so the finalisers' writes commit or roll back with the row.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._session: Session | None = None

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            from sqlmodel import Session

            self._session = Session(bind=self._connection)
        return getattr(self._session, name)

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def start(settings: Settings | None = None) -> None:
    """Migrate and recover now (the HTTP app calls this at start); never raises."""
    settings = settings or get_settings()
    try:
        _ensure_ready(settings)
    except Exception as ex:
        _record_failure("startup", None, ex)


# -- recovery and retention ------------------------------------------------------------
def recover(settings: Settings | None = None, now: datetime | None = None) -> int:
    """Close ``running`` rows whose owner is gone as ``abandoned``; return how many.

    A row is abandoned when its owner process on this host no longer exists (or is a
    different process reusing the pid), or, wherever it ran, when it started longer ago
    than the time limit plus a grace period. A live conversion in another worker or on
    another host is left alone.
    """
    from sqlalchemy import select

    table = conversions()
    settings = settings or get_settings()
    now = utc_naive(now) if now else utcnow()
    oldest = now - timedelta(seconds=_max_age_s(settings))
    host = socket.gethostname()
    with write_transaction(settings) as connection:
        rows = connection.execute(
            select(table.c.id, table.c.owner_host, table.c.owner_pid, table.c.owner_start,
                   table.c.started_at).where(table.c.status == RUNNING)).all()
        gone = [row.id for row in rows
                if row.started_at < oldest
                or (row.owner_host == host and not _alive(row.owner_pid, row.owner_start))]
        if gone:
            connection.execute(table.update()
                               .where(table.c.id.in_(gone), table.c.status == RUNNING)
                               .values(status=ABANDONED, error_code=ABANDONED_CODE,
                                       finished_at=now))
    if gone:
        log.warning("metering recovery closed %d abandoned conversion(s)", len(gone))
    return len(gone)


def prune(settings: Settings | None = None, now: datetime | None = None,
          retention_days: int | None = None) -> int:
    """Delete conversion rows that started before the retention period; return how many."""
    table = conversions()
    settings = settings or get_settings()
    days = retention_days if retention_days is not None else retention_period_days()
    cutoff = (utc_naive(now) if now else utcnow()) - timedelta(days=days)
    with write_transaction(settings) as connection:
        result = connection.execute(table.delete().where(table.c.started_at < cutoff))
    return int(result.rowcount or 0)


def retention_period_days() -> int:
    """``CONVERTR_METERING_RETENTION_DAYS`` (default 30)."""
    raw = os.environ.get("CONVERTR_METERING_RETENTION_DAYS", "").strip()
    return int(raw) if raw else DEFAULT_RETENTION_DAYS


# -- health ------------------------------------------------------------------------------
def failure_count() -> int:
    """How many metering writes this process failed (conversions went on regardless)."""
    return _failures["count"]


def status() -> dict[str, Any]:
    """This process's metering health, JSON-ready (for ``/api/health``)."""
    return {"failures": _failures["count"], "last_failure": dict(_last_error) or None}


# -- internals -----------------------------------------------------------------------------
def _ensure_ready(settings: Settings) -> None:
    """Schema at head once per process; recovery and pruning every few minutes."""
    from .schema import upgrade

    upgrade(settings)
    key = (os.getpid(), database_url(settings))
    now = time.monotonic()
    with _lock:
        due = now - _last_recovery.get(key, -RECOVERY_INTERVAL_S) >= RECOVERY_INTERVAL_S
        if due:
            _last_recovery[key] = now
    if due:
        try:
            recover(settings)
            prune(settings)
        except Exception as ex:  # recovery can wait for the next round
            _record_failure("recovery", None, ex)


class _Statements(NamedTuple):
    insert: Any
    finish: Any


@functools.cache
def _statements() -> _Statements:
    """The two metering statements, built once (SQLAlchemy caches their compiled SQL)."""
    from sqlalchemy import bindparam

    table = conversions()
    return _Statements(insert=table.insert(),
                       finish=table.update().where(table.c.id == bindparam("row_id")))


def _row_values(record: ConversionRecord) -> dict[str, Any]:
    """A new ``running`` row owned by this process."""
    return {"id": record.id, "source": _fit(record.source, 32),
            "target": _fit(record.target, 32), "kind": _fit(record.kind, 16),
            "transport": _fit(record.transport, 16), "plugin": _fit(record.plugin or "", 64),
            "client_id": record.client_id, "cohort": record.cohort, "status": RUNNING,
            "started_at": utc_naive(record.started_at), "bytes_in": record.bytes_in,
            **_owner()}


def _outcome_values(record: ConversionRecord) -> dict[str, Any]:
    """The columns ``finished`` sets: outcome, error code, numbers, end time."""
    return {"status": record.outcome if record.outcome != RUNNING else ABANDONED,
            "error_code": _fit(record.error_code, 64) if record.error_code else None,
            "runtime_ms": record.runtime_ms, "bytes_out": record.bytes_out,
            "finished_at": utc_naive(record.finished_at or datetime.now().astimezone())}


def _owner() -> dict[str, Any]:
    """This process as a row's owner: host, pid and start time (read once per process)."""
    pid = os.getpid()
    owner = _owners.get(pid)
    if owner is None:
        owner = _owners[pid] = {"owner_host": _fit(socket.gethostname(), 255),
                                "owner_pid": pid, "owner_start": _process_start(pid)}
    return owner


def _fit(value: str, length: int) -> str:
    """PostgreSQL enforces VARCHAR lengths: a third-party plugin's long name or error
    code must not make the row impossible to write."""
    return value[:length]


def _record_failure(phase: str, record: ConversionRecord | None, ex: BaseException) -> None:
    with _lock:
        _failures["count"] += 1
        _last_error.update(phase=phase, error=type(ex).__name__, at=_utcnow_iso())
    what = f"conversion {record.id} ({record.pair_label})" if record else "metering"
    log.error("METERING FAILURE (%s) for %s: %s; the conversion itself is unaffected",
              phase, what, type(ex).__name__, exc_info=ex)


def _utcnow_iso() -> str:
    """Naive UTC like the rows' timestamps."""
    return utcnow().isoformat()


def _max_age_s(settings: Settings) -> float:
    limit = settings.time_limit
    return (limit if limit else NO_LIMIT_MAX_AGE_S) + ABANDON_GRACE_S


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to spot pid reuse."""
    stat = _proc_stat(pid)
    return stat[1] if stat else None


def _proc_stat(pid: int) -> tuple[str, str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw.rsplit(")", 1)[1].split()  # the name in parentheses may hold spaces
    return fields[0], fields[19]          # state, starttime


def _alive(pid: int, started: str | None) -> bool:
    """Whether the process that owned a row still runs (unknown counts as alive)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    stat = _proc_stat(pid)
    if stat is None:
        return not Path("/proc/self/stat").exists()  # no /proc: trust kill()
    state, start_ticks = stat
    if state in ("Z", "X"):
        return False
    return started is None or start_ticks == started
