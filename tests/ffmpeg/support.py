"""Helpers shared by the audio, video and ffmpeg toolkit tests."""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from pathlib import Path

from convertr_core import Format, Job, ffmpeg
from convertr_core.ffmpeg_formats import container
from tests.media import FFMPEG, ffmpeg as run_ffmpeg


def processes_mentioning(token: str) -> list[int]:
    """PIDs of live processes whose command line contains ``token`` (a /proc scan)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
            with open(f"/proc/{entry}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != b"Z":
            found.append(int(entry))
    return found


def probe(path: Path, fmt_id: str) -> ffmpeg.MediaInfo:
    """Probe an output with the demuxer of the format it claims to be."""
    return ffmpeg.probe(path, container(fmt_id).demuxer)


def stream_md5(path: Path, selector: str) -> str:
    """MD5 of one stream's packets (equal for a stream copy, different after re-encode)."""
    done = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-map", selector,
                           "-c", "copy", "-f", "md5", "-"], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def rotated(source: Path, path: Path, degrees: int = 90) -> Path:
    """A copy of ``source`` whose display matrix turns it by ``degrees`` (a phone video)."""
    run_ffmpeg("-display_rotation", str(degrees), "-i", str(source), "-c", "copy", str(path))
    return path


def make_job(input_path: Path, output_path: Path, source: Format, target: Format,
             workdir: Path, options: dict | None = None, **extra: object) -> Job:
    """A job as the pipeline would build it, for calling a converter directly."""
    workdir.mkdir(exist_ok=True)
    return Job(input_path=input_path, output_path=output_path, source=source,
               target=target, options=options or {}, workdir=workdir, **extra)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def later(seconds: float, action) -> threading.Timer:  # type: ignore[no-untyped-def]
    """Run ``action`` after ``seconds`` on a timer thread (started already)."""
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer
