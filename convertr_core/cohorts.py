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
    text = unicodedata.normalize("NFKC", label).strip()
    # Case-folding can leave text that NFKC would change again (and vice versa), so
    # normalise once more: equal labels must give one cohort however they were typed.
    text = unicodedata.normalize("NFKC", text.casefold())
    text = _SPACES.sub(" ", text).strip()
    return text[:MAX_LABEL_CHARS].strip()


def cohort_for(label: str | None, secret: bytes) -> str | None:
    """``cohort_`` + 16 hex digits of HMAC-SHA-256(secret, label); None for no label."""
    text = normalise_label(label)
    if not text:
        return None
    digest = hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return "cohort_" + digest[:16]


def load_secret(settings: Settings) -> bytes:
    """The cohort key: ``CONVERTR_SECRET``, or one generated once into the data dir.

    The generated key is written to a private temp file (0600) and published with
    ``os.link``, which fails if the key already exists: processes starting together agree
    on one key, and nobody ever reads a half-written file.
    """
    if settings.secret:
        return settings.secret.encode("utf-8")
    path = Path(settings.home) / "secret.key"
    if not path.exists():
        _publish_secret(path)
    secret = path.read_bytes().strip()
    if not secret:
        raise RuntimeError(f"the cohort secret {path} is empty; delete it or set CONVERTR_SECRET")
    return secret


def _publish_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_hex(32).encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)
    except FileExistsError:
        pass  # another process published its key first: use that one
    finally:
        draft.unlink(missing_ok=True)


_secrets: dict[str, bytes] = {}


def cohort_for_settings(label: str | None, settings: Settings) -> str | None:
    """``cohort_for`` with the key that ``settings`` selects (cached per process)."""
    if not label:  # most calls: no key needed (nor created) to say "no cohort"
        return None
    return cohort_for(label, secret_for_settings(settings))


def secret_for_settings(settings: Settings) -> bytes:
    """The keyed-hash secret ``settings`` selects (read or created once per process)."""
    if settings.secret:
        return settings.secret.encode("utf-8")
    home = str(Path(settings.home).resolve())
    if home not in _secrets:
        _secrets[home] = load_secret(settings)
    return _secrets[home]
