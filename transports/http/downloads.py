"""Sending the converted file: a self-cleaning stream and a safe Content-Disposition."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote

# Anything that could end a header, split a parameter or confuse a file system.
_UNSAFE_ASCII = re.compile(r'[^A-Za-z0-9._ ()+,-]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_STEM_CHARS = 120


class SelfDeletingFile(io.FileIO):
    """A read-only file that removes its request's temp folder when closed.

    Falcon hands ``resp.stream`` to the server's ``wsgi.file_wrapper`` (gunicorn then uses
    ``sendfile``), and every WSGI server closes the response iterable once it is done,
    also when the client went away mid-download. ``close()`` is therefore the one place
    that runs after the last byte, whatever happened; the garbage-collection finaliser
    calls it too, as a last resort for a response that was never sent.
    """

    def __init__(self, path: Path, cleanup_dir: Path) -> None:
        super().__init__(path, "rb")
        self._cleanup_dir = cleanup_dir

    def close(self) -> None:
        try:
            super().close()
        finally:
            shutil.rmtree(self._cleanup_dir, ignore_errors=True)


def output_name(original: str, extension: str) -> str:
    """The download's file name: the upload's stem with the target's extension."""
    base = PureWindowsPath(PurePosixPath(original or "").name).name  # drop any folders
    stem = _CONTROL.sub("", base).strip()
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    stem = stem.strip(" .")[:MAX_STEM_CHARS] or "converted"
    return f"{stem}.{extension}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, when needed, RFC 6266 ``filename*``.

    The ASCII fallback replaces every character outside a conservative set, so quotes,
    backslashes, semicolons and line breaks can never escape the quoted value.
    """
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = _UNSAFE_ASCII.sub("_", ascii_name).strip(" ")
    if not fallback or fallback.startswith("."):  # nothing ASCII left of the stem
        fallback = "converted" + fallback
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header
