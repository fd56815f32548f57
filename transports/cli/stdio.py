"""``-`` as INPUT or OUTPUT: stdin spooled to a private file, output copied to stdout.

Converters read and write paths (ffmpeg seeks), so both directions go through a private
temp folder under ``CONVERTR_TEMP_DIR`` that is removed whatever happens.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import click

STDIO = "-"
CHUNK = 1024 * 1024


@contextmanager
def spooled_stdin(input_path: str) -> Iterator[Path]:
    """Yield ``input_path``, or for ``-`` a private copy of stdin named ``stdin``.

    The copy stops (``InputTooLarge``) as soon as it passes the input limit, so a
    runaway pipe cannot fill the disk before the core would refuse it anyway.
    """
    if input_path != STDIO:
        yield Path(input_path)
        return
    from convertr_core import BadRequest, get_settings

    stream = click.get_binary_stream("stdin")
    if stream.isatty():
        raise BadRequest("stdin is a terminal; pipe a file in (convertr convert - out.jpg "
                         "< photo.heic) or name an INPUT file")
    settings = get_settings()
    folder = Path(tempfile.mkdtemp(prefix="convertr-stdin-", dir=settings.temp_dir))
    try:
        path = folder / "stdin"
        _copy_limited(stream, path, settings.limits().max_input_bytes)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_limited(stream: BinaryIO, path: Path, limit: int | None) -> None:
    from convertr_core import InputTooLarge

    copied = 0
    with path.open("wb") as sink:
        while chunk := stream.read(CHUNK):
            copied += len(chunk)
            if limit is not None and copied > limit:
                raise InputTooLarge(f"stdin is larger than the input limit of "
                                    f"{limit:,} bytes", limit_bytes=limit)
            sink.write(chunk)


@contextmanager
def stdout_target(extension: str) -> Iterator[tuple[Path, Callable[[], None]]]:
    """Yield a private output path and a function that copies it to stdout.

    Refuses a terminal: binary data would garble it and is almost never what was meant.
    """
    from convertr_core import BadRequest, get_settings

    stream = click.get_binary_stream("stdout")
    if stream.isatty():
        raise BadRequest("refusing to write binary data to a terminal; redirect stdout "
                         "(> out.jpg) or name an OUTPUT file")
    folder = Path(tempfile.mkdtemp(prefix="convertr-stdout-", dir=get_settings().temp_dir))
    path = folder / f"output.{extension}"

    def send() -> None:
        with path.open("rb") as source:
            shutil.copyfileobj(source, stream, CHUNK)
        stream.flush()

    try:
        yield path, send
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def shielded_stdout() -> Iterator[None]:
    """Point file descriptor 1 at stderr for the duration.

    While a converter runs, anything that prints (a library's progress output, a child
    process inheriting stdout) lands on stderr instead of inside the binary result.
    Does nothing when stdout has no real descriptor (click's test runner).
    """
    try:
        out_fd, err_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(out_fd)
    try:
        os.dup2(err_fd, out_fd)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, out_fd)
        os.close(saved)
