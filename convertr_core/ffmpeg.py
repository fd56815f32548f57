"""The ffmpeg toolkit any plugin may use: find, probe, run and kill the bundled ffmpeg.

* ``ffmpeg_exe()`` is the binary from the imageio-ffmpeg wheel (there is no ffprobe).
* ``probe(path, demuxer)`` parses ``ffmpeg -i`` output into ``MediaInfo``: streams,
  codecs, duration, dimensions, the display-matrix rotation and whether audio exists.
* ``keyframes(...)`` lists a stream's keyframes around a time from packet flags (no decode).
* ``run(args, job)`` runs one ffmpeg in its own process group under the job's wall-clock
  limit, feeds ``-progress`` into ``job.progress``, kills the whole group on timeout,
  cancel or Ctrl-C, and turns a failure into a ``ConvertrError`` with a short reason.

Every input is opened with its demuxer forced and ``-protocol_whitelist file`` (see
``input_args``), so a playlist disguised as a video cannot reach the network or other files.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Sequence

from .converters import Job
from .errors import (Cancelled, ConversionFailed, ConversionTimeout, ConvertrError,
                     DecodeFailed, MissingDependency, NoAudioStream)

PROBE_TIME_LIMIT = 60.0  # seconds; reading headers of a local file never needs more
_STDERR_KEEP = 64 * 1024  # bytes of stderr kept for error mapping; the rest is dropped
_STDERR_HEAD = 32 * 1024  # the start (input description) is kept apart from the tail
_exe: str | None = None


# how often ffmpeg writes -progress (its default, 0.5 s, left short jobs with no report)
STATS_PERIOD = "0.1"

def ffmpeg_exe() -> str:
    """Path of the bundled ffmpeg binary (imageio-ffmpeg); ``MissingDependency`` if absent."""
    global _exe
    if _exe is None:
        try:
            import imageio_ffmpeg
            _exe = imageio_ffmpeg.get_ffmpeg_exe()
        except (ImportError, RuntimeError) as ex:
            raise MissingDependency("ffmpeg is not available: pip install imageio-ffmpeg "
                                    f"({type(ex).__name__})") from None
    return _exe


def threads() -> int:
    """Encoder threads: every core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def input_args(path: Path, demuxer: str) -> list[str]:
    """``-f <demuxer> -protocol_whitelist file -i <path>``: nothing is left to guessing."""
    return ["-f", demuxer, "-protocol_whitelist", "file", "-i", f"file:{path}"]


def output_args(path: Path, muxer: str) -> list[str]:
    """The muxer and the file protocol only, for the output too."""
    return ["-f", muxer, "-protocol_whitelist", "file", f"file:{path}"]


# -- probing ----------------------------------------------------------------------------
@dataclass
class Stream:
    """One stream as ``ffmpeg -i`` describes it."""

    index: int
    kind: str  # video / audio / subtitle / data / attachment
    codec: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: str | None = None
    rotation: int = 0  # degrees the display matrix turns the picture
    attached_pic: bool = False  # cover art, not a video track


