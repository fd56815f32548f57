"""What each writable video container gets by default, and the options it accepts."""

from __future__ import annotations

from dataclasses import dataclass

from convertr_core import Option
from convertr_core.ffmpeg_audio import trim_options

PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
           "slower", "veryslow")
# ffmpeg's codec names for the video_codec choices (what a probe reports)
CODEC_NAMES = {"h264": "h264", "h265": "hevc", "vp9": "vp9", "vp8": "vp8", "mpeg4": "mpeg4"}
GIF_MAX_SECONDS = 60.0


@dataclass(frozen=True)
class VideoRecipe:
    """Defaults and stream-copy rules for one target container.

    Attributes:
        codecs: the ``video_codec`` choices, default first.
        copy_video / copy_audio: source codecs copied untouched (None: any codec).
        audio: encoder arguments for the soundtrack when it must be re-encoded.
        faststart: move the index to the front (MP4/MOV play while downloading).
        keeps_rotation: the muxer stores the display matrix (else rotated input is
            re-encoded upright instead of copied).
    """

    codecs: tuple[str, ...]
    copy_video: frozenset[str] | None
    copy_audio: frozenset[str] | None
    audio: tuple[str, ...]
    faststart: bool = False
    keeps_rotation: bool = True


_AAC = ("-c:a", "aac", "-b:a", "160k")
_MP4_VIDEO = frozenset({"h264", "hevc", "av1"})
_MP4_AUDIO = frozenset({"aac", "mp3", "alac", "ac3"})

VIDEO_RECIPES: dict[str, VideoRecipe] = {
    "mp4": VideoRecipe(("h264", "h265"), _MP4_VIDEO, _MP4_AUDIO, _AAC, faststart=True),
    "mov": VideoRecipe(("h264", "h265"), _MP4_VIDEO, _MP4_AUDIO, _AAC, faststart=True),
    "mkv": VideoRecipe(("h264", "h265", "vp9"), None, None, _AAC),
    "webm": VideoRecipe(("vp9", "vp8"), frozenset({"vp8", "vp9", "av1"}),
                        frozenset({"opus", "vorbis"}), ("-c:a", "libopus", "-b:a", "128k")),
    "avi": VideoRecipe(("mpeg4", "h264"), frozenset({"mpeg4", "mjpeg", "msmpeg4v3"}),
                       frozenset({"mp3", "ac3", "pcm_s16le"}),
                       ("-c:a", "libmp3lame", "-q:a", "2"), keeps_rotation=False),
}


def video_options(target: str) -> tuple[Option, ...]:
    """Options for video → ``target`` (a writable video container)."""
    codecs = VIDEO_RECIPES[target].codecs
    return (
        Option("crf", "int", "quality: lower is better (default 23 H.264, 28 H.265, "
               "32 VP9)", min=0, max=51),
        Option("preset", "str", "encoder speed (x264/x265 presets; VP9 maps to cpu-used)",
               choices=PRESETS),
        Option("max_width", "int", "shrink to at most this width (keeps aspect)",
               min=16, max=7680),
        Option("max_height", "int", "shrink to at most this height (keeps aspect)",
               min=16, max=4320),
        Option("fps", "float", "output frame rate", min=1, max=120),
        *trim_options(),
        Option("mute", "bool", "drop the soundtrack", default=False),
        Option("video_codec", "str", f"video codec (default {codecs[0]})", choices=codecs),
    )


def gif_options() -> tuple[Option, ...]:
    """Options for video → GIF (clips up to ``GIF_MAX_SECONDS``)."""
    return (Option("fps", "int", "frames per second", default=10, min=1, max=30),
            Option("width", "int", "width in pixels (default: source, at most 480)",
                   min=16, max=1280),
            *trim_options())
