"""What a converter declares, and the job it is handed when it runs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import Cancelled, ConversionTimeout
from .formats import Format, MediaKind
from .options import Option

ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class Limits:
    """Resource limits the pipeline enforces and hands to converters.

    Attributes:
        max_input_bytes: largest accepted input file (None: unlimited).
        max_pixels: largest decoded image (width × height) a converter may decode.
        time_limit: wall-clock seconds a conversion may run (None: unlimited).
    """

    max_input_bytes: int | None = None
    max_pixels: int | None = 100_000_000
    time_limit: float | None = None


@dataclass
class Job:
    """Everything a converter needs, and nothing about who asked.

    A converter reads ``input_path`` and writes ``output_path``; both live outside the
    caller's tree. ``workdir`` is private scratch space removed after the run.
    """

    input_path: Path
    output_path: Path
    source: Format
    target: Format
    options: dict[str, Any]
    workdir: Path
    limits: Limits = field(default_factory=Limits)
    progress: ProgressCallback = lambda fraction: None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    deadline: float | None = None  # time.monotonic() value

    def time_left(self) -> float | None:
        """Seconds until the deadline (None: no limit); raises once it has passed."""
        self.check()
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 0.0)

    def check(self) -> None:
        """Raise ``Cancelled`` or ``ConversionTimeout`` when the job must stop."""
        if self.cancel_event.is_set():
            raise Cancelled("conversion cancelled")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise ConversionTimeout(
                f"conversion exceeded its time limit of {self.limits.time_limit:g} s")


ConvertFunction = Callable[[Job], None]


@dataclass(frozen=True)
class Converter:
    """One format pair a plugin offers.

    Attributes:
        source, target: format ids (aliases are resolved at registration).
        kind: media kind, which decides billing and limits (image / audio / video).
        run: called with a ``Job``; writes ``job.output_path`` or raises ``ConvertrError``.
        options: the options it accepts; anything else is refused before it runs.
        priority: when two plugins offer one pair the higher priority wins.
        help: one line shown by ``convertr formats``.
    """

    source: str
    target: str
    kind: MediaKind
    run: ConvertFunction
    options: tuple[Option, ...] = ()
    priority: int = 0
    help: str = ""
    plugin: str = ""  # set by the registry: the plugin that registered it

    @property
    def pair(self) -> tuple[str, str]:
        return (self.source, self.target)