@dataclass
class MediaInfo:
    """What ``probe`` found: container, duration and streams."""

    container: str = ""
    duration: float | None = None
    streams: list[Stream] = field(default_factory=list)

    @property
    def video(self) -> Stream | None:
        """The first real video stream (cover art does not count)."""
        return next((s for s in self.streams if s.kind == "video" and not s.attached_pic),
                    None)

    @property
    def audio(self) -> Stream | None:
        """The first audio stream."""
        return next((s for s in self.streams if s.kind == "audio"), None)

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as shown, after the display-matrix rotation."""
        video = self.video
        if video is None or not video.width or not video.height:
            return None
        if video.rotation % 180:
            return video.height, video.width
        return video.width, video.height


_INPUT = re.compile(r"^Input #0, ([^\s]+), from")
_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM = re.compile(r"^\s*Stream #0:(\d+)\S*: (Video|Audio|Subtitle|Data|Attachment): "
                     r"([^\s,]+)(.*)$")
_SIZE = re.compile(r"(?:^|[ ,])(\d{1,5})x(\d{1,5})(?=[ ,\]]|$)")
_FPS = re.compile(r"([\d.]+)(k?) (?:fps|tbr)")
_RATE = re.compile(r"(\d+) Hz, ([^,]+)")
_ROTATION = re.compile(r"displaymatrix: rotation of (-?[\d.]+) degrees", re.IGNORECASE)


def parse_info(stderr: str) -> MediaInfo:
    """Parse the stream listing ``ffmpeg -i`` prints (stderr) into ``MediaInfo``."""
    info = MediaInfo()
    for line in stderr.splitlines():
        if (found := _INPUT.match(line)) is not None:
            info.container = found.group(1)
        elif (found := _DURATION.match(line)) is not None:
            info.duration = _seconds(found)
        elif (found := _STREAM.match(line)) is not None:
            info.streams.append(_parse_stream(found))
        elif (found := _ROTATION.search(line.replace("Display Matrix", "displaymatrix"))):
            if info.streams:
                info.streams[-1].rotation = round(float(found.group(1))) % 360
    return info


def _seconds(found: re.Match[str]) -> float:
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _parse_stream(found: re.Match[str]) -> Stream:
    index, kind, codec, rest = found.groups()
    stream = Stream(index=int(index), kind=kind.lower(), codec=codec)
    stream.attached_pic = "(attached pic)" in rest
    if stream.kind == "video":
        if (size := _SIZE.search(rest)) is not None:
            stream.width, stream.height = int(size.group(1)), int(size.group(2))
        if (fps := _FPS.search(rest)) is not None:
            stream.fps = float(fps.group(1)) * (1000 if fps.group(2) else 1)
    elif stream.kind == "audio" and (rate := _RATE.search(rest)) is not None:
        stream.sample_rate, stream.channels = int(rate.group(1)), rate.group(2).strip()
    return stream


def probe(path: Path, demuxer: str, job: Job | None = None) -> MediaInfo:
    """Read ``path``'s header with the forced ``demuxer``; ``DecodeFailed`` if unreadable."""
    limit = PROBE_TIME_LIMIT
    if job is not None and (left := job.time_left()) is not None:
        limit = min(limit, left)
    outcome = _execute([ffmpeg_exe(), "-hide_banner", "-nostdin",
                        *input_args(Path(path), demuxer)], job, limit, None)
    info = parse_info(outcome.stderr)
    if not info.container or not info.streams:
        raise _classify(outcome.stderr, default=DecodeFailed,
                        fallback="ffmpeg cannot read its header")
    return info


# -- keyframes --------------------------------------------------------------------------
@dataclass(frozen=True)
class Keyframe:
    """A keyframe: when it shows (seconds on the timeline ``-ss`` counts in) and how long
    its frame lasts (seconds; 0 when the container does not say)."""

    time: float
    duration: float


_CRC_BASE = re.compile(r"^#tb \d+: (\d+)/(\d+)")
_CRC_PACKET = re.compile(r"^\d+,\s*-?\d+,\s*(-?\d+),\s*(-?\d+),\s*\d+,\s*0x[0-9a-fA-F]+(.*)$")
_CRC_FLAGS = re.compile(r"F=0x([0-9a-fA-F]+)")


