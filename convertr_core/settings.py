"""Settings read from the environment once, passed explicitly everywhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from .converters import Limits

GB = 1_000_000_000


def _int(env: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in {"0", "none", "unlimited"}:
        return None
    return int(float(raw))


@dataclass(frozen=True)
class Settings:
    """Runtime configuration (environment variables in brackets).

    Attributes:
        home: data directory (``CONVERTR_HOME``, default ``./var``).
        database_url: SQLAlchemy URL (``CONVERTR_DATABASE_URL``; default SQLite in home).
        secret: key for cohort hashes (``CONVERTR_SECRET``; default generated into home).
        max_input_bytes: anonymous upload / input limit (``CONVERTR_MAX_INPUT_BYTES``, 1 GB).
        client_max_input_bytes: limit for registered clients
            (``CONVERTR_CLIENT_MAX_INPUT_BYTES``, 5 GB).
        max_pixels: decoded image cap (``CONVERTR_MAX_PIXELS``, 100 megapixels).
        time_limit: seconds per conversion (``CONVERTR_TIME_LIMIT``, 3600).
        disabled_plugins: plugin names not loaded (``CONVERTR_DISABLE_PLUGINS``, commas).
        temp_dir: where private work directories go (``CONVERTR_TEMP_DIR``; system temp).
    """

    home: Path = Path("var")
    database_url: str | None = None
    secret: str | None = field(default=None, repr=False)
    max_input_bytes: int | None = GB
    client_max_input_bytes: int | None = 5 * GB
    max_pixels: int | None = 100_000_000
    time_limit: float | None = 3600.0
    disabled_plugins: frozenset[str] = frozenset()
    temp_dir: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from ``env`` (default ``os.environ``)."""
        env = os.environ if env is None else env
        disabled = {n.strip() for n in env.get("CONVERTR_DISABLE_PLUGINS", "").split(",")}
        time_limit = _int(env, "CONVERTR_TIME_LIMIT", 3600)
        return cls(
            home=Path(env.get("CONVERTR_HOME") or "var"),
            database_url=env.get("CONVERTR_DATABASE_URL") or None,
            secret=env.get("CONVERTR_SECRET") or None,
            max_input_bytes=_int(env, "CONVERTR_MAX_INPUT_BYTES", GB),
            client_max_input_bytes=_int(env, "CONVERTR_CLIENT_MAX_INPUT_BYTES", 5 * GB),
            max_pixels=_int(env, "CONVERTR_MAX_PIXELS", 100_000_000),
            time_limit=float(time_limit) if time_limit else None,
            disabled_plugins=frozenset(n for n in disabled if n),
            temp_dir=Path(env["CONVERTR_TEMP_DIR"]) if env.get("CONVERTR_TEMP_DIR") else None,
        )

    def limits(self, *, client: bool = False) -> Limits:
        """The limits for an anonymous caller, or a registered client's."""
        max_bytes = self.client_max_input_bytes if client else self.max_input_bytes
        return Limits(max_input_bytes=max_bytes, max_pixels=self.max_pixels,
                      time_limit=self.time_limit)

    def with_(self, **changes: object) -> "Settings":
        """A copy with ``changes`` applied (handy in tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]


_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def configure(settings: Settings | None) -> None:
    """Replace the process-wide settings (None: re-read the environment on next use)."""
    global _current
    _current = settings
