"""SQLite sessions: writers take the write lock up front, long reads do not."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from convertr_core import db


def _other_writer_can_start(settings) -> bool:
    other = sqlite3.connect(str(settings.home.resolve() / "convertr.db"), timeout=0.05)
    try:
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_write_sessions_hold_the_lock_from_their_first_read(settings):
    # A deferred transaction that reads then writes fails at once (SQLITE_BUSY, no
    # busy wait) when another process commits in between: writers must not defer.
    with db.session_scope(settings) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    with db.session_scope(settings) as session:
        session.execute(text("SELECT count(*) FROM t"))
        assert not _other_writer_can_start(settings)
        session.execute(text("INSERT INTO t VALUES (1)"))
    with db.session_scope(settings) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_read_sessions_leave_the_write_lock_free(settings):
    with db.session_scope(settings) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    with db.session_scope(settings, write=False) as session:
        session.execute(text("SELECT count(*) FROM t"))
        assert _other_writer_can_start(settings)