def keyframes(path: Path, demuxer: str, stream: int, start: float, span: float,
              job: Job) -> list[Keyframe]:
    """Keyframes of input stream ``stream`` from the last one at or before ``start`` to
    about ``start + span`` seconds (ffmpeg seeks to a keyframe, then copies from there).

    Reads packet flags only (``-c copy -f framecrc``): nothing is decoded, so the cost is a
    header read plus ``span`` seconds of demuxing, wherever ``start`` is in the file.
    """
    listing = job.workdir / "keyframes.crc"
    left = job.time_left()
    limit = PROBE_TIME_LIMIT if left is None else min(PROBE_TIME_LIMIT, left)
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
               "-ss", f"{start:.6f}", *input_args(Path(path), demuxer), "-map",
               f"0:{stream}", "-c", "copy", "-t", f"{span:.6f}",
               *output_args(listing, "framecrc")]
    try:
        outcome = _execute(command, job, limit, None)
        if outcome.returncode != 0:
            raise _classify(outcome.stderr, default=DecodeFailed,
                            fallback="ffmpeg cannot read the video packets")
        return parse_keyframes(listing.read_text("utf-8", "replace"), start)
    finally:
        listing.unlink(missing_ok=True)


def parse_keyframes(listing: str, offset: float) -> list[Keyframe]:
    """The keyframes of a one-stream ``framecrc`` listing, ``offset`` seconds added.

    ``-ss`` makes the listing's timestamps start from the seek point, hence the offset; a
    packet line carries ``F=0x..`` only when its flags are not exactly "key".
    """
    base, found = None, []
    for line in listing.splitlines():
        if (header := _CRC_BASE.match(line)) is not None:
            base = Fraction(int(header.group(1)), int(header.group(2)))
        elif (packet := _CRC_PACKET.match(line)) is not None and base:
            pts, duration, rest = int(packet.group(1)), int(packet.group(2)), packet.group(3)
            flags = _CRC_FLAGS.search(rest)
            if abs(pts) < 1 << 62 and (flags is None or int(flags.group(1), 16) & 1):
                found.append(Keyframe(offset + float(pts * base),
                                      float(max(duration, 0) * base)))
    return found


# -- running ----------------------------------------------------------------------------
@dataclass
class _Outcome:
    returncode: int
    stderr: str


def run(args: Sequence[str], job: Job, *, duration: float | None = None) -> None:
    """Run ``ffmpeg <args>`` for ``job``; raise a ``ConvertrError`` when it fails.

    Args:
        args: everything after the global options: inputs (use ``input_args``), codec
            settings and the output (use ``output_args``).
        job: supplies the wall-clock limit, the cancel event and the progress callback;
            ``job.output_path`` is removed when the run fails.
        duration: seconds of media being written, to turn ``-progress`` into a fraction.
    """
    # without a known duration, ffmpeg's own input description (info level) gives it
    level = "error" if duration else "info"
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", level,
               "-nostats", "-progress", "pipe:1", "-stats_period", STATS_PERIOD,
               "-threads", str(threads()), *args]
    try:
        outcome = _execute(command, job, job.time_left(), duration)
        if outcome.returncode != 0:
            raise _classify(outcome.stderr, default=ConversionFailed,
                            fallback=f"ffmpeg exited with status {outcome.returncode}")
        if "partial file" in outcome.stderr:  # ffmpeg converts what it has and exits 0
            raise DecodeFailed("the file is truncated")
    except BaseException:
        job.output_path.unlink(missing_ok=True)
        raise


def _execute(command: list[str], job: Job | None, limit: float | None,
             duration: float | None) -> _Outcome:
    """Run ``command`` in a new process group; kill the group on any early exit."""
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    stderr = _Stderr()
    progress = [0.0]
    readers = [threading.Thread(target=stderr.collect, args=(proc.stderr,), daemon=True),
               threading.Thread(target=_read_progress, args=(proc.stdout, progress),
                                daemon=True)]
    for reader in readers:
        reader.start()
    try:
        _wait(proc, job, limit, duration, progress, stderr)
    finally:
        _kill_group(proc)
        for reader in readers:
            reader.join(timeout=5)
    return _Outcome(proc.returncode, stderr.text())


