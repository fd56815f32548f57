"""Tables for API clients, their bearer tokens and their conversion-minute ledger.

Created by the Alembic revisions ``0002_accounts`` and ``0003_rate_limits``; keep them in
step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from .rows import utcnow  # naive UTC, the form every timestamp column holds


def _timestamp(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(), nullable=nullable)


class ApiClient(SQLModel, table=True):
    """A registered API client.

    ``email_key`` is the lowered address: its unique index makes the case-insensitive
    uniqueness hold under concurrent registrations too. Only the cohort of the client
    label is kept, never the label.
    """

    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=255)
    email: str = Field(max_length=254)
    email_key: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=100)
    cohort: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class ApiToken(SQLModel, table=True):
    """A bearer token ``<id>|<secret>``: only the SHA-256 hex digest of the secret is kept."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_clients.id", index=True)
    secret_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    revoked_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))


class LedgerEntry(SQLModel, table=True):
    """One append-only movement of conversion minutes (the balance is their sum).

    Grants are positive, charges negative. A charge names its conversion (the
    metering row's id); the unique constraint makes a double charge impossible.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("conversion_id", name="uq_ledger_conversion"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="api_clients.id", index=True)
    kind: str = Field(max_length=16)  # "grant" or "charge"
    minutes: int
    conversion_id: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class RateLimitHit(SQLModel, table=True):
    """One counted request of a rate-limited kind (registration, token request).

    ``key`` is a keyed hash of the client address, never the address. Rows older than
    their window are deleted as new hits arrive, so the table holds about one window.
    """

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_lookup", "bucket", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    bucket: str = Field(max_length=32)
    key: str = Field(max_length=64)
    at: datetime = Field(sa_column=_timestamp())
