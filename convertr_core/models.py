"""SQLModel tables for metering: one ``conversions`` row per conversion attempt.

Times are stored as naive UTC (``DateTime`` without a time zone) so that SQLite and
PostgreSQL hold, compare and return exactly the same values. Schema changes go through
the Alembic migrations in ``convertr_core/migrations``: keep them in step with this file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Column, DateTime, Index
from sqlmodel import Field, SQLModel

from .rows import (ABANDONED, ABANDONED_CODE, ERROR_STATUSES, FAILED,  # noqa: F401
                   FINISHED_STATUSES, RUNNING, SUCCEEDED, TABLE_NAME, utc_naive, utcnow)


class Conversion(SQLModel, table=True):
    """One conversion attempt: inserted ``running``, finalised exactly once.

    Holds the pair, the media kind, the door it came through, who asked (a registered
    client's id, or NULL for anonymous use, plus the keyed-hash cohort — never the raw
    label), the outcome and its numbers, and which process owns a ``running`` row so that
    recovery can tell a crash from a conversion still in progress.
    """

    __tablename__ = TABLE_NAME
    __table_args__ = (
        Index("ix_conversions_started_at", "started_at"),
        Index("ix_conversions_status", "status"),
        Index("ix_conversions_cohort", "cohort"),
    )

    id: str = Field(primary_key=True, max_length=32)
    source: str = Field(max_length=32)
    target: str = Field(max_length=32)
    kind: str = Field(max_length=16)
    transport: str = Field(max_length=16)
    plugin: str = Field(default="", max_length=64)
    client_id: Optional[int] = Field(default=None)
    cohort: Optional[str] = Field(default=None, max_length=23)
    status: str = Field(default=RUNNING, max_length=16)
    error_code: Optional[str] = Field(default=None, max_length=64)
    started_at: datetime = Field(sa_column=Column(DateTime(), nullable=False))
    finished_at: Optional[datetime] = Field(default=None, sa_column=Column(DateTime()))
    runtime_ms: Optional[int] = Field(default=None, sa_column=Column(BigInteger()))
    bytes_in: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    bytes_out: Optional[int] = Field(default=None, sa_column=Column(BigInteger()))
    owner_host: str = Field(default="", max_length=255)
    owner_pid: int = Field(default=0)
    owner_start: Optional[str] = Field(default=None, max_length=32)

    @property
    def pair_label(self) -> str:
        """``MP4 -> MP3``, as the reliability table writes it."""
        return f"{self.source.upper()} -> {self.target.upper()}"
