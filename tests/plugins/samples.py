"""Tiny sample files for every built-in format, made with tests/media.py's generators.

Kept small on purpose (0.5 s, 64x48): the conformance suite runs hundreds of pairs.
"""

from __future__ import annotations

from pathlib import Path

from tests.media import ffmpeg, make_audio, make_heic, make_image

SECONDS = 0.5
SIZE = "64x48"

# container → (video encoder args, audio encoder args)
VIDEO_CODECS: dict[str, tuple[list[str], list[str]]] = {
    "mp4": (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"], ["-c:a", "aac"]),
    "webm": (["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"],
             ["-c:a", "libopus"]),
    "ogv": (["-c:v", "libvpx"], ["-c:a", "libvorbis"]),
    "avi": (["-c:v", "mpeg4"], ["-c:a", "libmp3lame"]),
    "flv": (["-c:v", "flv"], ["-c:a", "libmp3lame", "-ar", "44100"]),
    "wmv": (["-c:v", "wmv2"], ["-c:a", "wmav2"]),
}
for _h264_container in ("mov", "mkv", "m4v", "3gp", "ts"):
    VIDEO_CODECS[_h264_container] = VIDEO_CODECS["mp4"]

AUDIO_CODECS: dict[str, list[str]] = {
    "mp3": ["-c:a", "libmp3lame"], "wav": [], "flac": [], "ogg": ["-c:a", "libvorbis"],
    "opus": ["-c:a", "libopus"], "m4a": ["-c:a", "aac"], "aac": ["-c:a", "aac"],
    "wma": ["-c:a", "wmav2"],
}
IMAGE_FORMATS = {"jpg", "png", "webp", "gif", "bmp", "tiff", "avif"}


def make_sample(fmt: str, folder: Path) -> Path | None:
    """A small valid ``fmt`` file in ``folder``, or None for a format we cannot make."""
    path = folder / f"sample.{fmt}"
    if fmt == "heic":
        return make_heic(path)
    if fmt in IMAGE_FORMATS:
        return make_image(path)
    if fmt in AUDIO_CODECS:
        return make_audio(path, seconds=SECONDS, codec=AUDIO_CODECS[fmt])
    if fmt in VIDEO_CODECS:
        video, audio = VIDEO_CODECS[fmt]
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={SIZE}:rate=10:duration={SECONDS}",
               "-f", "lavfi", "-i", f"sine=frequency=440:duration={SECONDS}",
               *video, *audio, "-shortest", str(path))
        return path
    return None
