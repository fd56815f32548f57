"""Small helpers shared by the metering tests."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from convertr_core.db import session_scope
from convertr_core.models import Conversion, utcnow
from convertr_core.schema import upgrade
from convertr_core.settings import Settings


def all_rows(settings: Settings) -> list[Conversion]:
    """Every conversion row, oldest first."""
    with session_scope(settings) as session:
        return list(session.exec(select(Conversion).order_by(Conversion.started_at)).all())


def add_row(settings: Settings, **fields: Any) -> Conversion:
    """Insert a conversion row with sensible defaults (override any column)."""
    upgrade(settings)
    now = utcnow()
    values: dict[str, Any] = dict(
        id=os.urandom(16).hex(), source="png", target="jpg", kind="image", transport="http",
        status="succeeded", started_at=now - timedelta(minutes=5), finished_at=now,
        runtime_ms=100, bytes_in=10, bytes_out=10, owner_host=socket.gethostname(),
        owner_pid=os.getpid())
    values.update(fields)
    row = Conversion(**values)
    with session_scope(settings) as session:
        session.add(row)
    return row


def ago(now: datetime, **delta: float) -> datetime:
    return now - timedelta(**delta)
