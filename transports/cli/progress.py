"""A one-line progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

WIDTH = 30
# Redrawing more often than this only costs terminal bandwidth.
MIN_REDRAW_SECONDS = 0.1


class ProgressBar:
    """Draws ``label [#####-----]  50%`` on a terminal; does nothing otherwise.

    Its ``update`` is the ``progress`` callback handed to ``convertr_core.convert``: it may
    be called from a converter's worker thread, hence the lock.

    Args:
        label: text before the bar (the file being converted).
        stream: where to draw (default stderr); nothing is drawn unless it is a TTY.
    """

    def __init__(self, label: str, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = _is_tty(self.stream)
        self.label = label if len(label) <= 30 else "…" + label[-29:]
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False

    def update(self, fraction: float) -> None:
        """Show ``fraction`` (0..1) done; cheap when called very often."""
        if not self.enabled:
            return
        with self._lock:
            now = time.monotonic()
            if fraction < 1.0 and now - self._last_draw < MIN_REDRAW_SECONDS:
                return
            self._last_draw = now
            filled = int(WIDTH * min(max(fraction, 0.0), 1.0))
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction * 100:3.0f}%")
            self.stream.flush()
            self._drawn = True

    def close(self) -> None:
        """Erase the bar so the next line (result or error) starts clean."""
        with self._lock:
            if self.enabled and self._drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._drawn = False


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
