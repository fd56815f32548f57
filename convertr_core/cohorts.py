"""Client labels → keyed-hash cohorts. The raw label is never stored anywhere."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from pathlib import Path

from .settings import Settings

MAX_LABEL_CHARS = 80
_SPACES = re.compile(r"\s+")


def normalise_label(label: str | None) -> str:
    """NFKC, trim, case-fold, collapse inner whitespace, keep 80 characters."""
    if not label:
        return ""
    text = unicodedata.normalize("NFKC", label)
    text = _SPACES.sub(" ", text.strip()).casefold()
    return text[:MAX_LABEL_CHARS].strip()


def cohort_for(label: str | None, secret: bytes) -> str | None:
    """``cohort_`` + 16 hex digits of HMAC-SHA-256(secret, label); None for no label."""
    text = normalise_label(label)
    if not text:
        return None
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return "cohort_" + digest[:16]


def load_secret(settings: Settings) -> bytes:
    """The cohort key: ``CONVERTR_SECRET``, or one generated once into the data dir."""
    if settings.secret:
        return settings.secret.encode("utf-8")
    path = Path(settings.home) / "secret.key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_hex(32).encode()
    try:  # O_EXCL: two processes starting at once agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(fresh)
    return fresh


_secrets: dict[str, bytes] = {}


def cohort_for_settings(label: str | None, settings: Settings) -> str | None:
    """``cohort_for`` with the key that ``settings`` selects (cached per process)."""
    if settings.secret:
        return cohort_for(label, settings.secret.encode("utf-8"))
    home = str(Path(settings.home).resolve())
    if home not in _secrets:
        _secrets[home] = load_secret(settings)
    return cohort_for(label, _secrets[home])
