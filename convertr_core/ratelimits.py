"""Rate limits that hold across every worker and machine: hits are counted in the database.

A limit kept in each process's memory lets an address through W × M times the limit with
W workers on M machines. Here every counted request is a ``rate_limit_hits`` row (the
address only as a keyed hash), and the check, the clean-up of expired hits and the new
hit happen in one write transaction: SQLite serialises writers, PostgreSQL takes an
advisory lock per key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
from datetime import timedelta
from typing import Any

from .cohorts import secret_for_settings
from .db import write_transaction
from .errors import RateLimited
from .rows import utcnow
from .schema import upgrade
from .settings import Settings


def hit(settings: Settings, bucket: str, address: str, *, limit: int, window_s: float,
        what: str) -> None:
    """Count one ``bucket`` request from ``address``.

    Args:
        settings: which database, and the key that hashes the address.
        bucket: the kind of request (``registrations``, ``tokens``), at most 32 chars.
        address: the client address (stored only as a keyed hash).
        limit: requests allowed per window; 0 or less turns the limit off.
        window_s: the sliding window in seconds.
        what: how the message names the requests ("registrations").

    Raises:
        RateLimited: ``limit`` requests already fell in the window (the request is not
            counted); ``details["retry_after"]`` says when the oldest one leaves it.
    """
    if limit <= 0:
        return
    upgrade(settings)
    key = _address_key(settings, bucket, address)
    wait = _count(settings, bucket, key, limit, timedelta(seconds=window_s))
    if wait is not None:
        raise RateLimited(f"too many {what} from this address; try again in {wait} s",
                          retry_after=wait)


def _count(settings: Settings, bucket: str, key: str, limit: int,
           window: timedelta) -> int | None:
    """Seconds to wait (over the limit) or None (counted) in one transaction."""
    from sqlalchemy import delete, func, insert, select, text

    table = _table()
    now = utcnow()
    with write_transaction(settings) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                               {"key": key})
        # Expired hits of every address in this bucket: the table stays one window big.
        connection.execute(delete(table).where(table.c.bucket == bucket,
                                               table.c.at <= now - window))
        recent = connection.execute(
            select(func.count(), func.min(table.c.at))
            .where(table.c.bucket == bucket, table.c.key == key)).one()
        if recent[0] >= limit:
            return max(1, math.ceil((recent[1] + window - now).total_seconds()))
        connection.execute(insert(table).values(bucket=bucket, key=key, at=now))
    return None


def _address_key(settings: Settings, bucket: str, address: str) -> str:
    message = f"{bucket}\n{address}".encode("utf-8")
    return hmac.new(secret_for_settings(settings), message, hashlib.sha256).hexdigest()


@functools.cache
def _table() -> Any:
    """The ``rate_limit_hits`` columns this module reads and writes (Core, no ORM)."""
    from sqlalchemy import DateTime, Integer, String, column, table

    return table("rate_limit_hits", column("id", Integer), column("bucket", String),
                 column("key", String), column("at", DateTime))
