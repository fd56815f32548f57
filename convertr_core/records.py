"""The record of one conversion attempt, as observers see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

Outcome = Literal["running", "succeeded", "failed"]
Transport = Literal["cli", "http", "job", "library"]


@dataclass
class Caller:
    """Who asks for a conversion.

    Attributes:
        transport: the door it came through (cli / http / job / library).
        label: the raw client label. It never leaves the pipeline: only the cohort
            derived from it is put on the record.
        client_id: a registered API client's id, or None for anonymous use.
    """

    transport: Transport = "library"
    label: str | None = field(default=None, repr=False)
    client_id: int | None = None


@dataclass
class ConversionRecord:
    """One attempt, handed to ``started`` and then ``finished`` observers.

    ``outcome`` is ``running`` while the converter runs, then ``succeeded`` or
    ``failed`` (with ``error_code``). ``extra`` lets observers leave facts for each
    other (billing puts the billed minutes there).
    """

    source: str
    target: str
    kind: str
    transport: str
    cohort: str | None = None
    client_id: int | None = None
    plugin: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    finished_at: datetime | None = None
    outcome: Outcome = "running"
    error_code: str | None = None
    runtime_ms: int | None = None
    bytes_in: int = 0
    bytes_out: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pair_label(self) -> str:
        """``MP4 -> MP3``, as the reliability table writes it."""
        return f"{self.source.upper()} -> {self.target.upper()}"