def _wait(proc: subprocess.Popen[bytes], job: Job | None, limit: float | None,
          duration: float | None, progress: list[float], stderr: "_Stderr") -> None:
    """Poll until ffmpeg exits; report progress; stop it on cancel or deadline."""
    deadline = None if limit is None else time.monotonic() + limit
    cancel = job.cancel_event if job is not None else threading.Event()
    # a blocking wait in a thread wakes us the moment ffmpeg exits (Popen.wait(timeout)
    # polls with sleeps of up to 50 ms, a visible cost on a 0.1 s remux)
    exited = threading.Event()
    threading.Thread(target=lambda: (proc.wait(), exited.set()), daemon=True).start()
    while not exited.wait(0.05):
        if cancel.is_set():
            raise Cancelled("conversion cancelled")
        if deadline is not None and time.monotonic() > deadline:
            if job is not None and job.limits.time_limit:
                raise ConversionTimeout(f"conversion exceeded its time limit of "
                                        f"{job.limits.time_limit:g} s")
            raise ConversionTimeout("ffmpeg took too long")
        duration = duration or stderr.duration()
        if job is not None and duration:
            job.progress(min(progress[0] / duration, 0.99))


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL ffmpeg's whole process group (ffmpeg leads it), then reap it."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


class _Stderr:
    """ffmpeg's stderr, bounded: its head (the input description) and its tail."""

    def __init__(self) -> None:
        self.head, self.tail = bytearray(), bytearray()

    def collect(self, pipe) -> None:  # type: ignore[no-untyped-def]
        for chunk in iter(lambda: pipe.read1(8192), b""):
            room = _STDERR_HEAD - len(self.head)
            self.head.extend(chunk[:room])
            self.tail.extend(chunk[room:] if room > 0 else chunk)
            if len(self.tail) > _STDERR_KEEP:
                del self.tail[:len(self.tail) - _STDERR_KEEP]
        pipe.close()

    def text(self) -> str:
        return (bytes(self.head) + bytes(self.tail)).decode("utf-8", "replace")

    def duration(self) -> float | None:
        """The input's duration, once ffmpeg has printed it (info level only)."""
        for line in bytes(self.head).decode("utf-8", "replace").splitlines():
            if (found := _DURATION.match(line)) is not None:
                return _seconds(found)
        return None


def _read_progress(pipe, progress: list[float]) -> None:  # type: ignore[no-untyped-def]
    """``-progress`` prints ``key=value`` lines; ``out_time_us`` is the position."""
    for raw in pipe:
        if raw.startswith(b"out_time_us=") and raw[12:].strip().isdigit():
            progress[0] = int(raw[12:]) / 1_000_000
    pipe.close()


# -- failures ---------------------------------------------------------------------------
_CAUSES: list[tuple[str, type[ConvertrError], str]] = [
    ("not on whitelist", DecodeFailed,
     "the input refers to other files or the network, which is not allowed"),
    ("matches no streams", NoAudioStream, "the input has no audio stream"),
    ("does not contain any stream", NoAudioStream, "the input has no stream to convert"),
    ("moov atom not found", DecodeFailed, "the file is truncated or not a complete MP4/MOV"),
    ("EBML header parsing failed", DecodeFailed, "the Matroska/WebM header is damaged"),
    ("Invalid data found when processing input", DecodeFailed,
     "the file is damaged or not in the declared format"),
    ("could not find codec parameters", DecodeFailed, "the streams cannot be decoded"),
    ("Error opening input", DecodeFailed, "the file cannot be opened as media"),
    ("No space left on device", ConversionFailed, "the server ran out of disk space"),
    ("Cannot allocate memory", ConversionFailed, "ffmpeg ran out of memory"),
    ("Error initializing output stream", ConversionFailed,
     "the target encoder refused these settings"),
    ("Error while opening encoder", ConversionFailed,
     "the target encoder refused these settings"),
]


def _classify(stderr: str, *, default: type[ConvertrError], fallback: str) -> ConvertrError:
    """Map ffmpeg's stderr to one error with a short reason (never the raw text)."""
    lowered = stderr.lower()
    for needle, cls, reason in _CAUSES:
        if needle.lower() in lowered:
            return cls(reason)
    return default(fallback)
