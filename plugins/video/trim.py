"""Trim by stream copy when the cut starts on a keyframe: a remux instead of an encode.

A copy can only start on a keyframe, so a trim whose ``start`` is on one (within half a
frame) is copied; any other start is re-encoded for an exact cut. ``end`` needs no
keyframe: the copy stops at the first packet past it.
"""

from __future__ import annotations

from convertr_core import Job, ffmpeg
from convertr_core.ffmpeg import MediaInfo

from .command import can_copy_video
from .recipes import VIDEO_RECIPES

TRIM_OPTIONS = frozenset({"start", "end"})
# Matroska shifts a copied cut by the audio pre-roll when the video has B-frames (a 30 s
# trim came out 30.13 s): trims into MKV/WebM re-encode for an exact length.
TRIM_COPY_TARGETS = frozenset({"mp4", "mov"})
# the keyframe scan reads packets from this long before ``start`` to as long after it
# (half a frame is at most 0.5 s down to 1 fps); only packets are read, nothing decoded
_SCAN_MARGIN = 0.5


def copy_trim_args(job: Job, info: MediaInfo, demuxer: str) -> list[str] | None:
    """Input-side ``-ss``/``-itsoffset``/``-to`` for a trim by stream copy (None: re-encode).

    Only when ``start``/``end`` are the only options asked, the video stream would be
    copied without them and ``start`` is absent or on a keyframe. Call after
    ``trim_args`` (it validates the range).
    """
    asked = {name for name, value in job.options.items() if value}
    video = info.video
    if not asked or not asked <= TRIM_OPTIONS or video is None:
        return None
    if job.target.id not in TRIM_COPY_TARGETS:
        return None
    if not can_copy_video(VIDEO_RECIPES[job.target.id], job.options, video,
                          trim_copied=True):
        return None
    start = job.options.get("start") or 0.0
    seek = _seek_args(job, info, demuxer, start) if start else []
    if seek is None:
        return None
    end = job.options.get("end")
    return seek + (["-to", f"{end:.3f}"] if end else [])


def _seek_args(job: Job, info: MediaInfo, demuxer: str, start: float) -> list[str] | None:
    """``-ss``/``-itsoffset`` that begin the copy with the keyframe at ``start`` (None:
    there is none within half a frame)."""
    video = info.video
    assert video is not None
    scan_from = max(0.0, start - _SCAN_MARGIN)
    found = ffmpeg.keyframes(job.input_path, demuxer, video.index, scan_from,
                             start + _SCAN_MARGIN - scan_from, job)
    for key in found:
        frame = key.duration or 1 / (video.fps or 25)
        if abs(key.time - start) <= frame / 2 + 1e-6:
            return _seek_to(key.time, frame)
    return None


def _seek_to(keyframe: float, frame: float) -> list[str]:
    """Seek a quarter frame past the keyframe: the demuxer lands on the last keyframe at or
    before the point, and a seek exactly on it could round to the one before. ffmpeg then
    copies from that keyframe, with timestamps counted from the seek point; the offset
    puts the keyframe 1 ms after zero, as a negative time would make MP4 players skip it
    (edit list)."""
    if keyframe <= frame / 2:
        return []
    late = frame / 4
    return ["-ss", f"{keyframe + late:.6f}", "-itsoffset", f"{late + 0.001:.6f}"]
