"""The ``conversions`` row without the ORM: status names, timestamp form, DML target.

Metering writes two rows per conversion, often from a short-lived CLI process:
importing SQLModel (and pydantic) just for that cost ~0.1 s per ``convertr convert``.
These definitions need only SQLAlchemy Core. ``models.Conversion`` is the full table
(migrations, rollups); tests/metering/test_rows.py checks that the two agree.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from typing import Any

RUNNING, SUCCEEDED, FAILED, ABANDONED = "running", "succeeded", "failed", "abandoned"
FINISHED_STATUSES = (SUCCEEDED, FAILED, ABANDONED)
ERROR_STATUSES = (FAILED, ABANDONED)
ABANDONED_CODE = "abandoned"

TABLE_NAME = "conversions"


def utc_naive(moment: datetime) -> datetime:
    """``moment`` as naive UTC, the form every timestamp column holds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def utcnow() -> datetime:
    """Now, as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@cache
def conversions() -> Any:
    """A Core ``table()`` clause naming every column metering reads or writes, typed
    so that values are bound exactly as the ORM binds them."""
    from sqlalchemy import BigInteger, DateTime, Integer, String, column, table

    return table(
        TABLE_NAME,
        column("id", String), column("source", String), column("target", String),
        column("kind", String), column("transport", String), column("plugin", String),
        column("client_id", Integer), column("cohort", String), column("status", String),
        column("error_code", String), column("started_at", DateTime),
        column("finished_at", DateTime), column("runtime_ms", BigInteger),
        column("bytes_in", BigInteger), column("bytes_out", BigInteger),
        column("owner_host", String), column("owner_pid", Integer),
        column("owner_start", String))
